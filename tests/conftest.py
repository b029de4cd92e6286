"""Shared fixtures: named personas (a coordinator, an outsider) and reference data paths."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from evaluations.services import evaluation_create_from_template

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(db):
    def make(username: str):
        return get_user_model().objects.create_user(
            username=username, email=f"{username}@example.com", password=PASSWORD
        )

    return make


@pytest.fixture
def coordinator(make_user):
    return make_user("alice")


@pytest.fixture
def outsider(make_user):
    return make_user("mallory")


@pytest.fixture
def evaluation(coordinator):
    return evaluation_create_from_template(
        owner=coordinator,
        template_key="sme-management-measures",
        subjects=["Enterprise A", "Enterprise B"],
    )


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client
