"""Every AHP and group case of the reference file, reproduced to 1e-9."""

import numpy as np
import pytest

from evaluations.engine import ahp

from .reference import TOLERANCE, cases

COMPLETE = {name: case for name, case in cases("ahp").items() if not case["incomplete"]}
INCOMPLETE = {name: case for name, case in cases("ahp").items() if case["incomplete"]}
METHODS = ["geometric", "eigenvector"]
RI_TABLES = ["paper", "saaty"]


@pytest.mark.parametrize("ri", RI_TABLES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(COMPLETE))
def test_it_reproduces_the_reference_priorities(name, method, ri):
    case = COMPLETE[name]
    expected = case["expected"][method]
    result = ahp.priorities(case["matrix"], method=method, ri=ri)
    np.testing.assert_allclose(result.weights, expected["weights"], rtol=0, atol=TOLERANCE)
    assert result.lambda_max == pytest.approx(expected["lambda_max"], abs=TOLERANCE)
    assert result.ci == pytest.approx(expected["ci"], abs=TOLERANCE)
    assert result.cr == pytest.approx(expected["cr"][ri], abs=TOLERANCE)


@pytest.mark.parametrize("ri", RI_TABLES)
@pytest.mark.parametrize("method", METHODS)
def test_the_reference_cases_computed_as_one_stack_give_the_same_figures(method, ri):
    by_order: dict[int, list] = {}
    for case in COMPLETE.values():
        by_order.setdefault(len(case["matrix"]), []).append(case)
    for group in by_order.values():
        result = ahp.priorities([case["matrix"] for case in group], method=method, ri=ri)
        for i, case in enumerate(group):
            expected = case["expected"][method]
            np.testing.assert_allclose(result.weights[i], expected["weights"], atol=TOLERANCE)
            assert result.cr[i] == pytest.approx(expected["cr"][ri], abs=TOLERANCE)


@pytest.mark.parametrize("name", sorted(INCOMPLETE))
def test_it_reproduces_the_incomplete_reference_case_by_harkers_method(name):
    case = INCOMPLETE[name]
    expected = case["expected"]["harker_eigenvector"]
    result = ahp.harker(case["matrix"])
    np.testing.assert_allclose(result.weights, expected["weights"], rtol=0, atol=TOLERANCE)
    # The case's λmax is Harker's own eigenvalue, which is λmax of the completion by Harker's
    # weights; the result's is the smallest λmax of any completion (Ágoston & Csató's CI).
    harker_lambda = np.linalg.eigvals(ahp.complete(case["matrix"])).real.max()
    assert harker_lambda == pytest.approx(expected["lambda_max"], abs=TOLERANCE)
    assert result.lambda_max <= expected["lambda_max"]


@pytest.mark.parametrize("name", sorted(cases("group")))
def test_it_reproduces_the_group_reference_case(name):
    case = cases("group")[name]
    for method in ["aij", "aip"]:
        for weighting in METHODS:
            result = ahp.aggregate(case["experts"], method=method, weighting=weighting)
            expected = case[f"{method}_{weighting}_weights"]
            np.testing.assert_allclose(result.weights, expected, rtol=0, atol=TOLERANCE)
            np.testing.assert_allclose(result.matrix, case["aij_matrix"], rtol=0, atol=TOLERANCE)
