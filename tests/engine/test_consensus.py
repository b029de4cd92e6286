import math
import re

import numpy as np
import pytest
from hypothesis import given, settings

from evaluations.engine import ahp, consensus

from .strategies import stacks, weight_vectors


def dominance_matrix(n: int, j: int) -> np.ndarray:
    """Element j is 9 times as important as every other; the others are equal."""
    matrix = np.ones((n, n))
    matrix[j, :] = 9.0
    matrix[:, j] = 1 / 9
    matrix[j, j] = 1.0
    return matrix


def s_star_by_hand(p: list[list[float]], m: float = 9) -> float:
    """DESIGN §2.5 written out with plain loops, to check the vectorised version."""
    k, n = len(p), len(p[0])
    h_alpha = sum(-x * math.log(x) for row in p for x in row) / k
    mean = [sum(row[j] for row in p) / k for j in range(n)]
    h_gamma = sum(-x * math.log(x) for x in mean)
    d_beta = math.exp(h_gamma - h_alpha)
    a, b = m / (n + m - 1), 1 / (n + m - 1)
    cor = n / math.exp(-a * math.log(a) - (n - 1) * b * math.log(b))
    return (1 / d_beta - 1 / cor) / (1 - 1 / cor)


def test_identical_experts_have_full_consensus():
    p = [[0.5, 0.3, 0.2]] * 4
    assert consensus.s_star(p) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("n", range(2, 10))
def test_experts_each_preferring_a_different_element_at_the_maximum_have_none(n):
    stack = np.array([dominance_matrix(n, j) for j in range(n)])
    p = ahp.priorities(stack, "eigenvector").weights
    assert consensus.s_star(p) == pytest.approx(0.0, abs=1e-9)


def test_it_follows_the_formula_of_the_design():
    p = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.4, 0.4, 0.2]]
    assert consensus.s_star(p) == pytest.approx(s_star_by_hand(p), abs=1e-12)
    assert consensus.s_star(p, scale_max=5) == pytest.approx(s_star_by_hand(p, 5), abs=1e-12)


def test_a_single_element_leaves_nothing_to_disagree_on():
    assert consensus.s_star([[1.0], [1.0]]) == 1.0


@settings(max_examples=150, deadline=None)
@given(stacks(min_k=2))
def test_consensus_of_scale_judgments_lies_between_zero_and_one(stack):
    p = ahp.priorities(stack, "eigenvector").weights
    assert -1e-9 <= consensus.s_star(p) <= 1 + 1e-9


@settings(max_examples=100, deadline=None)
@given(weight_vectors(t=4), weight_vectors(t=4))
def test_consensus_does_not_depend_on_the_order_of_experts(first, second):
    assert consensus.s_star([first, second]) == pytest.approx(
        consensus.s_star([second, first]), abs=1e-12
    )


@pytest.mark.parametrize(
    ("p", "message"),
    [
        ([[0.5, 0.5]], consensus.TOO_FEW_EXPERTS),
        ([0.5, 0.5], consensus.NOT_A_TABLE),
        ([[0.5, 0.6], [0.5, 0.5]], consensus.NOT_PRIORITIES),
        ([[1.5, -0.5], [0.5, 0.5]], consensus.NOT_PRIORITIES),
    ],
)
def test_it_rejects_what_is_no_set_of_priorities(p, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        consensus.s_star(p)


def test_overall_consensus_is_the_mean_weighted_by_global_weight():
    assert consensus.overall([1.0, 0.5, 0.0], [0.5, 0.25, 0.25]) == pytest.approx(0.625)
    assert consensus.overall([0.8, 0.4], [2, 2]) == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("s", "g", "message"),
    [
        ([0.5, 0.5], [1.0], consensus.LENGTHS_DIFFER),
        ([0.5, 0.5], [0.0, 0.0], consensus.BAD_GLOBAL_WEIGHTS),
        ([0.5, 0.5], [1.0, -1.0], consensus.BAD_GLOBAL_WEIGHTS),
        ([0.5, np.nan], [1.0, 1.0], consensus.NOT_A_NUMBER),
    ],
)
def test_it_rejects_an_overall_consensus_that_does_not_add_up(s, g, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        consensus.overall(s, g)


@pytest.mark.parametrize(
    ("s", "word"),
    [
        (0.0, "very low"),
        (0.4999, "very low"),
        (0.50, "low"),
        (0.6499, "low"),
        (0.65, "moderate"),
        (0.75, "high"),
        (0.8499, "high"),
        (0.85, "very high"),
        (1.0, "very high"),
    ],
)
def test_it_puts_consensus_into_words(s, word):
    assert consensus.describe(s) == word


def test_it_has_no_word_for_a_missing_consensus():
    with pytest.raises(ValueError, match=re.escape(consensus.NOT_A_NUMBER)):
        consensus.describe(float("nan"))
