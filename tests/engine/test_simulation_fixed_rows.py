"""The simulations keep a given or measured leaf's row fixed in every draw (issue 15 §2)."""

import numpy as np
import pytest

from evaluations.engine.robustness import simulation
from evaluations.engine.robustness.simulation import batch
from evaluations.robustness.compute import panel_problem
from evaluations.services.results import results_compute
from tests.evaluations.test_direct_membership_compute import panel

TOLERANCE = 1e-12


def problem_of(data):
    return panel_problem(data)  # the rows the results use, fixed (evaluations.robustness)


def test_the_deterministic_result_is_the_results_services():
    data = panel({10: {"row": None, "value": 3.2}})
    results = results_compute(data)
    problem = problem_of(data)
    assert problem.subjects == (10,)  # Beta has no measured value: no score, as in the results
    got = simulation.deterministic(problem)
    np.testing.assert_allclose(got.vectors[0], results["subjects"][0]["vector"], atol=TOLERANCE)
    np.testing.assert_allclose(got.vectors[0], [0.2875, 0.5375, 0.075, 0.1], atol=TOLERANCE)


def test_a_draw_without_an_expert_keeps_the_fixed_rows():
    problem = problem_of(panel({10: {"row": None, "value": 3.2}, 11: {"value": 1.0}}))
    # Expert 2 left out: U11 is expert 1's "very strong" alone; U12 (0.2, 0.8, 0, 0) and U21
    # stay. G1 = 0.5 (1, 0, 0, 0) + 0.5 (0.2, 0.8, 0, 0); E = 0.75 G1 + 0.25 (0.1, 0.2, 0.3, 0.4).
    drawn = batch.run(batch.prepare(problem), np.array([[1.0, 0.0]]))
    assert drawn.vectors[0, 0] == pytest.approx([0.475, 0.35, 0.075, 0.1], abs=TOLERANCE)
    # Beta's own U21 row (0, 0, 0, 1) and 1 % (the best grade) are fixed for it.
    assert drawn.vectors[0, 1] == pytest.approx([0.75, 0, 0, 0.25], abs=TOLERANCE)


def test_fixed_rows_are_checked():
    problem = problem_of(panel({10: {"row": None, "value": 3.2}}))
    bad = np.array(problem.fixed_rows)
    bad[0, 1] = [0.5, 0.4, 0, 0]
    with pytest.raises(ValueError, match="summing to 1"):
        simulation.Problem(
            parents=problem.parents,
            judgments=problem.judgments,
            expert_weights=problem.expert_weights,
            ratings=problem.ratings,
            grade_scores=problem.grade_scores,
            fixed_rows=bad,
        )
    with pytest.raises(ValueError, match="subjects × leaves × grades"):
        simulation.Problem(
            parents=problem.parents,
            judgments=problem.judgments,
            expert_weights=problem.expert_weights,
            ratings=problem.ratings,
            grade_scores=problem.grade_scores,
            fixed_rows=bad[:, :2],
        )
