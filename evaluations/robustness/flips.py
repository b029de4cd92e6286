"""The flip points at every node of a result, stored with every results snapshot (DESIGN §2.9).

For each node with two or more children and each child (criterion): how far its local weight
may move, its siblings rescaling in proportion, before the subjects' order, the top subject or
any subject's grade changes; the most critical criterion over all nodes; and each subject's
total as the weight moves, for the score-line chart. Layout (snapshot data["robustness"]):

  operator        the evaluation's composition operator
  exact           true under M(·,+) (line crossings), false for a bracketing search to 1e-6
  flip_points     [{node, criterion, weight, global_weight, below, above, top_below,
                  top_above, grade_below, grade_above, relative_change, top_relative_change}]
                  in hierarchy order; weight the criterion's local weight, global_weight the
                  node's; null where no change lies in [0, 1]
  most_critical   {node, criterion, weight, point, relative_change}: the smallest relative
                  change |point − weight| / weight that changes the top subject, or null
  lines           {node: {criterion: {x, totals: {subject id: [total at each x]}}}}: x the
                  two ends 0 and 1 under M(·,+), 21 evenly spaced points otherwise

Only the subjects with a score take part. The numbers come from the engine
(evaluations.engine.robustness); JSON holds no NaN or infinity, so those are null.
"""

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np

from ..engine import fuzzy
from ..engine import robustness as engine
from ..engine.hierarchy import Node
from .moved import Moved, linear_node

EXACT_OPERATOR = "product_sum"
# The score-line chart: a straight line needs its two ends; a curve, enough points to show it.
LINE_ENDS = np.array([0.0, 1.0])
LINE_POINTS = np.linspace(0.0, 1.0, 21)
# The bracketing scans each criterion's weight on a grid before it bisects to 1e-6 (the
# engine's 1001 points: steps of 0.001), and every scanned point recomposes the subjects'
# vectors up the hierarchy. A snapshot is recomputed after every burst of ballots, so on large
# hierarchies the grid thins to about SCAN_BUDGET points over all criteria, never below
# MIN_GRID (steps of 0.005): a change that undoes itself within one step may then go unseen.
SCAN_BUDGET = 20_000
MIN_GRID = 201


@dataclass(frozen=True)
class _Result:
    """What every node's search reads: the result's hierarchy, weights and vectors."""

    root: Node
    local: Mapping[str, list[float] | None]
    global_weights: Mapping[str, float]
    vectors: dict[str, np.ndarray]  # every node's, subjects stacked (evaluate_tree)
    grade_scores: np.ndarray
    operator: str
    grid_points: int


def result_flip_points(
    root: Node,
    local: Mapping[str, list[float] | None],
    global_weights: Mapping[str, float] | None,
    memberships: Mapping[Hashable, Mapping[str, list[float]]],
    grade_scores: list[float],
    operator: str,
) -> dict:
    """The snapshot's robustness data (layout above).

    local: local weights by parent (every node with children); global_weights: every node's,
    or None when some matrix has no weights yet; memberships: the membership row of every
    leaf for each scored subject, by subject id (the lines' keys are str(id)). Without global
    weights or scored subjects there is nothing to move: no rows, no most critical criterion,
    no lines.
    """
    result = {
        "operator": operator,
        "exact": operator == EXACT_OPERATOR,
        "flip_points": [],
        "most_critical": None,
        "lines": {},
    }
    if global_weights is None or not memberships:
        return result
    subject_ids = list(memberships)
    rows = {
        leaf.code: np.array([memberships[subject][leaf.code] for subject in subject_ids])
        for leaf in root.leaves()
    }
    parents = [node for node in root.walk() if len(node.children) >= 2]
    criteria = sum(len(node.children) for node in parents)
    context = _Result(
        root=root,
        local=local,
        global_weights=global_weights,
        vectors=fuzzy.evaluate_tree(root, local, rows, operator=operator),
        grade_scores=np.asarray(grade_scores, dtype=float),
        operator=operator,
        grid_points=scan_grid_points(criteria),
    )
    by_node: dict[str, engine.FlipPoints] = {}
    for node in parents:
        totals, grades, x, lines = _node_flips(context, node)
        by_node[node.code] = totals
        result["flip_points"] += _rows(node, totals, grades, global_weights[node.code])
        result["lines"][node.code] = {
            child.code: {
                "x": x.tolist(),
                "totals": {
                    str(subject): [_number(v) for v in lines[:, s, k]]
                    for s, subject in enumerate(subject_ids)
                },
            }
            for k, child in enumerate(node.children)
        }
    result["most_critical"] = _most_critical(root, by_node)
    return result


def scan_grid_points(criteria: int) -> int:
    """The bracketing's grid for a hierarchy with this many criteria (rows): see SCAN_BUDGET."""
    return int(np.clip(SCAN_BUDGET // max(criteria, 1), MIN_GRID, engine.GRID_POINTS))


def _node_flips(context: _Result, node: Node):
    """One node's order, top and grade flip points, and its lines: x and the totals
    (x, subjects, children) as each child's weight moves over x."""
    weights = np.asarray(context.local[node.code], dtype=float)
    if context.operator == EXACT_OPERATOR:
        line = linear_node(
            node,
            weights,
            context.global_weights[node.code],
            context.vectors,
            context.root.code,
            context.grade_scores,
        )
        totals = engine.flip_points(weights, line.scores, line.offsets)
        grades = engine.grade_flip_points(weights, line.memberships, line.grade_offsets)
        x, totals_at = LINE_ENDS, line.totals_at
    else:
        moved = Moved(
            context.root,
            node,
            context.local,
            context.vectors,
            context.operator,
            context.grade_scores,
        )
        grid = {"grid_points": context.grid_points}
        totals = engine.bracket_flip_points(weights, moved.totals, **grid)
        grades = engine.bracket_grade_flip_points(weights, moved.grades, **grid)
        x, totals_at = LINE_POINTS, moved.totals
    lines = np.stack(
        [totals_at(engine.moved_weights(weights, k, x)) for k in range(weights.size)], axis=-1
    )
    return totals, grades, x, lines


def _rows(node: Node, totals, grades, global_weight: float) -> list[dict]:
    relative = np.fmin(totals.relative_below, totals.relative_above)
    return [
        {
            "node": node.code,
            "criterion": child.code,
            "weight": float(totals.weights[k]),
            "global_weight": float(global_weight),
            "below": _number(totals.below[k]),
            "above": _number(totals.above[k]),
            "top_below": _number(totals.top_below[k]),
            "top_above": _number(totals.top_above[k]),
            "grade_below": _number(grades.below[k]),
            "grade_above": _number(grades.above[k]),
            "relative_change": _number(relative[k]),
            "top_relative_change": _number(totals.relative_top[k]),
        }
        for k, child in enumerate(node.children)
    ]


def _most_critical(root: Node, by_node: dict[str, engine.FlipPoints]) -> dict | None:
    critical = engine.most_critical(by_node)  # by_node is in hierarchy order: ties go first
    if critical is None:
        return None
    node = next(node for node in root.walk() if node.code == critical.node)
    return {
        "node": critical.node,
        "criterion": node.children[critical.child].code,
        "weight": float(by_node[critical.node].weights[critical.child]),
        "point": _number(critical.weight),
        "relative_change": _number(critical.relative_change),
    }


def _number(value) -> float | None:
    """A float for JSON, or None for NaN and infinity (JSON has neither)."""
    value = float(value)
    return value if math.isfinite(value) else None
