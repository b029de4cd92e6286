import math
import re
import statistics
import warnings

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from evaluations.engine import screening
from evaluations.engine.screening import (
    choices,
    concordance,
    descriptive,
    experts,
    ranking,
    rounds,
    validation,
)

from .reference import TOLERANCE, load

FAST = settings(max_examples=150, deadline=None)
REFERENCE = load("screening.json")
LIKERT = REFERENCE["likert"]
NAN = float("nan")


def likert_tables(levels: int = 5, max_respondents: int = 30, max_items: int = 8):
    """Ratings 1 … levels with some "cannot judge" (NaN), as a respondents × items table."""
    cell = st.one_of(st.integers(1, levels).map(float), st.just(NAN))
    shape = st.tuples(st.integers(0, max_respondents), st.integers(0, max_items))
    return shape.flatmap(lambda s: hnp.arrays(float, s, elements=cell))


# Ranking questions (the micro-store study) ------------------------------------------------


def test_an_order_maps_to_scores_t_down_to_1():
    scores = screening.ranking_scores([[2, 0, 3, 1], [0, 1, 2, 3]], t=4)
    np.testing.assert_array_equal(scores, [[3, 1, 4, 2], [4, 3, 2, 1]])


def test_a_respondent_who_ranks_only_the_first_places_gives_the_first_t_points():
    scores = screening.ranking_scores([[1, 0]], t=3)
    assert scores[0, 1] == 3 and scores[0, 0] == 2 and math.isnan(scores[0, 2])


def test_a_coordinator_may_set_the_points_per_place_with_ties_between_places():
    scores = screening.ranking_scores([[2, 0, 1], [1]], t=3, scoring=[5, 3, 3])
    np.testing.assert_array_equal(scores[0], [3, 3, 5])
    assert scores[1, 1] == 5 and np.isnan(scores[1, [0, 2]]).all()


@pytest.mark.parametrize(
    "scoring",
    [[3, 4, 1], [3, 2, 0], [3, 2, -1], [3, 2], [3, 2, 1, 0.5], [3, NAN, 1], [3, math.inf, 1]],
)
def test_it_rejects_points_that_rise_or_are_not_positive_finite_or_not_one_per_place(scoring):
    with pytest.raises(ValueError, match=re.escape(ranking.BAD_SCORING)):
        screening.ranking_scores([[0, 1, 2]], t=3, scoring=scoring)


@pytest.mark.parametrize(
    ("orders", "message"),
    [
        ([[0, 4]], f"{ranking.UNKNOWN_ITEM} (respondent 0)"),
        ([[1, 2], [1, 1]], f"{ranking.REPEATED_ITEM} (respondent 1)"),
        ([[-1]], f"{ranking.UNKNOWN_ITEM} (respondent 0)"),
        ([[2**70]], ranking.UNKNOWN_ITEM),
        ([[1.0]], ranking.NOT_AN_ORDER),
        ([[True]], ranking.NOT_AN_ORDER),
        ([["1"]], ranking.NOT_AN_ORDER),
        ([3], ranking.NOT_AN_ORDER),
        ("0123", ranking.NOT_AN_ORDER),
    ],
)
def test_it_rejects_an_order_that_is_no_ranking(orders, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.ranking_scores(orders, t=4)


@pytest.mark.parametrize("t", [0, -1, 2.0, True])
def test_it_needs_a_whole_number_of_items(t):
    with pytest.raises(ValueError, match=re.escape(ranking.BAD_ITEM_COUNT)):
        screening.ranking_scores([], t=t)


@st.composite
def partial_orders(draw) -> tuple[int, list[list[int]]]:
    """t and respondents' orders, each ranking the first k places of a permutation of 0 … t − 1."""
    t = draw(st.integers(1, 7))
    order = st.permutations(range(t)).flatmap(lambda p: st.integers(0, t).map(lambda k: p[:k]))
    return t, draw(st.lists(order, max_size=20))


@FAST
@given(partial_orders())
def test_each_ranked_place_scores_its_points_and_no_two_items_share_a_place(case):
    t, orders = case
    scores = screening.ranking_scores(orders, t)
    assert scores.shape == (len(orders), t)
    for row, order in zip(scores, orders, strict=True):
        assert (~np.isnan(row)).sum() == len(order)
        assert sorted(row[~np.isnan(row)], reverse=True) == list(range(t, t - len(order), -1))


def test_the_micro_store_reference_scores_give_the_reference_statistics():
    case = REFERENCE["ranking"]["r1"]
    result = screening.describe(np.array(case["scores"], dtype=float))
    for field in ("valid", "missing", "mean", "se", "sd", "variance"):
        expected = [item[field] for item in case["items"]]
        np.testing.assert_allclose(getattr(result, field), expected, rtol=0, atol=TOLERANCE)
    key = screening.key_factors(result.mean, case["threshold"])
    assert key.tolist() == [item["key_factor"] for item in case["items"]]


def test_the_reference_scores_come_back_from_the_orders_they_encode():
    scores = np.array(REFERENCE["ranking"]["r1"]["scores"], dtype=float)
    # A respondent's order: the items by falling score, the unranked (NaN) left out.
    orders = [
        [int(i) for i in np.argsort(-np.nan_to_num(row)) if not np.isnan(row[i])] for row in scores
    ]
    np.testing.assert_array_equal(screening.ranking_scores(orders, t=4), scores)


def test_a_key_factor_exceeds_eighty_percent_of_the_top_score_strictly():
    threshold = screening.key_threshold(4)
    assert threshold == pytest.approx(3.2)
    assert screening.is_key(3.72, threshold)
    assert not screening.is_key(3.2, threshold)
    assert not screening.is_key(2.9, threshold)
    assert screening.key_factors([3.72, 3.2, 2.9, NAN], threshold).tolist() == [
        True,
        False,
        False,
        False,
    ]


def test_a_coordinators_scoring_sets_the_top_score_of_the_threshold():
    assert screening.key_threshold(10, share=0.5) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("top", "share", "message"),
    [
        (0, 0.8, ranking.BAD_TOP_SCORE),
        (NAN, 0.8, ranking.BAD_TOP_SCORE),
        (4, 0, ranking.BAD_SHARE),
        (4, 1.5, ranking.BAD_SHARE),
        (4, "0.8", ranking.BAD_SHARE),
    ],
)
def test_it_rejects_a_threshold_that_is_no_share_of_a_positive_top_score(top, share, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.key_threshold(top, share)


def test_a_key_factor_threshold_must_be_a_number():
    with pytest.raises(ValueError, match=re.escape(ranking.BAD_THRESHOLD)):
        screening.key_factors([3.0], NAN)


# Descriptive statistics --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LIKERT))
def test_it_reproduces_the_reference_rating_statistics(name):
    case = LIKERT[name]
    result = screening.describe(case["answers"], full_score=case["levels"])
    for field in ("mean", "sd", "cv", "median", "iqr", "full_score_share"):
        expected = [item[field] for item in case["items"]]
        np.testing.assert_allclose(getattr(result, field), expected, rtol=0, atol=TOLERANCE)
    assert result.valid.tolist() == [item["valid"] for item in case["items"]]
    assert result.missing.tolist() == [item["dont_know"] for item in case["items"]]
    np.testing.assert_array_equal(
        result.full_score_count, np.round(result.full_score_share * result.valid)
    )


def test_the_studys_printed_column_follows_from_its_n_and_sd():
    # Credit risk in the micro-store study: N 215, SD 0.727 → SE 0.05, variance 0.529.
    assert round(float(descriptive.se_from(0.727, 215)), 2) == 0.05
    assert round(0.727**2, 3) == 0.529
    # 215 rankings with that column: 4 points 179 times, 3 23 times, 2 twice, 1 11 times.
    column = np.repeat([4.0, 3.0, 2.0, 1.0], [179, 23, 2, 11])[:, None]
    result = screening.describe(column)
    assert result.valid[0] == 215
    assert round(result.mean[0], 2) == 3.72
    assert round(result.sd[0], 3) == 0.727  # ddof 0 would print 0.726
    assert round(result.se[0], 2) == 0.05
    assert round(result.variance[0], 3) == 0.529
    assert screening.key_factors(result.mean, screening.key_threshold(4)).tolist() == [True]


def test_the_standard_error_is_the_sample_sd_over_the_root_of_n():
    result = screening.describe([[1.0], [2.0], [3.0], [4.0]])
    sample_sd = statistics.stdev([1, 2, 3, 4])
    assert result.sd[0] == pytest.approx(sample_sd, abs=1e-12)
    assert result.se[0] == pytest.approx(sample_sd / 2, abs=1e-12)
    # Neither the population SD nor √(N − 1) in the denominator.
    assert result.se[0] != pytest.approx(statistics.pstdev([1, 2, 3, 4]) / 2, abs=1e-3)
    assert result.se[0] != pytest.approx(sample_sd / math.sqrt(3), abs=1e-3)


def test_a_hand_computed_table_with_cannot_judge_left_out():
    result = screening.describe([[5, 1], [4, None], [NAN, 3], [5, 2]], full_score=5)
    assert result.valid.tolist() == [3, 3] and result.missing.tolist() == [1, 1]
    np.testing.assert_allclose(result.mean, [14 / 3, 2.0])
    np.testing.assert_allclose(result.variance, [1 / 3, 1.0])
    np.testing.assert_allclose(result.cv, [math.sqrt(1 / 3) / (14 / 3), 0.5])
    np.testing.assert_allclose(result.median, [5.0, 2.0])
    np.testing.assert_allclose(result.iqr, [0.5, 1.0])  # Q1 4.5, Q3 5; Q1 1.5, Q3 2.5
    assert result.full_score_count.tolist() == [2, 0]
    np.testing.assert_allclose(result.full_score_share, [2 / 3, 0.0])


def test_without_a_full_score_there_is_no_full_score_share():
    result = screening.describe([[1.0, 2.0]])
    assert result.full_score_share is None and result.full_score_count is None


def test_too_few_answers_leave_the_statistics_undefined_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = screening.describe([[4.0, NAN, 0.0], [NAN, NAN, 0.0]], full_score=5)
        empty = screening.describe(np.empty((0, 2)))
    assert result.valid.tolist() == [1, 0, 2]
    assert result.mean[0] == 4.0 and result.median[0] == 4.0 and result.iqr[0] == 0.0
    for field in ("sd", "variance", "se", "cv"):
        assert np.isnan(getattr(result, field)[:2]).all()
    assert np.isnan([result.mean[1], result.median[1], result.iqr[1]]).all()
    assert np.isnan(result.full_score_share[1])
    assert np.isnan(result.cv[2])  # mean 0
    assert np.isnan(empty.mean).all() and empty.valid.tolist() == [0, 0]


@FAST
@given(likert_tables())
def test_it_describes_every_item_as_numpy_and_the_statistics_module_do(table):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = screening.describe(table, full_score=5)
    for j in range(table.shape[1]):
        valid = table[~np.isnan(table[:, j]), j]
        assert result.valid[j] == len(valid) and result.missing[j] == len(table) - len(valid)
        if len(valid) == 0:
            continue
        assert result.mean[j] == pytest.approx(statistics.fmean(valid), abs=1e-12)
        assert result.median[j] == pytest.approx(np.median(valid), abs=1e-12)
        q1, q3 = np.quantile(valid, [0.25, 0.75])
        assert result.iqr[j] == pytest.approx(q3 - q1, abs=1e-12)
        assert result.full_score_share[j] == pytest.approx(np.mean(valid == 5), abs=1e-12)
        if len(valid) >= 2:
            sd = statistics.stdev(valid)
            assert result.variance[j] == pytest.approx(statistics.variance(valid), abs=1e-12)
            assert result.sd[j] == pytest.approx(sd, abs=1e-12)
            assert result.se[j] == pytest.approx(sd / math.sqrt(len(valid)), abs=1e-12)
            assert result.cv[j] == pytest.approx(sd / statistics.fmean(valid), abs=1e-12)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([1.0, 2.0], validation.NOT_A_TABLE),
        ([[[1.0]]], validation.NOT_A_TABLE),
        ([[1.0, 2.0], [3.0]], validation.NOT_NUMERIC),
        ([[1.0, "high"]], validation.NOT_NUMERIC),
        ([[1.0, math.inf]], validation.NOT_FINITE),
        ([[1.0, -math.inf]], validation.NOT_FINITE),
        (None, validation.NOT_A_TABLE),
    ],
)
def test_it_rejects_answers_that_are_no_table_of_numbers(answers, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.describe(answers)


@pytest.mark.parametrize("full_score", [NAN, math.inf, "5"])
def test_the_full_score_must_be_a_finite_number(full_score):
    with pytest.raises(ValueError, match=re.escape(descriptive.BAD_FULL_SCORE)):
        screening.describe([[1.0]], full_score=full_score)


def test_huge_answers_overflow_quietly_instead_of_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = screening.describe([[1e308, 1e308], [1e308, -1e308]])
    assert result.valid.tolist() == [2, 2]


# Agreement and consensus -------------------------------------------------------------------


def test_agreement_defaults_to_4_of_5_and_7_of_9():
    assert screening.default_agreement_level(5) == 4
    assert screening.default_agreement_level(9) == 7
    assert screening.default_agreement_level(7) == 6
    assert screening.default_agreement_level(2) == 2


@pytest.mark.parametrize("levels", [1, 0, 5.0, True, "5"])
def test_the_agreement_default_needs_a_whole_number_of_levels(levels):
    with pytest.raises(ValueError, match=re.escape(descriptive.BAD_LEVELS)):
        screening.default_agreement_level(levels)


def test_the_agreement_share_counts_valid_ratings_at_or_above_the_level():
    share = screening.agreement_share([[5, 3, NAN], [4, 4, NAN], [NAN, 2, NAN]], at_least=4)
    np.testing.assert_allclose(share[:2], [1.0, 1 / 3])
    assert np.isnan(share[2])


@pytest.mark.parametrize("name", sorted(LIKERT))
def test_the_reference_agreement_matches_a_count_by_hand(name):
    case = LIKERT[name]
    level = screening.default_agreement_level(case["levels"])
    share = screening.agreement_share(case["answers"], level)
    for j in range(len(case["items"])):
        column = [row[j] for row in case["answers"] if row[j] is not None]
        assert share[j] == pytest.approx(sum(v >= level for v in column) / len(column))


def test_consensus_needs_a_narrow_iqr_and_enough_agreement():
    result = screening.consensus([0.5, 1.0, 1.0, 1.5, NAN], [0.8, 0.7, 0.69, 0.9, 0.9])
    assert result.tolist() == [True, True, False, False, False]
    assert screening.consensus([2.0], [0.5], max_iqr=2, min_agreement=0.5).tolist() == [True]


def test_consensus_holds_at_its_boundaries_despite_rounding():
    iqr = screening.describe([[1.0], [2.0], [2.0], [3.0]]).iqr  # 2.25 − 1.75
    assert screening.consensus(iqr, [7 / 10]).tolist() == [True]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_iqr": -1}, descriptive.BAD_MAX_IQR),
        ({"max_iqr": NAN}, descriptive.BAD_MAX_IQR),
        ({"min_agreement": 1.1}, descriptive.BAD_MIN_AGREEMENT),
        ({"min_agreement": None}, descriptive.BAD_MIN_AGREEMENT),
    ],
)
def test_consensus_thresholds_must_be_sensible(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.consensus([1.0], [1.0], **kwargs)


def test_consensus_needs_one_iqr_and_one_share_per_item():
    with pytest.raises(ValueError, match=re.escape(validation.LENGTHS_DIFFER)):
        screening.consensus([1.0, 1.0], [1.0])


# Kendall's W -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LIKERT))
def test_it_reproduces_the_reference_kendall_w(name):
    expected = LIKERT[name]["kendall"]
    result = screening.kendall_w(LIKERT[name]["answers"])
    assert result.experts == expected["experts_complete"]
    assert result.df == expected["df"]
    for field, key in (("w", "W"), ("chi2", "chi2"), ("p", "p")):
        assert getattr(result, field) == pytest.approx(expected[key], rel=0, abs=TOLERANCE)


def test_perfect_agreement_gives_w_1_and_opposite_orders_w_0():
    assert screening.kendall_w([[1, 2, 3], [1, 2, 3], [1, 2, 3]]).w == pytest.approx(1.0)
    assert screening.kendall_w([[1, 2, 3], [3, 2, 1]]).w == pytest.approx(0.0)


def test_a_hand_computed_w_with_ties():
    # Ranks: (1.5, 1.5, 3) and (1, 2, 3); R = (2.5, 3.5, 6), R̄ = 4, S = 2.25 + 0.25 + 4 = 6.5;
    # T = 2³ − 2 = 6; W = 12·6.5 / (4·24 − 2·6) = 78 / 84.
    result = screening.kendall_w([[1, 1, 5], [2, 3, 4]])
    assert result.w == pytest.approx(78 / 84, abs=1e-12)
    assert result.chi2 == pytest.approx(2 * 2 * 78 / 84, abs=1e-12)
    assert result.p == pytest.approx(scipy.stats.chi2.sf(4 * 78 / 84, 2), abs=1e-12)


def test_experts_with_a_missing_rating_are_left_out_of_w():
    result = screening.kendall_w([[1, 2, 3], [NAN, 2, 1], [1, 2, 3]])
    assert result.experts == 2 and result.w == pytest.approx(1.0)


def test_when_every_expert_ties_every_item_w_is_undefined():
    result = screening.kendall_w([[3, 3, 3], [5, 5, 5]])
    assert math.isnan(result.w) and math.isnan(result.chi2) and math.isnan(result.p)
    assert (result.df, result.experts) == (2, 2)


def test_experts_who_tie_everything_beside_others_who_do_not_still_give_a_w():
    result = screening.kendall_w([[3, 3, 3], [1, 2, 3]])
    assert result.w == pytest.approx(0.5)  # S = 2, denominator 4·24 − 2·24 = 48


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ([[1, 2, 3]], concordance.TOO_FEW_EXPERTS),
        ([[1, 2, 3], [1, NAN, 3]], concordance.TOO_FEW_EXPERTS),
        ([[1], [2]], concordance.TOO_FEW_ITEMS),
        (np.empty((0, 0)), concordance.TOO_FEW_ITEMS),
    ],
)
def test_kendall_w_needs_two_complete_experts_and_two_items(ratings, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.kendall_w(ratings)


@FAST
@given(
    # Friedman's test in scipy takes at least 3 items; two items are checked by hand above.
    st.tuples(st.integers(2, 12), st.integers(3, 8)).flatmap(
        lambda s: hnp.arrays(float, s, elements=st.integers(1, 4).map(float))
    )
)
def test_kendalls_chi2_is_friedmans_statistic_with_ties(table):
    result = screening.kendall_w(table)
    if np.all(table == table[:, :1]):  # every expert tied everything
        assert math.isnan(result.w)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns below its small-sample size
        friedman = scipy.stats.friedmanchisquare(*table.T)
    assert result.chi2 == pytest.approx(friedman.statistic, rel=0, abs=1e-9)
    assert result.p == pytest.approx(friedman.pvalue, rel=0, abs=1e-9)
    assert -1e-12 <= result.w <= 1 + 1e-12


# Boundary-value method ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LIKERT))
def test_it_reproduces_the_reference_boundary_values(name):
    case = LIKERT[name]
    stats = screening.describe(case["answers"], full_score=case["levels"])
    expected = case["boundary_value"]
    verdicts = screening.boundary_value(stats.mean, stats.full_score_share, stats.cv)
    assert verdicts == expected["verdicts"]
    limits = screening.boundary_thresholds(stats.mean, stats.full_score_share, stats.cv)
    for field, value in expected["thresholds"].items():
        assert getattr(limits, field) == pytest.approx(value, rel=0, abs=TOLERANCE)


def test_an_item_passing_all_three_is_kept_failing_all_dropped_otherwise_discussed():
    # Thresholds: means 2.5 − 1.29 = 1.21; shares 0.225 − 0.287 < 0, so every share passes;
    # CVs 0.375 + 0.359 = 0.734. The last item fails by its mean and CV only: discussed.
    verdicts = screening.boundary_value([4, 3, 2, 1], [0.6, 0.3, 0.0, 0.0], [0.1, 0.2, 0.3, 0.9])
    limits = screening.boundary_thresholds([4, 3, 2, 1], [0.6, 0.3, 0.0, 0.0], [0.1, 0.2, 0.3, 0.9])
    assert limits.mean == pytest.approx(2.5 - statistics.stdev([4, 3, 2, 1]))
    assert verdicts == ["keep", "keep", "keep", "discuss"]
    dropped = screening.boundary_value([5, 5, 1], [0.9, 0.9, 0.0], [0.1, 0.1, 0.8])
    assert dropped == ["keep", "keep", "drop"]


def test_an_item_at_a_threshold_passes_despite_rounding():
    assert screening.boundary_value([0.1] * 3, [0.1] * 3, [0.1] * 3) == ["keep"] * 3


def test_an_item_with_an_undefined_statistic_is_discussed():
    verdicts = screening.boundary_value([5, 5, 1, 3], [0.9, 0.9, 0.0, 0.5], [0.1, 0.1, 0.8, NAN])
    assert verdicts[3] == "discuss"
    assert screening.boundary_value([5], [1.0], [0.1]) == ["discuss"]  # no SD across one item
    assert screening.boundary_value([], [], []) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1, 2], [1, 2], [1]), validation.LENGTHS_DIFFER),
        (([[1, 2]], [1, 2], [1, 2]), validation.NOT_A_VECTOR),
        (([1, math.inf], [1, 2], [1, 2]), validation.VECTOR_NOT_FINITE),
        ((["a", 2], [1, 2], [1, 2]), validation.VECTOR_NOT_FINITE),
    ],
)
def test_boundary_values_need_one_finite_value_per_item_and_statistic(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.boundary_value(*args)


# Authority ---------------------------------------------------------------------------------


def test_it_reproduces_the_reference_authority_coefficients():
    case = REFERENCE["authority"]["a1"]
    assert list(case["influence_levels"]) == list(screening.INFLUENCE_LEVELS)
    cas, css = [], []
    for expert in case["experts"]:
        ca = screening.judgment_basis_coefficient(expert["influence"], case["basis_table"])
        cs = screening.familiarity_coefficient(expert["familiarity"], case["familiarity_table"])
        assert ca == pytest.approx(expert["Ca"], abs=TOLERANCE)
        assert cs == pytest.approx(expert["Cs"], abs=TOLERANCE)
        cas.append(ca)
        css.append(cs)
    cr = screening.authority(cas, css)
    np.testing.assert_allclose(cr, [e["Cr"] for e in case["experts"]], rtol=0, atol=TOLERANCE)
    assert screening.panel_authority(cr) == pytest.approx(case["panel_Cr"], abs=TOLERANCE)


def test_the_default_tables_are_the_reference_tables():
    case = REFERENCE["authority"]["a1"]
    assert {k: list(v) for k, v in screening.DEFAULT_BASIS_TABLE.items()} == case["basis_table"]
    assert dict(screening.DEFAULT_FAMILIARITY) == case["familiarity_table"]


def test_influence_may_be_named_or_given_by_index():
    named = {"practice": "high", "theory": "medium", "literature": "low", "intuition": "low"}
    indexed = {"practice": 0, "theory": 1, "literature": 2, "intuition": 2}
    assert screening.judgment_basis_coefficient(named) == pytest.approx(0.5 + 0.2 + 0.05 + 0.05)
    assert screening.judgment_basis_coefficient(indexed) == screening.judgment_basis_coefficient(
        named
    )


def test_the_highest_authority_is_1():
    top = dict.fromkeys(screening.BASES, "high")
    ca = screening.judgment_basis_coefficient(top)
    cs = screening.familiarity_coefficient("very familiar")
    assert screening.authority([ca], [cs])[0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ({"practice": "high"}, experts.BAD_BASIS_RATINGS),
        (
            {**dict.fromkeys(screening.BASES, "high"), "luck": "high"},
            experts.BAD_BASIS_RATINGS,
        ),
        (dict.fromkeys(screening.BASES, "very high"), experts.UNKNOWN_INFLUENCE),
        (dict.fromkeys(screening.BASES, 3), experts.UNKNOWN_INFLUENCE),
        (dict.fromkeys(screening.BASES, True), experts.UNKNOWN_INFLUENCE),
        (["high"] * 4, experts.BAD_BASIS_RATINGS),
    ],
)
def test_it_rejects_influence_ratings_that_do_not_rate_each_basis_once(ratings, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.judgment_basis_coefficient(ratings)


def _table(**changes):
    return {**{k: list(v) for k, v in screening.DEFAULT_BASIS_TABLE.items()}, **changes}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (_table(practice=[0.5, 0.4]), experts.BAD_BASIS_TABLE),
        (_table(practice=[0.5, 0.4, NAN]), experts.BAD_BASIS_TABLE),
        (_table(practice=[1.5, 0.4, 0.3]), experts.BAD_BASIS_TABLE),
        (_table(practice=[0.5, 0.4, -0.1]), experts.BAD_BASIS_TABLE),
        (_table(practice=[0.3, 0.4, 0.5]), experts.BAD_BASIS_TABLE),
        (_table(practice=["0.5", 0.4, 0.3]), experts.BAD_BASIS_TABLE),
        ({"practice": [0.5, 0.4, 0.3]}, experts.BAD_BASIS_TABLE),
        (_table(practice=[0.8, 0.4, 0.3]), experts.BASIS_TABLE_TOO_LARGE),
    ],
)
def test_it_rejects_a_basis_table_that_could_give_a_ca_outside_0_to_1(table, message):
    ratings = dict.fromkeys(screening.BASES, "low")
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.judgment_basis_coefficient(ratings, table)


def test_a_configured_familiarity_table_is_used():
    table = {"expert": 0.9, "novice": 0.3}
    assert screening.familiarity_coefficient("novice", table) == 0.3
    with pytest.raises(ValueError, match=re.escape(experts.UNKNOWN_FAMILIARITY)):
        screening.familiarity_coefficient("familiar", table)


@pytest.mark.parametrize("table", [{}, {"expert": 1.2}, {"expert": NAN}, {1: 0.5}, [0.5]])
def test_it_rejects_a_familiarity_table_outside_0_to_1(table):
    with pytest.raises(ValueError, match=re.escape(experts.BAD_FAMILIARITY_TABLE)):
        screening.familiarity_coefficient("expert", table)


@pytest.mark.parametrize(
    ("ca", "cs"), [([0.5], [0.5, 0.5]), ([1.5], [0.5]), ([NAN], [0.5]), (["a"], [0.5])]
)
def test_authority_needs_one_ca_and_one_cs_in_0_to_1_per_expert(ca, cs):
    with pytest.raises(ValueError, match=re.escape(experts.BAD_COEFFICIENTS)):
        screening.authority(ca, cs)


def test_a_panels_authority_needs_an_expert():
    with pytest.raises(ValueError, match=re.escape(experts.NO_EXPERTS)):
        screening.panel_authority([])


# Rounds ------------------------------------------------------------------------------------


def test_the_response_rate_is_responses_over_invitations():
    assert screening.response_rate(180, 200) == pytest.approx(0.9)
    assert screening.response_rate(0, 3) == 0.0


@pytest.mark.parametrize(
    ("responses", "invitations", "message"),
    [
        (0, 0, rounds.BAD_INVITATIONS),
        (1, -2, rounds.BAD_INVITATIONS),
        (1, 2.5, rounds.BAD_INVITATIONS),
        (3, 2, rounds.BAD_RESPONSES),
        (-1, 2, rounds.BAD_RESPONSES),
        (NAN, 2, rounds.BAD_RESPONSES),
        ("1", 2, rounds.BAD_RESPONSES),
    ],
)
def test_the_response_rate_needs_an_invitation_and_at_most_as_many_responses(
    responses, invitations, message
):
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.response_rate(responses, invitations)


def test_stability_compares_the_answers_given_in_both_rounds():
    previous = [[5, 4, NAN], [4, 4, 3], [3, 2, 3]]
    current = [[5, 5, 4], [4, 4, NAN], [4, 2, 3]]
    result = screening.stability(previous, current)
    assert result.answered_both.tolist() == [3, 3, 1]
    np.testing.assert_allclose(result.changed_share, [1 / 3, 1 / 3, 0.0])
    assert result.overall_changed_share == pytest.approx(2 / 7)
    before = screening.describe(previous).cv
    now = screening.describe(current).cv
    np.testing.assert_allclose(result.cv_change, now - before)
    assert result.cv_change[0] == pytest.approx(
        statistics.stdev([5, 4, 4]) / statistics.fmean([5, 4, 4]) - statistics.stdev([5, 4, 3]) / 4
    )


def test_stability_is_undefined_where_nobody_answered_both_rounds():
    result = screening.stability([[NAN, 1]], [[2, NAN]])
    assert np.isnan(result.changed_share).all() and math.isnan(result.overall_changed_share)


def test_stability_needs_the_same_respondents_and_items_in_both_rounds():
    with pytest.raises(ValueError, match=re.escape(rounds.ROUNDS_DIFFER)):
        screening.stability([[1, 2]], [[1, 2], [3, 4]])


# Multiple choice ---------------------------------------------------------------------------


def test_a_choice_table_counts_each_option_over_the_respondents_who_answered():
    table = screening.choice_table(
        [["price", "other"], "delivery", None, [], ["price"]], ["price", "delivery", "other"]
    )
    assert table.options == ("price", "delivery", "other")
    assert table.counts.tolist() == [2, 1, 1] and table.answered == 3
    np.testing.assert_allclose(table.percent, [200 / 3, 100 / 3, 100 / 3])
    assert table.percent.sum() > 100  # multiple selections


def test_a_single_choice_question_sums_to_100_percent():
    table = screening.choice_table([["a"], ["b"], ["a"], ["a"]], ["a", "b", "c"])
    assert table.percent.sum() == pytest.approx(100.0)
    assert table.percent.tolist()[2] == 0.0


def test_a_question_nobody_answered_has_no_shares():
    table = screening.choice_table([None, []], ["a"])
    assert table.answered == 0 and np.isnan(table.share).all()


@pytest.mark.parametrize(
    ("selections", "options", "message"),
    [
        ([["x"]], ["a", "b"], choices.UNKNOWN_OPTION),
        ([["a", "a"]], ["a", "b"], choices.REPEATED_OPTION),
        ([["a"]], [], choices.NO_OPTIONS),
        ([["a"]], ["a", "a"], choices.NO_OPTIONS),
        ([["a"]], [["a"]], choices.NO_OPTIONS),
        ([[["a"]]], ["a"], choices.NOT_SELECTIONS),
        ("a", ["a"], choices.NOT_SELECTIONS),
    ],
)
def test_it_rejects_selections_of_options_the_question_does_not_offer(selections, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        screening.choice_table(selections, options)
