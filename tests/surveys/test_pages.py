"""The expert's questionnaire pages: forms, autosave, live consistency, access."""

import pytest
from django.urls import reverse

from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template
from surveys.models import PairwiseBallot, RatingBallot
from surveys.services import pair_key


def pair_fields(parent, tokens):
    children = list(parent.children.all())
    keys = [pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {f"pair-{key}": token for key, token in zip(keys, tokens, strict=True)}


def test_the_questionnaire_lists_every_matrix_and_subject(expert_client, open_evaluation):
    response = expert_client.get(reverse("questionnaire", args=[open_evaluation.pk]))

    assert response.status_code == 200
    assert [p.code for p, _b in response.context["matrices"]] == ["U", "U1", "U2", "U3"]
    assert len(response.context["subjects"]) == 2
    assert "0 of 6 forms submitted." in response.content.decode()


def test_a_pairwise_form_asks_every_pair_once_on_the_17_point_scale(expert_client, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")

    response = expert_client.get(reverse("pairwise-form", args=[open_evaluation.pk, u1.pk]))

    page = response.content.decode()
    assert len(response.context["pairs"]) == 6
    assert page.count('type="radio"') == 6 * 17
    assert "Supplier selection or Procurement authorisation?" in page


def test_saving_a_draft_keeps_the_answers_and_submitting_a_consistent_form_finishes_it(
    expert_client, open_evaluation, membership
):
    u1 = open_evaluation.indicators.get(code="U1")
    url = reverse("pairwise-form", args=[open_evaluation.pk, u1.pk])

    draft = expert_client.post(
        url, {**pair_fields(u1, ["3", "", "", "", "", ""]), "action": "save"}
    )
    assert draft.status_code == 302
    assert PairwiseBallot.objects.get().status == "draft"
    again = expert_client.get(url)
    assert again.context["pairs"][0]["token"] == "3"

    tokens = ["2", "4", "8", "2", "4", "2"]
    done = expert_client.post(url, {**pair_fields(u1, tokens), "action": "submit"})
    assert done.status_code == 302
    # on to the first form still to answer (tests/surveys/test_form_flow.py)
    u = open_evaluation.indicators.get(code="U")
    assert done["Location"] == reverse("pairwise-form", args=[open_evaluation.pk, u.pk])
    ballot = PairwiseBallot.objects.get()
    assert ballot.status == "submitted" and ballot.consistent is True


def test_an_inconsistent_submission_is_refused_with_the_judgments_to_revise_and_kept_as_draft(
    expert_client, open_evaluation
):
    u1 = open_evaluation.indicators.get(code="U1")
    url = reverse("pairwise-form", args=[open_evaluation.pk, u1.pk])
    tokens = ["9", "1/9", "9", "9", "1/9", "9"]

    response = expert_client.post(url, {**pair_fields(u1, tokens), "action": "submit"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "The judgments are inconsistent" in page
    assert "Revise these judgments first" in page
    assert "Your other answers suggest" in page
    assert "Your answers were saved as a draft; they were not submitted because:" in page
    assert "Nothing was saved" not in page
    ballot = PairwiseBallot.objects.get()
    assert ballot.status == "draft" and ballot.submitted_at is None and ballot.consistent is False


def test_autosave_saves_a_draft_and_answers_with_the_consistency_panel(
    expert_client, open_evaluation
):
    u1 = open_evaluation.indicators.get(code="U1")
    url = reverse("pairwise-autosave", args=[open_evaluation.pk, u1.pk])

    response = expert_client.post(url, pair_fields(u1, ["9", "1/9", "9", "9", "1/9", "9"]))

    body = response.json()
    assert body["saved"] is True and body["status"] == "draft"
    assert "Inconsistent: CR = " in body["html"]
    assert PairwiseBallot.objects.get().consistent is False


def test_a_tampered_pair_about_another_evaluation_is_refused_and_nothing_saved(
    expert_client, open_evaluation, coordinator
):
    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    u1 = open_evaluation.indicators.get(code="U1")
    fields = pair_fields(u1, ["2", "4", "8", "2", "4", "2"])
    fields.update(pair_fields(other.indicators.get(code="U1"), ["3"] * 6))

    response = expert_client.post(
        reverse("pairwise-autosave", args=[open_evaluation.pk, u1.pk]), fields
    )

    assert response.status_code == 400
    assert "is not a comparison of this form" in str(response.json()["errors"])
    assert not PairwiseBallot.objects.exists()


def test_an_out_of_scale_value_is_refused_naming_the_pair(expert_client, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")
    fields = pair_fields(u1, ["10", "1", "1", "1", "1", "1"])

    response = expert_client.post(
        reverse("pairwise-form", args=[open_evaluation.pk, u1.pk]), {**fields, "action": "save"}
    )

    assert response.status_code == 400
    assert "U11 vs U12: 10 is not on the 1–9 scale" in response.content.decode()
    assert not PairwiseBallot.objects.exists()


def test_forms_of_other_evaluations_and_leaves_are_not_found(
    expert_client, open_evaluation, coordinator
):
    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    urls = [
        reverse("pairwise-form", args=[open_evaluation.pk, other.indicators.get(code="U1").pk]),
        reverse(
            "pairwise-form",
            args=[open_evaluation.pk, open_evaluation.indicators.get(code="U11").pk],
        ),
        reverse("rating-form", args=[open_evaluation.pk, other.subjects.get().pk]),
        reverse("questionnaire", args=[other.pk]),
    ]

    assert [expert_client.get(url).status_code for url in urls] == [404] * 4


def test_the_coordinator_and_outsiders_are_not_experts_of_the_panel(
    coordinator_client, open_evaluation
):
    response = coordinator_client.get(reverse("questionnaire", args=[open_evaluation.pk]))

    assert response.status_code == 404


def test_nothing_to_answer_before_the_panel_opens(expert_client, open_evaluation):
    open_evaluation.status = Evaluation.Status.DRAFT
    open_evaluation.save()

    assert expert_client.get(reverse("questionnaire", args=[open_evaluation.pk])).status_code == 404


def test_after_closing_the_forms_are_read_only(expert_client, open_evaluation):
    open_evaluation.status = Evaluation.Status.CLOSED
    open_evaluation.save()
    u1 = open_evaluation.indicators.get(code="U1")
    url = reverse("pairwise-form", args=[open_evaluation.pk, u1.pk])

    page = expert_client.get(url).content.decode()
    response = expert_client.post(url, {**pair_fields(u1, ["1"] * 6), "action": "save"})

    assert "this form is read-only" in page
    assert "<fieldset disabled" in page
    assert response.status_code == 400
    assert not PairwiseBallot.objects.exists()


def rating_fields(evaluation, grade):
    return {
        f"grade-{leaf.pk}": str(grade.pk)
        for leaf in evaluation.indicators.filter(children__isnull=True)
    }


def test_a_rating_ballot_is_grouped_by_first_level_indicator_and_submits(
    expert_client, open_evaluation
):
    subject = open_evaluation.subjects.first()
    url = reverse("rating-form", args=[open_evaluation.pk, subject.pk])

    page = expert_client.get(url)
    assert [g["indicator"].code for g in page.context["groups"]] == ["U1", "U2", "U3"]
    assert page.content.decode().count('type="radio"') == 12 * 4

    fields = rating_fields(open_evaluation, open_evaluation.grades.get(order=1))
    fields[f"note-{open_evaluation.indicators.get(code='U11').pk}"] = "Audited in 2025"
    response = expert_client.post(url, {**fields, "action": "submit"})

    assert response.status_code == 302
    ballot = RatingBallot.objects.get()
    assert ballot.status == "submitted"
    assert "Audited in 2025" in str(ballot.ratings)


@pytest.mark.parametrize("bad", ["999999", "abc"])
def test_a_rating_submission_with_a_bad_grade_saves_nothing(expert_client, open_evaluation, bad):
    subject = open_evaluation.subjects.first()
    fields = rating_fields(open_evaluation, open_evaluation.grades.first())
    fields[f"grade-{open_evaluation.indicators.get(code='U23').pk}"] = bad

    response = expert_client.post(
        reverse("rating-form", args=[open_evaluation.pk, subject.pk]),
        {**fields, "action": "submit"},
    )

    assert response.status_code == 400
    assert "U23: " in response.content.decode()
    assert "Nothing was saved:" in response.content.decode()
    assert not RatingBallot.objects.exists()


def test_a_rating_submission_with_a_missing_grade_is_kept_as_a_draft_and_says_so(
    expert_client, open_evaluation
):
    subject = open_evaluation.subjects.first()
    fields = rating_fields(open_evaluation, open_evaluation.grades.first())
    fields[f"grade-{open_evaluation.indicators.get(code='U23').pk}"] = ""

    response = expert_client.post(
        reverse("rating-form", args=[open_evaluation.pk, subject.pk]),
        {**fields, "action": "submit"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Your answers were saved as a draft; they were not submitted because:" in page
    assert "U23: choose a grade before submitting." in page
    ballot = RatingBallot.objects.get()
    assert ballot.status == "draft" and ballot.submitted_at is None
    assert len(ballot.ratings) == 11


def test_rating_autosave_keeps_a_partial_draft(expert_client, open_evaluation):
    subject = open_evaluation.subjects.first()
    leaf = open_evaluation.indicators.get(code="U31")
    grade = open_evaluation.grades.first()

    response = expert_client.post(
        reverse("rating-autosave", args=[open_evaluation.pk, subject.pk]),
        {f"grade-{leaf.pk}": str(grade.pk)},
    )

    assert response.json()["saved"] is True and response.json()["status"] == "draft"
    assert RatingBallot.objects.get().ratings == {str(leaf.pk): {"grade": grade.pk, "comment": ""}}
