"""Typing in paper ballots: the expert's validation, the form number, who typed it."""

import pytest
from django.core.exceptions import ValidationError

from evaluations.models import AuditEntry, Evaluation
from surveys import services as ballots
from surveys.models import BallotRevision, Channel, PairwiseBallot, RatingBallot
from surveys.paper import services
from surveys.paper.services import PaperForm

from .conftest import judgments_for, ratings_for

CONSISTENT = [2, 4, 8, 2, 4, 2]
INCONSISTENT = [9, 1 / 9, 9, 9, 1 / 9, 9]


def enter(form, answers, actor, number="F-001"):
    return services.paper_ballot_enter(form=form, answers=answers, form_number=number, actor=actor)


def test_a_paper_form_counts_at_once_and_its_revision_says_paper_number_and_typist(
    paper_expert, open_evaluation, coordinator
):
    u1 = open_evaluation.indicators.get(code="U1")
    form = PaperForm(membership=paper_expert, parent=u1)

    outcome = enter(form, judgments_for(u1, CONSISTENT), coordinator, " F-017 ")

    assert outcome.status == services.COUNTED
    ballot = PairwiseBallot.objects.get(membership=paper_expert, parent=u1)
    assert ballot.submitted_at is not None
    revision = BallotRevision.objects.get(membership=paper_expert)
    assert (revision.channel, revision.form_number) == (Channel.PAPER, "F-017")
    assert revision.user == coordinator
    assert revision.first_entered_by is None
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.SUBMITTED).get()
    assert entry.params["channel"] == "paper" and entry.params["form_number"] == "F-017"
    assert entry.actor == coordinator


def test_a_judgment_off_the_scale_is_refused_with_the_experts_own_message(
    paper_expert, membership, open_evaluation, coordinator
):
    u1 = open_evaluation.indicators.get(code="U1")
    values = [2, 4, 8, 2, 4, 11]
    with pytest.raises(ValidationError) as on_paper:
        enter(PaperForm(membership=paper_expert, parent=u1), judgments_for(u1, values), coordinator)
    with pytest.raises(ValidationError) as by_expert:
        ballots.pairwise_ballot_save(
            membership=membership, parent=u1, judgments=judgments_for(u1, values), submit=True
        )

    assert on_paper.value.message_dict == by_expert.value.message_dict
    assert not PairwiseBallot.objects.filter(membership=paper_expert).exists()


def test_the_block_policy_refuses_an_inconsistent_paper_form(
    paper_expert, open_evaluation, coordinator
):
    open_evaluation.cr_policy = Evaluation.CRPolicy.BLOCK
    open_evaluation.save()
    u1 = open_evaluation.indicators.get(code="U1")

    with pytest.raises(ValidationError) as error:
        enter(
            PaperForm(membership=paper_expert, parent=u1),
            judgments_for(u1, INCONSISTENT),
            coordinator,
        )

    assert "inconsistent" in str(error.value.message_dict["judgments"])
    assert not BallotRevision.objects.exists()


def test_a_missing_grade_is_refused_naming_the_leaf(paper_expert, open_evaluation, coordinator):
    subject = open_evaluation.subjects.first()
    ratings = ratings_for(open_evaluation)
    missing = next(iter(ratings))
    del ratings[missing]

    with pytest.raises(ValidationError) as error:
        enter(PaperForm(membership=paper_expert, subject=subject), ratings, coordinator)

    assert missing in error.value.message_dict
    assert not RatingBallot.objects.exists()


def test_a_rating_form_on_paper_counts(paper_expert, open_evaluation, assistant):
    subject = open_evaluation.subjects.first()

    outcome = enter(
        PaperForm(membership=paper_expert, subject=subject), ratings_for(open_evaluation), assistant
    )

    assert outcome.status == services.COUNTED
    revision = BallotRevision.objects.get(subject=subject)
    assert revision.user == assistant and revision.channel == "paper"


@pytest.mark.parametrize("number", ["x" * 41, "A\n12", "A\x00", "y" * 100_000])
def test_a_hostile_form_number_is_refused_and_nothing_saved(
    paper_expert, open_evaluation, coordinator, number
):
    u1 = open_evaluation.indicators.get(code="U1")

    with pytest.raises(ValidationError) as error:
        enter(
            PaperForm(membership=paper_expert, parent=u1),
            judgments_for(u1, CONSISTENT),
            coordinator,
            number,
        )

    assert "form_number" in error.value.message_dict
    assert not PairwiseBallot.objects.exists()


def test_a_closed_panel_takes_no_paper_forms(paper_expert, open_evaluation, coordinator):
    open_evaluation.status = Evaluation.Status.CLOSED
    open_evaluation.save()
    u1 = open_evaluation.indicators.get(code="U1")

    with pytest.raises(ValidationError) as error:
        enter(
            PaperForm(membership=paper_expert, parent=u1),
            judgments_for(u1, CONSISTENT),
            coordinator,
        )

    assert "status" in error.value.message_dict


def test_the_activity_log_names_whose_paper_form_was_typed_in(
    paper_expert, open_evaluation, coordinator
):
    from evaluations.audit_wording import audit_entry_detail

    u1 = open_evaluation.indicators.get(code="U1")
    enter(
        PaperForm(membership=paper_expert, parent=u1),
        judgments_for(u1, CONSISTENT),
        coordinator,
        "F-5",
    )

    entry = AuditEntry.objects.get(action=AuditEntry.Action.SUBMITTED)
    assert audit_entry_detail(entry) == "pairwise comparisons under U1 of Wang Fang, paper form F-5"
