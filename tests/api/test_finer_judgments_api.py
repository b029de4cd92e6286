"""Finer judgments through the API (issue 15 §1): the coordinator sets the judgment scale, an
expert submits 2.5 and 0.8, values off the scale are refused naming the pair and the rule, the
scale cannot be narrowed below the stored ballots (409), and the schema says all of it."""

import pytest
from django.urls import reverse

from surveys.models import PairwiseBallot
from tests.api.conftest import token_client

# U1 vs U2, U1 vs U3, U2 vs U3 from weights (1, 0.4, 0.5): exactly consistent.
FINER_U = [
    {"row": "U1", "col": "U2", "value": 2.5},
    {"row": "U1", "col": "U3", "value": "2"},
    {"row": "U2", "col": "U3", "value": 0.8},
]


def settings_url(evaluation) -> str:
    return f"/api/v1/evaluations/{evaluation.pk}/"


def pairwise_url(evaluation, code: str) -> str:
    return reverse("v1:pairwise", args=[evaluation.pk, evaluation.indicators.get(code=code).pk])


def set_scale(evaluation, judgment_scale):
    return token_client(evaluation.owner).patch(
        settings_url(evaluation), {"judgment_scale": judgment_scale}, format="json"
    )


def test_the_settings_carry_the_judgment_scale_verbal_by_default(open_evaluation):
    body = token_client(open_evaluation.owner).get(settings_url(open_evaluation)).json()
    assert body["judgment_scale"] == "verbal"

    response = set_scale(open_evaluation, "continuous")

    assert response.status_code == 200 and response.json()["judgment_scale"] == "continuous"
    open_evaluation.refresh_from_db()
    assert open_evaluation.judgment_scale == "continuous"


def test_an_unknown_scale_is_refused_on_its_field(open_evaluation):
    response = set_scale(open_evaluation, "fine")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "judgment_scale"


def test_an_expert_submits_2_5_and_0_8_on_the_continuous_scale(expert, membership, open_evaluation):
    assert set_scale(open_evaluation, "continuous").status_code == 200
    client = token_client(expert)
    [panel] = client.get(reverse("v1:panel-list")).json()
    assert panel["judgment_scale"] == "continuous"

    response = client.put(
        pairwise_url(open_evaluation, "U"), {"judgments": FINER_U, "submit": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["submitted_cr"] == pytest.approx(0, abs=1e-12)
    assert [(j["row"], j["col"], j["value"]) for j in body["submitted_judgments"]] == [
        ("U1", "U2", 2.5), ("U1", "U3", 2.0), ("U2", "U3", 0.8)
    ]  # fmt: skip
    stored = PairwiseBallot.objects.get().submitted_judgments
    assert sorted(answer["value"] for answer in stored.values()) == [0.8, 2.0, 2.5]


def test_the_intermediate_scale_takes_a_fraction_with_a_decimal_denominator(
    expert, membership, open_evaluation
):
    assert set_scale(open_evaluation, "intermediate").status_code == 200
    judgments = [
        {"row": "U1", "col": "U2", "value": "1/2.5"},
        {"row": "U1", "col": "U3", "value": 2.5},
        {"row": "U2", "col": "U3", "value": "8.5"},
    ]

    response = token_client(expert).put(
        pairwise_url(open_evaluation, "U"), {"judgments": judgments}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert [j["value"] for j in response.json()["judgments"]] == [0.4, 2.5, 8.5]


@pytest.mark.parametrize(
    ("judgment_scale", "value", "rule"),
    [
        ("verbal", 2.5, "2.5 is not on the 1–9 scale"),
        ("verbal", 0.8, "0.8 is not on the 1–9 scale"),
        ("intermediate", 0.8, "0.8 is not on the intermediate scale"),
        ("intermediate", "2.25", "2.25 is not on the intermediate scale"),
        ("continuous", 12, "12 is outside 1/9–9"),
        ("continuous", "1/9.5", "1/9.5 is outside 1/9–9"),
    ],
)
def test_a_value_off_the_scale_is_refused_naming_the_pair_and_the_rule(
    expert, membership, open_evaluation, judgment_scale, value, rule
):
    if judgment_scale != "verbal":
        assert set_scale(open_evaluation, judgment_scale).status_code == 200
    judgments = [dict(j) for j in FINER_U]
    judgments[0] = {"row": "U1", "col": "U2", "value": value}

    response = token_client(expert).put(
        pairwise_url(open_evaluation, "U"), {"judgments": judgments}, format="json"
    )

    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors["judgments.U1-U2"].startswith(f"U1 vs U2: {rule}")
    assert not PairwiseBallot.objects.exists()


def test_narrowing_below_the_stored_ballots_is_a_conflict_409(expert, membership, open_evaluation):
    assert set_scale(open_evaluation, "continuous").status_code == 200
    token_client(expert).put(
        pairwise_url(open_evaluation, "U"), {"judgments": FINER_U, "submit": True}, format="json"
    )

    response = set_scale(open_evaluation, "intermediate")

    # Well formed, refused for the panel's present ballots: a conflict, as the schema says.
    assert response.status_code == 409
    [error] = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("judgment_scale", "conflict")
    assert "1 stored judgment is not on it (0.8, in 1 of the panel's ballots)" in error["message"]
    open_evaluation.refresh_from_db()
    assert open_evaluation.judgment_scale == "continuous"


def test_the_schema_names_the_scales(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    settings = components["PatchedEvaluationSettingsRequest"]["properties"]["judgment_scale"]
    enum = components[settings["$ref"].rsplit("/", 1)[-1]]["enum"] if "$ref" in settings else None
    enum = enum or next(
        components[ref["$ref"].rsplit("/", 1)[-1]]["enum"]
        for ref in settings.get("allOf", []) + settings.get("oneOf", [])
        if "$ref" in ref
    )
    assert enum == ["verbal", "intermediate", "continuous"]
    assert "judgment_scale" in components["EvaluationDetail"]["properties"]
    operations = schema["paths"]["/api/v1/evaluations/{id}/"]
    assert "409" in operations["patch"]["responses"] and "409" in operations["put"]["responses"]
    assert "judgment_scale" in components["Panel"]["properties"]
    value = components["JudgmentRequest"]["properties"]["value"]
    assert "continuous" in value["description"]
