"""Shared fixtures: named personas (a coordinator, an outsider) and reference data paths."""

import dataclasses
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone, translation

from config.celery import app as celery_app
from evaluations.exports import formats
from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template
from experts.models import Invitation, PanelMembership
from tests import standalone

standalone.install()

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = REPO_ROOT / "tests" / "reference"

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session", autouse=True)
def connections_closed_after_each_request():
    """No persistent connections in tests: the live server's request threads would keep theirs
    open past the test, and PostgreSQL refuses to drop a test database still in use."""
    from django.db import connections

    for connection in connections.all():
        connection.settings_dict["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def in_process_tasks(request):
    """Tasks run in-process, after commit, in every test but those marked `services`.

    The services run of CI sets a real broker; tests that are not about the broker must not
    depend on a worker being there. The `services` tests start real workers themselves.
    """
    if request.node.get_closest_marker("services"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def quick_password_hasher(request):
    """MD5 for the passwords the tests set and check: Argon2, the project's hasher, takes about
    150 ms a hash here, and most tests make a user or sign one in (tests/experts/test_lockout.py
    checks Argon2 itself). Not for the `services` tests: their gunicorn and worker processes read
    the project's settings. (override_settings, not the `settings` fixture, which some test
    modules' own fixtures of that name shadow.)"""
    if request.node.get_closest_marker("services"):
        yield
        return
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def robustness_analysis_off(request):
    """No robustness analysis after each snapshot, but in tests marked `robustness_analysis`.

    In-process, every snapshot would run 12,000 simulation draws inline: about 0.15 s on the
    demo's panel, after every ballot of every test. The tests of the analysis opt in."""
    if request.node.get_closest_marker("robustness_analysis"):
        yield
        return
    with override_settings(ROBUSTNESS_ANALYSIS=False):
        yield


@pytest.fixture(autouse=True)
def language_reset():
    """Each test starts in the default language. A request for a Chinese page leaves Chinese
    active in the thread (LocaleMiddleware activates, nothing deactivates), and the messages of
    the next test's services would be Chinese."""
    yield
    translation.deactivate()


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
def open_evaluation(evaluation):
    evaluation.status = Evaluation.Status.OPEN
    evaluation.save()
    return evaluation


@pytest.fixture
def expert(make_user):
    return make_user("erin")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


def accepted_membership(evaluation, user) -> PanelMembership:
    """`user` on the evaluation's panel, with an accepted invitation (as after the link)."""
    membership = PanelMembership.objects.create(
        evaluation=evaluation, email=f"{user.get_username()}@example.com", user=user
    )
    Invitation.objects.create(
        membership=membership,
        token_hash=hashlib.sha256(f"{evaluation.pk}-{user.pk}".encode()).hexdigest(),
        status=Invitation.Status.ACCEPTED,
        invited_by=evaluation.owner,
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=30),
    )
    return membership


@pytest.fixture
def report_renderers(monkeypatch) -> bool:
    """PDF and Word reports renderable: the real evaluations.reports, or stand-ins on a
    branch without it (tests/report_stand_ins.py). True when the real ones are used."""
    from tests.report_stand_ins import reports_available

    return reports_available(monkeypatch)


@pytest.fixture
def deferred(settings):
    """Every PDF and Word report goes to a job (the limit below any snapshot's size)."""
    settings.EXPORT_SYNC_LIMIT = 0


@pytest.fixture
def fake_pdf(monkeypatch):
    """A PDF renderer that records its calls and returns the same bytes each time: the tests
    of the jobs compare the job's file with a direct rendering, and count renderings."""
    calls = []

    def render(*, evaluation, snapshot, user, history=False):
        calls.append((evaluation.pk, snapshot.version, user.username))
        return b"%PDF-1.4\n% " + f"{evaluation.pk} v{snapshot.version} {user.username}".encode()

    fmt = dataclasses.replace(formats.REGISTRY["pdf"], render=render)
    monkeypatch.setitem(formats.REGISTRY, "pdf", fmt)
    return calls
