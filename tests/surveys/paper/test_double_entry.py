"""Double entry: a paper form counts when two people type it in identically, or when the
coordinator resolves the cells their typings differ in."""

import pytest
from django.core.exceptions import ValidationError

from evaluations.models import AuditEntry
from surveys.models import BallotRevision, PairwiseBallot, RatingBallot
from surveys.paper import services
from surveys.paper.models import PaperEntry
from surveys.paper.services import PaperForm

from .conftest import judgments_for, ratings_for

CONSISTENT = [2, 4, 8, 2, 4, 2]


@pytest.fixture
def double(open_evaluation):
    open_evaluation.double_entry = True
    open_evaluation.save()
    return open_evaluation


@pytest.fixture
def u1(double):
    return double.indicators.get(code="U1")


def enter(form, answers, actor, number="F-1"):
    return services.paper_ballot_enter(form=form, answers=answers, form_number=number, actor=actor)


def test_a_first_typing_waits_and_does_not_count(paper_expert, u1, assistant):
    outcome = enter(
        PaperForm(membership=paper_expert, parent=u1), judgments_for(u1, CONSISTENT), assistant
    )

    assert outcome.status == services.PENDING
    assert outcome.entry.entered_by == assistant
    assert not PairwiseBallot.objects.exists()
    assert not BallotRevision.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PAPER_ENTERED).count() == 1


def test_a_first_typing_is_validated_as_the_real_submission(paper_expert, u1, assistant):
    with pytest.raises(ValidationError) as error:
        enter(
            PaperForm(membership=paper_expert, parent=u1),
            judgments_for(u1, [2, 4, 8, 2, 4, None]),
            assistant,
        )

    assert "choose a value before submitting" in str(error.value.message_dict)
    assert not PaperEntry.objects.exists()


def test_two_identical_typings_by_two_people_count_naming_both(
    paper_expert, u1, assistant, second_assistant
):
    form = PaperForm(membership=paper_expert, parent=u1)
    enter(form, judgments_for(u1, CONSISTENT), assistant)

    outcome = enter(form, judgments_for(u1, CONSISTENT), second_assistant)

    assert outcome.status == services.COUNTED
    assert PairwiseBallot.objects.get(membership=paper_expert).submitted_at is not None
    revision = BallotRevision.objects.get()
    assert revision.user == second_assistant
    assert revision.first_entered_by == assistant
    assert revision.form_number == "F-1"
    assert PaperEntry.objects.get().status == PaperEntry.Status.COUNTED


def test_the_same_person_cannot_type_the_second_entry(paper_expert, u1, assistant):
    form = PaperForm(membership=paper_expert, parent=u1)
    enter(form, judgments_for(u1, CONSISTENT), assistant)

    with pytest.raises(ValidationError) as error:
        enter(form, judgments_for(u1, CONSISTENT), assistant)

    assert "someone else" in str(error.value.message_dict)
    assert not PairwiseBallot.objects.exists()
    assert PaperEntry.objects.count() == 1


def test_typings_that_differ_are_listed_and_nothing_counts(
    paper_expert, u1, assistant, second_assistant
):
    form = PaperForm(membership=paper_expert, parent=u1)
    enter(form, judgments_for(u1, CONSISTENT), assistant)

    outcome = enter(
        form, judgments_for(u1, [2, 4, 8, 2, 4, 3], {0: "typo?"}), second_assistant, "F-7"
    )

    assert outcome.status == services.MISMATCH
    cells = {cell["key"]: cell for cell in outcome.mismatches}
    children = list(u1.children.all())
    first_pair = f"{children[0].pk}-{children[1].pk}"
    last_pair = f"{children[2].pk}-{children[3].pk}"
    assert set(cells) == {"form_number", first_pair, last_pair}
    assert (cells["form_number"]["first"], cells["form_number"]["second"]) == ("F-1", "F-7")
    assert cells[last_pair]["first"] != cells[last_pair]["second"]
    assert cells[first_pair]["second"].endswith("(typo?)")
    assert not PairwiseBallot.objects.exists()
    assert PaperEntry.objects.filter(status=PaperEntry.Status.PENDING).count() == 2


def test_the_coordinator_resolves_the_differences_and_the_chosen_values_count(
    paper_expert, u1, assistant, second_assistant, coordinator
):
    form = PaperForm(membership=paper_expert, parent=u1)
    first = enter(form, judgments_for(u1, CONSISTENT), assistant).entry
    second = enter(form, judgments_for(u1, [2, 4, 8, 2, 4, 3]), second_assistant, "F-7").entry
    children = list(u1.children.all())
    last_pair = f"{children[2].pk}-{children[3].pk}"

    with pytest.raises(ValidationError):  # every difference needs a choice
        services.paper_entries_resolve(first=first, second=second, choices={}, actor=coordinator)
    services.paper_entries_resolve(
        first=first,
        second=second,
        choices={"form_number": "second", last_pair: "second"},
        actor=coordinator,
    )

    ballot = PairwiseBallot.objects.get(membership=paper_expert)
    assert ballot.submitted_judgments[last_pair]["value"] == 3
    revision = BallotRevision.objects.get()
    assert (revision.user, revision.first_entered_by, revision.form_number) == (
        coordinator,
        assistant,
        "F-7",
    )
    assert set(PaperEntry.objects.values_list("status", flat=True)) == {"counted"}


def test_a_third_typing_that_agrees_with_one_of_two_counts(
    paper_expert, double, assistant, second_assistant, coordinator
):
    subject = double.subjects.first()
    form = PaperForm(membership=paper_expert, subject=subject)
    enter(form, ratings_for(double, 0), assistant)
    assert enter(form, ratings_for(double, 1), second_assistant).status == services.MISMATCH

    outcome = enter(form, ratings_for(double, 0), coordinator)

    assert outcome.status == services.COUNTED
    assert RatingBallot.objects.get().submitted_at is not None
    assert BallotRevision.objects.get().first_entered_by == assistant
    assert not PaperEntry.objects.filter(status=PaperEntry.Status.PENDING).exists()


def test_a_discarded_typing_is_kept_marked_and_logged(paper_expert, u1, assistant, coordinator):
    form = PaperForm(membership=paper_expert, parent=u1)
    entry = enter(form, judgments_for(u1, CONSISTENT), assistant).entry

    services.paper_entry_discard(entry=entry, actor=coordinator)

    entry.refresh_from_db()
    assert (entry.status, entry.closed_by) == (PaperEntry.Status.DISCARDED, coordinator)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PAPER_DISCARDED).exists()
    with pytest.raises(ValidationError):
        services.paper_entry_discard(entry=entry, actor=coordinator)
    # The same person may now type the form again as a first typing.
    assert enter(form, judgments_for(u1, CONSISTENT), assistant).status == services.PENDING


def test_the_history_export_names_the_form_number_and_both_typists(
    paper_expert, u1, assistant, second_assistant
):
    from evaluations.exports import history_table
    from surveys.history import evaluation_history

    form = PaperForm(membership=paper_expert, parent=u1)
    enter(form, judgments_for(u1, CONSISTENT), assistant)
    enter(form, judgments_for(u1, CONSISTENT), second_assistant)

    table = history_table(history=evaluation_history(evaluation=u1.evaluation))
    header, rows = table.sections[0].header, table.sections[0].rows

    assert header[-2:] == ["Paper form number", "Entered by"]
    assert {tuple(row[-2:]) for row in rows} == {("F-1", "dana + dora")}
    assert {row[3] for row in rows} == {"paper"}


def test_a_vote_kept_for_a_leaf_now_given_does_not_block_a_double_entry(
    paper_expert, double, assistant, second_assistant
):
    from evaluations.models import Indicator

    subject = double.subjects.first()
    form = PaperForm(membership=paper_expert, subject=subject)
    double.double_entry = False
    double.save()
    enter(form, ratings_for(double, 0), assistant)  # counts at once: U11 voted then
    u11 = double.indicators.get(code="U11")
    Indicator.objects.filter(pk=u11.pk).update(membership_source="given")
    double.double_entry = True
    double.save()
    typed = {k: v for k, v in ratings_for(double, 1).items() if k != str(u11.pk)}

    enter(form, typed, assistant)
    outcome = enter(form, typed, second_assistant)

    assert outcome.status == services.COUNTED
    submitted = RatingBallot.objects.get().submitted_ratings
    assert submitted[str(u11.pk)]["grade"] == list(double.grades.all())[0].pk  # kept
