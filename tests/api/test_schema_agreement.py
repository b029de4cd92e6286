"""The schema and the validation agree: what /api/schema/ calls valid is accepted (or refused
for the object's state, 409), and what it calls invalid is refused with 400 naming the field.
One test per disagreement schemathesis found."""

import re

import pytest
from django.urls import reverse

from evaluations.api.schema import NOT_BLANK_PATTERN
from evaluations.models import Evaluation
from evaluations.services.limits import ERROR_CR_THRESHOLD
from experts.models import ApiToken
from tests.api.conftest import token_client
from tests.conftest import PASSWORD


@pytest.fixture
def api(coordinator):
    return token_client(coordinator, read_only=False)


@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


def settings_url(evaluation) -> str:
    return f"/api/v1/evaluations/{evaluation.pk}/"


@pytest.mark.parametrize("value", [0, 1, -0.1, 1.5])
def test_a_cr_threshold_outside_0_and_1_is_refused_on_its_field(api, evaluation, value):
    response = api.patch(settings_url(evaluation), {"cr_threshold": value}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "cr_threshold", "rule": "range", "message": ERROR_CR_THRESHOLD}
    ]
    evaluation.refresh_from_db()
    assert evaluation.cr_threshold == pytest.approx(0.1)


def test_the_schema_states_the_cr_thresholds_exclusive_bounds(schema):
    field = schema["components"]["schemas"]["PatchedEvaluationSettingsRequest"]["properties"][
        "cr_threshold"
    ]
    assert (field["minimum"], field["maximum"]) == (0, 1)
    assert field["exclusiveMinimum"] is True and field["exclusiveMaximum"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 0, "subjects": ["A"]}, "title"),
        ({"title": "Numbers", "subjects": ["A", 7]}, "subjects.1"),
        ({"title": "Numbers", "subjects": ["A"], "language": 1}, "language"),
    ],
)
def test_a_number_where_the_schema_says_string_is_refused(api, body, field):
    response = api.post("/api/v1/evaluations/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": field, "rule": "type", "message": "Must be a JSON string."}
    ]
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "kind"),
    [
        ({"title": 0}, "title", "string"),
        ({"cr_threshold": "0.2"}, "cr_threshold", "number"),
        ({"comments_named": "yes"}, "comments_named", "boolean"),
        ({"comments_named": 1}, "comments_named", "boolean"),
    ],
)
def test_a_setting_of_another_json_type_is_refused(api, evaluation, change, field, kind):
    response = api.patch(settings_url(evaluation), change, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": field, "rule": "type", "message": f"Must be a JSON {kind}."}
    ]


def test_a_put_with_unknown_keys_is_refused_naming_them(api, evaluation):
    body = {"title": "Renamed", "dead_line": "2030-01-01T00:00:00Z", "colour": "red"}

    response = api.put(settings_url(evaluation), body, format="json")

    assert response.status_code == 400
    assert sorted(error["field"] for error in response.json()["errors"]) == ["colour", "dead_line"]
    assert {error["rule"] for error in response.json()["errors"]} == {"unknown"}
    evaluation.refresh_from_db()
    assert evaluation.title != "Renamed"


def test_unknown_keys_are_refused_inside_a_ballot_too(expert, membership, open_evaluation):
    parent = open_evaluation.indicators.get(code="U")
    body = {"judgments": [{"row": "U1", "col": "U2", "value": 3, "weight": 2}], "submit": False}

    response = token_client(expert, read_only=False).put(
        f"/api/v1/panels/{open_evaluation.pk}/pairwise/{parent.pk}/", body, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "judgments.0.weight"


def test_unknown_keys_are_refused_by_the_token_login(client, coordinator):
    response = client.post(
        reverse("v1:token"),
        {"username": coordinator.username, "password": PASSWORD, "admin": True},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "admin"
    assert not ApiToken.objects.filter(user=coordinator, name="API client").exists()


def test_every_request_body_of_the_schema_refuses_unknown_keys(schema):
    bodies = {
        name: component
        for name, component in schema["components"]["schemas"].items()
        if name.endswith("Request")
    }

    assert bodies and all(body["additionalProperties"] is False for body in bodies.values())


def test_the_schema_says_text_must_be_more_than_white_space_and_hold_no_nul(schema):
    title = schema["components"]["schemas"]["PatchedEvaluationSettingsRequest"]["properties"][
        "title"
    ]
    create = schema["components"]["schemas"]["EvaluationCreateRequest"]

    assert title["pattern"] == NOT_BLANK_PATTERN
    assert create["properties"]["subjects"]["items"]["pattern"] == title["pattern"]
    # Without a template the evaluation takes no title from one: it needs its own.
    assert {"required": ["title"]}.items() <= create["anyOf"][1].items()


WHITE_SPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def test_the_schemas_white_space_is_pythons_which_the_server_strips():
    """A text of white space only is blank to the server (DRF strips what str.isspace calls
    white space) and invalid to the schema, and anything else is valid to both: the schema's
    pattern spells Python's white space out, as a JSON Schema regex's \\s is ECMAScript's."""
    pattern = re.compile(NOT_BLANK_PATTERN)
    for char in WHITE_SPACE:
        assert not pattern.search(f"{char} {char}"), hex(ord(char))
    for char in ("\ufeff", "\x1b", "a", "中"):
        assert pattern.search(f" {char} "), hex(ord(char))


@pytest.mark.parametrize("title", ["   ", "a\x00b", "\x1c\x85", "\u3000"])
def test_a_title_the_schema_calls_invalid_is_refused(api, evaluation, title):
    response = api.patch(settings_url(evaluation), {"title": title}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "title"


def test_reopening_an_open_panel_is_a_conflict_the_schema_documents(api, open_evaluation, schema):
    response = api.post(
        f"/api/v1/evaluations/{open_evaluation.pk}/transition/", {"action": "reopen"}, format="json"
    )

    assert response.status_code == 409
    (error,) = response.json()["errors"]
    assert error["field"] == "status" and error["rule"] == "conflict"
    responses = schema["paths"]["/api/v1/evaluations/{id}/transition/"]["post"]["responses"]
    assert responses["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_withdrawing_a_ballot_never_submitted_is_a_conflict(expert, membership, open_evaluation):
    parent = open_evaluation.indicators.get(code="U")
    subject = open_evaluation.subjects.first()
    client = token_client(expert, read_only=False)

    pairwise = client.post(f"/api/v1/panels/{open_evaluation.pk}/pairwise/{parent.pk}/withdraw/")
    ratings = client.post(f"/api/v1/panels/{open_evaluation.pk}/ratings/{subject.pk}/withdraw/")

    assert (pairwise.status_code, ratings.status_code) == (409, 409)
    assert pairwise.json()["errors"][0]["rule"] == "conflict"


def test_the_schema_says_a_snapshot_version_is_not_negative(schema):
    parameters = schema["paths"]["/api/v1/evaluations/{id}/hierarchy/"]["get"]["parameters"]
    (version,) = [p for p in parameters if p["name"] == "version"]

    assert version["schema"]["minimum"] == 0
