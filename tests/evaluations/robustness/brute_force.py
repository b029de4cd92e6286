"""Moving one weight by hand through the engine's whole-tree evaluation, for the flip tests.

The brute force the flip points stored with each snapshot are checked against: it rebuilds
the weights as DESIGN §2.9 says and evaluates the whole tree with fuzzy.evaluate_tree for
each moved weight, on a grid and just either side of each reported point.
"""

import numpy as np
import pytest

from evaluations.engine import fuzzy, hierarchy
from evaluations.engine.hierarchy import Node
from evaluations.robustness.flips import result_flip_points

OPERATORS = ("product_sum", "min_max", "product_max", "min_bounded_sum", "min_balanced_sum")
GRADE_SCORES = np.array([95.0, 85.0, 70.0, 50.0])
FIELDS = {  # the row's field for each kind of change, below and above the current weight
    "order": ("below", "above"),
    "top": ("top_below", "top_above"),
    "grade": ("grade_below", "grade_above"),
}
# The brute force moves each weight over this grid, then looks just either side of each
# reported point: 1e-9 away for the exact crossings, 2e-6 for the bracketing to 1e-6 (the
# reported point lies within 5e-7 of the change).
GRID = np.linspace(0.0, 1.0, 201)
EXACT_STEP = 1e-9
BRACKET_STEP = 2e-6
# Totals or memberships closer than this count as equal in the brute force: far below the gaps
# a step of 1e-9 opens (weights of order 0.1 times scores or memberships of order 0.1).
TIE = 1e-14


# --- the brute force -----------------------------------------------------------------------


def random_tree(rng, code="U", depth=1, levels=3) -> Node:
    """3 or 2 children under the root, 2 below it (keeping the brute force quick); below the
    root a node is a leaf with probability 0.3."""
    if depth == levels or (depth > 1 and rng.random() < 0.3):
        return Node(code)
    children = int(rng.integers(2, 4)) if depth == 1 else 2
    return Node(code, tuple(random_tree(rng, f"{code}{c + 1}", depth + 1, levels)
                            for c in range(children)))  # fmt: skip


def random_result(seed: int, subjects: int = 3):
    rng = np.random.default_rng(seed)
    root = random_tree(rng, levels=3 + seed % 2)  # the root and 2 or 3 levels below
    local = {
        node.code: rng.dirichlet(np.full(len(node.children), 2.0)).tolist()
        for node in root.walk()
        if node.children
    }
    memberships = {
        100 + s: {leaf.code: rng.dirichlet(np.ones(4)).tolist() for leaf in root.leaves()}
        for s in range(subjects)
    }
    return root, local, memberships


def moved(weights, child: int, x: float) -> dict:
    """DESIGN §2.9 written out: w_k → x, siblings w_j (1 − x) / (1 − w_k)."""
    w = np.asarray(weights, dtype=float)
    result = w * (1.0 - x) / (1.0 - w[child])
    result[child] = x
    return result


class BruteForce:
    """Every subject's total and grade with one weight moved, through fuzzy.evaluate_tree."""

    def __init__(self, root, local, memberships, operator):
        self.root, self.local, self.operator = root, local, operator
        self.subjects = list(memberships)
        self.rows = {
            leaf.code: np.array([memberships[s][leaf.code] for s in self.subjects])
            for leaf in root.leaves()
        }

        self.grade_scores = GRADE_SCORES

    def state(self, node: str, child: int, x: float) -> tuple[np.ndarray, np.ndarray]:
        local = {**self.local, node: moved(self.local[node], child, x)}
        vector = fuzzy.evaluate_tree(self.root, local, self.rows, self.operator)[self.root.code]
        return vector @ self.grade_scores, np.atleast_1d(fuzzy.grade(vector))

    def children_of(self, code: str) -> tuple[Node, ...]:
        return next(node for node in self.root.walk() if node.code == code).children


def changed(kind: str, state, reference) -> bool:
    """Has the order (a pair reversed), the top subject or any grade changed?"""
    totals, grades = state
    ref_totals, ref_grades = reference
    if kind == "order":
        gap = totals[:, None] - totals[None, :]
        ref_gap = ref_totals[:, None] - ref_totals[None, :]
        return bool(np.any((np.abs(gap) > TIE) & (np.sign(gap) == -np.sign(ref_gap))))
    if kind == "top":
        return bool(np.any(totals > totals[np.argmax(ref_totals)] + TIE))
    return bool(np.any(grades != ref_grades))


def assert_row_matches_brute_force(brute, row, child, step):
    node, w = row["node"], row["weight"]
    reference = brute.state(node, child, w)
    gaps = np.abs(reference[0][:, None] - reference[0][None, :])[np.triu_indices(3, 1)]
    assert gaps.min() > 1e-9, "the random case has tied subjects: pick another seed"
    grid_states = [brute.state(node, child, x) for x in GRID]
    for kind, fields in FIELDS.items():
        grid_changed = np.array([changed(kind, state, reference) for state in grid_states])
        for field, direction in zip(fields, (-1, 1), strict=True):
            point = row[field]
            end = 0.0 if direction < 0 else 1.0
            stop = end if point is None else point
            # Nothing changes on the grid between the current weight and the point (or the end).
            between = (GRID > min(w, stop) + step) & (GRID < max(w, stop) - step)
            assert not np.any(grid_changed & between), (row, field, GRID[grid_changed & between])
            if point is not None:
                before = min(max(point - direction * step, 0.0), 1.0)
                after = min(max(point + direction * step, 0.0), 1.0)
                context = (row, field, point)
                assert not changed(kind, brute.state(node, child, before), reference), context
                assert changed(kind, brute.state(node, child, after), reference), context


def assert_lines_match_brute_force(brute, robustness, row, child):
    line = robustness["lines"][row["node"]][row["criterion"]]
    for n, x in enumerate(line["x"]):
        totals, _grades = brute.state(row["node"], child, x)
        for s, subject in enumerate(brute.subjects):
            assert line["totals"][str(subject)][n] == pytest.approx(totals[s], abs=1e-12)


def assert_most_critical_is_the_smallest_top_change(robustness):
    candidates = [
        (abs(row[field] - row["weight"]) / row["weight"], row, row[field])
        for row in robustness["flip_points"]
        for field in ("top_below", "top_above")
        if row[field] is not None
    ]
    critical = robustness["most_critical"]
    if not candidates:
        assert critical is None
        return
    smallest, row, point = min(candidates, key=lambda candidate: candidate[0])
    assert critical["relative_change"] == pytest.approx(smallest, abs=1e-12)
    assert (critical["node"], critical["criterion"]) == (row["node"], row["criterion"])
    assert critical["weight"] == row["weight"] and critical["point"] == point


def run(root, local, memberships, operator) -> dict:
    global_weights = hierarchy.global_weights(local, root)
    return result_flip_points(root, local, global_weights, memberships, GRADE_SCORES, operator)
