"""The flip points of every node stored with each results snapshot (DESIGN §2.9, issue 14).

Checked against moving each weight by hand through the engine's whole-tree evaluation
(brute_force.py), and against cases worked on paper.
"""

import json
import math
from fractions import Fraction

import numpy as np
import pytest

from evaluations.engine import fuzzy, hierarchy
from evaluations.engine import robustness as engine
from evaluations.engine.hierarchy import Node
from evaluations.robustness import flips
from evaluations.robustness.flips import result_flip_points
from evaluations.robustness.moved import Moved

from .brute_force import (
    BRACKET_STEP,
    EXACT_STEP,
    FIELDS,
    GRADE_SCORES,
    OPERATORS,
    BruteForce,
    assert_lines_match_brute_force,
    assert_most_critical_is_the_smallest_top_change,
    assert_row_matches_brute_force,
    moved,
    random_result,
    run,
)

CASES = [(operator, seed) for operator in OPERATORS for seed in range(3)]
CASES += [("product_sum", seed) for seed in range(3, 6)]


@pytest.mark.parametrize(("operator", "seed"), CASES)
def test_the_flip_points_are_where_moving_the_weight_through_the_whole_tree_changes_things(
    operator, seed
):
    root, local, memberships = random_result(seed)
    robustness = run(root, local, memberships, operator)
    brute = BruteForce(root, local, memberships, operator)
    step = EXACT_STEP if operator == "product_sum" else BRACKET_STEP

    assert robustness["operator"] == operator
    assert robustness["exact"] is (operator == "product_sum")
    parents = [node for node in root.walk() if len(node.children) >= 2]
    expected = [(node.code, child.code) for node in parents for child in node.children]
    assert [(row["node"], row["criterion"]) for row in robustness["flip_points"]] == expected
    global_weights = hierarchy.global_weights(local, root)
    for node in parents:
        rows = [row for row in robustness["flip_points"] if row["node"] == node.code]
        for child, row in enumerate(rows):
            assert row["weight"] == local[node.code][child]
            assert row["global_weight"] == pytest.approx(global_weights[node.code], abs=1e-15)
            assert_row_matches_brute_force(brute, row, child, step)
            assert_lines_match_brute_force(brute, robustness, row, child)
    assert_most_critical_is_the_smallest_top_change(robustness)
    json.dumps(robustness, allow_nan=False)


def test_the_random_cases_have_flips_of_every_kind_to_check():
    """So the brute-force test above is not passing on rows that are all null."""
    found = {field: 0 for fields in FIELDS.values() for field in fields}
    for operator, seed in CASES:
        root, local, memberships = random_result(seed)
        for row in run(root, local, memberships, operator)["flip_points"]:
            for field in found:
                found[field] += row[field] is not None
    assert all(count >= 10 for count in found.values()), found


@pytest.mark.parametrize("operator", OPERATORS)
def test_the_moved_evaluator_recomposes_the_whole_tree(operator):
    root, local, memberships = random_result(1)
    brute = BruteForce(root, local, memberships, operator)
    vectors = fuzzy.evaluate_tree(root, local, brute.rows, operator)
    for node in (node for node in root.walk() if len(node.children) >= 2):
        evaluator = Moved(root, node, local, vectors, operator, GRADE_SCORES)
        points = np.array([moved(local[node.code], 0, x) for x in (0.0, 0.3, 0.77, 1.0)])
        totals, grades = evaluator.totals(points), evaluator.grades(points)
        for n, x in enumerate((0.0, 0.3, 0.77, 1.0)):
            expected_totals, expected_grades = brute.state(node.code, 0, x)
            np.testing.assert_allclose(totals[n], expected_totals, rtol=0, atol=1e-12)
            np.testing.assert_array_equal(grades[n], expected_grades)


def test_bracketing_under_the_ordinary_product_agrees_with_the_exact_crossings():
    root, local, memberships = random_result(4)
    exact = run(root, local, memberships, "product_sum")
    brute = BruteForce(root, local, memberships, "product_sum")
    vectors = fuzzy.evaluate_tree(root, local, brute.rows, "product_sum")
    checked = 0
    for node in (node for node in root.walk() if len(node.children) >= 2):
        evaluator = Moved(root, node, local, vectors, "product_sum", GRADE_SCORES)
        weights = np.array(local[node.code])
        order = engine.bracket_flip_points(weights, evaluator.totals)
        grades = engine.bracket_grade_flip_points(weights, evaluator.grades)
        rows = [row for row in exact["flip_points"] if row["node"] == node.code]
        for k, row in enumerate(rows):
            bracketed = {
                "below": order.below,
                "above": order.above,
                "top_below": order.top_below,
                "top_above": order.top_above,
                "grade_below": grades.below,
                "grade_above": grades.above,
            }
            for field, value in bracketed.items():
                if row[field] is None:
                    assert math.isnan(value[k])
                else:
                    assert value[k] == pytest.approx(row[field], abs=1e-6)
                    checked += 1
    assert checked >= 5


# --- cases worked on paper -------------------------------------------------------------------

TWO_GRADES = [1.0, 0.0]  # good, poor: a subject's total is its share of "good"


def paper_case():
    """U → U1 (U11, U12), U2; local U (0.7, 0.3), U1 (0.6, 0.4); two grades scored 1 and 0.

    Share of "good": A: U11 0.8, U12 0.3, U2 0.2; B: U11 0.4, U12 0.5, U2 0.45.
    U1's vector: A 0.6·0.8 + 0.4·0.3 = 0.60, B 0.6·0.4 + 0.4·0.5 = 0.44.
    Totals: A 0.7·0.60 + 0.3·0.2 = 0.48, B 0.7·0.44 + 0.3·0.45 = 0.443: A on top, both "poor".
    """
    root = Node("U", (Node("U1", (Node("U11"), Node("U12"))), Node("U2")))
    local = {"U": [0.7, 0.3], "U1": [0.6, 0.4]}
    good = {"A": {"U11": 0.8, "U12": 0.3, "U2": 0.2}, "B": {"U11": 0.4, "U12": 0.5, "U2": 0.45}}
    memberships = {
        subject: {leaf: [share, 1.0 - share] for leaf, share in shares.items()}
        for subject, shares in good.items()
    }
    return root, local, memberships


def test_a_two_level_case_worked_on_paper():
    """Every total is a line in the moved weight x (the siblings take 1 − x):

    U1 at x under U:  A = 0.60x + 0.2(1 − x) = 0.2 + 0.4x,  B = 0.44x + 0.45(1 − x) = 0.45 − 0.01x;
      A = B at 0.41x = 0.25, x = 25/41 ≈ 0.6098 below 0.7 (relative 37/287 ≈ 0.1289);
      A reaches 0.5 good, so grade "good", at x = 3/4 above; B's 0.5 lies outside [0, 1].
    U2 at y under U:  A = 0.6 − 0.4y, B = 0.44 + 0.01y; A = B at y = 16/41 above 0.3
      (relative 37/123); A's grade at 0.6 − 0.4y = 0.5, y = 1/4 below.
    U11 at x under U1 (global weight 0.7; U2's part A 0.06, B 0.135 stays):
      A = 0.06 + 0.7(0.8x + 0.3(1 − x)) = 0.27 + 0.35x, B = 0.135 + 0.7(0.4x + 0.5(1 − x))
      = 0.485 − 0.07x; A = B at 0.42x = 0.215, x = 43/84 ≈ 0.5119 below 0.6 (relative
      37/252); A's grade at 0.27 + 0.35x = 0.5, x = 23/35 above.
    U12 at y under U1: A = 0.62 − 0.35y, B = 0.415 + 0.07y; A = B at y = 41/84 above 0.4
      (relative 37/168); A's grade at y = 12/35 below.
    With two subjects each crossing changes the top. Most critical: U1 under U, lowered to
    25/41, the smallest relative change 37/287.
    """
    root, local, memberships = paper_case()
    robustness = result_flip_points(
        root, local, hierarchy.global_weights(local, root), memberships, TWO_GRADES, "product_sum"
    )
    f = Fraction
    expected = {  # (node, criterion): (below, above, grade_below, grade_above, relative)
        ("U", "U1"): (f(25, 41), None, None, f(3, 4), f(37, 287)),
        ("U", "U2"): (None, f(16, 41), f(1, 4), None, f(37, 123)),
        ("U1", "U11"): (f(43, 84), None, None, f(23, 35), f(37, 252)),
        ("U1", "U12"): (None, f(41, 84), f(12, 35), None, f(37, 168)),
    }
    rows = {(row["node"], row["criterion"]): row for row in robustness["flip_points"]}
    assert list(rows) == list(expected)
    for key, (below, above, grade_below, grade_above, relative) in expected.items():
        row = rows[key]
        for field, value in (("below", below), ("above", above), ("top_below", below),
                             ("top_above", above), ("grade_below", grade_below),
                             ("grade_above", grade_above), ("relative_change", relative),
                             ("top_relative_change", relative)):  # fmt: skip
            if value is None:
                assert row[field] is None, (key, field)
            else:
                assert row[field] == pytest.approx(float(value), abs=1e-12), (key, field)
    assert rows[("U1", "U11")]["global_weight"] == pytest.approx(0.7)
    assert robustness["most_critical"] == {
        "node": "U",
        "criterion": "U1",
        "weight": 0.7,
        "point": pytest.approx(25 / 41, abs=1e-12),
        "relative_change": pytest.approx(37 / 287, abs=1e-12),
    }
    # The score lines are straight: their ends. U1 under U: A 0.2 → 0.6, B 0.45 → 0.44.
    line = robustness["lines"]["U"]["U1"]
    assert line["x"] == [0.0, 1.0]
    assert line["totals"]["A"] == pytest.approx([0.2, 0.6], abs=1e-12)
    assert line["totals"]["B"] == pytest.approx([0.45, 0.44], abs=1e-12)
    assert robustness["lines"]["U1"]["U11"]["totals"]["B"] == pytest.approx([0.485, 0.415])


def test_a_main_factor_case_worked_on_paper():
    """U → U1, U2 (leaves), w = (0.6, 0.4), M(∧,∨): b_h = max(min(w1, r1h), min(w2, r2h)).

    A: U1 (0.7, 0.3), U2 (0.2, 0.8); B: U1 (0.45, 0.55), U2 (0.9, 0.1); grades scored 1, 0.
    At w: A = (max(.6, .2), max(.3, .4)) = (0.6, 0.4): 0.6, "good"; B = (max(.45, .4),
    max(.55, .1)) = (0.45, 0.55): 0.45, "poor". U1 at x (U2 at 1 − x):
    - for x in [0.45, 0.7]: A = (x, 1 − x), total x; B = (max(min(x, .45), 1 − x),
      max(min(x, .55), .1)) is (1 − x, x) for x ≤ 0.55, total 1 − x, and (0.45, 0.55) above.
      A = B at x = 0.5: the order, the top and both grades (ties go to "good") change there.
    - above 0.6 A stays on top (x up to 0.7, then 0.7) and B at 0.45: no flip above.
    U2 mirrors it: flips above, at 0.5. Relative changes 0.1/0.6 = 1/6 and 0.1/0.4 = 1/4.
    """
    root = Node("U", (Node("U1"), Node("U2")))
    memberships = {
        "A": {"U1": [0.7, 0.3], "U2": [0.2, 0.8]},
        "B": {"U1": [0.45, 0.55], "U2": [0.9, 0.1]},
    }
    local = {"U": [0.6, 0.4]}
    robustness = result_flip_points(
        root, local, {"U": 1.0, "U1": 0.6, "U2": 0.4}, memberships, TWO_GRADES, "min_max"
    )
    assert robustness["exact"] is False
    first, second = robustness["flip_points"]
    for field in ("below", "top_below", "grade_below"):
        assert first[field] == pytest.approx(0.5, abs=1e-6)
        assert second[field] is None
    for field in ("above", "top_above", "grade_above"):
        assert first[field] is None
        assert second[field] == pytest.approx(0.5, abs=1e-6)
    assert first["relative_change"] == pytest.approx(1 / 6, abs=2e-6)
    assert second["top_relative_change"] == pytest.approx(1 / 4, abs=3e-6)
    critical = robustness["most_critical"]
    assert (critical["node"], critical["criterion"], critical["weight"]) == ("U", "U1", 0.6)
    assert critical["point"] == pytest.approx(0.5, abs=1e-6)
    # 21 points: at x = 0.5 both total 0.5, at 0.6 (now) A 0.6 and B 0.45.
    line = robustness["lines"]["U"]["U1"]
    assert line["x"] == pytest.approx(np.linspace(0, 1, 21).tolist())
    assert (line["totals"]["A"][10], line["totals"]["B"][10]) == pytest.approx((0.5, 0.5))
    assert (line["totals"]["A"][12], line["totals"]["B"][12]) == pytest.approx((0.6, 0.45))


# --- edge cases ------------------------------------------------------------------------------


def test_one_scored_subject_has_rows_with_grade_flips_only():
    root, local, memberships = paper_case()
    robustness = result_flip_points(
        root,
        local,
        hierarchy.global_weights(local, root),
        {"A": memberships["A"]},
        TWO_GRADES,
        "product_sum",
    )
    assert len(robustness["flip_points"]) == 4
    for row in robustness["flip_points"]:
        for field in ("below", "above", "top_below", "top_above", "relative_change"):
            assert row[field] is None
    assert robustness["flip_points"][0]["grade_above"] == pytest.approx(0.75)
    assert robustness["most_critical"] is None


@pytest.mark.parametrize("global_weights", [None, {"U": 1.0, "U1": 0.7}])
def test_without_global_weights_or_scored_subjects_there_is_nothing_to_move(global_weights):
    root, local, _memberships = paper_case()
    assert result_flip_points(root, local, global_weights, {}, TWO_GRADES, "min_max") == {
        "operator": "min_max",
        "exact": False,
        "flip_points": [],
        "most_critical": None,
        "lines": {},
    }


def test_a_criterion_of_weight_0_has_no_finite_relative_change_and_json_gets_null():
    """w = (1, 0): A (good 1, 0), B (good 0.4, 0.6). Totals A 1, B 0.4; U2 at y: A = 1 − y,
    B = 0.4 + 0.2y, equal at y = 0.5: a change of 0.5 from a weight of 0 (infinitely large)."""
    root = Node("U", (Node("U1"), Node("U2")))
    memberships = {
        "A": {"U1": [1.0, 0.0], "U2": [0.0, 1.0]},
        "B": {"U1": [0.4, 0.6], "U2": [0.6, 0.4]},
    }
    local = {"U": [1.0, 0.0]}
    robustness = result_flip_points(
        root, local, {"U": 1.0, "U1": 1.0, "U2": 0.0}, memberships, TWO_GRADES, "product_sum"
    )
    second = robustness["flip_points"][1]
    assert second["above"] == pytest.approx(0.5) and second["top_above"] == pytest.approx(0.5)
    assert second["relative_change"] is None and second["top_relative_change"] is None
    assert robustness["most_critical"]["criterion"] == "U1"  # lowered from 1 to 0.5: 0.5
    json.dumps(robustness, allow_nan=False)


def test_large_hierarchies_scan_a_thinner_grid():
    assert flips.scan_grid_points(15) == engine.GRID_POINTS  # the demo's: the engine's 1001
    assert flips.scan_grid_points(40) == 500
    assert flips.scan_grid_points(100) == flips.MIN_GRID == 201  # the load benchmark's
    assert flips.scan_grid_points(0) == engine.GRID_POINTS
