"""The leaf membership endpoints (issue 15 §2): round trips, refusals naming the field, scope."""

import pytest

from evaluations.models import LeafInput
from tests.api.conftest import token_client


@pytest.fixture
def api(coordinator):
    return token_client(coordinator, read_only=False)


@pytest.fixture
def leaf(evaluation):
    return evaluation.indicators.get(code="U11")


def url(evaluation, leaf, what="membership") -> str:
    return f"/api/v1/evaluations/{evaluation.pk}/leaves/{leaf.pk}/{what}/"


MEASURED = {
    "membership_source": "measured",
    "better": "lower",
    "thresholds": [2, 5, 10],
    "threshold_shape": "linear",
    "unit": "%",
}


def test_the_source_round_trips(api, evaluation, leaf):
    assert api.get(url(evaluation, leaf)).json()["membership_source"] == "votes"
    response = api.put(url(evaluation, leaf), MEASURED, format="json")
    assert response.status_code == 200
    assert response.json() == {"indicator": "U11", **MEASURED}
    assert api.get(url(evaluation, leaf)).json()["thresholds"] == [2, 5, 10]


def test_the_inputs_round_trip(api, evaluation, leaf):
    a, b = evaluation.subjects.all()
    body = {
        "inputs": [
            {"subject": None, "row": [0.25, 0.25, 0.25, 0.25]},
            {"subject": a.pk, "value": 3.2},
        ]
    }
    response = api.put(url(evaluation, leaf, "inputs"), body, format="json")
    assert response.status_code == 200
    assert response.json()["inputs"] == [
        {"subject": None, "row": [0.25, 0.25, 0.25, 0.25], "value": None},
        {"subject": a.pk, "row": None, "value": 3.2},
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MEASURED, "thresholds": [5, 2, 10]}, "thresholds"),
        ({**MEASURED, "thresholds": [2, 5]}, "thresholds"),
        ({**MEASURED, "thresholds": [2, 5, "10"]}, "thresholds.2"),
        ({**MEASURED, "thresholds": [2, 5, 10**400]}, "thresholds"),
        ({**MEASURED, "thresholds": [2, 5, True]}, "thresholds.2"),
        ({**MEASURED, "membership_source": "polled"}, "membership_source"),
        ({**MEASURED, "unit": "x" * 21}, "unit"),
        ({**MEASURED, "colour": "red"}, "colour"),
    ],
)
def test_bad_source_settings_are_refused_naming_the_field(api, evaluation, leaf, body, field):
    response = api.put(url(evaluation, leaf), body, format="json")
    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    leaf.refresh_from_db()
    assert leaf.membership_source == "votes"


@pytest.mark.parametrize(
    "inputs",
    [
        [{"subject": None, "value": 3.0}],
        [{"subject": 10**9, "value": 3.0}],
        [{"subject": "A", "row": [0.5, 0.4, 0, 0]}],
        [{"subject": "A", "value": 1e300}],
        [{"subject": "A", "value": "3.2"}],
        [{"subject": "A", "value": 1}, {"subject": "A", "value": 2}],
    ],
)
def test_bad_inputs_are_refused_and_change_nothing(api, evaluation, leaf, inputs):
    a = evaluation.subjects.first()
    for item in inputs:
        if item["subject"] == "A":
            item["subject"] = a.pk
    response = api.put(url(evaluation, leaf, "inputs"), {"inputs": inputs}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not LeafInput.objects.exists()


def test_other_coordinators_and_parents_are_not_found(evaluation, leaf, outsider):
    other = token_client(outsider, read_only=False)
    assert other.get(url(evaluation, leaf)).status_code == 404
    assert other.put(url(evaluation, leaf), MEASURED, format="json").status_code == 404
    own = token_client(evaluation.owner, read_only=False)
    parent = evaluation.indicators.get(code="U1")
    assert own.get(url(evaluation, parent)).status_code == 404


def test_a_read_only_token_cannot_write(coordinator, evaluation, leaf):
    reader = token_client(coordinator, read_only=True)
    assert reader.get(url(evaluation, leaf)).status_code == 200
    assert reader.put(url(evaluation, leaf), MEASURED, format="json").status_code == 403


def test_the_schema_describes_the_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    source = "/api/v1/evaluations/{evaluation_id}/leaves/{indicator_id}/membership/"
    assert {"get", "put"} <= set(paths[source])
    assert "/api/v1/evaluations/{evaluation_id}/leaves/{indicator_id}/inputs/" in paths
    schemas = schema["components"]["schemas"]
    assert schemas["MembershipSourceEnum"]["enum"] == ["votes", "given", "measured"]
    subject = schemas["SubjectResult"]["properties"]
    assert {"membership_source", "measured", "units"} <= set(subject)
    degree = schemas["LeafInputRequest"]["properties"]["row"]["items"]
    assert (degree["minimum"], degree["maximum"]) == (0, 1)
