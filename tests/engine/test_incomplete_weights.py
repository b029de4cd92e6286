"""Incomplete matrices: the comparison graph, logarithmic least-squares weights, group AIJ."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.engine import ahp, incomplete

from .incomplete_strategies import answered_masks, incomplete_matrices
from .strategies import consistent_matrix, scale_matrices, weight_vectors

N = np.nan


def normalised(w):
    w = np.asarray(w, dtype=float)
    return w / w.sum()


# --- the comparison graph ---------------------------------------------------------------


def test_it_names_the_pair_that_would_connect_two_groups():
    matrix = [[1, N, N], [N, 1, 2], [N, 0.5, 1]]
    with pytest.raises(incomplete.DisconnectedError) as caught:
        incomplete.llsm_weights(matrix)
    error = caught.value
    assert isinstance(error, ValueError)
    assert str(error).startswith(incomplete.NOT_CONNECTED + ":")
    assert "{0} and {1, 2}" in str(error)
    assert "comparing 0 with 1 would connect them" in str(error)
    assert (error.index, error.groups, error.pairs) == (None, [(0,), (1, 2)], [(0, 1)])


def test_three_groups_need_two_comparisons_and_the_message_names_both():
    matrix = np.full((5, 5), N)
    np.fill_diagonal(matrix, 1.0)
    matrix[0, 2], matrix[2, 0] = 3.0, 1 / 3
    matrix[1, 4], matrix[4, 1] = 0.5, 2.0
    assert incomplete.components(matrix) == [(0, 2), (1, 4), (3,)]
    assert incomplete.connecting_pairs(incomplete.components(matrix)) == [(0, 1), (0, 3)]
    with pytest.raises(incomplete.DisconnectedError, match="comparing 0 with 1 and 0 with 3 "):
        incomplete.as_incomplete(matrix)


def test_it_names_the_disconnected_matrix_of_a_stack():
    split = np.ones((4, 4))
    split[:2, 2:] = split[2:, :2] = N
    stack = np.array([np.ones((4, 4)), split])
    expected = f"{incomplete.NOT_CONNECTED} (first at index (1,)): "
    with pytest.raises(incomplete.DisconnectedError, match=re.escape(expected)) as caught:
        incomplete.llsm_weights(stack)
    assert caught.value.index == 1 and caught.value.pairs == [(0, 2)]


def test_the_other_rules_are_checked_before_connectivity():
    not_reciprocal = [[1, 2, N], [0.4, 1, N], [N, N, 1]]
    with pytest.raises(ValueError, match=re.escape(ahp.NOT_RECIPROCAL)):
        incomplete.llsm_weights(not_reciprocal)
    one_sided = [[1, 2, N], [0.5, 1, 3], [4, 1 / 3, 1]]
    with pytest.raises(ValueError, match=re.escape(ahp.MISSING_NOT_SYMMETRIC)):
        incomplete.llsm_weights(one_sided)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 9).flatmap(answered_masks))
def test_a_spanning_tree_plus_any_pairs_is_one_component(answered):
    matrix = np.where(answered, 1.0, N)
    assert incomplete.components(matrix) == [tuple(range(len(matrix)))]
    assert incomplete.connecting_pairs(incomplete.components(matrix)) == []


# --- logarithmic least squares ------------------------------------------------------------


def test_llsm_of_a_spanning_tree_is_exact():
    # b01 = 2 and b12 = 3 fix w0 : w1 : w2 = 6 : 3 : 1, whatever b02 would have been.
    matrix = [[1, 2, N], [0.5, 1, 3], [N, 1 / 3, 1]]
    np.testing.assert_allclose(incomplete.llsm_weights(matrix), [0.6, 0.3, 0.1], atol=1e-15)


def test_llsm_of_a_triangle_with_a_pendant_element():
    # Triangle 0-1-2 (b01 = 2, b02 = 4, b12 = 1) and element 3 hung on 2 (b23 = 2). By hand:
    # the triangle is a complete 3 × 3, so ln w is its rows' mean logs (ln 2 × (1, -1/3,
    # -2/3)), and the pendant fits exactly, ln w3 = ln w2 - ln 2.
    matrix = [[1, 2, 4, N], [0.5, 1, 1, N], [0.25, 1, 1, 2], [N, N, 0.5, 1]]
    expected = normalised(2.0 ** np.array([1, -1 / 3, -2 / 3, -5 / 3]))
    np.testing.assert_allclose(incomplete.llsm_weights(matrix), expected, atol=1e-15)


def test_llsm_spreads_a_cycles_inconsistency_evenly():
    # The 4-cycle 0-1-2-3-0 with b01 = b12 = b23 = 2 and b30 = 1 multiplies to 8 = 2^3 around
    # the cycle; least squares takes ln 2 × 3/4 off each of the four edges equally, so
    # ln w0 - ln w1 = ln w1 - ln w2 = ln w2 - ln w3 = ln 2 / 4 (by hand from the normal
    # equations).
    matrix = [[1, 2, N, 1], [0.5, 1, 2, N], [N, 0.5, 1, 2], [1, N, 0.5, 1]]
    expected = normalised(2.0 ** (np.array([3, 2, 1, 0]) / 4))
    np.testing.assert_allclose(incomplete.llsm_weights(matrix), expected, atol=1e-15)


@settings(max_examples=150, deadline=None)
@given(scale_matrices())
def test_llsm_of_a_complete_matrix_is_the_geometric_mean(matrix):
    np.testing.assert_allclose(
        incomplete.llsm_weights(matrix), ahp.priorities(matrix).weights, rtol=1e-12, atol=1e-15
    )


@settings(max_examples=100, deadline=None)
@given(weight_vectors(min_t=3), st.data())
def test_llsm_gives_back_the_weights_of_an_incomplete_consistent_matrix(w, data):
    answered = data.draw(answered_masks(len(w)))
    matrix = np.where(answered, consistent_matrix(w), N)
    np.testing.assert_allclose(incomplete.llsm_weights(matrix), w, rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.lists(incomplete_matrices(min_t=5, max_t=5), min_size=1, max_size=5))
def test_llsm_of_a_stack_is_each_matrix_alone(matrices):
    stack = np.array(matrices)
    expected = [incomplete.llsm_weights(matrix) for matrix in matrices]
    np.testing.assert_allclose(incomplete.llsm_weights(stack), expected, rtol=1e-12)


# --- group AIJ ------------------------------------------------------------------------------

EXPERT_A = [[1, 2, 4], [0.5, 1, 3], [0.25, 1 / 3, 1]]
EXPERT_B = [[1, 4, N], [0.25, 1, 2], [N, 0.5, 1]]
EXPERT_C = [[1, 1, N], [1, 1, 6], [N, 1 / 6, 1]]


def test_each_pair_is_the_weighted_geometric_mean_of_the_experts_who_answered_it():
    group = incomplete.group_matrix([EXPERT_A, EXPERT_B, EXPERT_C], weights=[1, 2, 1])
    assert group[0, 1] == pytest.approx((2 * 4**2 * 1) ** (1 / 4), rel=1e-14)
    assert group[1, 2] == pytest.approx((3 * 2**2 * 6) ** (1 / 4), rel=1e-14)
    # Only expert A answered b02: its value, not pulled toward 1 by the others' silence.
    assert group[0, 2] == pytest.approx(4.0, rel=1e-14)
    np.testing.assert_allclose(group * group.T, np.ones((3, 3)), rtol=1e-14)


def test_a_pair_nobody_answered_stays_missing_and_the_group_is_still_weighed():
    first = [[1, 2, 3, N], [0.5, 1, N, 2], [1 / 3, N, 1, N], [N, 0.5, N, 1]]
    second = [[1, 3, N, N], [1 / 3, 1, 1, 2], [N, 1, 1, N], [N, 0.5, N, 1]]
    group = incomplete.group_matrix([first, second])
    assert np.isnan(group[0, 3]) and np.isnan(group[2, 3])
    assert group[0, 1] == pytest.approx(np.sqrt(6), rel=1e-14)
    assert group[0, 2] == pytest.approx(3, rel=1e-14) and group[1, 2] == pytest.approx(1)
    np.testing.assert_array_equal(
        incomplete.answered_counts([first, second]),
        [[2, 2, 1, 0], [2, 2, 1, 2], [1, 1, 2, 0], [0, 2, 0, 2]],
    )
    assert incomplete.llsm_weights(group).sum() == pytest.approx(1.0)


@settings(max_examples=100, deadline=None)
@given(st.integers(3, 9).flatmap(lambda t: st.lists(scale_matrices(t, t), min_size=2, max_size=5)))
def test_complete_ballots_give_the_usual_aij_matrix(matrices):
    weights = np.arange(1.0, len(matrices) + 1)
    np.testing.assert_allclose(
        incomplete.group_matrix(matrices, weights),
        ahp.aggregate(matrices, "aij", weights=weights).matrix,
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1, 2], incomplete.EXPERT_WEIGHTS_COUNT),
        ([1, 0, 1], incomplete.EXPERT_WEIGHTS_POSITIVE),
        ([1, np.inf, 1], incomplete.EXPERT_WEIGHTS_POSITIVE),
        ([1, "heavy", 1], incomplete.EXPERT_WEIGHTS_POSITIVE),
    ],
)
def test_it_refuses_bad_expert_weights(weights, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        incomplete.group_matrix([EXPERT_A, EXPERT_B, EXPERT_C], weights)


def test_a_group_needs_a_stack_of_valid_ballots():
    with pytest.raises(ValueError, match=re.escape(incomplete.NOT_A_STACK)):
        incomplete.group_matrix(EXPERT_B)
    disconnected = [[1, N, N], [N, 1, 2], [N, 0.5, 1]]
    with pytest.raises(incomplete.DisconnectedError, match=re.escape("(first at index (1,))")):
        incomplete.group_matrix([EXPERT_A, disconnected])
