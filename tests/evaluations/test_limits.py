"""One limit per collection, enforced by the services that both doors call: the HTML pages and
the API refuse the same counts with the same message, naming the field, and create nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import Evaluation, Grade
from evaluations.services import evaluation_create_blank, limits
from evaluations.services.limits import (
    ERROR_TOO_MANY_GRADES,
    ERROR_TOO_MANY_INDICATORS,
    ERROR_TOO_MANY_SUBJECTS,
    MAX_GRADES,
    MAX_INDICATORS,
    MAX_SUBJECTS,
)
from evaluations.services.structure import GradeRow, grade_set_replace, indicator_add
from surveys import services as surveys_services
from tests.api.conftest import token_client
from tests.conftest import accepted_membership

SUBJECTS_MESSAGE = ERROR_TOO_MANY_SUBJECTS.format(limit=MAX_SUBJECTS)


def names(count: int) -> list[str]:
    return [f"Enterprise {n}" for n in range(1, count + 1)]


def create_form(subjects: list[str]) -> dict:
    return {
        "start": "template",
        "template": "sme-management-measures",
        "title": "",
        "language": "en",
        "subjects": "\n".join(subjects),
    }


def test_the_limit_is_fifty_subjects():
    assert MAX_SUBJECTS == 50


def test_the_create_page_refuses_51_subjects_on_the_subjects_field(coordinator_client):
    response = coordinator_client.post(reverse("evaluation-create"), create_form(names(51)))

    assert response.status_code in (200, 400)  # the form is shown again
    assert response.context["form"].errors["subjects"] == [SUBJECTS_MESSAGE]
    assert not Evaluation.objects.exists()


def test_the_create_page_accepts_50_subjects(coordinator_client):
    response = coordinator_client.post(reverse("evaluation-create"), create_form(names(50)))

    assert response.status_code == 302
    assert Evaluation.objects.get().subjects.count() == 50


def test_the_api_refuses_51_subjects_with_the_same_message(coordinator):
    response = token_client(coordinator, read_only=False).post(
        "/api/v1/evaluations/",
        {"title": "Too many", "subjects": names(51)},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "subjects", "rule": "max_length", "message": SUBJECTS_MESSAGE}
    ]
    assert not Evaluation.objects.exists()


def test_the_api_accepts_50_subjects(coordinator):
    response = token_client(coordinator, read_only=False).post(
        "/api/v1/evaluations/", {"title": "Fifty", "subjects": names(50)}, format="json"
    )

    assert response.status_code == 201
    assert len(response.json()["subjects"]) == 50


def test_the_schema_states_the_same_limit(client):
    schema = client.get("/api/schema/?format=json").json()

    subjects = schema["components"]["schemas"]["EvaluationCreateRequest"]["properties"]["subjects"]
    assert subjects["maxItems"] == MAX_SUBJECTS


def test_the_service_refuses_51_subjects_whoever_calls_it(coordinator):
    with pytest.raises(ValidationError) as refused:
        evaluation_create_blank(owner=coordinator, title="Direct", subjects=names(51))

    assert refused.value.message_dict == {"subjects": [SUBJECTS_MESSAGE]}
    assert not Evaluation.objects.exists()


def subjects_editor_data(evaluation, count: int) -> dict:
    rows = [
        {"id": s.pk, "name": s.name, "description": "", "ORDER": position}
        for position, s in enumerate(evaluation.subjects.all(), start=1)
    ]
    for n in range(len(rows) + 1, count + 1):
        rows.append({"id": "", "name": f"Enterprise {n}", "description": "", "ORDER": n})
    data = {
        "subjects-TOTAL_FORMS": str(len(rows)),
        "subjects-INITIAL_FORMS": str(evaluation.subjects.count()),
        "subjects-MIN_NUM_FORMS": "0",
        "subjects-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"subjects-{index}-{key}"] = value
    return data


def test_the_subjects_editor_refuses_51_subjects(coordinator_client, evaluation):
    url = reverse("subjects-edit", kwargs={"evaluation_id": evaluation.pk})

    response = coordinator_client.post(url, subjects_editor_data(evaluation, 51))

    assert response.status_code in (200, 400)
    assert SUBJECTS_MESSAGE in response.context["errors"]
    assert evaluation.subjects.count() == 2


def test_the_subjects_editor_accepts_50_subjects(coordinator_client, evaluation):
    url = reverse("subjects-edit", kwargs={"evaluation_id": evaluation.pk})

    response = coordinator_client.post(url, subjects_editor_data(evaluation, 50))

    assert response.status_code == 302
    assert evaluation.subjects.count() == 50


def test_a_grade_set_is_at_most_eleven_grades(coordinator, evaluation):
    too_many = [GradeRow(name=f"g{n}", score=MAX_GRADES + 1 - n) for n in range(MAX_GRADES + 1)]

    with pytest.raises(ValidationError) as refused:
        grade_set_replace(evaluation=evaluation, actor=coordinator, grades=too_many)

    message = ERROR_TOO_MANY_GRADES.format(limit=MAX_GRADES)
    assert refused.value.message_dict == {"rows": [message]}
    assert evaluation.grades.count() == 4
    grade_set_replace(evaluation=evaluation, actor=coordinator, grades=too_many[:MAX_GRADES])
    assert Grade.objects.filter(evaluation=evaluation).count() == MAX_GRADES


def test_an_evaluation_holds_at_most_200_indicators(coordinator, evaluation, monkeypatch):
    assert MAX_INDICATORS == 200
    # The template has 16; the same check with the limit at 16 shows the refusal.
    monkeypatch.setattr(limits, "MAX_INDICATORS", evaluation.indicators.count())
    goal = evaluation.indicators.get(code="U")

    with pytest.raises(ValidationError) as refused:
        indicator_add(parent=goal, actor=coordinator, name="One more")

    message = ERROR_TOO_MANY_INDICATORS.format(limit=limits.MAX_INDICATORS)
    assert refused.value.message_dict == {"parent": [message]}
    assert evaluation.indicators.count() == limits.MAX_INDICATORS


def test_the_ballot_pages_take_the_services_comment_limit(
    client, expert, open_evaluation, monkeypatch
):
    accepted_membership(open_evaluation, expert)
    monkeypatch.setattr(surveys_services, "COMMENT_LIMIT", 500)
    client.force_login(expert)
    parent = open_evaluation.indicators.get(code="U1")
    subject = open_evaluation.subjects.first()

    pairwise = client.get(reverse("pairwise-form", args=[open_evaluation.pk, parent.pk]))
    rating = client.get(reverse("rating-form", args=[open_evaluation.pk, subject.pk]))

    assert 'maxlength="500"' in pairwise.content.decode()
    assert 'maxlength="500"' in rating.content.decode()
    assert 'maxlength="2000"' not in pairwise.content.decode() + rating.content.decode()
