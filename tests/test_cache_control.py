"""Answers meant for one person are kept by no cache: `Cache-Control: private, no-store` on
every response to a signed-in user, an API token or an invitation link, and on any response
that depends on the session cookie; static files and the health check keep their own."""

from django.test import Client
from django.urls import reverse

from experts.tokens import api_token_create
from tests.evaluations.test_results_pages import panel_results

NOT_STORED = {"private", "no-store"}


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_signed_in_users_pages_are_not_stored(coordinator_client, evaluation):
    for address in ("/", reverse("evaluation-detail", args=[evaluation.pk]), "/panels/"):
        response = coordinator_client.get(address)

        assert response.status_code == 200, address
        assert directives(response) >= NOT_STORED, address


def test_exports_are_not_stored(coordinator_client, evaluation):
    panel_results(evaluation)

    for fmt in ("csv", "xlsx", "json"):
        response = coordinator_client.get(reverse("results-export", args=[evaluation.pk, fmt]))

        assert response.status_code == 200, fmt
        assert directives(response) >= NOT_STORED, fmt


def test_api_answers_to_a_token_are_not_stored(coordinator, evaluation):
    _token, secret = api_token_create(user=coordinator, name="cache", read_only=True)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    listed = client.get("/api/v1/evaluations/")
    refused = Client(HTTP_AUTHORIZATION="Bearer ahp_not-a-token-at-all").get("/api/v1/panels/")

    assert listed.status_code == 200 and directives(listed) >= NOT_STORED
    assert refused.status_code == 401 and directives(refused) >= NOT_STORED


def test_invitation_pages_are_not_stored(client, db):
    response = client.get("/invitations/an-unknown-but-secret-looking-token/")

    assert response.status_code == 404
    assert directives(response) >= NOT_STORED


def test_an_anonymous_answer_that_depends_on_the_session_cookie_is_not_stored(client, db):
    response = client.post("/language/", {"language": "zh-hans", "next": "/"})

    assert response.status_code == 302 and "Cookie" in response["Vary"]
    assert directives(response) >= NOT_STORED


def test_a_view_that_chose_its_caching_keeps_it(coordinator_client, db):
    response = coordinator_client.get("/favicon.ico")

    assert "public" in directives(response) and "no-store" not in directives(response)


def test_the_health_check_and_static_files_are_not_forced(client, coordinator, settings):
    settings.WHITENOISE_USE_FINDERS = True  # static files without collectstatic, as in DEBUG
    signed_in = Client()
    signed_in.force_login(coordinator)

    assert "Cache-Control" not in client.get("/healthz")
    static = signed_in.get("/static/css/ahpanel.css")
    assert static.status_code == 200
    assert not directives(static) & NOT_STORED
