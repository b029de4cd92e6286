"""Every parser of user text besides the judgments' refuses hostile strings with a 4xx naming
the field, changes nothing, and never computes first (issue 12).

One test per door, every value of tests/hostile.py in it (the panel is built once per door);
the timeout is a hang guard, not a speed target: a parser that hands "1e999999999" or a
100,000-digit string to a numeric conversion before checking it fails here instead of hanging.
Doors: the grade-set editor (scores, row ids), the subjects editor (row ids), the settings
page (CR threshold), the panel page (an expert's weight, the weight column of a pasted list),
the rating form, ?version= on the results pages and the API, ?page= and ?page_size= of the
API's lists, and the API's ratings, settings and pasted experts.
"""

import pytest
from django.urls import reverse

from evaluations.api.parsers import MAX_DEPTH, json_depth_exceeds
from evaluations.models import AuditEntry, ResultSnapshot
from experts.models import PanelMembership
from experts.paste import PASTE_TEXT_LIMIT
from surveys.models import RatingBallot
from tests.api.conftest import token_client
from tests.hostile import HOSTILE, HOSTILE_NUMBERS, json_strings

pytestmark = pytest.mark.timeout(30)

# Hostile strings that are, after all, plain numbers some fields accept: a grade score may be
# 0 or negative (1e-400 is 0), and 0 is the first snapshot version.
PLAIN_NUMBERS = {"0", "0.0", "-0", "-3", "1e-400"}


def refused(values: list[str], accepted: set[str] = frozenset()) -> list[str]:
    return [value for value in values if value not in accepted]


def short(value: str) -> str:
    return value[:30]


# --- the coordinator's HTML forms ------------------------------------------------------------


def grades_of(evaluation) -> list[tuple[str, float]]:
    return list(evaluation.grades.values_list("name", "score"))


def grade_form(evaluation, **first_row) -> dict:
    """The grade-set formset as the page posts it, with the first row's fields replaced."""
    grades = list(evaluation.grades.all())
    data = {
        "grades-TOTAL_FORMS": str(len(grades)),
        "grades-INITIAL_FORMS": str(len(grades)),
        "grades-MIN_NUM_FORMS": "0",
        "grades-MAX_NUM_FORMS": "1000",
    }
    for index, grade in enumerate(grades):
        row = {"id": grade.pk, "name": grade.name, "score": grade.score, "ORDER": index + 1}
        row.update(first_row if index == 0 else {})
        data.update({f"grades-{index}-{key}": value for key, value in row.items()})
    return data


def test_the_grade_editor_refuses_each_hostile_score_on_its_field(coordinator_client, evaluation):
    url = reverse("grades-edit", args=[evaluation.pk])
    before = grades_of(evaluation)
    for value in refused(HOSTILE, PLAIN_NUMBERS):
        response = coordinator_client.post(url, grade_form(evaluation, score=value))

        assert response.status_code == 400, short(value)
        assert "score" in response.context["formset"].forms[0].errors, short(value)
    assert grades_of(evaluation) == before
    assert not evaluation.audit_entries.filter(action=AuditEntry.Action.EDITED_GRADES).exists()


def test_the_grade_editor_refuses_each_hostile_row_id_on_its_row(coordinator_client, evaluation):
    url = reverse("grades-edit", args=[evaluation.pk])
    before = grades_of(evaluation)
    for value in [*HOSTILE, str(2**63)]:
        response = coordinator_client.post(url, grade_form(evaluation, id=value))

        assert response.status_code == 400, short(value)
        assert "id" in response.context["formset"].forms[0].errors, short(value)
    assert grades_of(evaluation) == before


def test_the_subjects_editor_refuses_each_hostile_row_id_on_its_row(coordinator_client, evaluation):
    url = reverse("subjects-edit", args=[evaluation.pk])
    before = list(evaluation.subjects.values_list("pk", "name"))
    for value in [*HOSTILE, "1" + "0" * 400]:
        data = {
            "subjects-TOTAL_FORMS": "1",
            "subjects-INITIAL_FORMS": "1",
            "subjects-0-id": value,
            "subjects-0-name": "Renamed",
            "subjects-0-ORDER": "1",
        }
        response = coordinator_client.post(url, data)

        assert response.status_code == 400, short(value)
        assert "id" in response.context["formset"].forms[0].errors, short(value)
    assert list(evaluation.subjects.values_list("pk", "name")) == before


def settings_form(evaluation, **changes) -> dict:
    data = {
        "title": evaluation.title,
        "weighting_method": evaluation.weighting_method,
        "ri_table": evaluation.ri_table,
        "cr_threshold": str(evaluation.cr_threshold),
        "cr_policy": evaluation.cr_policy,
        "aggregation": evaluation.aggregation,
        "ballot_inclusion": evaluation.ballot_inclusion,
        "operator": evaluation.operator,
        "language": evaluation.language,
    }
    return {**data, **changes}


def test_the_settings_page_refuses_each_hostile_cr_threshold_on_its_field(
    coordinator_client, evaluation
):
    url = reverse("evaluation-settings", args=[evaluation.pk])
    for value in HOSTILE:
        response = coordinator_client.post(url, settings_form(evaluation, cr_threshold=value))

        assert response.status_code == 400, short(value)
        assert list(response.context["form"].errors) == ["cr_threshold"], short(value)
    evaluation.refresh_from_db()
    assert evaluation.cr_threshold == pytest.approx(0.1)
    assert not evaluation.audit_entries.filter(action=AuditEntry.Action.EDITED_SETTINGS).exists()


def test_the_panel_page_refuses_each_hostile_expert_weight_on_its_box(
    coordinator_client, evaluation
):
    membership = PanelMembership.objects.create(evaluation=evaluation, email="wang@example.com")
    url = reverse("panel-weight", args=[evaluation.pk, membership.pk])
    for value in [*HOSTILE, "1001", "1e300"]:
        response = coordinator_client.post(url, {"weight": value})

        assert response.status_code == 400, short(value)
        assert list(response.context["weight_form"].errors) == ["weight"], short(value)
    membership.refresh_from_db()
    assert membership.weight == 1.0


def test_a_pasted_list_with_each_hostile_weight_names_the_line_and_the_weight(
    coordinator_client, evaluation
):
    url = reverse("panel", args=[evaluation.pk])
    for value in [*HOSTILE, "1e300"]:
        text = f"Wang Li, wang@example.com, ZJU, {value}"

        response = coordinator_client.post(url, {"text": text})

        assert response.status_code == 400, short(value)
        [message] = response.context["add_form"].errors["text"]
        if len(text) <= PASTE_TEXT_LIMIT and "\x00" not in text:  # else refused whole
            assert message.startswith("Line 1, weight"), (short(value), message)
        assert len(message) < 200  # the refused value is quoted cut short
    assert not PanelMembership.objects.exists()


# --- the expert's rating form -----------------------------------------------------------------


def test_the_rating_form_refuses_each_hostile_grade_naming_the_indicator(
    client, expert, membership
):
    evaluation = membership.evaluation
    subject = evaluation.subjects.first()
    leaf = evaluation.indicators.filter(children__isnull=True).first()
    client.force_login(expert)
    url = reverse("rating-form", args=[evaluation.pk, subject.pk])
    for value in HOSTILE:
        response = client.post(url, {f"grade-{leaf.pk}": value, "action": "save"})

        assert response.status_code == 400, short(value)
        [message] = response.context["errors"][str(leaf.pk)]
        assert message.startswith(leaf.code) and len(message) < 200, short(value)
    assert not RatingBallot.objects.exists()


# --- query strings ------------------------------------------------------------------------------


def test_results_pages_refuse_each_hostile_version_naming_it(coordinator_client, evaluation):
    ResultSnapshot.objects.create(evaluation=evaluation, version=1, data={})
    for name in ["results", "results-report"]:
        url = reverse(name, args=[evaluation.pk])
        for value in refused(HOSTILE, {"0"}):
            response = coordinator_client.get(url, {"version": value})

            assert response.status_code == 400, (name, short(value))
            assert [field for field, _ in response.context["errors"]] == ["version"]


def test_the_api_refuses_each_hostile_version_naming_it(coordinator, evaluation):
    client = token_client(coordinator)
    urls = [
        reverse("v1:results", args=[evaluation.pk]),
        reverse("v1:evaluation-hierarchy", args=[evaluation.pk]),
        reverse("v1:export", args=[evaluation.pk, "json"]),
    ]
    for url in urls:
        for value in refused([*HOSTILE, "1" + "0" * 400, "1e309"], {"0"}):
            response = client.get(url, {"version": value})

            assert response.status_code == 400, (url, short(value))
            [error] = response.json()["errors"]
            assert (error["field"], error["rule"]) == ("version", "invalid"), short(value)


def test_the_api_refuses_each_hostile_page_number_naming_it(coordinator, evaluation):
    client = token_client(coordinator)
    url = reverse("v1:evaluation-list")
    for name in ["page", "page_size"]:
        for value in HOSTILE:
            response = client.get(url, {name: value})

            assert response.status_code == 400, (name, short(value))
            [error] = response.json()["errors"]
            assert error["field"] == name, short(value)


# --- the API's bodies ---------------------------------------------------------------------------


def test_the_ratings_api_refuses_each_hostile_grade_naming_it(expert, membership):
    evaluation = membership.evaluation
    subject = evaluation.subjects.first()
    leaf = evaluation.indicators.filter(children__isnull=True).first()
    client = token_client(expert)
    url = reverse("v1:ratings", args=[evaluation.pk, subject.pk])
    for literal in [*json_strings(), *HOSTILE_NUMBERS]:
        rating = '{"indicator": "' + leaf.code + '", "grade": ' + literal + "}"
        body = '{"ratings": [' + rating + "]}"

        response = client.put(url, body, content_type="application/json")

        assert response.status_code == 400, short(literal)
        [error] = response.json()["errors"]
        assert error["field"] in ("ratings.0.grade", f"ratings.{leaf.code}"), short(literal)
    assert not RatingBallot.objects.exists()


def test_the_settings_api_refuses_each_hostile_cr_threshold_naming_it(coordinator, evaluation):
    client = token_client(coordinator)
    url = reverse("v1:evaluation-detail", args=[evaluation.pk])
    for literal in [*json_strings(), *HOSTILE_NUMBERS]:
        body = '{"cr_threshold": ' + literal + "}"

        response = client.patch(url, body, content_type="application/json")

        assert response.status_code == 400, short(literal)
        assert {e["field"] for e in response.json()["errors"]} == {"cr_threshold"}, short(literal)
    evaluation.refresh_from_db()
    assert evaluation.cr_threshold == pytest.approx(0.1)


def test_the_experts_api_refuses_each_hostile_weight_naming_the_line(coordinator, evaluation):
    client = token_client(coordinator)
    url = reverse("v1:evaluation-experts", args=[evaluation.pk])
    for value in [*HOSTILE, "1e300"]:
        text = f"Wang, wang@example.com, ZJU, {value}"

        response = client.post(url, {"experts": text}, format="json")

        assert response.status_code == 400, short(value)
        [error] = response.json()["errors"]
        assert error["field"] == "experts", short(value)
        if len(text) <= PASTE_TEXT_LIMIT and "\x00" not in text:  # else refused whole
            assert error["message"].startswith("Line 1, weight"), short(value)
    assert not PanelMembership.objects.exists()


# --- the JSON depth bound reads brackets, not text ---------------------------------------------


def test_the_json_depth_counts_brackets_outside_strings_only():
    assert not json_depth_exceeds("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert json_depth_exceeds("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not json_depth_exceeds('{"comment": "' + "[{" * 5000 + '"}')
    assert not json_depth_exceeds('["a \\" [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ b"]')


def test_a_comment_full_of_brackets_is_saved_as_text(expert, membership):
    evaluation = membership.evaluation
    parent = evaluation.indicators.get(code="U")
    url = reverse("v1:pairwise", args=[evaluation.pk, parent.pk])
    comment = "[{" * 900
    judgment = {"row": "U1", "col": "U2", "value": 3, "comment": comment}

    response = token_client(expert).put(url, {"judgments": [judgment]}, format="json")

    assert response.status_code == 200
    assert response.json()["judgments"][0]["comment"] == comment
