"""RI variants, Saaty's CR limits by size, and AIP with the arithmetic mean (DESIGN §4).

Reference cases: variants.json → ri_tables and ri_alonso_lamata (tolerance 1e-12 as the file
states); the R package Prize's four-expert example (Dargahi; Forman & Peniwati 1998) with its
published AIJ matrix and AIP weights.
"""

import re
import warnings

import numpy as np
import pytest

from evaluations.engine import ahp, ri

from .reference import load

ALONSO_LAMATA = load("variants.json")["ri_alonso_lamata"]
TABLES = {table["name"]: table for table in load("variants.json")["ri_tables"]["tables"]}
MATRIX_3 = np.array([[1, 2, 5], [1 / 2, 1, 3], [1 / 5, 1 / 3, 1]])
MATRIX_5 = ahp.from_upper([2, 4, 6, 8, 2, 4, 6, 3, 5, 2])


# --- RI tables ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "name"),
    [
        ("saaty", "Saaty (1980) original"),
        ("saaty_later", "Saaty later table (e.g. Saaty 2008/2012)"),
    ],
)
def test_the_tables_equal_the_reference_file_up_to_nine_elements(choice, name):
    published = TABLES[name]["values"]
    assert dict(ri.TABLES[choice]) == {t: published[str(t)] for t in range(1, ri.MAX_ORDER + 1)}


def test_the_later_table_starts_as_design_says():
    assert [ri.random_index(t, "saaty_later") for t in (3, 4, 5)] == [0.52, 0.89, 1.11]


@pytest.mark.parametrize("choice", ri.CHOICES)
def test_every_choice_is_accepted_and_divides_ci_by_its_ri(choice):
    result = ahp.priorities(MATRIX_5, ri=choice)
    assert result.ri == ri.random_index(5, choice)
    assert result.cr == pytest.approx(result.ci / result.ri, rel=1e-12)
    group = ahp.aggregate(np.stack([MATRIX_5, MATRIX_5]), ri=choice)
    assert group.cr == pytest.approx(result.cr, rel=1e-12)


@pytest.mark.parametrize("choice", ri.CHOICES)
@pytest.mark.parametrize("t", [1, 2])
def test_matrices_of_one_or_two_elements_keep_cr_zero_under_every_choice(choice, t):
    matrix = np.array([[1.0, 7.0], [1 / 7, 1.0]])[:t, :t]
    result = ahp.priorities(matrix, ri=choice)
    assert result.ri == 0 and result.ci == 0 and result.cr == 0


def test_an_unknown_table_is_refused_with_the_choices_named():
    with pytest.raises(ValueError, match=re.escape(ri.UNKNOWN_TABLE)) as raised:
        ahp.priorities(MATRIX_3, ri="donegan_dodd")
    for choice in ri.CHOICES:
        assert repr(choice) in str(raised.value)
    assert "'donegan_dodd'" in str(raised.value)


def test_every_choice_refuses_more_than_nine_elements():
    for choice in ri.CHOICES:
        with pytest.raises(ValueError, match=re.escape(ri.TOO_LARGE)):
            ri.random_index(10, choice)


# --- Alonso & Lamata ---------------------------------------------------------------------


@pytest.mark.parametrize("case", ALONSO_LAMATA["cases"], ids=lambda case: case["id"])
def test_alonso_lamata_reproduces_the_reference_case(case):
    matrix, expected = case["inputs"]["matrix"], case["expected"]
    result = ahp.priorities(matrix, method="eigenvector", ri="alonso_lamata")
    assert result.lambda_max == pytest.approx(expected["lambda_max"], abs=1e-12)
    assert result.ci == pytest.approx(expected["CI"], abs=1e-12)
    assert result.cr == pytest.approx(expected["CR_alonso_lamata"], abs=1e-12)
    assert result.consistent is expected["accepted_at_10pct"]
    saaty = ahp.priorities(matrix, method="eigenvector", ri="saaty")
    assert saaty.cr == pytest.approx(expected["CR_saaty1980_RI"], abs=1e-12)
    # Their simulated table is a different RI from the fit's: CI over the table's value.
    table = TABLES["Alonso & Lamata (2006)"]["values"][str(len(matrix))]
    assert result.ci / table == pytest.approx(expected["CI_over_AL_table_RI"], abs=1e-12)


@pytest.mark.parametrize("case", ALONSO_LAMATA["cases"], ids=lambda case: case["id"])
def test_acceptance_at_ten_percent_is_lambda_below_the_published_threshold(case):
    n = len(case["inputs"]["matrix"])
    # CR < 0.1 ⇔ λmax < n + 0.1 (1.7699 n − 4.3513) = n + 0.1 · RI · (n − 1).
    threshold = n + 0.1 * ri.alonso_lamata_index(n) * (n - 1)
    assert threshold == pytest.approx(case["expected"]["lambda_threshold_10pct"], abs=1e-12)


def test_the_formula_is_the_published_fit():
    published = ALONSO_LAMATA["regression_check"]["published"]
    slope, intercept = (float(x) for x in re.findall(r"\d+\.\d+", published))
    assert (ri.SLOPE, ri.INTERCEPT) == (slope, intercept)
    for n in range(3, 10):
        # CR = (λmax − n)/(1.7699 n − 4.3513) for any λmax: check it through CI / RI.
        lambda_max = n + 0.37
        cr = (lambda_max - n) / (n - 1) / ri.alonso_lamata_index(n)
        assert cr == pytest.approx(0.37 / (1.7699 * n - 4.3513), rel=1e-12)


def test_the_fit_implies_ris_close_to_those_of_the_files_own_simulated_fit():
    # "lambda_bar = 2.7747 n -4.3803": the file's own simulation, a check on the published fit.
    fit = ALONSO_LAMATA["regression_check"]["own_simulation_fit"]
    slope, intercept = (float(x) for x in re.findall(r"\d+\.\d+", fit))
    for n in range(3, 10):
        simulated = (slope * n - intercept - n) / (n - 1)
        assert abs(ri.alonso_lamata_index(n) - simulated) < 0.01


# --- CR limits by size -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "limit"), [(1, 0.1), (2, 0.1), (3, 0.05), (4, 0.08), (5, 0.1), (9, 0.1)]
)
def test_saatys_limit_depends_on_the_order(t, limit):
    assert ahp.size_threshold(t) == limit


def test_the_size_limit_works_as_a_threshold():
    # CR ≈ 0.070 under the paper's RI: within the usual 0.1, over Saaty's 0.05 for 3 elements.
    matrix = ahp.from_upper([3, 7, 1])
    assert ahp.priorities(matrix).consistent is True
    strict = ahp.priorities(matrix, threshold=ahp.size_threshold(3))
    assert strict.threshold == 0.05
    assert strict.cr == pytest.approx(0.0704, abs=1e-4)
    assert strict.consistent is False


def test_a_size_limit_needs_an_element():
    with pytest.raises(ValueError, match=re.escape(ri.NO_ELEMENTS)):
        ahp.size_threshold(0)


# --- AIP with the arithmetic mean --------------------------------------------------------

# The R package Prize (Dargahi), inst/extdata/ind1.tsv … ind4.tsv: four experts' upper
# triangles over Tumor_expression, Normal_expression, Frequency, Epitopes. ind2's 0.8 is off
# the 1–9 scale. Its inst/unitTests/test_gaggregate.R weighs them 0.45, 0.30, 0.10, 0.15 and
# publishes the AIJ matrix and the AIP weights below; its priorities are row geometric means.
PRIZE_UPPER = [[2, 4, 5, 3, 4, 2], [0.8, 2, 4, 5, 7, 2], [2, 3, 5, 3, 5, 2], [5, 6, 7, 4, 6, 1]]
PRIZE_WEIGHTS = [0.45, 0.30, 0.10, 0.15]
PRIZE_AIP = [0.45240240, 0.35504904, 0.11942840, 0.07312017]
PRIZE_AIJ = [
    [1.0000000, 1.7431670, 3.3548322, 4.918313],
    [0.5736685, 1.0000000, 3.6510408, 5.141337],
    [0.2980775, 0.2738945, 1.0000000, 1.802501],
    [0.2033217, 0.1945019, 0.5547847, 1.000000],
]


def prize_matrices() -> np.ndarray:
    return np.stack([ahp.from_upper(upper) for upper in PRIZE_UPPER])


def test_prize_weighted_arithmetic_aip_matches_its_published_weights():
    result = ahp.aggregate(prize_matrices(), "aip", weights=PRIZE_WEIGHTS, mean="arithmetic")
    # Printed to 8 decimals: half a unit of the last place.
    np.testing.assert_allclose(result.weights, PRIZE_AIP, rtol=0, atol=5e-9)


def test_prize_weighted_aij_matrix_matches_its_published_matrix():
    result = ahp.aggregate(prize_matrices(), "aij", weights=PRIZE_WEIGHTS)
    # Printed to 7 decimals (6 in the last column).
    np.testing.assert_allclose(result.matrix, PRIZE_AIJ, rtol=0, atol=5e-7)


def test_prize_off_scale_judgment_is_accepted_as_given():
    matrices = prize_matrices()
    assert matrices[1, 0, 1] == 0.8 and matrices[1, 1, 0] == pytest.approx(1.25)
    np.testing.assert_allclose(
        ahp.priorities(matrices).weights.sum(axis=-1), np.ones(4), rtol=1e-12
    )


def test_arithmetic_aip_by_hand():
    # Geometric weights (3/4, 1/4) and (1/2, 1/2), expert weights 3 : 1.
    stack = np.array([[[1, 3], [1 / 3, 1]], [[1, 1], [1, 1]]])
    arithmetic = ahp.aggregate(stack, "aip", weights=[3, 1], mean="arithmetic")
    np.testing.assert_allclose(arithmetic.weights, [0.6875, 0.3125], rtol=1e-12)
    geometric = ahp.aggregate(stack, "aip", weights=[3, 1])
    expected = np.array([0.75**0.75 * 0.5**0.25, 0.25**0.75 * 0.5**0.25])
    np.testing.assert_allclose(geometric.weights, expected / expected.sum(), rtol=1e-12)
    # λmax of the arithmetic weights against the AIJ matrix, as for the geometric ones.
    w = arithmetic.weights
    assert arithmetic.lambda_max == pytest.approx(np.mean(arithmetic.matrix @ w / w))


def test_the_mean_is_geometric_unless_asked():
    stack = prize_matrices()
    default = ahp.aggregate(stack, "aip", weights=PRIZE_WEIGHTS)
    geometric = ahp.aggregate(stack, "aip", weights=PRIZE_WEIGHTS, mean="geometric")
    np.testing.assert_array_equal(default.weights, geometric.weights)
    arithmetic = ahp.aggregate(stack, "aip", weights=PRIZE_WEIGHTS, mean="arithmetic")
    assert np.abs(arithmetic.weights - geometric.weights).max() > 1e-3


# --- fuzzy weighting in a group ----------------------------------------------------------


@pytest.mark.parametrize("weighting", ahp.FUZZY_METHODS)
def test_aij_with_a_fuzzy_weighting_maps_the_aggregated_judgments(weighting):
    stack = prize_matrices()
    group = ahp.aggregate(stack, "aij", weights=PRIZE_WEIGHTS, weighting=weighting)
    alone = ahp.priorities(group.matrix, method=weighting)
    np.testing.assert_allclose(group.weights, alone.weights, rtol=1e-12)
    assert group.lambda_max == pytest.approx(alone.lambda_max, rel=1e-12)


@pytest.mark.parametrize("mean", ahp.MEANS)
def test_aip_with_buckley_weighs_each_expert_by_buckley(mean):
    stack = prize_matrices()
    group = ahp.aggregate(stack, "aip", weights=PRIZE_WEIGHTS, weighting="fuzzy_buckley", mean=mean)
    own = ahp.priorities(stack, method="fuzzy_buckley").weights
    np.testing.assert_allclose(group.individual.weights, own, rtol=1e-12)
    alpha = np.array(PRIZE_WEIGHTS)
    if mean == "arithmetic":
        expected = alpha @ own
    else:
        expected = np.exp(alpha @ np.log(own))
    np.testing.assert_allclose(group.weights, expected / expected.sum(), rtol=1e-12)


CHANG_FIRST = [[1, 3], [1 / 3, 1]]  # Chang: (1, 0)
CHANG_SECOND = [[1, 1 / 3], [3, 1]]  # Chang: (0, 1)
CHANG_SOFT = [[1, 2], [1 / 2, 1]]  # Chang: (9/13, 4/13)


def test_a_zero_weight_of_one_expert_zeroes_the_geometric_aip_and_is_flagged():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        group = ahp.aggregate(np.array([CHANG_FIRST, CHANG_SOFT]), "aip", weighting="fuzzy_chang")
    np.testing.assert_array_equal(group.weights, [1.0, 0.0])
    np.testing.assert_array_equal(group.zero_weights, [False, True])
    np.testing.assert_array_equal(group.individual.zero_weights, [[False, True], [False, False]])


def test_the_arithmetic_aip_keeps_a_weight_another_expert_gave():
    stack = np.array([CHANG_FIRST, CHANG_SOFT])
    group = ahp.aggregate(stack, "aip", weighting="fuzzy_chang", mean="arithmetic")
    np.testing.assert_allclose(group.weights, [(1 + 9 / 13) / 2, (4 / 13) / 2], rtol=1e-12)
    assert not group.zero_weights.any()


def test_a_geometric_aip_with_every_element_zeroed_by_someone_is_refused():
    stack = np.array([CHANG_FIRST, CHANG_SECOND])
    with pytest.raises(ValueError, match=re.escape(ahp.ALL_WEIGHTS_ZERO)):
        ahp.aggregate(stack, "aip", weighting="fuzzy_chang")
    group = ahp.aggregate(stack, "aip", weighting="fuzzy_chang", mean="arithmetic")
    np.testing.assert_allclose(group.weights, [0.5, 0.5])


def test_diagnosis_refuses_weights_with_a_zero():
    with pytest.raises(ValueError, match=re.escape(ahp.ZERO_WEIGHTS_NO_DIAGNOSIS)):
        ahp.diagnose(ahp.from_upper([9, 5, 1 / 3]), method="fuzzy_chang")
    assert ahp.diagnose(ahp.from_upper([9, 5, 1 / 3]), method="fuzzy_buckley")


# --- bad options -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message", "allowed"),
    [
        ({"mean": "median"}, ahp.UNKNOWN_MEAN, ahp.MEANS),
        ({"mean": "arithmetic", "method": "aij"}, ahp.MEAN_NEEDS_AIP, ()),
        ({"method": "aip", "weighting": "fuzzy_saaty"}, ahp.UNKNOWN_METHOD, ahp.WEIGHTINGS),
        ({"method": "average"}, ahp.UNKNOWN_AGGREGATION, ahp.AGGREGATIONS),
        ({"ri": "golden"}, ri.UNKNOWN_TABLE, ri.CHOICES),
    ],
)
def test_bad_group_options_are_refused_naming_the_allowed_values(options, message, allowed):
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        ahp.aggregate(prize_matrices(), **options)
    for value in allowed:
        assert repr(value) in str(raised.value)


def test_an_unknown_method_names_all_four():
    with pytest.raises(ValueError, match=re.escape(ahp.UNKNOWN_METHOD)) as raised:
        ahp.priorities(MATRIX_3, method="fuzzy")
    for method in ahp.WEIGHTINGS:
        assert repr(method) in str(raised.value)
