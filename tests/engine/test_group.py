import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.engine import ahp

from .reference import cases
from .strategies import stacks

EXPERTS = cases("group")["three_experts_4"]["experts"]


@settings(max_examples=150, deadline=None)
@given(stacks(min_k=2), st.data())
def test_aij_and_aip_agree_with_the_geometric_method(stack, data):
    weights = data.draw(st.lists(st.floats(0.1, 10.0), min_size=len(stack), max_size=len(stack)))
    aij = ahp.aggregate(stack, "aij", weights=weights)
    aip = ahp.aggregate(stack, "aip", weights=weights)
    np.testing.assert_allclose(aij.weights, aip.weights, rtol=1e-9, atol=1e-12)
    assert aij.lambda_max == pytest.approx(aip.lambda_max, abs=1e-9)
    assert aij.cr == pytest.approx(aip.cr, abs=1e-9)


def test_the_group_result_carries_the_matrix_the_experts_and_their_weights():
    result = ahp.aggregate(EXPERTS, "aip", weighting="eigenvector")
    assert result.method == "aip"
    assert result.matrix.shape == (4, 4)
    assert result.individual.weights.shape == (3, 4)
    np.testing.assert_allclose(result.expert_weights, [1 / 3] * 3)
    np.testing.assert_allclose(result.matrix * result.matrix.T, np.ones((4, 4)))
    assert result.consistent is True


def test_aip_consistency_is_that_of_its_weights_against_the_aggregated_matrix():
    result = ahp.aggregate(EXPERTS, "aip", weighting="eigenvector")
    w = result.weights
    expected = np.mean(result.matrix @ w / w)
    assert result.lambda_max == pytest.approx(expected, abs=1e-12)
    assert result.ci == pytest.approx((expected - 4) / 3, abs=1e-12)
    assert result.cr == pytest.approx(result.ci / 0.96, abs=1e-12)


def test_identical_experts_aggregate_to_their_own_priorities():
    single = ahp.priorities(EXPERTS[0], "eigenvector")
    for method in ["aij", "aip"]:
        group = ahp.aggregate([EXPERTS[0]] * 3, method, weighting="eigenvector")
        np.testing.assert_allclose(group.weights, single.weights, atol=1e-12)
        assert group.cr == pytest.approx(single.cr, abs=1e-12)


def test_expert_weights_are_normalised_and_pull_the_group_toward_an_expert():
    even = ahp.aggregate(EXPERTS, weights=[2, 2, 2])
    assert even.weights == pytest.approx(ahp.aggregate(EXPERTS).weights, abs=1e-15)
    leaning = ahp.aggregate(EXPERTS, weights=[1, 1, 100])
    own = ahp.priorities(EXPERTS[2]).weights
    assert np.abs(leaning.weights - own).sum() < np.abs(even.weights - own).sum()


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1, 1], ahp.EXPERT_WEIGHTS_COUNT),
        ([1, 1, 0], ahp.EXPERT_WEIGHTS_POSITIVE),
        ([1, -1, 1], ahp.EXPERT_WEIGHTS_POSITIVE),
        ([1, np.inf, 1], ahp.EXPERT_WEIGHTS_POSITIVE),
    ],
)
def test_it_rejects_bad_expert_weights(weights, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ahp.aggregate(EXPERTS, weights=weights)


def test_it_rejects_a_single_matrix_for_aggregation():
    with pytest.raises(ValueError, match=re.escape(ahp.NOT_A_STACK)):
        ahp.aggregate(EXPERTS[0])


def test_it_rejects_an_unknown_aggregation():
    with pytest.raises(ValueError, match=re.escape(ahp.UNKNOWN_AGGREGATION)):
        ahp.aggregate(EXPERTS, "mean")
