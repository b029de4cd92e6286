"""The λmax-minimising completion and the CR of incomplete matrices (Ágoston & Csató 2022)."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from evaluations.engine import ahp, incomplete, ri
from evaluations.engine.incomplete.ri_table import CELLS

from .incomplete_strategies import answered_masks, incomplete_matrices
from .reference import cases
from .strategies import consistent_matrix, scale_matrices, weight_vectors

N = np.nan
BOZOKI = np.array(cases("ahp")["bozoki_incomplete_4"]["matrix"], dtype=float)  # b23 missing


def one_missing(t: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    upper = rng.choice([1 / 9, 1 / 5, 1 / 3, 1, 3, 5, 9, 2, 1 / 2], size=t * (t - 1) // 2)
    matrix = ahp.from_upper(upper, t)
    matrix[0, t - 1] = matrix[t - 1, 0] = N
    return matrix


def perron_vector(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eig(matrix)
    return np.abs(vectors[:, np.argmax(values.real)])


def brute_force(matrix: np.ndarray) -> tuple[float, float]:
    """λmax's minimum over the one missing pair's value b_xy = e^s: a scan of s on a grid of
    step 0.001 over [-8, 8] (b from 1/2981 to 2981), then a bounded scalar search around the
    best grid point. Returns (λmin, b_xy)."""
    (x, y), *_ = [(x, y) for x, y in zip(*np.where(np.isnan(matrix)), strict=True) if x < y]

    def lam(s):
        full = np.where(np.isnan(matrix), 1.0, matrix)
        s = np.atleast_1d(s)
        full = np.repeat(full[None], len(s), axis=0)
        full[:, x, y], full[:, y, x] = np.exp(s), np.exp(-s)
        return np.linalg.eigvals(full).real.max(axis=-1)

    grid = np.linspace(-8, 8, 16001)
    best = grid[np.argmin(lam(grid))]
    found = minimize_scalar(
        lambda s: lam(s)[0], bounds=(best - 0.002, best + 0.002), method="bounded",
        options={"xatol": 1e-12},
    )  # fmt: skip
    return float(found.fun), float(np.exp(found.x))


@pytest.mark.parametrize(
    "matrix", [BOZOKI, one_missing(5, 1), one_missing(7, 2), one_missing(9, 3)]
)
def test_one_missing_pair_is_completed_where_a_brute_force_search_finds_the_minimum(matrix):
    completion = incomplete.lambda_min_completion(matrix)
    lambda_min, value = brute_force(matrix)
    x, y = 0, len(matrix) - 1
    if len(matrix) == 4:
        x, y = 2, 3
    assert completion.lambda_max == pytest.approx(lambda_min, abs=1e-11)
    # λmax is flat at its minimum: the argument is pinned only to about √(1e-12 ≈ its error).
    assert completion.matrix[x, y] == pytest.approx(value, rel=1e-5)
    assert completion.missing == 1


def test_the_given_judgments_are_kept_and_the_completion_is_reciprocal():
    completion = incomplete.lambda_min_completion(one_missing(7, 2))
    given = ~np.isnan(one_missing(7, 2))
    np.testing.assert_array_equal(completion.matrix[given], one_missing(7, 2)[given])
    np.testing.assert_allclose(completion.matrix * completion.matrix.T, 1.0, rtol=1e-14)


@settings(max_examples=100, deadline=None)
@given(incomplete_matrices())
def test_the_completion_is_a_minimum_no_nearby_or_other_completion_beats(matrix):
    completion = incomplete.lambda_min_completion(matrix)
    b = completion.matrix
    u, v = perron_vector(b), perron_vector(b.T)
    v /= v @ u
    rows, cols = np.triu_indices(len(b), 1)
    for x, y in zip(rows, cols, strict=True):
        if not np.isnan(matrix[x, y]):
            continue
        # Optimality (Bozóki, Fülöp & Rónyai 2010): ∂λ/∂ ln b_xy = v_x b_xy u_y − v_y b_yx u_x
        # = 0. Stopping with λ within 1e-12 of λmin leaves up to about √(1e-12 · ‖H‖) of it.
        assert v[x] * b[x, y] * u[y] - v[y] * b[y, x] * u[x] == pytest.approx(0, abs=1e-5)
        for factor in (np.exp(-1e-3), np.exp(1e-3)):
            moved = b.copy()
            moved[x, y], moved[y, x] = b[x, y] * factor, b[y, x] / factor
            assert np.linalg.eigvals(moved).real.max() >= completion.lambda_max - 1e-11
    # Two other completions never do better: Harker's and the least-squares one.
    w = incomplete.llsm_weights(matrix)
    llsm = np.where(np.isnan(matrix), w[:, None] / w[None, :], matrix)
    for other in (ahp.complete(matrix), llsm):
        assert completion.lambda_max <= np.linalg.eigvals(other).real.max() + 1e-10


@settings(max_examples=100, deadline=None)
@given(weight_vectors(min_t=3), st.data())
def test_an_incomplete_consistent_matrix_is_completed_to_its_consistent_matrix(w, data):
    answered = data.draw(answered_masks(len(w)))
    result = incomplete.incomplete_cr(np.where(answered, consistent_matrix(w), N))
    np.testing.assert_allclose(result.completion, consistent_matrix(w), rtol=1e-7)
    assert result.lambda_max == pytest.approx(len(w), abs=1e-9)
    assert result.ci == pytest.approx(0, abs=1e-10) and result.cr == pytest.approx(0, abs=1e-9)


def test_a_complete_consistent_matrix_has_cr_zero():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    result = incomplete.incomplete_cr(consistent_matrix(w))
    assert result.missing == 0 and result.lambda_max == pytest.approx(4.0, abs=1e-12)
    assert result.ci == pytest.approx(0, abs=1e-12) and result.cr == pytest.approx(0, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(scale_matrices(min_t=3), st.sampled_from(["paper", "saaty"]))
def test_a_complete_matrix_has_the_eigenvector_cr_of_the_evaluations_table(matrix, table):
    result = incomplete.incomplete_cr(matrix, table)
    eigen = ahp.priorities(matrix, "eigenvector", ri=table)
    assert result.ri == ri.random_index(len(matrix), table)
    assert result.lambda_max == pytest.approx(eigen.lambda_max, abs=1e-10)
    assert result.cr == pytest.approx(eigen.cr, abs=1e-10)


def test_an_incomplete_matrix_is_measured_against_random_matrices_with_as_many_gaps():
    result = incomplete.incomplete_cr(BOZOKI)
    assert result.missing == 1 and result.ri == CELLS[(4, 1)][0]
    assert result.ci == pytest.approx((result.lambda_max - 4) / 3, abs=1e-15)
    assert result.cr == pytest.approx(result.ci / CELLS[(4, 1)][0], abs=1e-15)
    # λmin is below Harker's λ (4.0923876106, the reference case's), if only just here.
    assert 4.0923876106 - 1e-4 < result.lambda_max < 4.0923876106 - 1e-5


def test_a_spanning_tree_has_cr_zero_whatever_its_judgments():
    tree = [[1, 9, N, N], [1 / 9, 1, 1 / 9, N], [N, 9, 1, 7], [N, N, 1 / 7, 1]]
    result = incomplete.incomplete_cr(tree)
    assert (result.missing, result.ri, result.ci, result.cr) == (3, 0.0, 0.0, 0.0)
    assert result.lambda_max == pytest.approx(4.0, abs=1e-9)


def test_a_stack_gives_arrays_with_each_matrixs_own_ri():
    stack = np.array([BOZOKI, np.where(np.isnan(BOZOKI), 1.0, BOZOKI)])
    result = incomplete.incomplete_cr(stack, "saaty")
    np.testing.assert_array_equal(result.missing, [1, 0])
    np.testing.assert_array_equal(result.ri, [CELLS[(4, 1)][0], 0.90])
    alone = incomplete.incomplete_cr(BOZOKI, "saaty")
    assert result.cr[0] == pytest.approx(alone.cr, abs=1e-15)
    assert result.completion.shape == (2, 4, 4)


def test_random_index_by_order_and_gaps():
    assert incomplete.random_index(5, 0, "saaty") == 1.12
    assert incomplete.random_index(5, 2) == CELLS[(5, 2)][0]
    assert incomplete.random_index(5, incomplete.largest_missing(5)) == 0.0
    with pytest.raises(ValueError, match=re.escape(incomplete.NO_RANDOM_INDEX)):
        incomplete.random_index(5, 7)
    with pytest.raises(ValueError, match=re.escape(ri.UNKNOWN_TABLE)):
        incomplete.incomplete_cr(BOZOKI, "made_up")


def test_it_says_so_when_the_completion_does_not_converge():
    with pytest.raises(RuntimeError, match=re.escape(incomplete.NOT_CONVERGED)):
        incomplete.lambda_min_completion(one_missing(7, 2), max_iterations=0)
    # Allowed enough steps, the same matrix converges, in a handful.
    assert 1 <= incomplete.lambda_min_completion(one_missing(7, 2)).iterations <= 10
