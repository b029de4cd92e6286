import pytest

from experts.models import PanelMembership


@pytest.fixture
def membership(open_evaluation, expert):
    return PanelMembership.objects.create(
        evaluation=open_evaluation, email="erin@example.com", user=expert
    )


@pytest.fixture
def expert_client(client, expert, membership):
    client.force_login(expert)
    return client
