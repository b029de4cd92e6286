"""API tokens: hashed at rest, shown once, expiring, revocable, read-only if asked."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from experts.models import ApiToken
from experts.selectors import hash_token
from experts.tokens import api_token_create, api_token_revoke
from tests.conftest import PASSWORD

LIST = reverse("v1:evaluation-list")


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_without_credentials_the_api_answers_401_with_the_error_shape(db):
    response = APIClient().get(LIST)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    [error] = response.json()["errors"]
    assert error["field"] is None and error["rule"] == "not_authenticated"


def test_a_token_has_256_random_bits_and_only_its_hash_is_stored(coordinator):
    token, secret = api_token_create(user=coordinator, name="script")

    assert secret.startswith("ahp_") and len(secret) >= 4 + 43  # 32 bytes, URL-safe base64
    assert token.key_hash == hash_token(secret)
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert secret not in str(stored)
    assert token.prefix == secret[:8]


def test_logging_in_gives_a_working_token(coordinator, evaluation):
    response = APIClient().post(
        reverse("v1:token"), {"username": "alice", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201
    secret = response.json()["token"]
    listed = bearer(secret).get(LIST).json()
    assert [item["id"] for item in listed["results"]] == [evaluation.pk]


def test_a_wrong_password_gets_no_token(coordinator):
    response = APIClient().post(
        reverse("v1:token"), {"username": "alice", "password": "wrong"}, format="json"
    )

    assert response.status_code == 401
    assert ApiToken.objects.count() == 0


def test_a_revoked_token_fails_on_the_next_request(coordinator, evaluation):
    token, secret = api_token_create(user=coordinator, name="script")
    client = bearer(secret)
    assert client.get(LIST).status_code == 200

    api_token_revoke(user=coordinator, token_id=token.pk)

    response = client.get(LIST)
    assert response.status_code == 401
    assert response.json()["errors"][0]["rule"] == "authentication_failed"


def test_an_expired_token_is_refused(coordinator):
    token, secret = api_token_create(user=coordinator, name="script", expires_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert bearer(secret).get(LIST).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer ahp_unknown", "Token nope"])
def test_malformed_or_unknown_tokens_are_refused(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get(LIST).status_code == 401


def test_a_read_only_token_reads_but_cannot_write(coordinator, evaluation):
    _token, secret = api_token_create(user=coordinator, name="dashboard", read_only=True)
    client = bearer(secret)

    assert client.get(LIST).status_code == 200
    response = client.patch(
        reverse("v1:evaluation-detail", args=[evaluation.pk]), {"title": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["rule"] == "permission_denied"
    evaluation.refresh_from_db()
    assert evaluation.title != "x"


def test_the_command_creates_lists_and_revokes_tokens(coordinator, capsys):
    call_command("api_token", "create", "alice", "--name", "cron job", "--expires-days", "7")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert bearer(secret).get(LIST).status_code == 200

    call_command("api_token", "list", "alice")
    listing = capsys.readouterr().out
    assert "cron job" in listing and secret not in listing

    token = ApiToken.objects.get(name="cron job")
    call_command("api_token", "revoke", "alice", str(token.pk))
    assert bearer(secret).get(LIST).status_code == 401


def test_the_tokens_page_creates_shows_once_and_revokes(coordinator_client, coordinator):
    page = reverse("api-tokens")
    created = coordinator_client.post(page, {"name": "BI tool", "read_only": "on"}, follow=True)

    token = ApiToken.objects.get(user=coordinator, name="BI tool")
    assert token.read_only
    html = created.content.decode()
    secret = html.split('data-token="')[1].split('"')[0]
    assert hash_token(secret) == token.key_hash
    assert secret not in coordinator_client.get(page).content.decode()  # shown once only

    coordinator_client.post(reverse("api-token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_cannot_be_revoked(coordinator, outsider_client):
    token, _secret = api_token_create(user=coordinator, name="mine")

    response = outsider_client.post(reverse("api-token-revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def expires_in_days(token: ApiToken) -> float:
    return (token.expires_at - token.created_at) / timedelta(days=1)


def test_a_token_from_the_tokens_page_expires_after_90_days_unless_told_otherwise(
    coordinator_client, coordinator
):
    page = reverse("api-tokens")
    assert 'name="expires_days" inputmode="numeric" value="90"' in (
        coordinator_client.get(page).content.decode()
    )

    coordinator_client.post(page, {"name": "BI tool", "read_only": "on"})
    coordinator_client.post(page, {"name": "emptied", "expires_days": ""})
    coordinator_client.post(page, {"name": "short", "expires_days": "7"})

    days = {t.name: round(expires_in_days(t), 3) for t in ApiToken.objects.filter(user=coordinator)}
    assert days == {"BI tool": 90, "emptied": 90, "short": 7}


def test_the_default_expiry_is_a_setting(coordinator_client, coordinator, settings):
    settings.API_TOKEN_DEFAULT_EXPIRY_DAYS = 14

    coordinator_client.post(reverse("api-tokens"), {"name": "script"})

    assert round(expires_in_days(ApiToken.objects.get(user=coordinator))) == 14


def test_a_token_from_the_api_login_lives_30_days_and_never_longer_than_the_default(
    coordinator, settings
):
    url = reverse("v1:token")
    body = {"username": "alice", "password": PASSWORD}
    APIClient().post(url, {**body, "name": "first"}, format="json")
    settings.API_TOKEN_DEFAULT_EXPIRY_DAYS = 7
    APIClient().post(url, {**body, "name": "second"}, format="json")

    days = {t.name: round(expires_in_days(t)) for t in ApiToken.objects.filter(user=coordinator)}
    assert days == {"first": 30, "second": 7}
