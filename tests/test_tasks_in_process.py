"""Without a broker, tasks run in-process: a laptop needs no Redis."""

from django.db import connection

from evaluations.tasks import ping


def test_without_a_broker_a_task_runs_in_process(evaluation):
    answer = ping.delay().get(timeout=1)

    assert answer == {
        "database": connection.settings_dict["NAME"],
        "vendor": connection.vendor,
        "evaluations": 1,
    }
