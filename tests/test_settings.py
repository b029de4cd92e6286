"""The settings module reads the environment, with defaults that run anywhere."""

import json
import os
import subprocess
import sys

from config.settings import NO_SECRET_KEY
from tests.conftest import REPO_ROOT

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL, "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS,
    "email": settings.EMAIL_BACKEND, "secret": settings.SECRET_KEY,
}))
"""

OVERRIDDEN = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "DEBUG",
    "ALLOWED_HOSTS",
    "EMAIL_BACKEND",
    "SECRET_KEY",
)


def start_with(**env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in OVERRIDDEN}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def settings_with(**env: str) -> dict:
    started = start_with(**env)
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout)


def test_defaults_are_sqlite_in_process_tasks_console_email_and_no_debug():
    found = settings_with(SECRET_KEY="only-the-key-is-required")

    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"].endswith("db.sqlite3")
    assert found["eager"] is True
    assert found["broker"] == ""
    assert found["debug"] is False
    assert found["hosts"] == ["127.0.0.1", "localhost"]
    assert found["email"] == "django.core.mail.backends.console.EmailBackend"


def test_environment_variables_select_postgresql_redis_and_the_rest():
    found = settings_with(
        DATABASE_URL="postgres://u:p@db.internal:5433/ahp",
        CELERY_BROKER_URL="redis://cache.internal:6379/2",
        DEBUG="true",
        ALLOWED_HOSTS="ahp.example.org, www.ahp.example.org",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        SECRET_KEY="s3cret",
    )

    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "ahp"
    assert found["eager"] is False
    assert found["broker"] == "redis://cache.internal:6379/2"
    assert found["debug"] is True
    assert found["hosts"] == ["ahp.example.org", "www.ahp.example.org"]
    assert found["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert found["secret"] == "s3cret"


def test_without_a_secret_key_and_debug_off_it_refuses_to_start():
    for debug in ({}, {"DEBUG": "0"}, {"DEBUG": "false"}):
        started = start_with(SECRET_KEY="", **debug)

        assert started.returncode != 0
        assert f"ImproperlyConfigured: {NO_SECRET_KEY}" in started.stderr


def test_without_a_secret_key_a_developer_machine_with_debug_on_starts():
    found = settings_with(DEBUG="1")

    assert found["debug"] is True and found["secret"]


def test_with_a_secret_key_and_debug_off_it_starts_with_that_key():
    found = settings_with(SECRET_KEY="a-long-random-string")

    assert found["debug"] is False and found["secret"] == "a-long-random-string"
