"""No invitation link, password-reset link, API token or session id reaches a log handler.

The records are taken from every handler the logging configuration installed (found by walking
every logger), each keeping its own filters and formatter: what they would have written is
what is checked, from whichever logger the record came.
"""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.test import Client

from experts import services
from tests.conftest import REPO_ROOT

INVITATION = "InViTeSeCrEt-0123456789_abcdefghijklmnopqrstu"
API_TOKEN = "ahp_ApIsEcReT-0123456789_abcdefghijklmnopqrst"
RESET_TOKEN = "cz1k2p-ReSeTsEcReT0123456789abcdef"
SESSION_ID = "sEsSiOnSeCrEt0123456789abcdefgh"
OPEN_LINK = "OpEnLiNkSeCrEt-0123456789_abcdefghijklmnopq"
SECRETS = (INVITATION, API_TOKEN, RESET_TOKEN, SESSION_ID, "ApIsEcReT", OPEN_LINK)


def loggers() -> list[logging.Logger]:
    named = logging.root.manager.loggerDict.values()
    return [logging.root, *(logger for logger in named if isinstance(logger, logging.Logger))]


def configured_handlers() -> set[logging.Handler]:
    """Every handler on every logger, but pytest's own (its capture of the test's output)."""
    return {
        handler
        for logger in loggers()
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
    }


@pytest.fixture
def written():
    """What the configured handlers write, each through its own filters and formatter."""
    lines: list[str] = []
    handlers = configured_handlers()
    for handler in handlers:
        handler.emit = lambda record, handler=handler: lines.append(handler.format(record))
    yield lines
    for handler in handlers:
        del handler.emit


def assert_no_secret_in(lines: list[str]) -> None:
    leaked = [line for line in lines if any(secret in line for secret in SECRETS)]
    assert leaked == []


def test_a_refused_form_on_an_invitation_link_logs_no_token(db, written):
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/invitations/{INVITATION}/", {"action": "decline"})

    assert response.status_code == 403
    assert any("CSRF" in line and "/invitations/[redacted]/" in line for line in written)
    assert_no_secret_in(written)


def test_unknown_links_and_bad_api_tokens_log_no_secret(db, written):
    client = Client()

    client.get(f"/invitations/{INVITATION}/")
    client.get(f"/accounts/reset/MTIz/{RESET_TOKEN}/")
    client.get("/api/v1/evaluations/", HTTP_AUTHORIZATION=f"Bearer {API_TOKEN}")
    client.get("/api/v1/evaluations/", HTTP_AUTHORIZATION=f"Token {API_TOKEN}")

    assert any("/invitations/[redacted]/" in line for line in written)
    assert_no_secret_in(written)


def test_a_screening_open_link_is_redacted_like_an_invitation_link(db, written):
    client = Client()

    client.get(f"/s/{OPEN_LINK}/")
    anywhere = logging.getLogger("some.library")
    anywhere.warning("GET /accounts/login/?next=%%2Fs%%2F%s%%2F", OPEN_LINK)

    assert any("/s/[redacted]/" in line for line in written)
    assert any("%2Fs%2F[redacted]" in line for line in written)
    assert_no_secret_in(written)


def test_a_server_error_on_an_invitation_link_logs_its_traceback_without_the_token(
    db, written, monkeypatch
):
    def fail(*, token: str):
        raise RuntimeError(f"could not open the invitation {token}")

    monkeypatch.setattr(services, "invitation_open", fail)
    client = Client(raise_request_exception=False)

    response = client.get(f"/invitations/{INVITATION}/")

    assert response.status_code == 500
    assert any("RuntimeError: could not open the invitation [redacted]" in line for line in written)
    assert_no_secret_in(written)


def test_any_logger_with_any_message_shape_is_redacted(written):
    anywhere = logging.getLogger("some.library.nobody.configured")
    headers = {"HTTP_AUTHORIZATION": f"Token {API_TOKEN}", "HTTP_COOKIE": f"sessionid={SESSION_ID}"}

    anywhere.warning("request headers: %s", headers)
    anywhere.warning("%s %s", "GET", f"/accounts/login/?next=%2Finvitations%2F{INVITATION}%2F")
    anywhere.warning("Authorization: Bearer %s", API_TOKEN.removeprefix("ahp_"))
    anywhere.warning("cookies: %r", {"sessionid": SESSION_ID})
    try:
        raise ValueError(f"/invitations/{INVITATION}/ and reset/MTIz/{RESET_TOKEN}/")
    except ValueError:
        anywhere.exception("failed")

    assert len(written) >= 5
    assert_no_secret_in(written)


# --- every handler carries the filter, whatever installed it ----------------------------------

PROBE = """
import json, logging, sys
import django
django.setup()
if sys.argv[1] == "worker":
    from config.celery import app
    app.log.setup(loglevel="INFO", redirect_stdouts=True)  # what `celery worker` does
if sys.argv[1] == "gunicorn":
    from gunicorn.app.wsgiapp import WSGIApplication
    application = WSGIApplication()
    application.cfg.set("accesslog", "-")  # the access log, as `--access-logfile -` turns it on
    application.cfg.logger_class(application.cfg)
from config.logging import RedactSecrets
loggers = [logging.root, *logging.root.manager.loggerDict.values()]
bare = [
    f"{logger.name}: {handler!r}"
    for logger in loggers for handler in getattr(logger, "handlers", [])
    if not isinstance(handler, logging.NullHandler)  # writes nowhere
    and not any(isinstance(f, RedactSecrets) for f in handler.filters)
]
handlers = sum(len(getattr(logger, "handlers", [])) for logger in loggers)
print(json.dumps({"bare": bare, "handlers": handlers}), file=sys.__stdout__)
"""


def handlers_without_the_filter(process: str, **env: str) -> dict:
    found = subprocess.run(
        [sys.executable, "-c", PROBE, process],
        cwd=REPO_ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(found.stdout.splitlines()[-1])


@pytest.mark.parametrize("debug", ["0", "1"])
def test_every_handler_of_a_web_process_redacts(debug):
    found = handlers_without_the_filter("web", DEBUG=debug)

    assert found["handlers"] >= 1 and found["bare"] == []


def test_every_handler_of_a_worker_redacts():
    found = handlers_without_the_filter("worker", DEBUG="0")

    assert found["handlers"] >= 2 and found["bare"] == []


def test_every_handler_of_gunicorn_redacts_with_the_repositorys_configuration():
    found = handlers_without_the_filter("gunicorn", DEBUG="0")

    assert found["handlers"] >= 2 and found["bare"] == []


def test_a_traceback_quoting_an_open_link_token_bare_loses_it_too(rf):
    from config.logging import redact, secrets_of_request

    request = rf.get("/s/Open-link-token-1234567890abcdef/")

    secrets = secrets_of_request(request)

    assert "Open-link-token-1234567890abcdef" in secrets
    assert "Open-link" not in redact("KeyError: 'Open-link-token-1234567890abcdef'", secrets)
