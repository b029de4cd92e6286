import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.engine import fuzzy
from evaluations.engine.hierarchy import Node

from .reference import TOLERANCE, cases

# The reference file's operator labels, mapped here independently of fuzzy.LABELS.
OPERATOR_BY_LABEL = {
    "M(·,+)": "product_sum",
    "M(∧,∨)": "min_max",
    "M(·,∨)": "product_max",
    "M(∧,⊕)": "min_bounded_sum",
    "M(∧,+)_balanced": "min_balanced_sum",
}
FCE_CASES = [
    (name, label) for name, case in sorted(cases("fce").items()) for label in case["computed"]
]


@pytest.mark.parametrize(("name", "label"), FCE_CASES)
def test_it_reproduces_the_reference_evaluation(name, label):
    case = cases("fce")[name]
    expected = case["computed"][label]
    operator = OPERATOR_BY_LABEL[label]
    raw = fuzzy.compose(case["A"], case["R"], operator)
    normalised = fuzzy.evaluate(case["A"], case["R"], operator)
    np.testing.assert_allclose(raw, expected["B_numpy"], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(normalised, expected["B_normalized"], rtol=0, atol=TOLERANCE)
    assert fuzzy.grade(normalised) + 1 == expected["max_membership_grade_index_1based"]
    assert fuzzy.grade(raw) + 1 == expected["max_membership_grade_index_1based"]


@pytest.mark.parametrize("name", sorted(cases("fce")))
def test_it_reproduces_the_published_result(name):
    case = cases("fce")[name]
    published = case["published"]
    operator = OPERATOR_BY_LABEL[published["operator"].split()[0]]
    np.testing.assert_allclose(
        fuzzy.compose(case["A"], case["R"], operator), published["B"], atol=TOLERANCE
    )


def test_every_reference_label_names_an_operator():
    labels = {label for case in cases("fce").values() for label in case["computed"]}
    assert labels <= set(OPERATOR_BY_LABEL)
    assert set(OPERATOR_BY_LABEL.values()) == set(fuzzy.OPERATORS)


def test_the_first_of_tied_grades_wins():
    assert fuzzy.grade([0.2, 0.36, 0.36, 0.08]) == 1
    assert fuzzy.grade([0.4 - 1e-13, 0.2, 0.4]) == 0
    assert fuzzy.grade([0.4 - 1e-9, 0.2, 0.4]) == 2


def test_grade_and_score_work_on_several_subjects():
    vectors = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]])
    np.testing.assert_array_equal(fuzzy.grade(vectors), [1, 0])
    np.testing.assert_allclose(fuzzy.score(vectors, [3, 2, 1]), [1.8, 2.2])
    assert fuzzy.score([0.1, 0.6, 0.3], [3, 2, 1]) == pytest.approx(1.8)


def test_membership_divides_each_row_by_its_total():
    r = fuzzy.membership([[3, 1, 0, 0], [0, 5, 5, 0], [0.5, 0.25, 0.25, 0]])
    np.testing.assert_allclose(r, [[0.75, 0.25, 0, 0], [0, 0.5, 0.5, 0], [0.5, 0.25, 0.25, 0]])


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([[1, 2], [0, 0]], f"{fuzzy.ZERO_ROW} (row 1)"),
        ([[1, 2], [3, -1]], f"{fuzzy.NEGATIVE_COUNTS} (first at row 1)"),
        ([[np.nan, 2], [3, 1]], f"{fuzzy.NOT_FINITE} (first at row 0)"),
        ([1, 2], fuzzy.NOT_A_MATRIX),
    ],
)
def test_it_rejects_counts_that_give_no_membership(counts, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        fuzzy.membership(counts)


memberships = st.integers(1, 6).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n),
        st.lists(
            st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda row: sum(row) > 0),
            min_size=n,
            max_size=n,
        ),
    )
)


@settings(max_examples=150, deadline=None)
@given(memberships, st.sampled_from(sorted(fuzzy.OPERATORS)))
def test_the_evaluation_is_non_negative_and_sums_to_one(data, operator):
    raw_weights, counts = data
    weights = np.array(raw_weights) / sum(raw_weights)
    e = fuzzy.evaluate(weights, fuzzy.membership(counts), operator)
    assert np.all(e >= 0)
    assert e.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("operator", sorted(fuzzy.OPERATORS))
def test_several_subjects_evaluate_as_one_at_a_time(operator):
    rng = np.random.default_rng(7)
    weights = np.array([0.5, 0.3, 0.2])
    subjects = fuzzy.membership(rng.integers(0, 10, size=(5, 3, 4)) + 1)
    batch = fuzzy.evaluate(weights, subjects, operator)
    for i, r in enumerate(subjects):
        np.testing.assert_allclose(batch[i], fuzzy.evaluate(weights, r, operator), atol=1e-15)


@pytest.mark.parametrize(
    ("weights", "membership", "message"),
    [
        ([0.5, 0.4], [[1, 0], [0, 1]], fuzzy.WEIGHTS_SUM),
        ([1.5, -0.5], [[1, 0], [0, 1]], fuzzy.NEGATIVE_WEIGHTS),
        ([0.5, 0.5], [[1, 0], [-0.5, 1.5]], fuzzy.NEGATIVE_MEMBERSHIP),
        ([0.5, 0.5], [[1, 0], [np.nan, 1]], fuzzy.NOT_FINITE),
        ([0.5, 0.5], [[1, 0, 0]], f"{fuzzy.SHAPES_DIFFER}: weights (2,), membership (1, 3)"),
        ([[0.5, 0.5]] * 2, [[[1, 0], [0, 1]]] * 3, fuzzy.SHAPES_DIFFER),
        ([1.0], [[0, 0]], fuzzy.ALL_ZERO),
    ],
)
def test_it_rejects_an_evaluation_that_does_not_add_up(weights, membership, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        fuzzy.evaluate(weights, membership)


def test_it_rejects_an_unknown_operator():
    with pytest.raises(ValueError, match=re.escape(fuzzy.UNKNOWN_OPERATOR)):
        fuzzy.evaluate([1.0], [[1.0]], "max_min")


# The paper's shape: goal U, criteria U1 and U2, leaves under each (DESIGN §2.6).
TREE = Node(
    "U",
    (Node("U1", (Node("U11"), Node("U12"))), Node("U2", (Node("U21"), Node("U22"), Node("U23")))),
)
LOCAL = {"U": [0.7, 0.3], "U1": [0.4, 0.6], "U2": [0.2, 0.5, 0.3]}
ROWS = {
    "U11": [0.1, 0.5, 0.3, 0.1],
    "U12": [0.4, 0.4, 0.2, 0.0],
    "U21": [0.0, 0.2, 0.5, 0.3],
    "U22": [0.3, 0.3, 0.3, 0.1],
    "U23": [0.6, 0.2, 0.1, 0.1],
}


def test_a_two_level_tree_gives_the_papers_evaluation():
    g1 = np.array(LOCAL["U1"]) @ np.array([ROWS["U11"], ROWS["U12"]])
    g2 = np.array(LOCAL["U2"]) @ np.array([ROWS["U21"], ROWS["U22"], ROWS["U23"]])
    e = np.array(LOCAL["U"]) @ np.array([g1, g2])
    e = e / e.sum()
    result = fuzzy.evaluate_tree(TREE, LOCAL, ROWS)
    np.testing.assert_allclose(result["U1"], g1, atol=1e-15)
    np.testing.assert_allclose(result["U2"], g2, atol=1e-15)
    np.testing.assert_allclose(result["U"], e, atol=1e-15)
    np.testing.assert_allclose(result["U11"], ROWS["U11"])


@pytest.mark.parametrize("operator", sorted(fuzzy.OPERATORS))
def test_the_tree_applies_the_operator_at_every_level(operator):
    result = fuzzy.evaluate_tree(TREE, LOCAL, ROWS, operator)
    g1 = fuzzy.compose(LOCAL["U1"], [ROWS["U11"], ROWS["U12"]], operator)
    g2 = fuzzy.compose(LOCAL["U2"], [ROWS["U21"], ROWS["U22"], ROWS["U23"]], operator)
    np.testing.assert_allclose(result["U1"], g1)
    np.testing.assert_allclose(result["U"], fuzzy.evaluate(LOCAL["U"], [g1, g2], operator))


def test_the_tree_evaluates_several_subjects_at_once():
    second = {code: row[::-1] for code, row in ROWS.items()}
    both = {code: [ROWS[code], second[code]] for code in ROWS}
    result = fuzzy.evaluate_tree(TREE, LOCAL, both)
    np.testing.assert_allclose(result["U"][0], fuzzy.evaluate_tree(TREE, LOCAL, ROWS)["U"])
    np.testing.assert_allclose(result["U"][1], fuzzy.evaluate_tree(TREE, LOCAL, second)["U"])


def test_a_three_level_tree_is_evaluated_bottom_up():
    tree = Node("U", (Node("U1", (Node("U11", (Node("U111"), Node("U112"))), Node("U12"))),))
    local = {"U": [1.0], "U1": [0.5, 0.5], "U11": [0.25, 0.75]}
    rows = {"U111": [1, 0], "U112": [0, 1], "U12": [1, 0]}
    result = fuzzy.evaluate_tree(tree, local, rows)
    np.testing.assert_allclose(result["U11"], [0.25, 0.75])
    np.testing.assert_allclose(result["U"], [0.625, 0.375])


def test_the_tree_needs_a_row_for_every_leaf_with_the_same_grades():
    rows = {code: row for code, row in ROWS.items() if code != "U12"}
    with pytest.raises(ValueError, match=re.escape(f"{fuzzy.MISSING_MEMBERSHIP} (node 'U12')")):
        fuzzy.evaluate_tree(TREE, LOCAL, rows)
    with pytest.raises(ValueError, match=re.escape(fuzzy.GRADE_COUNT)):
        fuzzy.evaluate_tree(TREE, LOCAL, {**ROWS, "U12": [0.5, 0.5]})


def test_shortfall_runs_from_zero_at_the_best_grade_to_one_at_the_worst():
    scores = [95, 85, 70, 50]
    rows = [[1, 0, 0, 0], [0, 0, 0, 1], [0.5, 0, 0, 0.5], [0, 1, 0, 0]]
    np.testing.assert_allclose(fuzzy.shortfall(rows, scores), [0, 1, 0.5, 10 / 45])
    assert fuzzy.shortfall([0, 0, 1, 0], [4, 3, 2, 1]) == pytest.approx(2 / 3)


def test_shortfall_needs_distinct_best_and_worst_scores():
    with pytest.raises(ValueError, match=re.escape(fuzzy.FLAT_SCORES)):
        fuzzy.shortfall([[0.5, 0.5]], [3, 3])
    with pytest.raises(ValueError, match=re.escape(fuzzy.SCORES_DIFFER)):
        fuzzy.shortfall([[0.5, 0.5]], [3, 2, 1])


def test_weak_points_rank_leaves_by_global_weight_times_shortfall():
    ranked = fuzzy.weak_points(
        {"U11": 0.5, "U12": 0.1, "U2": 0.4}, {"U11": 0.2, "U12": 0.9, "U2": 0.5}
    )
    assert [code for code, _ in ranked] == ["U2", "U11", "U12"]
    assert ranked[0][1] == pytest.approx(0.2)
