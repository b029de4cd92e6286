import dataclasses

import pytest

from evaluations.exports import formats
from tests.evaluations.test_results_pages import panel_results


@pytest.fixture
def snapshot(evaluation):
    return panel_results(evaluation)


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
