"""The rating form and ballots skip a leaf whose membership the coordinator gives (issue 15 §2)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import Indicator
from surveys import services
from surveys.models import RatingBallot


def all_grades(evaluation, grade_index=0) -> dict:
    grade = list(evaluation.grades.all())[grade_index].pk
    return {
        str(leaf.pk): {"grade": grade, "comment": ""}
        for leaf in evaluation.indicators.filter(children__isnull=True)
    }


def measure(leaf) -> None:
    leaf.membership_source = Indicator.MembershipSource.MEASURED
    leaf.thresholds = [2, 5, 10]
    leaf.save()


def test_the_rating_form_does_not_ask_for_a_measured_leaf(expert_client, open_evaluation):
    subject = open_evaluation.subjects.first()
    url = reverse("rating-form", args=[open_evaluation.pk, subject.pk])
    leaf = open_evaluation.indicators.get(code="U11")
    assert f'name="grade-{leaf.pk}"' in expert_client.get(url).content.decode()
    measure(leaf)
    page = expert_client.get(url).content.decode()
    assert f'name="grade-{leaf.pk}"' not in page
    other = open_evaluation.indicators.get(code="U12")
    assert f'name="grade-{other.pk}"' in page


def test_a_ballot_rating_a_measured_leaf_is_refused_naming_it(membership, open_evaluation):
    subject = open_evaluation.subjects.first()
    measure(open_evaluation.indicators.get(code="U11"))
    with pytest.raises(ValidationError, match="U11 is not rated by the experts"):
        services.rating_ballot_save(
            membership=membership,
            subject=subject,
            ratings=all_grades(open_evaluation),
            submit=True,
        )
    assert not RatingBallot.objects.exists()


def test_earlier_votes_for_a_leaf_now_measured_stay_stored(membership, open_evaluation):
    subject = open_evaluation.subjects.first()
    services.rating_ballot_save(
        membership=membership, subject=subject, ratings=all_grades(open_evaluation), submit=True
    )
    leaf = open_evaluation.indicators.get(code="U11")
    measure(leaf)
    ratings = all_grades(open_evaluation, grade_index=1)
    del ratings[str(leaf.pk)]
    ballot = services.rating_ballot_save(
        membership=membership, subject=subject, ratings=ratings, submit=True
    )
    first = list(open_evaluation.grades.all())[0].pk
    assert ballot.submitted_ratings[str(leaf.pk)]["grade"] == first  # kept, unused


def test_with_every_leaf_measured_the_experts_have_no_rating_form_to_fill(
    membership, open_evaluation
):
    from experts.selectors import panel_requirements
    from surveys.selectors import questionnaire

    subjects = open_evaluation.subjects.count()
    assert len(questionnaire(membership=membership)["subjects"]) == subjects
    assert panel_requirements(evaluation_ids=[open_evaluation.pk])[open_evaluation.pk].ratings == (
        subjects
    )
    for leaf in open_evaluation.indicators.filter(children__isnull=True):
        measure(leaf)

    forms = questionnaire(membership=membership)
    assert forms["subjects"] == [] and forms["total"] == len(forms["matrices"])
    assert panel_requirements(evaluation_ids=[open_evaluation.pk])[open_evaluation.pk].ratings == 0
