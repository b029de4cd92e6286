"""Off-scale judgments downstream (issue 15 §1): the results, the exports and the robustness
analysis take an evaluation whose experts answered 2.5 and 0.8, and name the judgment scale."""

import json

import numpy as np
import pytest
from django.urls import reverse

from evaluations.engine import ahp
from evaluations.engine.robustness import simulation
from evaluations.robustness.compute import panel_problem
from evaluations.services.lifecycle import evaluation_update_settings
from evaluations.services.results import panel_input, results_recompute
from surveys import services
from tests.evaluations.test_results_pages import JUDGMENTS, judgments_for, panel_results

# Expert 1's matrix under the goal U with finer values (U1 vs U2, U1 vs U3, U2 vs U3).
FINER_U = [2.5, 0.8, 1 / 2.37]


@pytest.fixture
def finer_panel(evaluation):
    panel_results(evaluation)  # three experts, every ballot submitted, verbal values
    evaluation_update_settings(
        evaluation=evaluation, actor=evaluation.owner, judgment_scale="continuous"
    )
    membership = evaluation.memberships.order_by("pk").first()
    root = evaluation.indicators.get(code="U")
    services.pairwise_ballot_save(
        membership=membership, parent=root, judgments=judgments_for(root, FINER_U), submit=True
    )
    results_recompute(evaluation_id=evaluation.pk)
    return evaluation


def test_the_group_weights_take_the_finer_judgments_as_given(finer_panel):
    snapshot = finer_panel.snapshots.latest()
    [matrix] = [m for m in snapshot.data["matrices"] if m["parent"] == "U"]
    stack = np.stack([ahp.from_upper(FINER_U)] + [ahp.from_upper(e["U"]) for e in JUDGMENTS[1:]])
    group = ahp.aggregate(stack, "aij")
    np.testing.assert_allclose(matrix["weights"], group.weights, rtol=0, atol=1e-12)
    assert matrix["cr"] == pytest.approx(group.cr, abs=1e-12)
    assert snapshot.data["settings"]["judgment_scale"] == "continuous"


def test_the_results_page_and_the_json_export_name_the_scale(coordinator_client, finer_panel):
    page = coordinator_client.get(reverse("results", args=[finer_panel.pk])).content.decode()
    assert "Judgment scale" in page and "Continuous: any value from 1/9 to 9" in page

    url = reverse("results-export", args=[finer_panel.pk, "json"])
    payload = json.loads(coordinator_client.get(url).content)
    assert payload["data"]["settings"]["judgment_scale"] == "continuous"
    for fmt in ("csv", "xlsx"):
        response = coordinator_client.get(reverse("results-export", args=[finer_panel.pk, fmt]))
        assert response.status_code == 200


def test_the_robustness_noise_runs_on_finer_judgments(finer_panel):
    data = panel_input(evaluation=finer_panel)
    problem = panel_problem(data)
    result = simulation.simulate(problem, source="noise", draws=200, k=1, seed=7)
    np.testing.assert_allclose(result.rank_probabilities.sum(axis=1), 1.0)


def test_the_robustness_page_says_how_the_noise_treats_finer_judgments(
    coordinator_client, evaluation
):
    from evaluations.models import RobustnessAnalysis
    from tests.evaluations.robustness.test_robustness_page import analyse, robustness_data, text

    snapshot = panel_results(evaluation)
    snapshot.data["robustness"] = robustness_data(snapshot)
    snapshot.save(update_fields=["data"])
    RobustnessAnalysis.objects.filter(evaluation=evaluation).delete()
    analyse(snapshot)
    url = reverse("results-robustness", args=[evaluation.pk])
    note = "each such judgment first moves to the nearest of the 17"
    assert "Judgment noise" in text(coordinator_client.get(url))
    assert note not in text(coordinator_client.get(url))  # the verbal scale: nothing to say

    snapshot.data["settings"]["judgment_scale"] = "intermediate"
    snapshot.save(update_fields=["data"])

    assert note in text(coordinator_client.get(url))
