import math
import re
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.engine import stats


def test_an_order_maps_to_scores_k_down_to_1():
    scores = stats.ranking_scores([[2, 0, 3, 1], [0, 1, 2, 3]], k=4)
    np.testing.assert_array_equal(scores, [[3, 1, 4, 2], [4, 3, 2, 1]])


def test_groups_left_out_of_a_partial_order_are_missing():
    scores = stats.ranking_scores([[1, 0]], k=3)
    assert scores[0, 1] == 3 and scores[0, 0] == 2 and math.isnan(scores[0, 2])


@pytest.mark.parametrize(
    ("orders", "message"),
    [
        ([[0, 4]], stats.UNKNOWN_GROUP),
        ([[1, 1]], stats.REPEATED_GROUP),
        ([[-1]], stats.UNKNOWN_GROUP),
    ],
)
def test_it_rejects_an_order_that_is_no_ranking(orders, message):
    with pytest.raises(ValueError, match=re.escape(f"{message} (respondent 0)")):
        stats.ranking_scores(orders, k=4)


def test_it_needs_at_least_one_group():
    with pytest.raises(ValueError, match=re.escape(stats.BAD_GROUP_COUNT)):
        stats.ranking_scores([], k=0)


values = st.lists(st.one_of(st.none(), st.integers(1, 4).map(float)), min_size=2, max_size=60)


@settings(max_examples=150, deadline=None)
@given(values)
def test_it_describes_scores_as_the_statistics_module_does(sample):
    valid = [x for x in sample if x is not None]
    summary = stats.describe(sample)
    assert (summary.n, summary.missing) == (len(valid), len(sample) - len(valid))
    if len(valid) >= 2:
        assert summary.mean == pytest.approx(statistics.fmean(valid), abs=1e-12)
        assert summary.variance == pytest.approx(statistics.variance(valid), abs=1e-12)
        assert summary.sd == pytest.approx(statistics.stdev(valid), abs=1e-12)
        assert summary.se == pytest.approx(statistics.stdev(valid) / math.sqrt(len(valid)))


def test_too_few_answers_leave_the_spread_undefined():
    summary = stats.describe([4.0, float("nan")])
    assert (summary.n, summary.missing, summary.mean) == (1, 1, 4.0)
    assert math.isnan(summary.sd) and math.isnan(summary.se) and math.isnan(summary.variance)
    assert math.isnan(stats.describe([None, None]).mean)


def test_it_rejects_infinite_scores():
    with pytest.raises(ValueError, match=re.escape(stats.NOT_FINITE)):
        stats.describe([1.0, float("inf")])


def test_a_key_factor_exceeds_eighty_percent_of_the_top_score():
    threshold = stats.key_threshold(4)
    assert threshold == pytest.approx(3.2)
    assert stats.is_key(3.72, threshold)
    assert not stats.is_key(3.2, threshold)
    assert not stats.is_key(2.9, threshold)
