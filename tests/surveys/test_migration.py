"""Ballots submitted before revisions were kept stay in the results after the migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from experts.models import PanelMembership
from surveys.models import BallotRevision, PairwiseBallot, RatingBallot

BEFORE = [("surveys", "0001_initial")]


def migrate(targets=None):
    """Migrate to `targets` (the latest of every app when None); the apps of that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_submitted_ballots_get_their_submitted_copy_and_a_first_revision(evaluation, expert):
    apps = migrate(BEFORE)
    try:
        OldPairwise = apps.get_model("surveys", "PairwiseBallot")
        OldRating = apps.get_model("surveys", "RatingBallot")
        # Only surveys went back: the other apps' tables are today's.
        membership = PanelMembership.objects.create(
            evaluation=evaluation, email="erin@example.com", user=expert
        ).pk
        u1 = evaluation.indicators.get(code="U1")
        judgments = {"1-2": {"value": 3.0, "comment": "why"}}
        when = timezone.now()
        OldPairwise.objects.create(
            membership_id=membership, parent_id=u1.pk, status="submitted", judgments=judgments,
            cr=0.05, consistent=True, submitted_at=when,
        )  # fmt: skip
        draft_parent = evaluation.indicators.get(code="U2")
        OldPairwise.objects.create(
            membership_id=membership, parent_id=draft_parent.pk, status="draft", judgments={}
        )
        subject = evaluation.subjects.first()
        OldRating.objects.create(
            membership_id=membership, subject_id=subject.pk, status="submitted",
            ratings={"7": {"grade": 1, "comment": ""}}, submitted_at=when,
        )  # fmt: skip
    finally:
        migrate()  # back to today's schema, whatever comes after the data migration

    submitted = PairwiseBallot.objects.get(parent_id=u1.pk)
    assert submitted.submitted_judgments == judgments
    assert (submitted.submitted_cr, submitted.submitted_consistent) == (0.05, True)
    draft = PairwiseBallot.objects.get(parent_id=draft_parent.pk)
    assert draft.submitted_judgments is None and draft.submitted_at is None
    rating = RatingBallot.objects.get()
    assert rating.submitted_ratings == {"7": {"grade": 1, "comment": ""}}
    revisions = BallotRevision.objects.order_by("parent_id")
    assert revisions.count() == 2
    first = BallotRevision.objects.get(parent_id=u1.pk)
    assert (first.action, first.channel, first.user_id, first.created_at) == (
        "submitted", "", expert.pk, when,
    )  # fmt: skip
    assert first.answers == judgments and first.cr == 0.05
