"""A real `celery worker` process runs a task against the test database (CI, services run)."""

import pytest
from django.db import connection

from config.celery import app
from evaluations.tasks import ping
from tests.services import celery_worker

pytestmark = pytest.mark.services


@pytest.fixture
def worker_queue(transactional_db):
    """A worker on a queue of its own, pointed at the test database."""
    with celery_worker() as (_worker, queue):
        yield queue


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
    # Tasks with limits of their own stay below the visibility timeout too (a recompute from
    # every ballot of a very large panel takes minutes).
    for task in app.tasks.values():
        if getattr(task, "time_limit", None):
            assert visibility > task.time_limit > task.soft_time_limit, task.name
