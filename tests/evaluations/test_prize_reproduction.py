"""The R package Prize's four-expert example (issue 15 §3), through ahpanel's real ballot path.

Data: tests/reference/prize/ind1.tsv … ind4.tsv, copied from Prize's inst/extdata (see the
README there). The coordinator builds the hierarchy, sets the evaluation up as Prize computes
(the continuous judgment scale, for expert 2's 0.8; AIP by the weighted arithmetic mean; the
geometric mean weighting, which is Prize's `ahp()`), opens it and sets the expert weights
0.45, 0.30, 0.10, 0.15; each expert submits their matrix through the API, as typed in the
file; the results are recomputed by the worker's service. The group weights equal the weights
Prize publishes in inst/unitTests/test_gaggregate.R to their printed 8 decimals, and the
engine's on the same matrices to 1e-9.
"""

import csv

import numpy as np
import pytest
from django.urls import reverse

from evaluations.engine import ahp
from evaluations.services import evaluation_create_blank
from evaluations.services.results import results_recompute
from evaluations.services.structure import indicator_add
from experts.services import membership_update_weight
from tests.api.conftest import token_client
from tests.conftest import REFERENCE_DIR, accepted_membership

PRIZE_DIR = REFERENCE_DIR / "prize"
EXPERTS = ["ind1", "ind2", "ind3", "ind4"]
EXPERT_WEIGHTS = [0.45, 0.30, 0.10, 0.15]
# inst/unitTests/test_gaggregate.R: AIP_res, the weighted arithmetic AIP of the four experts.
PUBLISHED_AIP = [0.45240240, 0.35504904, 0.11942840, 0.07312017]


def read_matrix(name: str) -> tuple[list[str], list[list[str]]]:
    """The criteria and the rows of one expert's upper-triangular matrix, as text."""
    with open(PRIZE_DIR / f"{name}.tsv", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    header, body = rows[0][1:], [row[1:] for row in rows[1:]]
    assert [row[0] for row in rows[1:]] == header
    return header, body


def upper_judgments(body: list[list[str]]) -> list[tuple[int, int, str]]:
    n = len(body)
    assert all(body[x][x] == "1" for x in range(n))
    assert all(body[y][x] == "NA" for x in range(n) for y in range(x + 1, n))
    return [(x, y, body[x][y]) for x in range(n) for y in range(x + 1, n)]


@pytest.fixture
def prize_panel(coordinator, make_user):
    criteria, _ = read_matrix(EXPERTS[0])
    evaluation = evaluation_create_blank(
        owner=coordinator, title="Prize: prioritising DE genes", subjects=["Candidate"]
    )
    root = evaluation.indicators.get(code="U")
    for name in criteria:
        indicator_add(parent=root, actor=coordinator, name=name.replace("_", " "))
    api = token_client(coordinator)
    response = api.patch(
        f"/api/v1/evaluations/{evaluation.pk}/",
        {
            "judgment_scale": "continuous",
            "weighting_method": "geometric",
            "aggregation": "aip",
            "aip_mean": "arithmetic",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = api.post(
        f"/api/v1/evaluations/{evaluation.pk}/transition/", {"action": "open"}, format="json"
    )
    assert response.status_code == 200, response.json()
    experts = []
    for name, weight in zip(EXPERTS, EXPERT_WEIGHTS, strict=True):
        user = make_user(name)
        membership = accepted_membership(evaluation, user)
        membership_update_weight(membership=membership, actor=coordinator, weight=weight)
        experts.append(user)
    evaluation.refresh_from_db()
    return evaluation, experts


def submit_through_the_api(evaluation, user, name: str) -> dict:
    root = evaluation.indicators.get(code="U")
    codes = [child.code for child in root.children.all()]
    _criteria, body = read_matrix(name)
    judgments = [
        {"row": codes[x], "col": codes[y], "value": text} for x, y, text in upper_judgments(body)
    ]
    response = token_client(user).put(
        reverse("v1:pairwise", args=[evaluation.pk, root.pk]),
        {"judgments": judgments, "submit": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_four_experts_weighted_arithmetic_aip_is_prizes_published_result(prize_panel):
    evaluation, experts = prize_panel
    for user, name in zip(experts, EXPERTS, strict=True):
        ballot = submit_through_the_api(evaluation, user, name)
        assert ballot["status"] == "submitted"
    # Expert 2's 0.8 is stored as given, a float in the ballot's JSON.
    second = submit_through_the_api(evaluation, experts[1], "ind2")
    assert second["submitted_judgments"][0]["value"] == 0.8

    snapshot = results_recompute(evaluation_id=evaluation.pk)

    [matrix] = snapshot.data["matrices"]
    assert matrix["parent"] == "U" and matrix["experts_included"] == 4
    assert snapshot.data["settings"]["judgment_scale"] == "continuous"
    assert snapshot.data["settings"]["aip_mean"] == "arithmetic"
    weights = np.array(matrix["weights"])
    # Published with 8 decimals: within half a unit of the last place.
    np.testing.assert_allclose(weights, PUBLISHED_AIP, rtol=0, atol=5e-9)
    # And the engine's on the same matrices, read straight from the files.
    stack = np.stack(
        [
            ahp.from_upper([float(text) for _x, _y, text in upper_judgments(read_matrix(n)[1])])
            for n in EXPERTS
        ]
    )
    engine = ahp.aggregate(
        stack, "aip", weights=EXPERT_WEIGHTS, mean="arithmetic", weighting="geometric"
    )
    np.testing.assert_allclose(weights, engine.weights, rtol=0, atol=1e-9)
    # The global weights of the four criteria (leaves under the goal) are the same numbers.
    rows = {row["code"]: row for row in snapshot.data["indicators"]}
    globals_ = [rows[f"U{k}"]["global_weight"] for k in range(1, 5)]
    np.testing.assert_allclose(globals_, PUBLISHED_AIP, rtol=0, atol=5e-9)
    # The comparison can fail: Prize's geometric AIP (or the eigenvector) would differ.
    geometric = ahp.aggregate(stack, "aip", weights=EXPERT_WEIGHTS, mean="geometric")
    assert np.abs(geometric.weights - PUBLISHED_AIP).max() > 1e-4
    eigen = ahp.aggregate(
        stack, "aip", weights=EXPERT_WEIGHTS, mean="arithmetic", weighting="eigenvector"
    )
    assert np.abs(eigen.weights - PUBLISHED_AIP).max() > 1e-5


def test_on_the_verbal_scale_expert_2s_ballot_is_refused(prize_panel):
    evaluation, experts = prize_panel
    token_client(evaluation.owner).patch(
        f"/api/v1/evaluations/{evaluation.pk}/", {"judgment_scale": "verbal"}, format="json"
    )
    root = evaluation.indicators.get(code="U")
    _criteria, body = read_matrix("ind2")
    codes = [child.code for child in root.children.all()]
    judgments = [
        {"row": codes[x], "col": codes[y], "value": text} for x, y, text in upper_judgments(body)
    ]

    response = token_client(experts[1]).put(
        reverse("v1:pairwise", args=[evaluation.pk, root.pk]),
        {"judgments": judgments, "submit": True},
        format="json",
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "judgments.U1-U2"
    assert error["message"].startswith("U1 vs U2: 0.8 is not on the 1–9 scale")
