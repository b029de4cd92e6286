"""A real `celery worker` process runs a task against the test database (CI, services run)."""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from evaluations.tasks import ping
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.services


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue(transactional_db):
    """Start a worker on a queue of its own, pointed at the test database; stop it after."""
    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        pytest.fail(
            "The services tests need CELERY_BROKER_URL (Redis) and DATABASE_URL (PostgreSQL); "
            "run them through .ci/run or `make test-services` with both set."
        )
    queue = f"ahpanel-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _database_url()}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
        ],
        cwd=REPO_ROOT,
        env=env,
    )
    try:
        yield queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        # The worker's own connection must be gone before the test database is flushed.
        assert worker.returncode is not None


def test_a_worker_process_executes_a_task_against_the_same_database(worker_queue, evaluation):
    answer = ping.apply_async(queue=worker_queue).get(timeout=60)

    assert answer == {
        "database": connection.settings_dict["NAME"],
        "vendor": "postgresql",
        "evaluations": 1,
    }


def test_the_worker_settings_favour_never_losing_a_task():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.accept_content == ["json"]
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > app.conf.task_time_limit > app.conf.task_soft_time_limit
