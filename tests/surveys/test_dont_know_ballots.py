""" "Don't know" in rating ballots (issue #15 §1), through every door: the service, the expert's
form, the API; refused by name when the evaluation does not allow it or the input is hostile,
and saving nothing then."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys import services
from surveys.models import RatingBallot
from surveys.ratings import (
    ERROR_DONT_KNOW_NOT_BOOLEAN,
    ERROR_DONT_KNOW_OFF,
    ERROR_DONT_KNOW_WITH_GRADE,
    ERROR_MISSING_RATING_OR_DONT_KNOW,
)
from tests.api.conftest import token_client
from tests.conftest import accepted_membership


@pytest.fixture
def allowing(open_evaluation):
    open_evaluation.allow_dont_know = True
    open_evaluation.save()
    return open_evaluation


def leaves(evaluation):
    return list(evaluation.indicators.filter(children__isnull=True).order_by("code"))


def answers(evaluation, unsure=("U11", "U23")) -> dict:
    """A grade for every leaf but `unsure`, which are "don't know"."""
    grade = evaluation.grades.first().pk
    return {
        str(leaf.pk): {"grade": None, "dont_know": True, "comment": ""}
        if leaf.code in unsure
        else {"grade": grade, "comment": ""}
        for leaf in leaves(evaluation)
    }


def save(membership, evaluation, ratings, submit=True):
    return services.rating_ballot_save(
        membership=membership, subject=evaluation.subjects.first(), ratings=ratings, submit=submit
    )


def leaf_pk(evaluation, code) -> str:
    return str(evaluation.indicators.get(code=code).pk)


# --- the service ------------------------------------------------------------------------------


def test_a_ballot_mixing_grades_and_dont_knows_is_submitted_as_stored(membership, allowing):
    ballot = save(membership, allowing, answers(allowing))

    assert ballot.status == "submitted"
    stored = ballot.submitted_ratings
    assert stored[leaf_pk(allowing, "U11")] == {"grade": None, "dont_know": True, "comment": ""}
    assert stored[leaf_pk(allowing, "U12")] == {
        "grade": allowing.grades.first().pk,
        "comment": "",
    }
    assert sum(1 for answer in stored.values() if answer.get("dont_know")) == 2


def test_a_submission_must_still_answer_every_leaf(membership, allowing):
    ratings = answers(allowing)
    del ratings[leaf_pk(allowing, "U31")]

    with pytest.raises(ValidationError) as refused:
        save(membership, allowing, ratings)

    assert refused.value.message_dict == {
        leaf_pk(allowing, "U31"): [ERROR_MISSING_RATING_OR_DONT_KNOW.format(code="U31")]
    }
    assert not RatingBallot.objects.exists()


def test_with_the_setting_off_a_dont_know_is_refused_naming_field_and_rule(
    membership, open_evaluation
):
    with pytest.raises(ValidationError) as refused:
        save(membership, open_evaluation, answers(open_evaluation, unsure=("U11",)), submit=False)

    [message] = refused.value.message_dict[leaf_pk(open_evaluation, "U11")]
    assert message == ERROR_DONT_KNOW_OFF.format(code="U11")
    assert "dont_know" in message and "does not allow" in message
    assert not RatingBallot.objects.exists()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"grade": None, "dont_know": "yes"}, ERROR_DONT_KNOW_NOT_BOOLEAN),
        ({"grade": None, "dont_know": 1}, ERROR_DONT_KNOW_NOT_BOOLEAN),
        ({"grade": "first", "dont_know": True}, ERROR_DONT_KNOW_WITH_GRADE),
    ],
)
def test_a_malformed_dont_know_is_refused_by_name(membership, allowing, answer, error):
    ratings = answers(allowing, unsure=())
    if answer["grade"] == "first":
        answer = {**answer, "grade": allowing.grades.first().pk}
    ratings[leaf_pk(allowing, "U21")] = {**answer, "comment": ""}

    with pytest.raises(ValidationError) as refused:
        save(membership, allowing, ratings)

    assert refused.value.message_dict == {leaf_pk(allowing, "U21"): [error.format(code="U21")]}
    assert not RatingBallot.objects.exists()


def test_a_false_dont_know_is_no_answer_and_ballots_without_keep_their_shape(membership, allowing):
    ratings = answers(allowing, unsure=())
    ratings[leaf_pk(allowing, "U21")]["dont_know"] = False

    ballot = save(membership, allowing, ratings)

    assert all("dont_know" not in answer for answer in ballot.submitted_ratings.values())


# --- the expert's form ----------------------------------------------------------------------


def form_url(evaluation):
    return reverse("rating-form", args=[evaluation.pk, evaluation.subjects.first().pk])


def test_the_form_offers_dont_know_only_where_allowed(expert_client, open_evaluation):
    page = expert_client.get(form_url(open_evaluation)).content.decode()
    assert "Don't know" not in page and 'value="dont_know"' not in page

    open_evaluation.allow_dont_know = True
    open_evaluation.save()
    page = expert_client.get(form_url(open_evaluation)).content.decode()

    assert page.count('type="radio"') == 12 * 5
    assert page.count('value="dont_know"') == 12
    assert "or “Don't know” where you cannot judge it" in page


def test_the_form_submits_a_dont_know_and_shows_it_chosen(expert_client, membership, allowing):
    grade = allowing.grades.first().pk
    fields = {f"grade-{leaf.pk}": str(grade) for leaf in leaves(allowing)}
    fields[f"grade-{leaf_pk(allowing, 'U12')}"] = "dont_know"
    fields[f"note-{leaf_pk(allowing, 'U12')}"] = "Never saw their books"

    response = expert_client.post(form_url(allowing), {**fields, "action": "submit"})

    assert response.status_code == 302
    stored = RatingBallot.objects.get().submitted_ratings[leaf_pk(allowing, "U12")]
    assert stored == {"grade": None, "dont_know": True, "comment": "Never saw their books"}
    page = expert_client.get(form_url(allowing)).content.decode()
    assert f'name="grade-{leaf_pk(allowing, "U12")}" value="dont_know" checked' in page


def test_the_form_refuses_dont_know_when_off_and_says_why(expert_client, open_evaluation):
    grade = open_evaluation.grades.first().pk
    fields = {f"grade-{leaf.pk}": str(grade) for leaf in leaves(open_evaluation)}
    fields[f"grade-{leaf_pk(open_evaluation, 'U12')}"] = "dont_know"

    response = expert_client.post(form_url(open_evaluation), {**fields, "action": "submit"})

    assert response.status_code == 400
    assert "U12: this evaluation does not allow" in response.content.decode()
    assert not RatingBallot.objects.filter(submitted_at__isnull=False).exists()


def test_a_dont_know_kept_after_the_setting_is_turned_off_stays_visible(
    expert_client, membership, allowing
):
    save(membership, allowing, answers(allowing))
    allowing.allow_dont_know = False
    allowing.save()

    page = expert_client.get(form_url(allowing)).content.decode()

    assert f'name="grade-{leaf_pk(allowing, "U11")}" value="dont_know" checked' in page


def test_autosave_keeps_a_dont_know_draft(expert_client, membership, allowing):
    url = reverse("rating-autosave", args=[allowing.pk, allowing.subjects.first().pk])

    response = expert_client.post(url, {f"grade-{leaf_pk(allowing, 'U22')}": "dont_know"})

    assert response.status_code == 200 and response.json()["saved"] is True
    assert RatingBallot.objects.get().ratings == {
        leaf_pk(allowing, "U22"): {"grade": None, "dont_know": True, "comment": ""}
    }


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture
def api_membership(open_evaluation, expert):
    return accepted_membership(open_evaluation, expert)


def api_url(evaluation):
    return reverse("v1:ratings", args=[evaluation.pk, evaluation.subjects.first().pk])


def api_ratings(evaluation, unsure=("U11",)) -> list[dict]:
    grade = evaluation.grades.first().pk
    return [
        {"indicator": leaf.code, "grade": None, "dont_know": True}
        if leaf.code in unsure
        else {"indicator": leaf.code, "grade": grade}
        for leaf in leaves(evaluation)
    ]


def test_the_api_submits_a_dont_know(expert, api_membership, allowing):
    client = token_client(expert)

    response = client.put(
        api_url(allowing), {"ratings": api_ratings(allowing), "submit": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    [u11] = [r for r in body["submitted_ratings"] if r["indicator"] == "U11"]
    assert u11 == {"indicator": "U11", "grade": None, "dont_know": True, "comment": ""}
    assert sum(r["dont_know"] for r in body["ratings"]) == 1
    assert client.get(api_url(allowing)).json() == body


def test_the_api_refuses_a_dont_know_when_off_naming_the_indicator(
    expert, api_membership, open_evaluation
):
    response = token_client(expert).put(
        api_url(open_evaluation),
        {"ratings": api_ratings(open_evaluation), "submit": True},
        format="json",
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "ratings.U11"
    assert error["message"] == ERROR_DONT_KNOW_OFF.format(code="U11")
    assert not RatingBallot.objects.exists()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"indicator": "U11", "grade": None, "dont_know": "yes"}, "ratings.0.dont_know"),
        ({"indicator": "U11", "grade": None, "dont_know": 1}, "ratings.0.dont_know"),
        ({"indicator": "U11", "grade": None, "dont_know": None}, "ratings.0.dont_know"),
        ({"indicator": "U11", "grade": "first", "dont_know": True}, "ratings.U11"),
    ],
)
def test_hostile_dont_knows_get_a_400_naming_the_field(
    expert, api_membership, allowing, item, field
):
    if item["grade"] == "first":
        item = {**item, "grade": allowing.grades.first().pk}
    ratings = [item, *api_ratings(allowing, unsure=())[1:]]

    response = token_client(expert).put(
        api_url(allowing), {"ratings": ratings, "submit": True}, format="json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field], errors
    assert errors[0]["rule"] and errors[0]["message"]
    assert not RatingBallot.objects.exists()


def test_the_schema_declares_dont_know_on_ratings(client):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    assert schemas["RatingRequest"]["properties"]["dont_know"]["type"] == "boolean"
    assert schemas["RatingOut"]["properties"]["dont_know"]["type"] == "boolean"
