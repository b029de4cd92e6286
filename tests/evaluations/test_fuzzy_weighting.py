"""Fuzzy AHP as weighting methods (issue 15 §3, DESIGN §4): from the coordinator's settings
through real ballots to the results, against variants.json's reference cases to 1e-9; Chang's
zero-weight defect shown, and nothing infinite or NaN in the JSON; the robustness simulation
recorded as unavailable."""

import json

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from evaluations.engine import ahp
from evaluations.models import Evaluation
from evaluations.results.experts import with_experts
from evaluations.robustness.analysis import analysis_run
from surveys import services
from surveys.models import PairwiseBallot
from tests.api.conftest import token_client
from tests.engine.reference import load
from tests.evaluations.test_method_variant_settings import change_setting, recompute
from tests.evaluations.test_results_pages import (
    EXPERTS,
    JUDGMENTS,
    add_experts,
    judgments_for,
    open_for_ballots,
    submit_judgments,
    submit_ratings,
)

TOLERANCE = 1e-9
VARIANTS = load("variants.json")


def case(method: str, case_id: str) -> dict:
    section = VARIANTS[f"fuzzy_ahp_{method}"]["cases"]
    return next(c for c in section if c["id"] == case_id)


def upper(matrix) -> list[float]:
    t = len(matrix)
    return [matrix[x][y] for x in range(t) for y in range(x + 1, t)]


def one_expert_answers_the_reference(evaluation) -> None:
    """U is FuzzyAHP's 3 × 3 vignette matrix, U1 pyDecision's 4 × 4; U2 and U3 as in
    test_results_pages; subjects rated."""
    open_for_ballots(evaluation)
    (membership,) = add_experts(evaluation, names=EXPERTS[:1])
    answers = {
        "U": upper(case("buckley", "fuzzyahp_vignette_3x3")["inputs"]["crisp_matrix"]),
        "U1": upper(case("buckley", "pydecision_4x4")["inputs"]["crisp_matrix"]),
        "U2": JUDGMENTS[0]["U2"],
        "U3": JUDGMENTS[0]["U3"],
    }
    for code, values in answers.items():
        parent = evaluation.indicators.get(code=code)
        services.pairwise_ballot_save(
            membership=membership,
            parent=parent,
            judgments=judgments_for(parent, values),
            submit=True,
        )
    submit_ratings(evaluation, [membership])


def matrix_of(snapshot, code: str) -> dict:
    return next(m for m in with_experts(snapshot)["matrices"] if m["parent"] == code)


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("method", ["fuzzy_buckley", "fuzzy_chang"])
def test_the_coordinator_chooses_a_fuzzy_method(evaluation, door, method):
    change_setting(door, evaluation, weighting_method=method)


def test_the_schema_offers_the_fuzzy_methods(client):
    schema = client.get("/api/schema/?format=json").json()
    text = json.dumps(schema)
    assert '"fuzzy_buckley"' in text and '"fuzzy_chang"' in text


@pytest.mark.parametrize("case_id", ["fuzzyahp_vignette_3x3", "pydecision_4x4"])
def test_buckley_results_match_the_reference_cases(evaluation, case_id):
    change_setting("api", evaluation, weighting_method="fuzzy_buckley")
    one_expert_answers_the_reference(evaluation)
    snapshot = recompute(evaluation)
    code = "U" if case_id == "fuzzyahp_vignette_3x3" else "U1"
    expected = case("buckley", case_id)["expected"]["weights"]
    matrix = matrix_of(snapshot, code)
    assert matrix["weights"] == pytest.approx(expected, abs=TOLERANCE)
    assert matrix["per_expert"][0]["weights"] == pytest.approx(expected, abs=TOLERANCE)
    assert matrix["zero_weights"] == []
    # λmax is the crisp matrix's with the fuzzy weights (DESIGN §4).
    b = np.array(case("buckley", case_id)["inputs"]["crisp_matrix"])
    w = np.array(expected)
    assert matrix["lambda_max"] == pytest.approx(float(np.mean(b @ w / w)), rel=1e-9)


@pytest.mark.parametrize("aggregation", ["aij", "aip"])
def test_a_panel_with_buckley_matches_the_engine(evaluation, aggregation):
    change_setting("api", evaluation, weighting_method="fuzzy_buckley", aggregation=aggregation)
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)
    snapshot = recompute(evaluation)
    for code in ("U", "U1", "U2", "U3"):
        stack = np.stack([ahp.from_upper(expert[code]) for expert in JUDGMENTS])
        group = ahp.aggregate(stack, method=aggregation, weighting="fuzzy_buckley")
        matrix = matrix_of(snapshot, code)
        assert matrix["weights"] == pytest.approx(group.weights.tolist(), abs=TOLERANCE)
        assert matrix["cr"] == pytest.approx(group.cr, abs=TOLERANCE)


def test_chang_zero_weights_are_shown_and_the_json_stays_finite(evaluation, coordinator_client):
    change_setting("page", evaluation, weighting_method="fuzzy_chang")
    one_expert_answers_the_reference(evaluation)
    snapshot = recompute(evaluation)
    root = matrix_of(snapshot, "U")
    assert root["weights"] == pytest.approx(
        case("chang", "fuzzyahp_vignette_3x3")["expected"]["weights"], abs=TOLERANCE
    )
    assert root["zero_weights"] == ["U2", "U3"]
    assert root["cr"] is None and root["lambda_max"] is None and root["consistent"] is False
    assert matrix_of(snapshot, "U1")["zero_weights"] == ["U12", "U13", "U14"]
    assert {"parent": "U", "children": ["U2", "U3"]} in snapshot.data["zero_weight_warnings"]
    json.dumps(snapshot.data, allow_nan=False)  # PostgreSQL's jsonb refuses NaN and Infinity
    page = coordinator_client.get(f"/evaluations/{evaluation.pk}/results/")
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        "Chang&#x27;s method gives a weight of 0 to U2" in text
        or "Chang's method gives a weight of 0 to U2" in text
    )
    # Flip points, the score lines of a zero-weight criterion, the report and the profile.
    subject = snapshot.data["subjects"][0]["id"]
    for path in (
        "results/robustness/",
        "results/robustness/?node=U&criterion=U2",
        "results/robustness/?node=U&criterion=U1",
        "results/report/",
        f"results/profile/{subject}/",
    ):
        response = coordinator_client.get(f"/evaluations/{evaluation.pk}/{path}")
        assert response.status_code == 200, path
    api = token_client(evaluation.owner).get(f"/api/v1/evaluations/{evaluation.pk}/results/")
    assert api.status_code == 200
    for fmt in ("csv", "xlsx", "json"):
        export = coordinator_client.get(f"/api/v1/evaluations/{evaluation.pk}/export/{fmt}/")
        assert export.status_code == 200, fmt


def test_the_expert_form_with_a_zero_weight_says_so_and_does_not_fail(evaluation):
    evaluation.weighting_method = Evaluation.WeightingMethod.FUZZY_CHANG
    evaluation.save()
    children = list(evaluation.indicators.get(code="U").children.all())
    values = upper(case("chang", "fuzzyahp_vignette_3x3")["inputs"]["crisp_matrix"])
    parent = evaluation.indicators.get(code="U")
    check = services.pairwise_consistency(
        evaluation=evaluation, children=children, judgments=judgments_for(parent, values)
    )
    assert check.cr is None and check.consistent is False
    assert check.weights == pytest.approx([1.0, 0.0, 0.0])


def test_the_block_policy_refuses_a_zero_weight_matrix_with_a_clear_message(evaluation):
    evaluation.weighting_method = Evaluation.WeightingMethod.FUZZY_CHANG
    evaluation.status = Evaluation.Status.OPEN
    evaluation.save()
    (membership,) = add_experts(evaluation, names=EXPERTS[:1])
    parent = evaluation.indicators.get(code="U")
    values = upper(case("chang", "fuzzyahp_vignette_3x3")["inputs"]["crisp_matrix"])
    with pytest.raises(ValidationError) as refused:
        services.pairwise_ballot_save(
            membership=membership,
            parent=parent,
            judgments=judgments_for(parent, values),
            submit=True,
        )
    assert "CR = ∞" in str(refused.value)


@pytest.mark.robustness_analysis
@pytest.mark.parametrize("method", ["fuzzy_buckley", "fuzzy_chang"])
def test_the_robustness_analysis_is_unavailable_for_fuzzy_methods(
    evaluation, coordinator_client, method
):
    change_setting("api", evaluation, weighting_method=method)
    one_expert_answers_the_reference(evaluation)
    recompute(evaluation)
    analysis = analysis_run(evaluation_id=evaluation.pk)
    assert analysis.status == "unavailable" and analysis.error == "fuzzy_weighting"
    api = token_client(evaluation.owner).get(f"/api/v1/evaluations/{evaluation.pk}/results/")
    simulation = api.json()["results"]["robustness"]["simulation"]
    assert simulation["status"] == "unavailable" and simulation["reason"] == "fuzzy_weighting"
    tab = coordinator_client.get(f"/evaluations/{evaluation.pk}/results/robustness/")
    assert tab.status_code == 200
    assert "not available for fuzzy weighting methods" in tab.content.decode()


def test_switching_to_chang_and_back_restates_the_stored_crs(evaluation):
    one_expert_answers_the_reference(evaluation)
    ballot = PairwiseBallot.objects.get(parent__code="U", parent__evaluation=evaluation)
    geometric_cr = ballot.submitted_cr
    assert geometric_cr is not None

    change_setting("page", evaluation, weighting_method="fuzzy_chang")
    ballot.refresh_from_db()
    assert (ballot.submitted_cr, ballot.submitted_consistent) == (None, False)

    change_setting("api", evaluation, weighting_method="geometric")
    ballot.refresh_from_db()
    assert ballot.submitted_cr == pytest.approx(geometric_cr, abs=1e-12)
