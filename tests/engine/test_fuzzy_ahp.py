"""Fuzzy AHP: the crisp → fuzzy mapping, Buckley's and Chang's weights (DESIGN §4).

Reference cases: variants.json → fuzzy_ahp_buckley and fuzzy_ahp_chang, to the tolerance the
file states (1e-9). Hand cases: 2 × 2 matrices worked out in closed form below.
"""

import re
import warnings
from math import sqrt

import numpy as np
import pytest
from hypothesis import given, settings

from evaluations.engine import ahp, fuzzy_ahp
from evaluations.engine.scale import VALUES

from .reference import load
from .strategies import scale_matrices

TOLERANCE = 1e-9  # "tolerance 1e-9" in every case's checked_by


def variant_cases(section: str) -> list[dict]:
    return load("variants.json")[section]["cases"]


def case_ids(section: str) -> list[str]:
    return [case["id"] for case in variant_cases(section)]


def crisp_cases(section: str) -> list[dict]:
    return [case for case in variant_cases(section) if case["inputs"]["crisp_matrix"]]


# --- the mapping -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("judgment", "expected"),
    [
        (1.0, (1, 1, 1)),
        (2.0, (1, 2, 3)),
        (3.0, (2, 3, 4)),
        (8.0, (7, 8, 9)),
        (9.0, (8, 9, 9)),
        (1 / 2, (1 / 3, 1 / 2, 1)),
        (1 / 3, (1 / 4, 1 / 3, 1 / 2)),
        (1 / 9, (1 / 9, 1 / 9, 1 / 8)),
        # Off the scale or aggregated: the same rule.
        (4.3, (3.3, 4.3, 5.3)),
        (1.5, (1, 1.5, 2.5)),
        (8.5, (7.5, 8.5, 9)),
        (0.8, (1 / 2.25, 0.8, 1)),  # 1/0.8 = 1.25 → (1, 1.25, 2.25), reversed and inverted
        (12.0, (11, 12, 12)),  # above 9 the upper end stays at the judgment
    ],
)
def test_it_maps_a_judgment_to_the_triangular_number_design_states(judgment, expected):
    np.testing.assert_allclose(fuzzy_ahp.to_tfn(judgment), expected, rtol=1e-12)


def test_a_judgment_within_rounding_of_one_maps_to_one():
    # An aggregated 1 can come out as 1 ± 1e-16; it must not widen to (1, 1, 2).
    np.testing.assert_array_equal(fuzzy_ahp.to_tfn([1 + 1e-15, 1 - 1e-15]), np.ones((2, 3)))


def test_every_scale_value_maps_to_an_ordered_number_and_mirrors_its_reciprocal():
    tfn = fuzzy_ahp.to_tfn(VALUES)
    assert np.all(tfn[:, 0] <= tfn[:, 1]) and np.all(tfn[:, 1] <= tfn[:, 2])
    np.testing.assert_allclose(tfn[:, 1], VALUES)
    np.testing.assert_allclose(tfn[::-1], 1.0 / tfn[:, ::-1], rtol=1e-12)


@pytest.mark.parametrize("case", crisp_cases("fuzzy_ahp_buckley"), ids=lambda case: case["id"])
def test_the_mapping_gives_the_reference_fuzzy_matrix(case):
    tfn = fuzzy_ahp.to_tfn(case["inputs"]["crisp_matrix"])
    np.testing.assert_allclose(tfn, case["inputs"]["tfn_matrix"], rtol=0, atol=TOLERANCE)


# --- Buckley -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case", variant_cases("fuzzy_ahp_buckley"), ids=case_ids("fuzzy_ahp_buckley")
)
def test_buckley_reproduces_every_reference_step(case):
    result = fuzzy_ahp.buckley(case["inputs"]["tfn_matrix"])
    expected = case["expected"]
    for field, key in [
        ("geometric_means", "fuzzy_geometric_means_r"),
        ("fuzzy_weights", "fuzzy_weights"),
        ("centroid", "centroid"),
        ("weights", "weights"),
    ]:
        np.testing.assert_allclose(getattr(result, field), expected[key], atol=TOLERANCE)


@pytest.mark.parametrize("case", crisp_cases("fuzzy_ahp_buckley"), ids=lambda case: case["id"])
def test_priorities_by_buckley_give_the_reference_weights_from_the_crisp_matrix(case):
    matrix = np.array(case["inputs"]["crisp_matrix"])
    result = ahp.priorities(matrix, method="fuzzy_buckley")
    np.testing.assert_allclose(result.weights, case["expected"]["weights"], atol=TOLERANCE)
    # λmax of the crisp matrix with these weights, (1/t) Σ (A w)_x / w_x.
    w = result.weights
    assert result.lambda_max == pytest.approx(np.mean(matrix @ w / w), abs=1e-12)
    t = len(w)
    assert result.ci == pytest.approx((result.lambda_max - t) / (t - 1), abs=1e-12)
    assert result.cr == pytest.approx(result.ci / result.ri, abs=1e-12)
    assert not result.zero_weights.any()


@pytest.mark.parametrize(
    "case", variant_cases("fuzzy_ahp_buckley"), ids=case_ids("fuzzy_ahp_buckley")
)
def test_buckley_divides_fuzzily_rather_than_normalising_the_centroids_of_r(case):
    # The file records a variant (normalise the centroid of r); the engine is not that one.
    weights = fuzzy_ahp.buckley(case["inputs"]["tfn_matrix"]).weights
    variant = case["expected"]["variant_multiAHPy_centroid_of_r_then_normalise"]
    assert np.abs(weights - variant).max() > 1e-4


def test_buckley_on_a_two_by_two_matrix_by_hand():
    # [[1, 3], [1/3, 1]] → rows ((1,1,1), (2,3,4)) and ((1,1,1), (1/4,1/3,1/2)).
    # r1 = (√2, √3, 2), r2 = (1/2, 1/√3, 1/√2); Σl = √2 + 1/2, Σm = 4/√3, Σu = 2 + 1/√2
    # = √2 (√2 + 1/2). Fuzzy weights w1 = (1/s, 3/4, 2/s), w2 = (1/(2√2 s), 1/4, 1/(√2 s))
    # with s = √2 + 1/2; centroids c1 = 1/s + 1/4, c2 = 1/(2√2 s) + 1/12.
    s = sqrt(2) + 0.5
    result = fuzzy_ahp.buckley(fuzzy_ahp.to_tfn([[1, 3], [1 / 3, 1]]))
    np.testing.assert_allclose(
        result.fuzzy_weights,
        [[1 / s, 3 / 4, 2 / s], [1 / (2 * sqrt(2) * s), 1 / 4, 1 / (sqrt(2) * s)]],
        rtol=1e-12,
    )
    c = np.array([1 / s + 1 / 4, 1 / (2 * sqrt(2) * s) + 1 / 12])
    np.testing.assert_allclose(result.centroid, c, rtol=1e-12)
    np.testing.assert_allclose(result.weights, c / c.sum(), rtol=1e-12)


def test_a_two_by_two_matrix_keeps_cr_zero_under_a_fuzzy_method():
    result = ahp.priorities([[1, 3], [1 / 3, 1]], method="fuzzy_buckley")
    w = result.weights
    assert result.lambda_max == pytest.approx((2 + 3 * w[1] / w[0] + w[0] / (3 * w[1])) / 2)
    assert result.lambda_max > 2
    assert result.ci == 0 and result.cr == 0


@settings(max_examples=100, deadline=None)
@given(scale_matrices(min_t=2))
def test_buckley_weights_follow_a_relabelling_of_the_elements(matrix):
    order = np.arange(len(matrix))[::-1]
    weights = ahp.priorities(matrix, "fuzzy_buckley").weights
    relabelled = ahp.priorities(matrix[np.ix_(order, order)], "fuzzy_buckley").weights
    np.testing.assert_allclose(relabelled, weights[order], rtol=1e-12, atol=1e-15)
    assert weights.sum() == pytest.approx(1.0)
    assert np.all(weights > 0)


# --- Chang -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", variant_cases("fuzzy_ahp_chang"), ids=case_ids("fuzzy_ahp_chang"))
def test_chang_reproduces_every_reference_step(case):
    result = fuzzy_ahp.chang(case["inputs"]["tfn_matrix"])
    expected = case["expected"]
    for field, key in [
        ("extents", "synthetic_extents_S"),
        ("possibility", "V_matrix_row_i_col_k_is_V_Si_ge_Sk"),
        ("d_prime", "d_prime"),
        ("weights", "weights"),
    ]:
        np.testing.assert_allclose(getattr(result, field), expected[key], atol=TOLERANCE)


@pytest.mark.parametrize("case", crisp_cases("fuzzy_ahp_chang"), ids=lambda case: case["id"])
def test_priorities_by_chang_show_the_zero_weights_and_an_infinite_cr(case):
    expected = case["expected"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divide-by-zero warning may leak
        result = ahp.priorities(case["inputs"]["crisp_matrix"], method="fuzzy_chang")
    np.testing.assert_allclose(result.weights, expected["weights"], atol=TOLERANCE)
    assert list(np.flatnonzero(result.zero_weights)) == expected["zero_weight_indices"]
    # (A w)_x / w_x has no finite value for w_x = 0: λmax, CI, CR are +inf, never consistent.
    assert result.lambda_max == np.inf and result.ci == np.inf and result.cr == np.inf
    assert result.consistent is False


def test_chang_on_two_by_two_matrices_by_hand():
    # [[1, 2], [1/2, 1]]: row sums (2, 3, 4) and (4/3, 3/2, 2); Σl = 10/3, Σm = 9/2, Σu = 6.
    # S1 = (1/3, 2/3, 6/5), S2 = (2/9, 1/3, 3/5). V(S2 ≥ S1) = (l1 − u2)/((m2 − u2) − (m1 − l1))
    # = (−4/15)/(−4/15 − 1/3) = 4/9, so d' = (1, 4/9) and w = (9/13, 4/13).
    result = fuzzy_ahp.chang(fuzzy_ahp.to_tfn([[1, 2], [1 / 2, 1]]))
    np.testing.assert_allclose(result.extents, [[1 / 3, 2 / 3, 6 / 5], [2 / 9, 1 / 3, 3 / 5]])
    np.testing.assert_allclose(result.possibility, [[1, 1], [4 / 9, 1]], rtol=1e-12)
    np.testing.assert_allclose(result.weights, [9 / 13, 4 / 13], rtol=1e-12)
    # [[1, 3], [1/3, 1]]: S1 = (6/13, 3/4, 20/17), S2 = (5/26, 1/4, 6/17); l1 = 6/13 ≥ u2 =
    # 6/17, so V(S2 ≥ S1) = 0: a judgment of 3 already leaves the second element weightless.
    result = ahp.priorities([[1, 3], [1 / 3, 1]], method="fuzzy_chang")
    np.testing.assert_array_equal(result.weights, [1.0, 0.0])
    np.testing.assert_array_equal(result.zero_weights, [False, True])
    assert result.lambda_max == np.inf and result.cr == 0  # t ≤ 2: CR is 0 by definition


def test_chang_gives_equal_weights_to_equal_judgments():
    result = ahp.priorities(np.ones((4, 4)), method="fuzzy_chang")
    np.testing.assert_allclose(result.weights, 0.25)
    assert result.cr == 0


# --- stacks ------------------------------------------------------------------------------


def random_stack(count: int, t: int, seed: int = 11) -> np.ndarray:
    upper = np.random.default_rng(seed).choice(VALUES, size=(count, t * (t - 1) // 2))
    return ahp.from_upper(upper, t)


@pytest.mark.parametrize("method", ahp.FUZZY_METHODS)
def test_a_stack_spanning_several_chunks_equals_matrix_by_matrix(method):
    stack = random_stack(2 * ahp.CHUNK + 5, 4)
    batch = ahp.priorities(stack, method=method)
    assert batch.weights.shape == (len(stack), 4) and batch.cr.shape == (len(stack),)
    for k in [0, 1, ahp.CHUNK - 1, ahp.CHUNK, 2 * ahp.CHUNK + 4]:
        one = ahp.priorities(stack[k], method=method)
        np.testing.assert_allclose(batch.weights[k], one.weights, atol=1e-12)
        np.testing.assert_array_equal(batch.zero_weights[k], one.zero_weights)
        assert batch.cr[k] == pytest.approx(one.cr, abs=1e-12)


def test_a_stack_under_chang_flags_zero_weights_per_matrix():
    stack = np.stack([np.ones((3, 3)), ahp.from_upper([9, 5, 1 / 3])])
    result = ahp.priorities(stack, method="fuzzy_chang")
    np.testing.assert_array_equal(result.zero_weights.any(axis=-1), [False, True])
    np.testing.assert_array_equal(result.consistent, [True, False])


def test_fuzzy_steps_take_a_stack_of_fuzzy_matrices():
    stack = random_stack(3, 5)
    tfn = fuzzy_ahp.to_tfn(stack)
    assert tfn.shape == (3, 5, 5, 3)
    for k in range(3):
        np.testing.assert_allclose(
            fuzzy_ahp.buckley(tfn).weights[k], fuzzy_ahp.buckley(tfn[k]).weights
        )
        np.testing.assert_allclose(
            fuzzy_ahp.chang(tfn).possibility[k], fuzzy_ahp.chang(tfn[k]).possibility
        )


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tfn", "message"),
    [
        (np.ones((3, 3)), fuzzy_ahp.NOT_TFN_STACK),
        (np.ones((3, 2, 3)), fuzzy_ahp.NOT_TFN_STACK),
        ("abc", fuzzy_ahp.NOT_TFN_STACK),
        (np.zeros((2, 2, 3)), fuzzy_ahp.NOT_POSITIVE_TFN),
        (np.full((2, 2, 3), np.nan), fuzzy_ahp.NOT_POSITIVE_TFN),
        (np.tile([2.0, 1.0, 3.0], (2, 2, 1)), fuzzy_ahp.NOT_ORDERED_TFN),
    ],
)
@pytest.mark.parametrize("step", [fuzzy_ahp.buckley, fuzzy_ahp.chang])
def test_it_rejects_what_is_not_a_stack_of_triangular_numbers(step, tfn, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        step(tfn)


def test_priorities_by_a_fuzzy_method_still_validate_the_crisp_matrix():
    with pytest.raises(ValueError, match=re.escape(ahp.NOT_RECIPROCAL)):
        ahp.priorities([[1, 3], [3, 1]], method="fuzzy_buckley")
