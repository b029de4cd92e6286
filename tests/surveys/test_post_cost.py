"""What one ballot POST costs the database, pinned (issue 17, "Faster ballots").

Each of the four kinds of ballot POST, the pairwise and the rating form and their API PUTs,
first submitted and then revised, with everything a submission keeps: the revision in the
ballot's history, the line in the activity log, the results marked stale and the recompute
claimed after commit (its task replaced by a recorder, as tests/evaluations/test_pipeline.py
does, so the recompute itself is not counted). The counts include the savepoint and its
release (the test runs in a transaction) and the claim, run by capturing the after-commit
callbacks. bench/post_profile.py measures the same POSTs' CPU.
"""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from evaluations import tasks
from evaluations.models import AuditEntry, Evaluation
from experts.activity import ACTIVITY_RESOLUTION, activity_record
from experts.models import PanelMembership
from experts.revocation import invitation_revoke
from surveys.models import BallotRevision, PairwiseBallot, RatingBallot
from surveys.services import pair_key, pairwise_ballot_save
from tests.api.conftest import token_client
from tests.conftest import accepted_membership

# Consistent judgments of three and of four children, on the form's tokens; a revision moves
# the first judgment one step (still consistent).
FIRST = {3: ["2", "4", "2"], 4: ["2", "4", "8", "2", "4", "2"]}
REVISED = {3: ["3", "4", "2"], 4: ["3", "4", "8", "2", "4", "2"]}

# The lowest counts reached; a change that adds a query fails here. (First submission, a
# revision.) The first also writes the last activity and, as the first of a burst, wins the
# recompute's claim and reads the last recompute's time for the coalescing window; the
# revision, within the minute and with the claim taken, does neither.
PAGE_PAIRWISE = (19, 17)
PAGE_RATING = (20, 18)
API_PAIRWISE = (16, 14)
API_RATINGS = (18, 16)


@pytest.fixture
def membership(open_evaluation, expert):
    return accepted_membership(open_evaluation, expert)


@pytest.fixture
def queued(monkeypatch):
    """The recompute's queueing recorded, not run (the claim's UPDATE still runs)."""
    calls = []
    monkeypatch.setattr(
        tasks.recompute_results, "apply_async", lambda args, countdown: calls.append(args)
    )
    return calls


@pytest.fixture
def page_client(client, expert, membership):
    client.force_login(expert)
    return client


@pytest.fixture
def counted(django_assert_max_num_queries, django_capture_on_commit_callbacks):
    """Run a POST, count its queries (at most `limit`) with its after-commit callbacks."""

    def run(limit, post):
        with django_assert_max_num_queries(limit):
            with django_capture_on_commit_callbacks(execute=True):
                response = post()
        return response

    return run


def _parent(evaluation, code):
    return evaluation.indicators.get(code=code)


def _pair_fields(parent, tokens):
    kids = list(parent.children.all())
    keys = [pair_key(r, c) for x, r in enumerate(kids) for c in kids[x + 1 :]]
    return {f"pair-{key}": token for key, token in zip(keys, tokens, strict=True)}


def _judgments(parent, tokens):
    kids = list(parent.children.all())
    pairs = [(r, c) for x, r in enumerate(kids) for c in kids[x + 1 :]]
    return [
        {"row": r.code, "col": c.code, "value": t} for (r, c), t in zip(pairs, tokens, strict=True)
    ]


def _kept(evaluation, membership, revisions: int):
    """What every submission keeps: its revisions, their log lines, the results stale."""
    assert BallotRevision.objects.filter(membership=membership).count() == revisions
    logged = AuditEntry.objects.filter(evaluation=evaluation, action=AuditEntry.Action.SUBMITTED)
    assert logged.count() == revisions
    evaluation.refresh_from_db()
    assert evaluation.input_version == revisions
    assert evaluation.recompute_queued_at is not None  # claimed after commit


def test_a_pairwise_form_post(page_client, open_evaluation, membership, queued, counted):
    parent = _parent(open_evaluation, "U")
    url = reverse("pairwise-form", args=[open_evaluation.pk, parent.pk])
    for n, (tokens, limit) in enumerate(
        zip((FIRST[3], REVISED[3]), PAGE_PAIRWISE, strict=True), start=1
    ):
        fields = {**_pair_fields(parent, tokens), "action": "submit"}
        response = counted(limit, lambda fields=fields: page_client.post(url, fields))
        assert response.status_code == 302
        _kept(open_evaluation, membership, n)
    assert len(queued) == 1  # the second submission found the claim taken
    ballot = PairwiseBallot.objects.get(membership=membership, parent=parent)
    assert ballot.submitted_judgments[pair_key(*list(parent.children.all())[:2])]["value"] == 3


def test_a_rating_form_post(page_client, open_evaluation, membership, queued, counted):
    subject = open_evaluation.subjects.first()
    url = reverse("rating-form", args=[open_evaluation.pk, subject.pk])
    grades = list(open_evaluation.grades.all())
    leaves = list(open_evaluation.indicators.filter(children__isnull=True))
    for n, (grade, limit) in enumerate(zip(grades[:2], PAGE_RATING, strict=True), start=1):
        fields = {f"grade-{leaf.pk}": str(grade.pk) for leaf in leaves}
        response = counted(
            limit, lambda fields=fields: page_client.post(url, fields | {"action": "submit"})
        )
        assert response.status_code == 302
        _kept(open_evaluation, membership, n)
    ballot = RatingBallot.objects.get(membership=membership, subject=subject)
    assert {answer["grade"] for answer in ballot.submitted_ratings.values()} == {grades[1].pk}


def test_the_page_says_what_was_submitted_on_the_next_form(
    page_client, open_evaluation, membership, queued
):
    """The message survives the cheaper path: shown on the form the redirect leads to."""
    parent = _parent(open_evaluation, "U1")
    url = reverse("pairwise-form", args=[open_evaluation.pk, parent.pk])
    fields = {**_pair_fields(parent, FIRST[parent.children.count()]), "action": "submit"}

    response = page_client.post(url, fields, follow=True)

    (message,) = [str(m) for m in response.context["messages"]]
    assert message.startswith("Submitted: your comparisons for U1 ")
    assert message.endswith(f"Next: U {_parent(open_evaluation, 'U').name}.")


def test_an_api_pairwise_put(expert, open_evaluation, membership, queued, counted):
    client = token_client(expert)
    client.get(reverse("v1:panel-list"))  # the token's last use written, as by any client
    parent = _parent(open_evaluation, "U")
    url = reverse("v1:pairwise", args=[open_evaluation.pk, parent.pk])
    for n, (tokens, limit) in enumerate(
        zip((FIRST[3], REVISED[3]), API_PAIRWISE, strict=True), start=1
    ):
        body = {"judgments": _judgments(parent, tokens), "submit": True}
        response = counted(limit, lambda body=body: client.put(url, body, format="json"))
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "submitted"
        _kept(open_evaluation, membership, n)


def test_an_api_ratings_put(expert, open_evaluation, membership, queued, counted):
    client = token_client(expert)
    client.get(reverse("v1:panel-list"))
    subject = open_evaluation.subjects.first()
    url = reverse("v1:ratings", args=[open_evaluation.pk, subject.pk])
    grades = list(open_evaluation.grades.all())
    leaves = list(open_evaluation.indicators.filter(children__isnull=True))
    for n, (grade, limit) in enumerate(zip(grades[:2], API_RATINGS, strict=True), start=1):
        body = {
            "ratings": [{"indicator": leaf.code, "grade": grade.pk} for leaf in leaves],
            "submit": True,
        }
        response = counted(limit, lambda body=body: client.put(url, body, format="json"))
        assert response.status_code == 200, response.json()
        assert [r["indicator"] for r in response.json()["ratings"]] == [
            leaf.code for leaf in leaves
        ]
        _kept(open_evaluation, membership, n)


# --- the last activity, to the minute ----------------------------------------------------


def test_the_last_activity_is_written_once_a_minute(membership):
    now = timezone.now()

    assert activity_record(membership, now=now) is True
    assert activity_record(membership, now=now + timedelta(seconds=59)) is False
    later = now + ACTIVITY_RESOLUTION
    assert activity_record(membership, now=later) is True

    membership.refresh_from_db()
    assert membership.last_activity_at == later


def test_a_stale_copy_does_not_write_over_a_newer_activity(membership):
    now = timezone.now()
    PanelMembership.objects.filter(pk=membership.pk).update(last_activity_at=now)
    membership.last_activity_at = now - timedelta(hours=1)  # read before another request

    assert activity_record(membership, now=now + timedelta(seconds=10)) is False
    membership.refresh_from_db()
    assert membership.last_activity_at == now


def test_a_ballot_save_notes_the_activity_only_when_a_minute_old(
    page_client, open_evaluation, membership, queued
):
    parent = _parent(open_evaluation, "U")
    url = reverse("pairwise-form", args=[open_evaluation.pk, parent.pk])
    page_client.post(url, _pair_fields(parent, FIRST[3]))  # a draft
    membership.refresh_from_db()
    first = membership.last_activity_at
    assert first is not None

    page_client.post(url, _pair_fields(parent, REVISED[3]))
    membership.refresh_from_db()
    assert membership.last_activity_at == first

    hour_ago = first - timedelta(hours=1)
    PanelMembership.objects.filter(pk=membership.pk).update(last_activity_at=hour_ago)
    page_client.post(url, _pair_fields(parent, FIRST[3]))
    membership.refresh_from_db()
    assert membership.last_activity_at > first


def test_the_lean_paths_leave_closed_panels_refused(page_client, open_evaluation, queued):
    """The save reads the evaluation under the lock, not the page's copy: a closed panel
    refuses the form, as before."""
    Evaluation.objects.filter(pk=open_evaluation.pk).update(status=Evaluation.Status.CLOSED)
    parent = _parent(open_evaluation, "U")
    url = reverse("pairwise-form", args=[open_evaluation.pk, parent.pk])

    response = page_client.post(url, {**_pair_fields(parent, FIRST[3]), "action": "submit"})

    assert response.status_code == 400
    assert not PairwiseBallot.objects.exists()


# --- the revocation, read after the membership's lock ---------------------------------------


# PostgreSQL only (SQLite locks the whole file): a `services` test, which CI runs there.
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_save_waiting_for_a_revocation_sees_it(open_evaluation, expert, coordinator, queued):
    """A save that reaches the membership's lock while a revocation holds it is refused once
    the revocation commits. Only PostgreSQL runs transactions side by side (SQLite locks the
    whole file): there, the revocation must be read in a statement after the lock, since a
    row joined to the locking statement keeps its version from before the wait."""
    assert connection.vendor == "postgresql", "run with DATABASE_URL on PostgreSQL"
    membership = accepted_membership(open_evaluation, expert)
    parent = _parent(open_evaluation, "U")
    kids = list(parent.children.all())
    judgments = {
        pair_key(r, c): {"value": 1.0, "comment": ""}
        for x, r in enumerate(kids)
        for c in kids[x + 1 :]
    }
    locked, release = threading.Event(), threading.Event()

    def revoke():
        try:
            with transaction.atomic():
                invitation_revoke(membership=membership, actor=coordinator)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    revoker = threading.Thread(target=revoke)
    revoker.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()  # commits while the save below waits
    with pytest.raises(ValidationError) as refused:
        pairwise_ballot_save(membership=membership, parent=parent, judgments=judgments, submit=True)
    revoker.join(10)

    assert "membership" in refused.value.message_dict
    assert not PairwiseBallot.objects.exists()
