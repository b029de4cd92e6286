"""Helpers for the `services` tests: real Celery workers and HTTP against the live server."""

import http.cookiejar
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from tests.conftest import REPO_ROOT


def require_services() -> None:
    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        pytest.fail(
            "The services tests need CELERY_BROKER_URL (Redis) and DATABASE_URL (PostgreSQL); "
            "run them through .ci/run or `make test-services` with both set."
        )


def database_url_of_tests() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_worker(queue: str | None = None, concurrency: int = 1, robustness: bool = False):
    """A `celery worker` process on the test database; stopped (and waited for) on exit.

    `queue` may list several, comma-separated. The worker queues a robustness analysis after
    each snapshot only with `robustness` (as tests/conftest.py switches it off in-process)."""
    require_services()
    queue = queue or f"ahpanel-test-{uuid.uuid4().hex[:8]}"
    pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"-c{concurrency}"]
    name = f"{queue.replace(',', '-')}-{uuid.uuid4().hex[:4]}@%h"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", *pool, "--without-gossip",
         "--without-mingle", "--loglevel=WARNING", "-Q", queue, "-n", name],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url_of_tests(),
            "ROBUSTNESS_ANALYSIS": "1" if robustness else "0",
        },
    )  # fmt: skip
    try:
        yield worker, queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@contextmanager
def default_queue_worker(concurrency: int = 1, robustness: bool = False):
    """A worker on the queue the app sends to, emptied of earlier runs' leftovers first (the
    purge empties the analysis queue too: config/celery.py lists both)."""
    require_services()
    app.control.purge()
    with celery_worker(
        queue=app.conf.task_default_queue, concurrency=concurrency, robustness=robustness
    ) as started:
        yield started


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the 302 itself: it is what a successful form post answers


class Browser:
    """A minimal HTTP client with cookies and Django's CSRF header, for concurrent requests."""

    def __init__(self, base_url: str, session_key: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.session_key = session_key

    def _cookies(self) -> dict:
        return {cookie.name: cookie.value for cookie in self.jar}

    def request(self, path: str, data: dict | None = None) -> int:
        cookies = {settings.SESSION_COOKIE_NAME: self.session_key, **self._cookies()}
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["X-CSRFToken"] = cookies.get(settings.CSRF_COOKIE_NAME, "")
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
