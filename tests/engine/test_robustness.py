import dataclasses
import math
import re

import numpy as np
import pytest

from evaluations.engine import fuzzy, robustness

from .reference import TOLERANCE, load

REFERENCE = {key: case for key, case in load("robustness.json")["flip_points"].items()}
KEYS = ("below", "above", "top_below", "top_above")
GRADE_SCORES = np.array([95.0, 80.0, 65.0, 40.0])
# Random cases for the brute-force checks: (seed, children, subjects, with offsets).
RANDOM_CASES = [(seed, 2 + seed % 8, 2 + (3 * seed) % 11, seed % 2 == 1) for seed in range(16)]
# How far past a flip point the brute force looks for the change, and how close to the flip
# point (and to the current weight) it stops looking for none.
PAST = 1e-7
MARGIN = 1e-9


def as_expected(values):
    return np.array([np.nan if value is None else value for value in values])


def moved(weights, child, x):
    """Weight vectors with child's weight at each x, the siblings rescaled by DESIGN §2.9."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    siblings = np.delete(np.arange(weights.size), child)
    result = np.empty((x.size, weights.size))
    result[:, siblings] = np.outer(1 - x, weights[siblings] / (1 - weights[child]))
    result[:, child] = x
    return result


def random_node(seed, n, subjects, with_offsets):
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(n))
    scores = rng.uniform(1, 4, size=(subjects, n))
    offsets = rng.uniform(0, 0.3, size=subjects) if with_offsets else np.zeros(subjects)
    return weights, scores, offsets


def pair_signs(totals):
    first, second = np.triu_indices(totals.shape[-1], 1)
    return np.sign(totals[..., first] - totals[..., second])


def assert_holds(weights, child, end, state, below):
    """The state at w_k holds on a grid of points strictly between w_k and end."""
    toward = -1 if below else 1
    between = np.linspace(weights[child] + toward * MARGIN, end - toward * MARGIN, 2001)
    assert np.all(state(between) == state(weights[child])[0]), "a change before the flip point"


def assert_changes_at(weights, child, x, state):
    assert np.any(state(x)[0] != state(weights[child])[0]), "no change just past the flip point"


def assert_brute_force(weights, child, flip, state, below):
    """The state at w_k holds on a grid up to the flip point and is gone just past it.

    state(x) gives one row per x; NaN flip: the state holds on the whole side.
    """
    toward = -1 if below else 1
    if math.isnan(flip):
        assert_holds(weights, child, 0.0 if below else 1.0, state, below)
    else:
        assert_holds(weights, child, flip, state, below)
        assert_changes_at(weights, child, flip + toward * PAST, state)


# --- reference cases -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_it_reproduces_the_reference_flip_points(name):
    case = REFERENCE[name]
    result = robustness.flip_points(case["weights"], case["scores"], case["offsets"])
    np.testing.assert_allclose(result.totals, case["totals"], rtol=0, atol=TOLERANCE)
    for key in KEYS:
        np.testing.assert_allclose(
            getattr(result, key), as_expected(case[key]), rtol=0, atol=TOLERANCE, err_msg=key
        )


def test_the_reference_relative_changes_follow_from_the_flip_points():
    case = REFERENCE["c1"]
    result = robustness.flip_points(case["weights"], case["scores"], case["offsets"])
    w = np.array(case["weights"])
    expected = np.abs(as_expected(case["top_above"]) - w) / w
    np.testing.assert_allclose(result.relative_top_above, expected, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(
        result.relative_top, np.fmin(expected, result.relative_top_below), rtol=0, atol=TOLERANCE
    )


# --- cases built by hand ----------------------------------------------------------------------


def test_two_criteria_and_two_subjects_worked_on_paper():
    """w = (0.6, 0.4); A scores (4, 1), B scores (2, 3): totals A 2.8, B 2.4, A on top.

    Child 0 at x (child 1 at 1 − x): A = 4x + (1 − x) = 1 + 3x, B = 2x + 3(1 − x) = 3 − x,
    equal at x = 0.5: below 0.5 (a change of 0.1, 1/6 of 0.6), none above (A pulls away).
    Child 1 at y: A = 4 − 3y, B = 2 + y, equal at y = 0.5: above 0.5 (0.1, 1/4 of 0.4).
    With two subjects every change of order changes the top; the most critical criterion is
    child 0, lowered to 0.5. An offset of 0.3 for B moves child 0's crossing to
    1 + 3x = 3.3 − x, x = 0.575.
    """
    result = robustness.flip_points([0.6, 0.4], [[4, 1], [2, 3]])
    nan = np.nan
    np.testing.assert_allclose(result.totals, [2.8, 2.4])
    np.testing.assert_allclose(result.below, [0.5, nan])
    np.testing.assert_allclose(result.above, [nan, 0.5])
    np.testing.assert_allclose(result.top_below, result.below)
    np.testing.assert_allclose(result.top_above, result.above)
    np.testing.assert_allclose(result.relative_below, [1 / 6, nan])
    np.testing.assert_allclose(result.relative_above, [nan, 1 / 4])
    np.testing.assert_allclose(result.relative_top, [1 / 6, 1 / 4])
    critical = robustness.most_critical({"U": result})
    assert (critical.node, critical.child, critical.direction) == ("U", 0, "below")
    assert critical.weight == pytest.approx(0.5)
    assert critical.relative_change == pytest.approx(1 / 6)

    shifted = robustness.flip_points([0.6, 0.4], [[4, 1], [2, 3]], offsets=[0, 0.3])
    assert shifted.below[0] == pytest.approx(0.575, abs=1e-12)


def test_a_weight_of_1_gives_the_freed_weight_to_its_siblings_in_equal_shares():
    """w = (1, 0, 0); A scores (1, 3, 2), B (2, 0, 1): totals A 1, B 2.

    Child 0 at x, siblings (1 − x)/2 each: A = 2.5 − 1.5x, B = 0.5 + 1.5x, equal at x = 2/3.
    Child 1 at x (child 0 at 1 − x, child 2 stays 0): A = 1 + 2x, B = 2 − 2x, equal at 1/4;
    child 2 likewise: A = 1 + x, B = 2 − x, equal at 1/2. From 0 the relative change is
    infinite, so child 0 is the most critical.
    """
    result = robustness.flip_points([1, 0, 0], [[1, 3, 2], [2, 0, 1]])
    nan = np.nan
    np.testing.assert_allclose(result.below, [2 / 3, nan, nan])
    np.testing.assert_allclose(result.above, [nan, 0.25, 0.5])
    np.testing.assert_allclose(result.relative_above, [nan, math.inf, math.inf])
    critical = robustness.most_critical({"U": result})
    assert (critical.child, critical.direction) == (0, "below")
    assert critical.relative_change == pytest.approx(1 / 3)


def test_a_pair_tied_at_the_current_weight_is_not_a_flip():
    """w = (0.5, 0.5); A (1, 3) and B (3, 1) tie at 2; C (2.5, 0) totals 1.25.

    Child 0 at x: A = 3 − 2x, B = 1 + 2x cross at 0.5 itself: no flip. C = 2.5x meets A at
    2/3 (an order change above) and B only at 2. Above 0.5 B leads, and C never reaches it:
    the top does not change although the order does; below 0.5 A leads and nothing meets it.
    """
    result = robustness.flip_points([0.5, 0.5], [[1, 3], [3, 1], [2.5, 0]])
    assert result.above[0] == pytest.approx(2 / 3)
    assert np.isnan([result.below[0], result.top_below[0], result.top_above[0]]).all()


def test_identical_subjects_never_flip_and_a_single_child_cannot_move():
    same = robustness.flip_points([0.3, 0.7], [[1, 2], [1, 2]], offsets=[0.5, 0.5])
    single = robustness.flip_points([1.0], [[1.0], [3.0]], offsets=[1.5, 0.0])
    for result in (same, single):
        assert all(np.isnan(getattr(result, key)).all() for key in KEYS)


def test_the_result_is_frozen():
    result = robustness.flip_points([0.6, 0.4], [[4, 1], [2, 3]])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.below = None


# --- exact flip points against a brute-force grid ------------------------------------------------


@pytest.mark.parametrize(("seed", "n", "subjects", "with_offsets"), RANDOM_CASES)
def test_exact_flip_points_agree_with_a_brute_force_grid(seed, n, subjects, with_offsets):
    weights, scores, offsets = random_node(seed, n, subjects, with_offsets)
    result = robustness.flip_points(weights, scores, offsets)
    for child in range(n):

        def order(x, child=child):
            return pair_signs(offsets + moved(weights, child, x) @ scores.T)

        def top(x, child=child):
            return np.argmax(offsets + moved(weights, child, x) @ scores.T, axis=1)

        assert_brute_force(weights, child, result.below[child], order, below=True)
        assert_brute_force(weights, child, result.above[child], order, below=False)
        assert_brute_force(weights, child, result.top_below[child], top, below=True)
        assert_brute_force(weights, child, result.top_above[child], top, below=False)


def test_the_random_cases_have_flip_points_of_every_kind():
    # Otherwise the brute-force test above would check little but "none".
    found = {key: 0 for key in KEYS}
    for case in RANDOM_CASES:
        result = robustness.flip_points(*random_node(*case))
        for key in KEYS:
            found[key] += int(np.sum(~np.isnan(getattr(result, key))))
    assert min(found.values()) >= 10, found


# --- grade flips ------------------------------------------------------------------------------


def random_memberships(seed, n, subjects, grades=4):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(grades), size=(subjects, n))


def test_grade_flips_worked_on_paper():
    """One subject, w = (0.5, 0.5), child 0 rated (0.8, 0.2), child 1 (0.3, 0.7): E = (0.55,
    0.45), grade 0. Child 0 at x: E = (0.3 + 0.5x, 0.7 − 0.5x), equal at x = 0.4; child 1 at
    y: E = (0.8 − 0.5y, 0.2 + 0.5y), equal at y = 0.6.
    """
    result = robustness.grade_flip_points([0.5, 0.5], [[[0.8, 0.2], [0.3, 0.7]]])
    assert list(result.grades) == [0]
    np.testing.assert_allclose(result.below, [0.4, np.nan])
    np.testing.assert_allclose(result.above, [np.nan, 0.6])
    np.testing.assert_allclose(result.relative_below, [0.2, np.nan])


@pytest.mark.parametrize("seed", range(10))
def test_grade_flips_agree_with_a_brute_force_grid(seed):
    n, subjects = 2 + seed % 6, 1 + seed % 5
    weights, memberships = random_memberships(seed, n, subjects)
    offsets = np.random.default_rng(seed + 100).uniform(0, 0.2, size=(subjects, 4))
    result = robustness.grade_flip_points(weights, memberships, offsets)
    for child in range(n):

        def grades(x, child=child):
            vectors = offsets + np.einsum("pk,ikh->pih", moved(weights, child, x), memberships)
            return fuzzy.grade(vectors / vectors.sum(axis=-1, keepdims=True))

        assert_brute_force(weights, child, result.below[child], grades, below=True)
        assert_brute_force(weights, child, result.above[child], grades, below=False)
    assert list(result.grades) == list(
        fuzzy.grade(offsets + np.einsum("k,ikh->ih", weights, memberships))
    )


# --- the bracketing search ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_bracketing_agrees_with_the_exact_answer_under_the_ordinary_product(seed):
    weights, memberships = random_memberships(seed, 3 + seed % 5, 3 + seed)
    order, grades = robustness.operator_flip_points(
        weights, memberships, GRADE_SCORES, "product_sum"
    )
    exact = robustness.flip_points(weights, memberships @ GRADE_SCORES)
    exact_grades = robustness.grade_flip_points(weights, memberships)
    assert order.tolerance == grades.tolerance == 1e-6 and exact.tolerance == 0
    for key in KEYS:
        np.testing.assert_allclose(getattr(order, key), getattr(exact, key), atol=1e-6)
    np.testing.assert_allclose(grades.below, exact_grades.below, atol=1e-6)
    np.testing.assert_allclose(grades.above, exact_grades.above, atol=1e-6)
    assert list(grades.grades) == list(exact_grades.grades)


@pytest.mark.parametrize("seed", range(4))
def test_bracketing_agrees_with_a_brute_force_grid_under_the_product_max(seed):
    n, subjects = 3 + seed, 4 + seed
    weights, memberships = random_memberships(seed + 50, n, subjects)
    order, grades = robustness.operator_flip_points(
        weights, memberships, GRADE_SCORES, "product_max"
    )
    found = 0
    for child in range(n):

        def vectors(x, child=child):
            return fuzzy.evaluate(moved(weights, child, x)[:, None, :], memberships, "product_max")

        def state(x):
            return pair_signs(vectors(x) @ GRADE_SCORES)

        def top(x):
            return np.argmax(vectors(x) @ GRADE_SCORES, axis=1)

        def grade(x):
            return fuzzy.grade(vectors(x))

        for found_at, check in (
            (order.below, state),
            (order.top_below, top),
            (grades.below, grade),
        ):
            assert_bracketed(weights, child, found_at[child], check, below=True)
        for found_at, check in (
            (order.above, state),
            (order.top_above, top),
            (grades.above, grade),
        ):
            assert_bracketed(weights, child, found_at[child], check, below=False)
        found += np.sum(~np.isnan([order.below[child], order.above[child], grades.above[child]]))
    assert found > 0


def assert_bracketed(weights, child, flip, state, below):
    """As assert_brute_force, allowing for the search's accuracy of 1e-6."""
    toward = -1 if below else 1
    if math.isnan(flip):
        assert_holds(weights, child, 0.0 if below else 1.0, state, below)
        return
    inside = flip - toward * 1e-6
    if (inside - weights[child]) * toward > 0:
        assert_holds(weights, child, inside, state, below)
    assert_changes_at(weights, child, flip + toward * 1e-6, state)


def test_bracketing_runs_every_operator_and_identical_subjects_never_flip():
    weights, memberships = random_memberships(7, 4, 1)
    twins = np.repeat(memberships, 3, axis=0)
    for operator in fuzzy.OPERATORS:
        order, grades = robustness.operator_flip_points(weights, twins, GRADE_SCORES, operator)
        assert all(np.isnan(getattr(order, key)).all() for key in KEYS), operator
        assert len(set(grades.grades)) == 1


def test_bracketing_takes_any_evaluator_of_the_whole_tree():
    # The caller's own totals: here the linear ones, with an offset only the evaluator knows.
    weights, scores, offsets = random_node(3, 4, 5, True)
    result = robustness.bracket_flip_points(weights, lambda points: offsets + points @ scores.T)
    exact = robustness.flip_points(weights, scores, offsets)
    for key in KEYS:
        np.testing.assert_allclose(getattr(result, key), getattr(exact, key), atol=1e-6)


# --- the most critical criterion ----------------------------------------------------------------


def test_the_most_critical_criterion_is_the_smallest_relative_change_over_all_nodes():
    root = robustness.flip_points([0.6, 0.4], [[4, 1], [2, 3]])  # 1/6 and 1/4
    below = robustness.flip_points([0.5, 0.5], [[1, 3], [2, 2.2]])
    critical = robustness.most_critical({"U": root, "U1": below})
    relatives = np.concatenate([below.relative_top_below, below.relative_top_above])
    assert np.nanmin(relatives) < 1 / 6
    assert critical.node == "U1"
    assert critical.relative_change == pytest.approx(np.nanmin(relatives))


def test_no_criterion_is_critical_when_no_change_reaches_the_top_and_ties_go_to_the_first():
    steady = robustness.flip_points([0.5, 0.5], [[3, 3], [1, 1]])
    assert robustness.most_critical({"U": steady}) is None
    assert robustness.most_critical({}) is None
    twin = robustness.flip_points([0.6, 0.4], [[4, 1], [2, 3]])
    assert robustness.most_critical({"U": twin, "U1": twin}).node == "U"


# --- bad input --------------------------------------------------------------------------------

GOOD_SCORES = [[1, 2], [2, 1]]
GOOD_MEMBERSHIPS = [[[0.5, 0.5], [0.2, 0.8]]]


@pytest.mark.parametrize(
    ("weights", "scores", "offsets", "message"),
    [
        (["a", "b"], GOOD_SCORES, None, robustness.NOT_NUMERIC.format(field="weights")),
        ([0.5, math.nan], GOOD_SCORES, None, robustness.NOT_FINITE.format(field="weights")),
        ([0.5, 0.5], [[1, math.nan], [2, 1]], None, robustness.NOT_FINITE.format(field="scores")),
        ([0.5, 0.5], GOOD_SCORES, [0, math.inf], robustness.NOT_FINITE.format(field="offsets")),
        ([0.5, 0.5], GOOD_SCORES, [0, "x"], robustness.NOT_NUMERIC.format(field="offsets")),
        ([[0.5, 0.5]], GOOD_SCORES, None, robustness.NOT_A_VECTOR),
        ([], GOOD_SCORES, None, robustness.NOT_A_VECTOR),
        ([1.5, -0.5], GOOD_SCORES, None, robustness.NEGATIVE_WEIGHTS),
        ([0.5, 0.5 + 2e-9], GOOD_SCORES, None, robustness.WEIGHTS_SUM),
        ([0.5, 0.5], [1, 2], None, robustness.SCORES_SHAPE),
        ([0.5, 0.5], [[1, 2, 3]], None, robustness.SCORES_SHAPE),
        ([0.5, 0.5], GOOD_SCORES, [0, 0, 0], robustness.OFFSETS_SHAPE),
    ],
)
def test_flip_points_refuses_bad_input_naming_the_rule(weights, scores, offsets, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        robustness.flip_points(weights, scores, offsets)


def test_weights_summing_to_1_within_1e_9_are_taken():
    result = robustness.flip_points([0.6, 0.4 + 5e-10], [[4, 1], [2, 3]])
    assert result.below[0] == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize(
    ("memberships", "offsets", "message"),
    [
        ([[0.5, 0.5], [0.2, 0.8]], None, robustness.MEMBERSHIPS_SHAPE),
        ([[[0.5, 0.5]]], None, robustness.MEMBERSHIPS_SHAPE),
        ([[[0.5, 0.5], [-0.2, 1.2]]], None, robustness.NEGATIVE_MEMBERSHIPS),
        (GOOD_MEMBERSHIPS, [0.1, 0.1], robustness.GRADE_OFFSETS_SHAPE),
        ([[[0.5, math.nan], [0.2, 0.8]]], None, robustness.NOT_FINITE.format(field="memberships")),
    ],
)
def test_grade_flip_points_refuses_bad_input_naming_the_rule(memberships, offsets, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        robustness.grade_flip_points([0.5, 0.5], memberships, offsets)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: robustness.bracket_flip_points([0.5, 0.5], np.ones, tolerance=0), "BAD_TOLERANCE"),
        (
            lambda: robustness.bracket_flip_points([0.5, 0.5], np.ones, tolerance=0.5),
            "BAD_TOLERANCE",
        ),
        (lambda: robustness.bracket_flip_points([0.5, 0.5], np.ones, grid_points=1), "BAD_GRID"),
        (lambda: robustness.bracket_flip_points([0.5, 0.5], np.ones, grid_points=2.5), "BAD_GRID"),
        (lambda: robustness.bracket_flip_points([0.5, 0.5], lambda p: p[0]), "BAD_EVALUATION"),
        (
            lambda: robustness.bracket_grade_flip_points([0.5, 0.5], lambda p: p[:1]),
            "BAD_EVALUATION",
        ),
        (lambda: robustness.operator_totals(GOOD_MEMBERSHIPS, [1, 2, 3]), "SCORES_COUNT"),
        (lambda: robustness.operator_grades([[0.5, 0.5]]), "OPERATOR_MEMBERSHIPS"),
        (
            lambda: robustness.operator_flip_points([0.5, 0.5], [[[1.0], [1.0], [1.0]]], [1.0]),
            "MEMBERSHIPS_SHAPE",
        ),
    ],
)
def test_the_bracketing_search_refuses_bad_settings_naming_the_rule(call, message):
    with pytest.raises(ValueError, match=f"^{re.escape(getattr(robustness, message))}"):
        call()


def test_an_unknown_operator_is_refused_with_fuzzy_s_message():
    with pytest.raises(ValueError, match=f"^{re.escape(fuzzy.UNKNOWN_OPERATOR)}: 'average'"):
        robustness.operator_totals(GOOD_MEMBERSHIPS, [1, 2], "average")


def test_an_evaluator_changing_its_subjects_between_calls_is_refused():
    calls = []

    def shrinking(points):
        calls.append(1)
        return np.ones((points.shape[0], 3 if len(calls) == 1 else 2))

    with pytest.raises(ValueError, match=f"^{re.escape(robustness.BAD_EVALUATION)}"):
        robustness.bracket_flip_points([0.5, 0.5], shrinking)
