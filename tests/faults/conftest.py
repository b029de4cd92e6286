import pytest

from evaluations.services import evaluation_create_from_template, evaluation_transition
from tests.faults.stack import OneHost, two_hosts
from tests.services import require_services


@pytest.fixture
def open_panel(coordinator):
    require_services()
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["A", "B"]
    )
    return evaluation_transition(evaluation=evaluation, actor=coordinator, action="open")


@pytest.fixture(params=["one host", "two hosts"])
def stack(request, transactional_db, tmp_path):
    """The test's web servers and workers (tests/faults/stack.py); the processes it starts are
    stopped when the test ends, passed or failed. Their logs stay in tmp_path."""
    require_services()
    if request.param == "one host":
        yield OneHost(request.getfixturevalue("live_server"), tmp_path)
        return
    with two_hosts(tmp_path) as started:
        yield started
