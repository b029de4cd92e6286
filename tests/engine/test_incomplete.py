import re

import numpy as np
import pytest
from hypothesis import given, settings

from evaluations.engine import ahp, incomplete

from .reference import TOLERANCE, cases
from .strategies import consistent_matrix, scale_matrices, weight_vectors

BOZOKI = cases("ahp")["bozoki_incomplete_4"]["matrix"]


def test_missing_comparisons_may_be_none_or_nan():
    with_nan = [[np.nan if value is None else value for value in row] for row in BOZOKI]
    np.testing.assert_allclose(ahp.harker(with_nan).weights, ahp.harker(BOZOKI).weights)


def test_harker_reports_consistency_as_agoston_and_csato_define_it():
    result = ahp.harker(BOZOKI, ri="saaty")
    assert result.lambda_max == incomplete.lambda_min_completion(BOZOKI).lambda_max
    assert result.ci == pytest.approx((result.lambda_max - 4) / 3, abs=1e-15)
    assert result.ri == incomplete.random_index(4, 1)  # one missing pair, not Saaty's 0.90
    assert result.cr == pytest.approx(result.ci / result.ri, abs=1e-15)


@settings(max_examples=100, deadline=None)
@given(scale_matrices())
def test_harker_on_a_complete_matrix_is_the_eigenvector_method(matrix):
    harker = ahp.harker(matrix)
    eigen = ahp.priorities(matrix, "eigenvector")
    np.testing.assert_allclose(harker.weights, eigen.weights, atol=1e-12)
    assert harker.cr == pytest.approx(eigen.cr, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(weight_vectors(min_t=3))
def test_an_incomplete_consistent_matrix_gives_back_its_weights(w):
    # Keep only the comparisons with the first element: a spanning star.
    matrix = consistent_matrix(w)
    matrix[1:, 1:] = np.nan
    np.fill_diagonal(matrix, 1.0)
    np.testing.assert_allclose(ahp.harker(matrix).weights, w, atol=1e-9)
    np.testing.assert_allclose(ahp.complete(matrix), consistent_matrix(w), rtol=1e-9)


def test_complete_keeps_the_given_judgments_and_fills_the_missing_with_weight_ratios():
    full = ahp.complete(BOZOKI)
    w = ahp.harker(BOZOKI).weights
    assert full[2, 3] == pytest.approx(w[2] / w[3], abs=TOLERANCE)
    assert full[3, 2] == pytest.approx(w[3] / w[2], abs=TOLERANCE)
    assert full[0, 2] == 5.0
    ahp.priorities(full)  # complete, positive and reciprocal


def test_harker_and_complete_take_a_stack():
    stack = np.array([BOZOKI, BOZOKI], dtype=float)
    assert ahp.harker(stack).weights.shape == (2, 4)
    assert ahp.complete(stack).shape == (2, 4, 4)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 2, None], [0.5, 1, 3], [4, 1 / 3, 1]], ahp.MISSING_NOT_SYMMETRIC),
        ([[1, None, None], [None, 1, 2], [None, 0.5, 1]], ahp.NOT_CONNECTED),
        ([[None, 2], [0.5, 1]], ahp.DIAGONAL),
        ([[1, np.inf], [0, 1]], ahp.NOT_FINITE),
        ([[1, 2, None], [0.4, 1, 3], [None, 1 / 3, 1]], ahp.NOT_RECIPROCAL),
    ],
)
def test_it_rejects_an_incomplete_matrix_that_breaks_a_rule(matrix, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ahp.harker(matrix)
    with pytest.raises(ValueError, match=re.escape(message)):
        ahp.complete(matrix)


def test_it_names_the_disconnected_matrix_of_a_stack():
    split = np.ones((4, 4))
    split[:2, 2:] = split[2:, :2] = np.nan
    stack = np.array([np.ones((4, 4)), split])
    with pytest.raises(ValueError, match=re.escape(f"{ahp.NOT_CONNECTED} (first at index (1,))")):
        ahp.harker(stack)
