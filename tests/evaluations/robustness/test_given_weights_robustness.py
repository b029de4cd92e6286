"""A node with given weights in the robustness analysis: its local weights are the same in
every draw (no judgments to perturb or resample), and the rest is analysed as before."""

import numpy as np
import pytest

from evaluations.engine.robustness import simulation
from evaluations.given_weights.services import given_weights_set
from evaluations.models import Evaluation, RobustnessAnalysis
from evaluations.robustness import analysis as service
from evaluations.services.results import panel_input, results_recompute
from tests.evaluations.test_results_pages import panel_results

pytestmark = pytest.mark.robustness_analysis

PANEL_FIELDS = ("settings", "indicators", "grades", "subjects", "experts", "pairwise", "ratings")


@pytest.fixture
def given_u2(evaluation, coordinator):
    with service.analyses_paused():
        panel_results(evaluation)
        u2 = evaluation.indicators.get(code="U2")
        weights = dict(zip([str(c.pk) for c in u2.children.order_by("order", "pk")],
                           ["40%", "30%", "20%", "10%"], strict=True))  # fmt: skip
        given_weights_set(indicator=u2, actor=coordinator, weights=weights, source="")
        results_recompute(evaluation_id=evaluation.pk)
    return evaluation


def test_the_given_nodes_weights_are_fixed_in_every_draw(given_u2):
    data = panel_input(evaluation=given_u2)
    problem = simulation.from_panel(**{f: getattr(data, f) for f in PANEL_FIELDS})
    u2 = problem.codes.index("U2")
    assert list(problem.fixed) == [u2] and u2 not in problem.judgments
    result = simulation.simulate(problem, "noise", draws=500, k=1, seed=7)
    percentiles = result.local_weights[problem.children[u2]]
    assert np.allclose(percentiles, np.array([[0.4] * 3, [0.3] * 3, [0.2] * 3, [0.1] * 3]))
    # Another node still varies with the noise.
    u = problem.codes.index("U1")
    assert np.ptp(result.local_weights[u]) > 0


def test_the_analysis_runs_and_leaves_the_given_node_out_of_the_agreement(given_u2):
    Evaluation.objects.filter(pk=given_u2.pk).update(robustness_seed=11)
    service.analysis_queue_latest(evaluation_id=given_u2.pk, rerun=True)
    analysis = RobustnessAnalysis.objects.filter(evaluation=given_u2).order_by("-version").first()
    assert analysis.status == RobustnessAnalysis.Status.DONE, analysis.error
    nodes = {m["node"] for e in analysis.data["agreement"]["experts"] for m in e["matrices"]}
    assert nodes == {"U", "U1", "U3"}


@pytest.mark.parametrize(
    "fixed",
    [{1: [0.5, 0.6]}, {1: [1.0, 0.0]}, {1: [0.5]}, {0: [1.0]}, {9: [0.5, 0.5]}, {1: [np.nan, 1]}],
)
def test_the_engine_refuses_fixed_weights_that_do_not_fit(fixed):
    parents = np.array([-1, 0, 0, 1, 1])  # root 0 → 1 (→ 3, 4), 2
    with pytest.raises(ValueError, match="fixed weights"):
        simulation.Problem(
            parents=parents,
            judgments={0: (np.ones((1, 2, 2)), np.array([0]))},
            expert_weights=np.array([1.0]),
            ratings=np.zeros((1, 1, 3), dtype=int),
            grade_scores=np.array([2.0, 1.0]),
            fixed=fixed,
        )


def test_the_engine_refuses_judgments_for_a_fixed_node():
    with pytest.raises(ValueError, match="takes no judgments"):
        simulation.Problem(
            parents=np.array([-1, 0, 0]),
            judgments={0: (np.ones((1, 2, 2)), np.array([0]))},
            expert_weights=np.array([1.0]),
            ratings=np.zeros((1, 1, 2), dtype=int),
            grade_scores=np.array([2.0, 1.0]),
            fixed={0: [0.25, 0.75]},
        )
