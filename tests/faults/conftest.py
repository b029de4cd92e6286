import pytest

from evaluations.services import evaluation_create_from_template, evaluation_transition
from tests.services import require_services


@pytest.fixture
def open_panel(coordinator):
    require_services()
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["A", "B"]
    )
    return evaluation_transition(evaluation=evaluation, actor=coordinator, action="open")
