"""The settings module reads the environment, with defaults that run anywhere."""

import json
import os
import subprocess
import sys

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


def settings_with(**env: str) -> dict:
    clean = {key: value for key, value in os.environ.items() if key not in OVERRIDDEN}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_defaults_are_sqlite_in_process_tasks_console_email_and_no_debug():
    found = settings_with()

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
