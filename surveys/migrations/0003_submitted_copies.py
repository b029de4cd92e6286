"""Ballots submitted before revisions were kept: their answers become the submitted copy that
the results read, and a first revision records them (channel unknown, so left blank)."""

from django.db import migrations

BATCH = 1000


def fill_submitted(apps, schema_editor):
    PairwiseBallot = apps.get_model("surveys", "PairwiseBallot")
    RatingBallot = apps.get_model("surveys", "RatingBallot")
    BallotRevision = apps.get_model("surveys", "BallotRevision")
    submitted = {"status": "submitted"}
    changed, revisions = [], []
    pairwise = PairwiseBallot.objects.filter(**submitted).select_related("membership")
    for ballot in pairwise.iterator(chunk_size=BATCH):
        ballot.submitted_at = ballot.submitted_at or ballot.updated_at
        ballot.submitted_judgments = ballot.judgments
        ballot.submitted_cr = ballot.cr
        ballot.submitted_consistent = ballot.consistent
        changed.append(ballot)
        revisions.append(
            BallotRevision(
                membership_id=ballot.membership_id,
                user_id=ballot.membership.user_id,
                parent_id=ballot.parent_id,
                action="submitted",
                channel="",
                answers=ballot.judgments,
                cr=ballot.cr,
                consistent=ballot.consistent,
                created_at=ballot.submitted_at,
            )
        )
    PairwiseBallot.objects.bulk_update(
        changed,
        ["submitted_at", "submitted_judgments", "submitted_cr", "submitted_consistent"],
        batch_size=BATCH,
    )
    changed = []
    ratings = RatingBallot.objects.filter(**submitted).select_related("membership")
    for ballot in ratings.iterator(chunk_size=BATCH):
        ballot.submitted_at = ballot.submitted_at or ballot.updated_at
        ballot.submitted_ratings = ballot.ratings
        changed.append(ballot)
        revisions.append(
            BallotRevision(
                membership_id=ballot.membership_id,
                user_id=ballot.membership.user_id,
                subject_id=ballot.subject_id,
                action="submitted",
                channel="",
                answers=ballot.ratings,
                created_at=ballot.submitted_at,
            )
        )
    RatingBallot.objects.bulk_update(
        changed, ["submitted_at", "submitted_ratings"], batch_size=BATCH
    )
    BallotRevision.objects.bulk_create(revisions, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_ballot_revisions")]

    operations = [migrations.RunPython(fill_submitted, migrations.RunPython.noop)]
