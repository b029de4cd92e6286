import re

import numpy as np
import pytest
from scipy import stats

from evaluations.engine import ahp, judgments
from evaluations.engine.robustness import agreement

W = np.array([0.5, 0.3, 0.2])
# The docstring's worked example: a_12 = 2, a_13 = 3, a_23 = 1 against W gives S = 277/270.
HAND = ahp.from_upper([2.0, 3.0, 1.0])
HAND_S = 277 / 270
NOT_ANSWERED = np.full((3, 3), np.nan)


def consistent(w):
    return w[:, None] / w[None, :]


def random_weights(rng, n, size=None):
    return rng.dirichlet(np.ones(n), size=size)


def random_reciprocal(rng, k, n):
    """k reciprocal matrices with log-judgments uniform in [−ln 9, ln 9]."""
    logs = np.triu(rng.uniform(-np.log(9), np.log(9), size=(k, n, n)), 1)
    return np.exp(logs - np.swapaxes(logs, -1, -2))


# Compatibility


@pytest.mark.parametrize("n", range(1, 10))
def test_a_matrix_built_from_the_group_weights_is_fully_compatible(n):
    w = random_weights(np.random.default_rng(n), n)
    assert agreement.compatibility(consistent(w), w) == pytest.approx(1.0, abs=1e-12)


def test_it_reproduces_the_worked_example_of_its_docstring():
    assert agreement.compatibility(HAND, W) == pytest.approx(HAND_S, abs=1e-12)


def test_a_stack_gives_one_compatibility_per_expert_and_one_matrix_a_float():
    stack = np.stack([consistent(W), HAND, HAND])
    s = agreement.compatibility(stack, W)
    assert s.shape == (3,)
    np.testing.assert_allclose(s, [1.0, HAND_S, HAND_S], atol=1e-12)
    assert isinstance(agreement.compatibility(HAND, W), float)


@pytest.mark.parametrize("n", range(2, 10))
def test_compatibility_is_never_below_1_and_is_1_only_for_the_group_matrix(n):
    rng = np.random.default_rng(1000 + n)
    stack = random_reciprocal(rng, 500, n)
    w = random_weights(rng, n)
    s = agreement.compatibility(stack, w)
    assert np.all(s >= 1.0 - 1e-12)
    # Away from w_i / w_j somewhere, S is above 1: the bound x + 1/x ≥ 2 is strict there.
    assert np.all(s > 1.0 + 1e-9)


def test_an_expert_moving_away_from_the_group_loses_compatibility():
    rng = np.random.default_rng(7)
    w = random_weights(rng, 5)
    logs = np.triu(rng.normal(size=(5, 5)), 1)
    error = logs - logs.T  # log of a reciprocal disagreement
    steps = np.linspace(0, 2, 21)
    stack = consistent(w)[None] * np.exp(steps[:, None, None] * error[None])
    s = agreement.compatibility(stack, w)
    assert s[0] == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.diff(s) > 0)


def test_one_judgment_moving_away_raises_compatibility_on_both_sides():
    factors = np.array([1 / 4, 1 / 2, 1.0, 2.0, 4.0])
    stack = np.repeat(consistent(W)[None], len(factors), axis=0)
    stack[:, 0, 1] *= factors
    stack[:, 1, 0] /= factors
    s = agreement.compatibility(stack, W)
    assert s[2] == pytest.approx(1.0, abs=1e-12)
    assert s[0] > s[1] > s[2] < s[3] < s[4]
    # Only the pair (0, 1) is off: x + 1/x for x = 2 is 2.5, half a unit over the 2 of agreement.
    assert s[3] == pytest.approx(1 + 0.5 / 9, abs=1e-12)


def test_a_missing_judgment_is_filled_as_the_engine_completes_the_matrix():
    matrix = HAND.copy()
    matrix[1, 2] = matrix[2, 1] = np.nan
    before = matrix.copy()
    s = agreement.compatibility(matrix, W)
    assert s == pytest.approx(agreement.compatibility(ahp.complete(matrix), W), abs=1e-12)
    np.testing.assert_array_equal(matrix, before)  # the caller's matrix is left as it was


def test_an_incomplete_matrix_agreeing_with_the_group_is_fully_compatible():
    matrix = consistent(W)
    matrix[1, 2] = matrix[2, 1] = np.nan
    assert agreement.compatibility(matrix, W) == pytest.approx(1.0, abs=1e-12)


# Correlation of the weights


def test_the_correlation_is_pearsons_as_numpy_and_scipy_compute_it():
    rng = np.random.default_rng(11)
    group = random_weights(rng, 6)
    experts = random_weights(rng, 6, size=40)
    r = agreement.weight_correlation(experts, group)
    assert r.shape == (40,)
    for row, value in zip(experts, r, strict=True):
        assert value == pytest.approx(np.corrcoef(row, group)[0, 1], abs=1e-12)
        assert value == pytest.approx(stats.pearsonr(row, group).statistic, abs=1e-12)
    assert isinstance(agreement.weight_correlation(experts[0], group), float)


def test_the_group_correlates_perfectly_with_itself():
    assert agreement.weight_correlation(W, W) == pytest.approx(1.0, abs=1e-12)


def test_with_two_elements_the_correlation_says_whether_the_same_one_is_favoured():
    r = agreement.weight_correlation([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7]], [0.75, 0.25])
    np.testing.assert_allclose(r, [1.0, 1.0, -1.0], atol=1e-12)


def test_weights_without_spread_have_no_correlation():
    r = agreement.weight_correlation([[0.5, 0.5], [0.9, 0.1]], [0.75, 0.25])
    assert np.isnan(r[0]) and r[1] == pytest.approx(1.0)
    assert np.all(np.isnan(agreement.weight_correlation([[0.9, 0.1]], [0.5, 0.5])))
    assert np.isnan(agreement.weight_correlation([1.0], [1.0]))


def test_equal_weights_up_to_rounding_have_no_correlation_either():
    # The eigenvector method gives equal weights only to rounding; r of that noise means nothing.
    equal = ahp.priorities(np.ones((7, 7)), "eigenvector").weights
    assert np.isnan(
        agreement.weight_correlation(equal, random_weights(np.random.default_rng(3), 7))
    )


# Every expert against the group


def test_it_gives_each_expert_s_and_r_on_each_matrix():
    rng = np.random.default_rng(5)
    w4 = random_weights(rng, 4)
    stack3 = np.stack([HAND, consistent(W)])
    stack4 = random_reciprocal(rng, 2, 4)
    result = agreement.expert_agreement([(stack3, W), (stack4, w4)], [1.0, 0.4])
    expected_s = np.stack(
        [agreement.compatibility(stack3, W), agreement.compatibility(stack4, w4)], axis=1
    )
    np.testing.assert_allclose(result.compatibility, expected_s, atol=1e-12)
    own = ahp.priorities(stack4).weights
    np.testing.assert_allclose(
        result.correlation[:, 1], agreement.weight_correlation(own, w4), atol=1e-12
    )
    assert result.answered.all()


def test_the_overall_score_weights_the_matrices_by_their_global_weights():
    s0, s1 = HAND_S, 1.0
    result = agreement.expert_agreement([(HAND[None], W), (consistent(W)[None], W)], [0.6, 0.2])
    assert result.overall[0] == pytest.approx((0.6 * s0 + 0.2 * s1) / 0.8, abs=1e-12)


def test_the_global_weights_are_renormalised_over_the_matrices_an_expert_answered():
    steep = ahp.from_upper([9.0, 9.0, 1.0])
    s_steep = agreement.compatibility(steep, W)
    per_matrix = [
        (np.stack([HAND, HAND, NOT_ANSWERED]), W),
        (np.stack([consistent(W), NOT_ANSWERED, NOT_ANSWERED]), W),
        (np.stack([steep, steep, NOT_ANSWERED]), W),
    ]
    result = agreement.expert_agreement(per_matrix, [0.5, 0.3, 0.2])
    all_three = (0.5 * HAND_S + 0.3 * 1.0 + 0.2 * s_steep) / 1.0
    two = (0.5 * HAND_S + 0.2 * s_steep) / 0.7
    np.testing.assert_allclose(result.overall[:2], [all_three, two], atol=1e-12)
    np.testing.assert_array_equal(
        result.answered, [[True, True, True], [True, False, True], [False, False, False]]
    )
    assert np.isnan(result.compatibility[1, 1]) and np.isnan(result.correlation[1, 1])


def test_an_expert_who_answered_nothing_has_no_overall_score_and_is_not_flagged():
    result = agreement.expert_agreement([(np.stack([HAND, NOT_ANSWERED]), W)], [1.0])
    assert np.isnan(result.overall[1]) and not result.flagged[1]
    assert np.all(np.isnan(result.compatibility[1])) and np.all(np.isnan(result.correlation[1]))


def test_it_flags_only_an_overall_score_strictly_above_the_threshold():
    steep = ahp.from_upper([9.0, 9.0, 1.0])
    per_matrix = [(np.stack([HAND, steep]), W)]
    s_steep = agreement.compatibility(steep, W)
    assert HAND_S < agreement.THRESHOLD < s_steep
    result = agreement.expert_agreement(per_matrix, [1.0])
    np.testing.assert_array_equal(result.flagged, [False, True])
    assert result.threshold == agreement.THRESHOLD
    at = agreement.expert_agreement(per_matrix, [1.0], threshold=s_steep)
    np.testing.assert_array_equal(at.flagged, [False, False])
    below = agreement.expert_agreement(per_matrix, [1.0], threshold=np.nextafter(s_steep, 0))
    np.testing.assert_array_equal(below.flagged, [False, True])


def test_an_incomplete_answer_counts_by_its_completion_and_harkers_weights():
    matrix = ahp.from_upper([2.0, 3.0, 5.0, 1.0, 4.0, 2.0])
    matrix[1, 3] = matrix[3, 1] = np.nan
    w = random_weights(np.random.default_rng(9), 4)
    result = agreement.expert_agreement([(matrix[None], w)], [1.0], method="eigenvector")
    assert result.compatibility[0, 0] == pytest.approx(agreement.compatibility(matrix, w))
    harker = agreement.weight_correlation(ahp.harker(matrix).weights, w)
    assert result.correlation[0, 0] == pytest.approx(harker, abs=1e-12)


def test_a_bad_answer_is_named_by_its_matrix_and_the_experts_own_index():
    bad = HAND.copy()
    bad[0, 1] = -2.0
    per_matrix = [(np.stack([HAND, HAND]), W), (np.stack([NOT_ANSWERED, bad]), W)]
    with pytest.raises(ValueError) as error:
        agreement.expert_agreement(per_matrix, [1.0, 0.5])
    assert str(error.value).startswith(f"matrix 1: {judgments.NOT_POSITIVE}")
    assert str(error.value).endswith("(first at index (1, 0, 1))")


# Refusals

GROUP = "group weights"
EXPERT = "expert weights"
NON_RECIPROCAL = np.array([[1.0, 2.0], [0.5 * (1 + 1e-8), 1.0]])
DISCONNECTED = np.array(
    [
        [1, 2, np.nan, np.nan],
        [0.5, 1, np.nan, np.nan],
        [np.nan, np.nan, 1, 3],
        [np.nan] * 2 + [1 / 3, 1],
    ]
)


def test_a_reciprocal_matrix_within_1e_9_is_accepted():
    almost = np.array([[1.0, 2.0], [0.5 * (1 + 1e-10), 1.0]])
    # With equal weights S = (1 + 2 + 1/2 + 1) / 4.
    assert agreement.compatibility(almost, [0.5, 0.5]) == pytest.approx(1.125, abs=1e-9)


@pytest.mark.parametrize(
    ("matrix", "weights", "message"),
    [
        ("judgments", W, agreement.NOT_NUMERIC),
        (np.ones((2, 3)), W, agreement.NOT_SQUARE),
        (np.ones((10, 10)), np.full(10, 0.1), judgments.TOO_LARGE),
        ([[1.0, 0.0], [1.0, 1.0]], [0.5, 0.5], agreement.NOT_POSITIVE),
        ([[1.0, 0.0], [np.inf, 1.0]], [0.5, 0.5], agreement.NOT_FINITE),
        ([[1.0, -2.0], [-0.5, 1.0]], [0.5, 0.5], agreement.NOT_POSITIVE),
        (NON_RECIPROCAL, [0.5, 0.5], agreement.NOT_RECIPROCAL),
        ([[2.0, 2.0], [0.5, 2.0]], [0.5, 0.5], agreement.DIAGONAL),
        ([[1.0, np.nan], [0.5, 1.0]], [0.5, 0.5], agreement.MISSING_NOT_SYMMETRIC),
        (DISCONNECTED, np.full(4, 0.25), agreement.NOT_CONNECTED),
        (HAND, [0.5, 0.5], agreement.WEIGHTS_SHAPE.format(field=GROUP)),
        (HAND, "weights", agreement.WEIGHTS_NOT_NUMERIC.format(field=GROUP)),
        (HAND, [0.5, 0.5, 0.0], agreement.WEIGHTS_POSITIVE.format(field=GROUP)),
        (HAND, [1.2, 0.5, -0.7], agreement.WEIGHTS_POSITIVE.format(field=GROUP)),
        (HAND, [0.5, 0.5, np.nan], agreement.WEIGHTS_POSITIVE.format(field=GROUP)),
        (HAND, [0.5, 0.3, 0.3], agreement.WEIGHTS_SUM.format(field=GROUP)),
    ],
)
def test_compatibility_refuses_what_is_no_matrix_or_no_weights(matrix, weights, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        agreement.compatibility(matrix, weights)


@pytest.mark.parametrize(
    ("expert", "group", "message"),
    [
        ([0.5, 0.5], W, agreement.WEIGHTS_SHAPE.format(field=EXPERT)),
        (np.full((2, 2, 3), 1 / 3), W, agreement.WEIGHTS_SHAPE.format(field=EXPERT)),
        ([[0.5, 0.3, 0.2], [0.6, 0.6, -0.2]], W, agreement.WEIGHTS_POSITIVE.format(field=EXPERT)),
        ([[0.5, 0.3, 0.2], [0.5, 0.3, 0.1]], W, agreement.WEIGHTS_SUM.format(field=EXPERT)),
        ([None, 0.5, 0.5], W, agreement.WEIGHTS_POSITIVE.format(field=EXPERT)),
        (W, [[0.5, 0.3, 0.2]], agreement.WEIGHTS_SHAPE.format(field=GROUP)),
        (W, [], agreement.WEIGHTS_SHAPE.format(field=GROUP)),
        (W, [0.7, 0.7, -0.4], agreement.WEIGHTS_POSITIVE.format(field=GROUP)),
        (W, [0.2, 0.2, 0.2], agreement.WEIGHTS_SUM.format(field=GROUP)),
    ],
)
def test_the_correlation_refuses_what_are_no_weights(expert, group, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        agreement.weight_correlation(expert, group)


@pytest.mark.parametrize(
    ("per_matrix", "global_weights", "options", "message"),
    [
        ([(HAND[None], W)], [1.0], {"threshold": 1.0}, agreement.BAD_THRESHOLD),
        ([(HAND[None], W)], [1.0], {"threshold": 0.9}, agreement.BAD_THRESHOLD),
        ([(HAND[None], W)], [1.0], {"threshold": np.nan}, agreement.BAD_THRESHOLD),
        ([(HAND[None], W)], [1.0], {"threshold": np.inf}, agreement.BAD_THRESHOLD),
        ([(HAND[None], W)], [1.0], {"threshold": "1.1"}, agreement.BAD_THRESHOLD),
        ([(HAND[None], W)], [1.0], {"threshold": None}, agreement.BAD_THRESHOLD),
        ([(HAND[None], W)], [1.0], {"method": "mean"}, ahp.UNKNOWN_METHOD),
        ([], [], {}, agreement.NO_MATRICES),
        ([HAND[None]], [1.0], {}, agreement.NOT_A_PAIR),
        (["ab"], [1.0], {}, agreement.NOT_A_PAIR),
        ([(HAND, W)], [1.0], {}, f"matrix 0: {agreement.NOT_A_STACK}"),
        ([(np.ones((2, 3, 4)), W)], [1.0], {}, f"matrix 0: {agreement.NOT_A_STACK}"),
        ([(np.full((1, 3, 3), np.nan), W)], [1.0, 1.0], {}, agreement.GLOBAL_WEIGHTS),
        ([(HAND[None], W)], [0.0], {}, agreement.GLOBAL_WEIGHTS),
        ([(HAND[None], W)], [-1.0], {}, agreement.GLOBAL_WEIGHTS),
        ([(HAND[None], W)], [np.nan], {}, agreement.GLOBAL_WEIGHTS),
        ([(HAND[None], W)], ["heavy"], {}, agreement.GLOBAL_WEIGHTS),
        ([(HAND[None], W), (HAND[None], [0.5, 0.5, 0.5])], [1, 1], {}, "matrix 1: group weights"),
        ([(HAND[None], W), (np.stack([HAND, HAND]), W)], [1, 1], {}, agreement.EXPERTS_DIFFER),
        ([([["x"]], [1.0])], [1.0], {}, f"matrix 0: {agreement.NOT_NUMERIC}"),
    ],
)
def test_expert_agreement_refuses_bad_input(per_matrix, global_weights, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        agreement.expert_agreement(per_matrix, global_weights, **options)


def test_group_weights_are_checked_even_when_nobody_answered_the_matrix():
    with pytest.raises(ValueError, match=re.escape(agreement.WEIGHTS_SUM.format(field=GROUP))):
        agreement.expert_agreement([(NOT_ANSWERED[None], [0.5, 0.5, 0.5])], [1.0])
