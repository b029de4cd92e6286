import pytest
from rest_framework.test import APIClient

from evaluations.models import Evaluation
from experts.tokens import api_token_create
from tests.conftest import accepted_membership


def token_client(user, *, read_only: bool = False) -> APIClient:
    _token, secret = api_token_create(user=user, name="tests", read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


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
    return accepted_membership(open_evaluation, expert)
