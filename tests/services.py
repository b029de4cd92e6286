"""Helpers for the `services` tests: real Celery workers and HTTP against the live server."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
def celery_worker(
    queue: str | None = None,
    concurrency: int = 1,
    robustness: bool = False,
    logfile: Path | None = None,
    env: dict | None = None,
):
    """A `celery worker` process on the test database; stopped (and waited for) on exit.

    `queue` may list several, comma-separated. The worker queues a robustness analysis after
    each snapshot only with `robustness` (as tests/conftest.py switches it off in-process).
    With `logfile` it logs every task it receives and finishes there (for counting them), and
    the block starts once the worker is ready."""
    require_services()
    queue = queue or f"ahpanel-test-{uuid.uuid4().hex[:8]}"
    pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"-c{concurrency}"]
    name = f"{queue.replace(',', '-')}-{uuid.uuid4().hex[:4]}@%h"
    log_options = ["--loglevel=INFO", f"--logfile={logfile}"] if logfile else ["--loglevel=WARNING"]
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", *pool, "--without-gossip",
         "--without-mingle", *log_options, "-Q", queue, "-n", name],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url_of_tests(),
            "ROBUSTNESS_ANALYSIS": "1" if robustness else "0",
            **(env or {}),
        },
    )  # fmt: skip
    try:
        if logfile:
            _wait_until_ready(worker, logfile)
        yield worker, queue
    finally:
        stop_process(worker)


def _wait_until_ready(worker: subprocess.Popen, logfile: Path, timeout: float = 60) -> None:
    """Until the worker consumes: a burst posted before that would all wait for its start and
    coalesce into one recompute, and a test of bursts would test nothing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}; see {logfile}")
        if logfile.exists() and " ready." in logfile.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"the worker was not ready within {timeout:.0f} s; see {logfile}")


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """Terminate and wait; kill what does not stop within `timeout` (a hang fails, not waits)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def default_queue_worker(
    concurrency: int = 1, robustness: bool = False, logfile: Path | None = None
):
    """A worker on the queue the app sends to, emptied of earlier runs' leftovers first (the
    purge empties the analysis queue too: config/celery.py lists both)."""
    require_services()
    app.control.purge()
    with celery_worker(
        queue=app.conf.task_default_queue,
        concurrency=concurrency,
        robustness=robustness,
        logfile=logfile,
    ) as started:
        yield started


@dataclass(frozen=True)
class Server:
    """A web server the tests reach over HTTP: `url` as pytest-django's live_server has it."""

    url: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn_server(*, workers: int = 2, logfile: Path, env: dict | None = None):
    """A gunicorn master (as on a web host of its own) on a free loopback port, serving the
    test database; up once /healthz answers (within 60 s, or the test fails), stopped on exit."""
    require_services()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
         "--error-logfile", str(logfile)],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url_of_tests(),
            # As pyproject.toml's filterwarnings in the test process: no collectstatic here.
            "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
            **(env or {}),
        },
    )  # fmt: skip
    try:
        server = Server(f"http://127.0.0.1:{port}")
        _wait_until_healthy(server, process, logfile)
        yield server
    finally:
        stop_process(process, timeout=40)  # gunicorn's graceful timeout is 30 s


def _wait_until_healthy(server: Server, process: subprocess.Popen, logfile: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}: {logfile.read_text()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"gunicorn at {server.url} did not answer /healthz within 60 s")


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
