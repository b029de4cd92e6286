"""Without a broker, tasks run in-process: a laptop needs no Redis."""

import pytest
from django.db import connection

from config.celery import app
from evaluations.tasks import ping


@pytest.fixture
def in_process_tasks():
    # The services run of CI configures a broker; force the no-broker mode for this test.
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_without_a_broker_a_task_runs_in_process(in_process_tasks, evaluation):
    answer = ping.delay().get(timeout=1)

    assert answer == {
        "database": connection.settings_dict["NAME"],
        "vendor": connection.vendor,
        "evaluations": 1,
    }
