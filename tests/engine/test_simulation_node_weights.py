"""The simulation with expert weights per node (weights per first-level criterion, issue 15
§3): the deterministic result, the judgment-noise path and the bootstrap weigh each matrix and
rating by the node's weight, and node weights equal to the overall ones change nothing.
(tests/experts/test_criterion_weights.py checks the results service's numbers against it.)"""

import dataclasses

import numpy as np
import pytest

from evaluations.engine.robustness import simulation
from evaluations.engine.robustness.simulation import draws as draws_module

from .test_simulation import SETTINGS, TOLERANCE, demo_like_problem


def per_criterion(problem: simulation.Problem) -> simulation.Problem:
    """Expert 0 weighs 4 under U1 (nodes 1–5), expert 3 weighs 0.25 under U3 (nodes 11–15)."""
    weights = np.tile(problem.expert_weights, (problem.nodes, 1))
    weights[1:6, 0] = 4.0
    weights[11:16, 3] = 0.25
    return dataclasses.replace(problem, node_weights=weights)


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(s.values()))
def test_node_weights_equal_to_the_overall_weights_change_nothing(settings):
    problem = demo_like_problem(**settings)
    tiled = np.tile(problem.expert_weights, (problem.nodes, 1))
    same = simulation.deterministic(dataclasses.replace(problem, node_weights=tiled))
    plain = simulation.deterministic(problem)
    np.testing.assert_allclose(same.scores, plain.scores, atol=TOLERANCE)
    np.testing.assert_allclose(same.local_weights, plain.local_weights, atol=TOLERANCE)


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(s.values()))
def test_noise_of_zero_steps_keeps_the_node_weights_in_every_draw(settings):
    problem = per_criterion(demo_like_problem(**settings))
    baseline = simulation.deterministic(problem)
    plain = simulation.deterministic(dataclasses.replace(problem, node_weights=None))
    assert not np.allclose(baseline.local_weights, plain.local_weights, atol=1e-9)
    prepared = simulation.batch.prepare(problem)
    rungs = {m.node: draws_module._rungs(np.exp(m.logs)) for m in prepared.matrices}
    result = draws_module._noise_batch(prepared, rungs, 0, [(np.random.default_rng(0), 20)])
    np.testing.assert_allclose(result.scores, np.tile(baseline.scores, (20, 1)), atol=TOLERANCE)
    np.testing.assert_allclose(
        result.local, np.tile(baseline.local_weights, (20, 1)), atol=TOLERANCE
    )


def test_leaving_an_expert_out_is_the_panel_without_them_at_their_node_weights():
    problem = per_criterion(demo_like_problem())
    left = simulation.leave_one_out(problem)
    # Without expert 0: their weights (4 under U1) leave with them; expert 3's 0.25 stays.
    multipliers = np.ones((1, problem.expert_weights.size))
    multipliers[0, 0] = 0.0
    without = simulation.batch.run(simulation.batch.prepare(problem), multipliers)
    np.testing.assert_array_equal(left.ranks[0], without.ranks[0] + 1)


@pytest.mark.parametrize(
    "node_weights",
    [np.ones((3, 10)), -np.ones((16, 10)), np.full((16, 10), np.inf), [["a"] * 10] * 16],
)
def test_bad_node_weights_are_refused(node_weights):
    problem = demo_like_problem()
    with pytest.raises(ValueError, match="node_weights must be positive finite numbers"):
        dataclasses.replace(problem, node_weights=node_weights)
