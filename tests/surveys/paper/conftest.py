import pytest

from experts.models import PanelMembership
from surveys.paper.models import DataEntryAssistant


@pytest.fixture
def paper_expert(open_evaluation):
    """An expert known by name only: no e-mail, no invitation, no account."""
    return PanelMembership.objects.create(
        evaluation=open_evaluation, email="", name="Wang Fang", organisation="Hunan SME bureau"
    )


@pytest.fixture
def assistant(make_user, open_evaluation, coordinator):
    user = make_user("dana")
    DataEntryAssistant.objects.create(evaluation=open_evaluation, user=user, added_by=coordinator)
    return user


@pytest.fixture
def second_assistant(make_user, open_evaluation, coordinator):
    user = make_user("dora")
    DataEntryAssistant.objects.create(evaluation=open_evaluation, user=user, added_by=coordinator)
    return user


@pytest.fixture
def assistant_client(client, assistant):
    client.force_login(assistant)
    return client


def judgments_for(parent, values, comments=None):
    from surveys import services

    children = list(parent.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    comments = comments or {}
    return {
        key: {"value": value, "comment": comments.get(n, "")}
        for n, (key, value) in enumerate(zip(keys, values, strict=True))
    }


def ratings_for(evaluation, grade_index=0):
    grades = list(evaluation.grades.all())
    leaves = evaluation.indicators.filter(children__isnull=True)
    return {str(leaf.pk): {"grade": grades[grade_index].pk, "comment": ""} for leaf in leaves}
