"""Saving and submitting ballots: validation, the CR policy, and results going stale."""

import pytest
from django.core.exceptions import ValidationError

from evaluations.models import Evaluation, ResultSnapshot
from surveys import services
from surveys.models import PairwiseBallot, RatingBallot


def judgments_for(parent, values):
    children = list(parent.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {key: {"value": value, "comment": ""} for key, value in zip(keys, values, strict=True)}


def version(evaluation) -> int:
    evaluation.refresh_from_db()
    return evaluation.input_version


def test_a_draft_may_be_incomplete_and_leaves_the_results_alone(membership, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")  # 4 children: 6 judgments
    judgments = judgments_for(u1, [3, None, None, None, None, None])

    ballot = services.pairwise_ballot_save(
        membership=membership, parent=u1, judgments=judgments, submit=False
    )

    assert ballot.status == "draft"
    assert ballot.cr is None
    assert len(ballot.judgments) == 1
    assert version(open_evaluation) == 0


def test_a_consistent_submission_is_saved_and_makes_new_results(
    membership, open_evaluation, django_capture_on_commit_callbacks
):
    u1 = open_evaluation.indicators.get(code="U1")
    judgments = judgments_for(u1, [2, 4, 8, 2, 4, 2])  # perfectly consistent

    with django_capture_on_commit_callbacks(execute=True):
        ballot = services.pairwise_ballot_save(
            membership=membership, parent=u1, judgments=judgments, submit=True
        )

    assert ballot.status == "submitted"
    assert ballot.consistent is True
    assert ballot.cr == pytest.approx(0, abs=1e-12)
    assert version(open_evaluation) == 1
    snapshot = ResultSnapshot.objects.get(evaluation=open_evaluation)
    assert snapshot.version == 1
    assert snapshot.pairwise_ballots == 1


def test_under_the_block_policy_an_inconsistent_matrix_is_refused_and_nothing_saved(
    membership, open_evaluation
):
    u1 = open_evaluation.indicators.get(code="U1")
    judgments = judgments_for(u1, [9, 1 / 9, 9, 9, 1 / 9, 9])

    with pytest.raises(ValidationError) as raised:
        services.pairwise_ballot_save(
            membership=membership, parent=u1, judgments=judgments, submit=True
        )

    assert "The judgments are inconsistent (CR = " in raised.value.message_dict["judgments"][0]
    assert not PairwiseBallot.objects.exists()
    assert version(open_evaluation) == 0


def test_under_the_warn_policy_an_inconsistent_matrix_is_accepted_and_flagged(
    membership, open_evaluation
):
    open_evaluation.cr_policy = Evaluation.CRPolicy.WARN
    open_evaluation.save()
    u1 = open_evaluation.indicators.get(code="U1")

    ballot = services.pairwise_ballot_save(
        membership=membership,
        parent=u1,
        judgments=judgments_for(u1, [9, 1 / 9, 9, 9, 1 / 9, 9]),
        submit=True,
    )

    assert ballot.status == "submitted"
    assert ballot.consistent is False
    assert ballot.cr > 0.1


@pytest.mark.parametrize("bad", [0, -3, 10, 2.5, float("nan"), float("inf"), "abc", 1 / 10])
def test_a_value_off_the_scale_is_refused_naming_the_pair(membership, open_evaluation, bad):
    u1 = open_evaluation.indicators.get(code="U1")
    judgments = judgments_for(u1, [bad, 1, 1, 1, 1, 1])

    with pytest.raises(ValidationError) as raised:
        services.pairwise_ballot_save(
            membership=membership, parent=u1, judgments=judgments, submit=False
        )

    (key,) = raised.value.message_dict
    assert raised.value.message_dict[key][0].startswith("U11 vs U12: ")
    assert not PairwiseBallot.objects.exists()


def test_reciprocal_values_given_as_decimals_are_taken_as_scale_values(membership, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")

    ballot = services.pairwise_ballot_save(
        membership=membership,
        parent=u1,
        judgments=judgments_for(u1, ["0.3333333", 1, 1, 1, 1, 1]),
        submit=True,
    )

    assert next(iter(ballot.judgments.values()))["value"] == pytest.approx(1 / 3)


def test_a_submission_needs_every_judgment(membership, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")

    with pytest.raises(ValidationError) as raised:
        services.pairwise_ballot_save(
            membership=membership,
            parent=u1,
            judgments=judgments_for(u1, [3, 3, 3, 3, 3, None]),
            submit=True,
        )

    assert list(raised.value.message_dict.values()) == [
        ["U13 vs U14: choose a value before submitting."]
    ]


def test_a_judgment_about_indicators_of_another_form_is_refused(membership, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")
    u2 = open_evaluation.indicators.get(code="U2")
    judgments = judgments_for(u2, [1, 1, 1, 1, 1, 1])

    with pytest.raises(ValidationError) as raised:
        services.pairwise_ballot_save(
            membership=membership, parent=u1, judgments=judgments, submit=False
        )

    assert "is not a comparison of this form" in raised.value.message_dict["judgments"][0]


def test_nothing_can_be_saved_while_the_panel_is_not_open(membership, open_evaluation):
    open_evaluation.status = Evaluation.Status.CLOSED
    open_evaluation.save()
    u1 = open_evaluation.indicators.get(code="U1")

    with pytest.raises(ValidationError) as raised:
        services.pairwise_ballot_save(membership=membership, parent=u1, judgments={}, submit=False)

    assert raised.value.message_dict == {"status": [services.ERROR_NOT_OPEN]}


def test_a_leaf_or_a_parent_of_another_evaluation_is_no_matrix(
    membership, open_evaluation, coordinator
):
    from evaluations.services import evaluation_create_from_template

    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    for parent in (open_evaluation.indicators.get(code="U11"), other.indicators.get(code="U1")):
        with pytest.raises(ValidationError) as raised:
            services.pairwise_ballot_save(
                membership=membership, parent=parent, judgments={}, submit=False
            )
        assert "parent" in raised.value.message_dict


def test_editing_a_submitted_ballot_keeps_the_submitted_answers_until_submitted_again(
    membership, open_evaluation
):
    u1 = open_evaluation.indicators.get(code="U1")
    judgments = judgments_for(u1, [2, 4, 8, 2, 4, 2])
    services.pairwise_ballot_save(
        membership=membership, parent=u1, judgments=judgments, submit=True
    )

    judgments = judgments_for(u1, [3, 4, 8, 2, 4, 2])
    ballot = services.pairwise_ballot_save(
        membership=membership, parent=u1, judgments=judgments, submit=False
    )

    assert ballot.status == "draft"
    assert ballot.submitted_judgments[services.pair_key(*list(u1.children.all())[:2])]["value"] == 2
    assert version(open_evaluation) == 1  # the submission only: the draft changes no result


def leaf_ratings(evaluation, grade):
    return {
        str(leaf.pk): {"grade": grade.pk, "comment": ""}
        for leaf in evaluation.indicators.filter(children__isnull=True)
    }


def test_a_rating_ballot_grades_every_leaf(membership, open_evaluation):
    subject = open_evaluation.subjects.first()
    ratings = leaf_ratings(open_evaluation, open_evaluation.grades.first())

    ballot = services.rating_ballot_save(
        membership=membership, subject=subject, ratings=ratings, submit=True
    )

    assert ballot.status == "submitted"
    assert len(ballot.ratings) == 12
    assert version(open_evaluation) == 1


def test_a_rating_submission_names_the_leaf_without_a_grade(membership, open_evaluation):
    subject = open_evaluation.subjects.first()
    ratings = leaf_ratings(open_evaluation, open_evaluation.grades.first())
    u34 = open_evaluation.indicators.get(code="U34")
    del ratings[str(u34.pk)]

    with pytest.raises(ValidationError) as raised:
        services.rating_ballot_save(
            membership=membership, subject=subject, ratings=ratings, submit=True
        )

    assert raised.value.message_dict == {str(u34.pk): ["U34: choose a grade before submitting."]}
    assert not RatingBallot.objects.exists()


def test_a_grade_of_another_evaluation_is_refused(membership, open_evaluation, coordinator):
    from evaluations.services import evaluation_create_from_template

    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    subject = open_evaluation.subjects.first()
    ratings = leaf_ratings(open_evaluation, other.grades.first())

    with pytest.raises(ValidationError) as raised:
        services.rating_ballot_save(
            membership=membership, subject=subject, ratings=ratings, submit=False
        )

    assert all(
        "is not a grade of this evaluation" in m[0] for m in raised.value.message_dict.values()
    )
    assert not RatingBallot.objects.exists()


def test_the_live_check_names_the_judgments_to_revise_worst_first(open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")
    children = list(u1.children.all())

    check = services.pairwise_consistency(
        evaluation=open_evaluation,
        children=children,
        judgments=judgments_for(u1, [9, 1 / 9, 9, 9, 1 / 9, 9]),
    )

    assert check.complete and check.consistent is False
    deviations = [r.deviation for r in check.revisions]
    assert deviations == sorted(deviations, reverse=True)


def test_an_autosave_of_the_values_just_submitted_keeps_the_submission(membership, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")
    judgments = judgments_for(u1, [2, 4, 8, 2, 4, 2])
    services.pairwise_ballot_save(
        membership=membership, parent=u1, judgments=judgments, submit=True
    )

    ballot = services.pairwise_ballot_save(
        membership=membership, parent=u1, judgments=judgments, submit=False
    )

    assert ballot.status == "submitted"
    assert version(open_evaluation) == 1


def test_a_save_that_arrives_after_the_revocation_is_refused_and_changes_nothing(
    membership, open_evaluation
):
    """The page checked access before the coordinator revoked; the save runs after it."""
    from datetime import timedelta

    from django.utils import timezone

    from experts.models import Invitation

    parent = open_evaluation.indicators.get(code="U")
    Invitation.objects.create(
        membership=membership,
        token_hash="revoked-after-the-page-checked",
        status=Invitation.Status.REVOKED,
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )

    with pytest.raises(ValidationError) as raised:
        services.pairwise_ballot_save(
            membership=membership, parent=parent, judgments={}, submit=False
        )

    assert raised.value.message_dict == {"membership": [services.ERROR_REVOKED]}
    assert not membership.pairwise_ballots.exists()
