from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from evaluations.models import Evaluation
from experts.models import Invitation, PanelMembership
from experts.tokens import api_token_create


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
    membership = PanelMembership.objects.create(
        evaluation=open_evaluation, email="erin@example.com", user=expert
    )
    Invitation.objects.create(
        membership=membership,
        token_hash="x" * 64,
        status=Invitation.Status.ACCEPTED,
        invited_by=open_evaluation.owner,
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=30),
    )
    return membership
