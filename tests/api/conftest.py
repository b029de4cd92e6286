import pytest
from rest_framework.test import APIClient

from experts.tokens import api_token_create
from tests.conftest import accepted_membership


def token_client(user, *, read_only: bool = False) -> APIClient:
    _token, secret = api_token_create(user=user, name="tests", read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def membership(open_evaluation, expert):
    return accepted_membership(open_evaluation, expert)
