"""Skipped comparisons through the API (issue 15 §1): the setting, a ballot with `skipped`,
the refusals (named by field and rule, nothing saved), and the schema saying the same."""

import pytest
from django.urls import reverse

from evaluations.models import Evaluation
from evaluations.services.skipping import ERROR_SKIPPING_METHOD
from surveys import skipped
from surveys.models import PairwiseBallot
from tests.api.conftest import token_client
from tests.surveys.test_skipped_comparisons import CYCLE_WEIGHTS

# The 4-cycle U11→U12→U13→U14 with U11–U13 and U12–U14 skipped (weights by hand).
CYCLE = [
    {"row": "U11", "col": "U12", "value": 2},
    {"row": "U11", "col": "U13", "skipped": True, "comment": "not my field"},
    {"row": "U11", "col": "U14", "value": 4},
    {"row": "U12", "col": "U13", "value": "2"},
    {"row": "U12", "col": "U14", "value": None, "skipped": True},
    {"row": "U13", "col": "U14", "value": 2.0},
]


def pairwise_url(evaluation, code: str = "U1") -> str:
    parent = evaluation.indicators.get(code=code)
    return reverse("v1:pairwise", args=[evaluation.pk, parent.pk])


def settings_url(evaluation) -> str:
    return f"/api/v1/evaluations/{evaluation.pk}/"


@pytest.fixture
def skipping(open_evaluation):
    open_evaluation.allow_skipped_comparisons = True
    open_evaluation.save()
    return open_evaluation


def put(expert, evaluation, judgments, submit=True):
    return token_client(expert).put(
        pairwise_url(evaluation), {"judgments": judgments, "submit": submit}, format="json"
    )


def test_an_expert_submits_a_ballot_with_skipped_pairs(expert, membership, skipping):
    response = put(expert, skipping, CYCLE)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["consistent"] is True
    assert body["cr"] == pytest.approx(0.0352922704, abs=1e-9)
    by_pair = {(j["row"], j["col"]): j for j in body["submitted_judgments"]}
    assert by_pair["U11", "U13"] == {
        "row": "U11", "col": "U13", "value": None, "skipped": True, "comment": "not my field"
    }  # fmt: skip
    assert by_pair["U11", "U12"]["skipped"] is False and by_pair["U11", "U12"]["value"] == 2.0
    ballot = PairwiseBallot.objects.get()
    assert ballot.submitted_judgments[next(iter(ballot.submitted_judgments))]["value"] == 2.0
    # Its results: the hand-computed least-squares weights.
    from evaluations.services.results import panel_input, results_compute

    data = results_compute(panel_input(evaluation=skipping))
    u1 = next(m for m in data["matrices"] if m["parent"] == "U1")
    assert u1["per_expert"][0]["weights"] == pytest.approx(CYCLE_WEIGHTS.tolist(), abs=1e-12)
    assert u1["per_expert"][0]["skipped"] == 2


def test_too_many_skips_are_refused_naming_the_pair_to_answer(expert, membership, skipping):
    judgments = [dict(j) for j in CYCLE]
    judgments[5] = {"row": "U13", "col": "U14", "skipped": True}
    judgments[2] = {"row": "U11", "col": "U14", "skipped": True}  # U14 now unlinked

    response = put(expert, skipping, judgments)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "judgments.U11-U14",
            "rule": "invalid",
            "message": skipped.ERROR_NOT_CONNECTED.format(
                groups="{U11, U12, U13} and {U14}", row="U11", col="U14"
            ),
        }
    ]
    assert not PairwiseBallot.objects.exists()
    # As a draft it is kept.
    assert put(expert, skipping, judgments, submit=False).status_code == 200


def test_skipping_is_refused_while_the_setting_is_off(expert, membership, open_evaluation):
    response = put(expert, open_evaluation, CYCLE)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["judgments.U11-U13", "judgments.U12-U14"]
    assert errors[0]["message"] == skipped.ERROR_SKIPPING_OFF.format(row="U11", col="U13")
    assert not PairwiseBallot.objects.exists()


@pytest.mark.parametrize("flag", ["yes", 1, "true", [], {}])
def test_skipped_must_be_a_json_boolean(expert, membership, skipping, flag):
    judgments = [dict(j) for j in CYCLE]
    judgments[1]["skipped"] = flag

    response = put(expert, skipping, judgments)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "judgments.1.skipped" and error["rule"] == "type"
    assert not PairwiseBallot.objects.exists()


def test_skipped_with_a_value_is_refused(expert, membership, skipping):
    judgments = [dict(j) for j in CYCLE]
    judgments[1]["value"] = 3

    response = put(expert, skipping, judgments)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "judgments.U11-U13",
            "rule": "invalid",
            "message": skipped.ERROR_SKIPPED_AND_VALUE.format(row="U11", col="U13"),
        }
    ]


# --- the setting ---------------------------------------------------------------------------


def test_the_coordinator_turns_skipping_on_and_the_detail_says_so(coordinator, evaluation):
    client = token_client(coordinator)

    response = client.patch(
        settings_url(evaluation), {"allow_skipped_comparisons": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["allow_skipped_comparisons"] is True
    evaluation.refresh_from_db()
    assert evaluation.allow_skipped_comparisons is True
    assert client.get(settings_url(evaluation)).json()["allow_skipped_comparisons"] is True


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_the_setting_must_be_a_boolean(coordinator, evaluation, value):
    response = token_client(coordinator).patch(
        settings_url(evaluation), {"allow_skipped_comparisons": value}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "allow_skipped_comparisons"
    evaluation.refresh_from_db()
    assert evaluation.allow_skipped_comparisons is False


def test_skipping_with_a_fuzzy_method_is_refused_naming_the_setting(coordinator, evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(weighting_method="fuzzy_chang")

    response = token_client(coordinator).patch(
        settings_url(evaluation), {"allow_skipped_comparisons": True}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "allow_skipped_comparisons", "rule": "method", "message": ERROR_SKIPPING_METHOD}
    ]


# --- the schema says the same ------------------------------------------------------------------


def test_the_schema_describes_the_setting_and_the_skipped_pairs(client):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    setting = schemas["PatchedEvaluationSettingsRequest"]["properties"]
    assert setting["allow_skipped_comparisons"]["type"] == "boolean"
    assert schemas["EvaluationDetail"]["properties"]["allow_skipped_comparisons"]["type"] == (
        "boolean"
    )
    judgment_in = schemas["JudgmentRequest"]
    assert judgment_in["properties"]["skipped"]["type"] == "boolean"
    assert "value" not in judgment_in.get("required", [])
    assert judgment_in["additionalProperties"] is False
    judgment_out = schemas["JudgmentOut"]
    assert judgment_out["properties"]["skipped"]["type"] == "boolean"
    assert "skipped" in judgment_out["required"]
