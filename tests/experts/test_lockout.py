"""Sign-in lockout by user name and IP, with a cool-off; Argon2 password hashes."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from experts.models import LoginFailure
from tests.conftest import PASSWORD

LOGIN = reverse("login")


def sign_in(client, password, ip="203.0.113.5"):
    return client.post(LOGIN, {"username": "erin", "password": password}, REMOTE_ADDR=ip)


def fail_limit(client, ip="203.0.113.5"):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert sign_in(client, "guess", ip).status_code == 200  # the form again, with an error


def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user("erin")

    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert user.password.startswith("argon2$argon2id$")


def test_after_too_many_failures_even_the_right_password_waits(client, make_user):
    make_user("erin")
    fail_limit(client)

    locked = sign_in(client, PASSWORD)

    assert locked.status_code == 200
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_cools_off_by_itself(client, make_user):
    make_user("erin")
    fail_limit(client)
    LoginFailure.objects.update(failed_at=timezone.now() - timedelta(minutes=16))

    assert sign_in(client, PASSWORD).status_code == 302


def test_another_address_is_not_locked_out(client, make_user):
    """An attacker hammering an expert's name cannot keep the expert out."""
    make_user("erin")
    fail_limit(client, ip="198.51.100.9")

    assert sign_in(client, PASSWORD, ip="203.0.113.5").status_code == 302


def test_a_success_clears_the_failures(client, make_user):
    make_user("erin")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "guess")

    assert sign_in(client, PASSWORD).status_code == 302
    assert LoginFailure.objects.count() == 0


def test_failures_are_logged_without_the_password(client, make_user, caplog):
    make_user("erin")

    sign_in(client, "hunter2-secret")

    assert "erin" in caplog.text and "203.0.113.5" in caplog.text
    assert "hunter2-secret" not in caplog.text


def test_the_api_login_shares_the_lockout(make_user):
    make_user("erin")
    api = APIClient(REMOTE_ADDR="203.0.113.5")
    url = reverse("v1:token")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert (
            api.post(url, {"username": "erin", "password": "x"}, format="json").status_code == 401
        )

    response = api.post(url, {"username": "erin", "password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert response.json()["errors"][0]["rule"] == "locked_out"
    assert get_user_model().objects.get(username="erin").api_tokens.count() == 0


def test_behind_a_proxy_the_clients_address_counts_not_the_proxys(client, make_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("erin")
    proxy = "10.0.0.2"
    for _ in range(settings.LOGIN_FAILURE_LIMIT):  # the attacker, with a forged first hop
        client.post(LOGIN, {"username": "erin", "password": "guess"}, REMOTE_ADDR=proxy,
                    HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.9")  # fmt: skip

    expert = client.post(LOGIN, {"username": "erin", "password": PASSWORD}, REMOTE_ADDR=proxy,
                         HTTP_X_FORWARDED_FOR="203.0.113.5")  # fmt: skip

    assert expert.status_code == 302  # the expert's own address is not locked out
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"198.51.100.9"}
