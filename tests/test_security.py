"""The security bar: deployment checks, HTTPS settings, Content-Security-Policy, CSRF everywhere."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import get_resolver

from tests.conftest import REPO_ROOT
from tests.test_access import _routes, url_for


def test_the_deployment_checks_pass_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ahpanel.example.org",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests, never deployed
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip

    assert check.returncode == 0, check.stdout + check.stderr


def test_with_https_plain_http_is_redirected_but_health_checks_are_not(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()

    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/healthz").status_code == 200
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(response) -> dict[str, list[str]]:
    parts = response["Content-Security-Policy"].split("; ")
    return {part.split()[0]: part.split()[1:] for part in parts}


def test_pages_forbid_inline_scripts_eval_and_framing(client, db):
    response = client.get("/accounts/login/")

    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == ["'none'"] and response["X-Frame-Options"] == "DENY"


def test_every_page_gets_the_whole_policy(client, db):
    for address in ("/accounts/login/", "/healthz", "/api/v1/evaluations/", "/no-such-page/"):
        assert directives(client.get(address)) == POLICY, address


def test_the_api_docs_also_allow_style_elements_but_nothing_else(client, db):
    docs = directives(client.get("/api/docs/"))

    assert docs == {**POLICY, "style-src": ["'self'", "'unsafe-inline'"]}


def test_no_template_has_inline_script_or_event_handlers():
    templates = (REPO_ROOT / "templates").rglob("*.html")
    inline = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+=\"|javascript:", re.I)
    offenders = [str(p) for p in templates if inline.search(p.read_text(encoding="utf-8"))]

    assert offenders == []


# --- CSRF on every state-changing HTML route ------------------------------------------------


def html_routes() -> list[str]:
    skip = ("admin/", "api/", "i18n/", "static/")
    return sorted(
        {
            route
            for route, _name in _routes(get_resolver().url_patterns)
            if not route.startswith(skip)
        }
    )


def fill(route: str, evaluation) -> str:
    route = re.sub(r"<str:token>", "some-token", route).replace("<int:token_id>", "1")
    return url_for(route, evaluation)


@pytest.mark.parametrize("route", html_routes())
def test_every_html_post_without_a_csrf_token_is_refused(coordinator, evaluation, route):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    status = client.post(fill(route, evaluation), {}).status_code

    assert status in {403, 405}, status  # 405: the route takes no POST at all


def test_the_enumeration_covers_the_state_changing_routes():
    routes = html_routes()

    for expected in ("accounts/login/", "language/", "accounts/tokens/"):
        assert expected in routes
    assert any("panel/" in r and "revoke" in r for r in routes)
    assert any(r.startswith("panels/") and "pairwise" in r for r in routes)


def test_the_api_with_a_session_also_needs_the_csrf_token(coordinator, evaluation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    response = client.post(
        "/api/v1/evaluations/", {"subjects": ["A"], "title": "x"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"][0]["message"]


# --- nothing from the internet --------------------------------------------------------------


def test_collected_static_files_carry_no_redoc_bundle():
    """Redoc (unused) links a logo from the internet; it is not collected."""
    from django.contrib.staticfiles import finders

    default_ignored = ["CVS", ".*", "*~"]  # what collectstatic passes to the finders
    collected = [
        path for finder in finders.get_finders() for path, _ in finder.list(default_ignored)
    ]

    assert any("swagger-ui-dist" in path for path in collected)
    assert not any("redoc" in path for path in collected)


def test_the_api_docs_load_only_the_sites_own_files_and_no_validator(client, db):
    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert '"validatorUrl": null' in script
