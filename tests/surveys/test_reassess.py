"""Stored CRs of ballots follow the evaluation's settings; revisions keep the CR of their time."""

import pytest

from evaluations.engine import ahp
from evaluations.models import Evaluation
from surveys import services
from surveys.consistency import pairwise_ballots_reassess
from surveys.models import BallotRevision, PairwiseBallot

# U1 has 4 children. CR of this matrix: 0.0986 with the paper's RI(4) = 0.96, and 0.105 with
# Saaty's RI(4) = 0.90: consistent under one table, not under the other.
NEARLY = [2, 3, 5, 5, 3, 3]


def judgments_for(parent, values):
    children = list(parent.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {key: {"value": value, "comment": ""} for key, value in zip(keys, values, strict=True)}


def expected_cr(values, ri):
    return float(ahp.priorities(ahp.from_upper(values, 4), ri=ri).cr)


@pytest.fixture
def u1(open_evaluation):
    return open_evaluation.indicators.get(code="U1")


def test_the_example_matrix_straddles_the_threshold_between_the_two_tables():
    assert expected_cr(NEARLY, "paper") < 0.1 <= expected_cr(NEARLY, "saaty")


def test_a_change_of_ri_table_reassesses_the_working_and_the_submitted_copy(
    membership, open_evaluation, u1
):
    services.pairwise_ballot_save(
        membership=membership, parent=u1, judgments=judgments_for(u1, NEARLY), submit=True
    )
    # A complete draft on top, with other judgments: its CR is reassessed on its own.
    draft = [2, 4, 8, 2, 4, 3]
    services.pairwise_ballot_save(
        membership=membership, parent=u1, judgments=judgments_for(u1, draft), submit=False
    )
    Evaluation.objects.filter(pk=open_evaluation.pk).update(ri_table="saaty")
    open_evaluation.refresh_from_db()

    assert pairwise_ballots_reassess(evaluation=open_evaluation) == 1

    ballot = PairwiseBallot.objects.get()
    assert ballot.submitted_cr == pytest.approx(expected_cr(NEARLY, "saaty"))
    assert ballot.submitted_consistent is False
    assert ballot.cr == pytest.approx(expected_cr(draft, "saaty"))
    # Still submitted: a change of settings never withdraws what an expert submitted.
    assert ballot.submitted_at is not None
    # The revision keeps the CR it was submitted with.
    revision = BallotRevision.objects.get()
    assert revision.cr == pytest.approx(expected_cr(NEARLY, "paper"))
    assert revision.consistent is True


def test_reassessing_unchanged_settings_changes_nothing(membership, open_evaluation, u1):
    services.pairwise_ballot_save(
        membership=membership, parent=u1, judgments=judgments_for(u1, NEARLY), submit=True
    )

    assert pairwise_ballots_reassess(evaluation=open_evaluation) == 0


def test_a_draft_with_gaps_keeps_no_cr(membership, open_evaluation, u1):
    services.pairwise_ballot_save(
        membership=membership,
        parent=u1,
        judgments=judgments_for(u1, [3, None, None, None, None, None]),
        submit=False,
    )
    Evaluation.objects.filter(pk=open_evaluation.pk).update(ri_table="saaty")
    open_evaluation.refresh_from_db()

    assert pairwise_ballots_reassess(evaluation=open_evaluation) == 0
    assert PairwiseBallot.objects.get().cr is None


def test_a_higher_threshold_makes_a_submitted_ballot_consistent_again(
    membership, open_evaluation, u1
):
    open_evaluation.ri_table = "saaty"
    open_evaluation.cr_policy = Evaluation.CRPolicy.WARN
    open_evaluation.save()
    services.pairwise_ballot_save(
        membership=membership, parent=u1, judgments=judgments_for(u1, NEARLY), submit=True
    )
    assert PairwiseBallot.objects.get().submitted_consistent is False
    Evaluation.objects.filter(pk=open_evaluation.pk).update(cr_threshold=0.15)
    open_evaluation.refresh_from_db()

    assert pairwise_ballots_reassess(evaluation=open_evaluation) == 1

    ballot = PairwiseBallot.objects.get()
    assert ballot.submitted_consistent is True and ballot.consistent is True
