import pytest

from evaluations.models import Evaluation
from experts.models import PanelMembership


@pytest.fixture
def open_evaluation(evaluation):
    evaluation.status = Evaluation.Status.OPEN
    evaluation.save()
    return evaluation


@pytest.fixture
def expert(make_user):
    return make_user("erin")


@pytest.fixture
def membership(open_evaluation, expert):
    return PanelMembership.objects.create(
        evaluation=open_evaluation, email="erin@example.com", user=expert
    )


@pytest.fixture
def expert_client(client, expert, membership):
    client.force_login(expert)
    return client
