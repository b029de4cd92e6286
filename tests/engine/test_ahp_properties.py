import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.engine import ahp

from .strategies import consistent_matrix, scale_matrices, stacks, weight_vectors

METHODS = ["geometric", "eigenvector"]
FAST = settings(max_examples=150, deadline=None)


def test_a_matrix_of_ones_gives_equal_weights():
    result = ahp.priorities(np.ones((3, 3)))
    np.testing.assert_allclose(result.weights, [1 / 3] * 3)
    assert result.cr == pytest.approx(0.0, abs=1e-12)
    assert result.consistent is True


@pytest.mark.parametrize("method", METHODS)
def test_a_single_element_has_weight_one_and_no_inconsistency(method):
    result = ahp.priorities([[1.0]], method=method)
    np.testing.assert_allclose(result.weights, [1.0])
    assert (result.lambda_max, result.ci, result.cr) == (pytest.approx(1.0), 0.0, 0.0)


def test_the_ri_and_threshold_decide_consistency():
    matrix = ahp.from_upper([9, 9, 9])  # the ahpy issue-8 matrix, CR ≈ 0.49
    result = ahp.priorities(matrix, ri="saaty", threshold=0.5)
    assert result.ri == 0.58
    assert result.threshold == 0.5
    assert result.consistent is True
    assert ahp.priorities(matrix).consistent is False


@FAST
@given(scale_matrices(), st.sampled_from(METHODS))
def test_weights_are_positive_and_sum_to_one(matrix, method):
    result = ahp.priorities(matrix, method=method)
    assert np.all(result.weights > 0)
    assert result.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert result.lambda_max >= len(matrix) - 1e-9
    assert result.ci >= 0 and result.cr >= 0


@FAST
@given(weight_vectors(), st.sampled_from(METHODS))
def test_a_consistent_matrix_gives_back_its_weights_and_no_inconsistency(w, method):
    result = ahp.priorities(consistent_matrix(w), method=method)
    np.testing.assert_allclose(result.weights, w, rtol=0, atol=1e-9)
    assert result.lambda_max == pytest.approx(len(w), abs=1e-9)
    assert result.cr == pytest.approx(0.0, abs=1e-9)
    assert result.consistent


@FAST
@given(scale_matrices(), st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_permuting_the_elements_permutes_the_weights(matrix, method, random):
    order = list(range(len(matrix)))
    random.shuffle(order)
    permuted = matrix[np.ix_(order, order)]
    original = ahp.priorities(matrix, method=method)
    result = ahp.priorities(permuted, method=method)
    np.testing.assert_allclose(result.weights, original.weights[order], rtol=1e-9, atol=1e-12)
    assert result.lambda_max == pytest.approx(original.lambda_max, abs=1e-9)


@FAST
@given(stacks(), st.sampled_from(METHODS), st.sampled_from(["paper", "saaty"]))
def test_a_stack_gives_the_same_figures_as_one_matrix_at_a_time(stack, method, ri):
    batch = ahp.priorities(stack, method=method, ri=ri)
    assert batch.weights.shape == stack.shape[:2]
    assert batch.lambda_max.shape == batch.ci.shape == batch.cr.shape == (len(stack),)
    assert batch.consistent.dtype == bool
    for i, matrix in enumerate(stack):
        single = ahp.priorities(matrix, method=method, ri=ri)
        np.testing.assert_allclose(batch.weights[i], single.weights, rtol=0, atol=1e-12)
        assert batch.lambda_max[i] == pytest.approx(single.lambda_max, abs=1e-12)
        assert batch.ci[i] == pytest.approx(single.ci, abs=1e-12)
        assert batch.cr[i] == pytest.approx(single.cr, abs=1e-12)
        assert batch.consistent[i] == single.consistent
        assert batch.ri == single.ri


@FAST
@given(scale_matrices())
def test_upper_triangle_round_trips(matrix):
    np.testing.assert_allclose(ahp.from_upper(ahp.to_upper(matrix)), matrix, rtol=1e-15)


def test_from_upper_fills_the_lower_triangle_with_reciprocals_in_row_major_order():
    matrix = ahp.from_upper([2, 3, 4, 5, 6, 7])
    assert matrix.shape == (4, 4)
    assert (matrix[0, 1], matrix[0, 2], matrix[0, 3], matrix[1, 2]) == (2, 3, 4, 5)
    assert (matrix[1, 3], matrix[2, 3]) == (6, 7)
    np.testing.assert_allclose(matrix * matrix.T, np.ones((4, 4)))
    np.testing.assert_allclose(np.diag(matrix), 1.0)


def test_from_upper_works_on_a_batch():
    stack = ahp.from_upper([[2, 3, 4], [5, 6, 7]], t=3)
    assert stack.shape == (2, 3, 3)
    assert stack[1, 1, 2] == 7 and stack[1, 2, 1] == pytest.approx(1 / 7)


def test_from_upper_keeps_missing_judgments_missing():
    matrix = ahp.from_upper([2, None, 3])
    assert np.isnan(matrix[0, 2]) and np.isnan(matrix[2, 0])


def test_from_upper_refuses_a_length_that_is_no_triangle():
    with pytest.raises(ValueError, match=re.escape(ahp.UPPER_LENGTH)):
        ahp.from_upper([2, 3])
    with pytest.raises(ValueError, match=re.escape(ahp.UPPER_LENGTH)):
        ahp.from_upper([2, 3, 4], t=4)


def test_from_upper_refuses_non_positive_judgments():
    with pytest.raises(ValueError, match=re.escape(ahp.NOT_POSITIVE)):
        ahp.from_upper([2, -3, 4])
