"""Every subject's totals and grades with one node's local weights moved, for the flip points.

Under M(·,+) a node's share of each subject's evaluation vector is linear in its local weights,
so a node is reduced to the engine's line form: the node's global weight G times each child's
own composed vector, plus the rest of the vector (`linear_node`). Under the other operators it
is not, and the evaluator (`Moved`) recomposes what the move changes: the node's own vector for
each trial weight vector, then each ancestor's up to the root, the other nodes' vectors staying
as the result has them. Trial weight vectors are an array axis, so a grid scan is one pass.
"""

from dataclasses import dataclass

import numpy as np

from ..engine import fuzzy
from ..engine.hierarchy import Node


@dataclass(frozen=True)
class LinearNode:
    """One node under M(·,+), in the engine's form: a subject's total = offsets + scores @ w.

    scores (subjects, n): G × the score of child j's vector; offsets (subjects,): the rest of
    the total. memberships (subjects, n, grades) and grade_offsets (subjects, grades): the same
    for the evaluation vector, whose largest component is the grade.
    """

    scores: np.ndarray
    offsets: np.ndarray
    memberships: np.ndarray
    grade_offsets: np.ndarray

    def totals_at(self, points: np.ndarray) -> np.ndarray:
        """The totals (points, subjects) for weight vectors (points, n)."""
        return self.offsets[None, :] + points @ self.scores.T


def linear_node(
    node: Node,
    weights: np.ndarray,
    global_weight: float,
    vectors: dict[str, np.ndarray],
    root_code: str,
    grade_scores: np.ndarray,
) -> LinearNode:
    """The line form of one node from the result's vectors (evaluate_tree's, subjects stacked).

    The root's vector is normalised; under M(·,+) it already sums to 1 for every weight vector
    (memberships and weights each sum to 1), so the normalisation divides by 1 throughout and
    the evaluation vector stays linear in the node's weights.
    """
    children = np.stack([vectors[child.code] for child in node.children], axis=1)  # (S, n, m)
    memberships = global_weight * children
    evaluation = vectors[root_code]  # (S, m)
    grade_offsets = evaluation - np.einsum("snm,n->sm", memberships, weights)
    scores = memberships @ grade_scores
    return LinearNode(
        scores=scores,
        offsets=evaluation @ grade_scores - scores @ weights,
        memberships=memberships,
        grade_offsets=grade_offsets,
    )


class Moved:
    """Evaluators of every subject's totals and grades with one node's local weights moved.

    vectors: the result's vectors of every node (fuzzy.evaluate_tree with the subjects stacked,
    (S, m) each); local: the local weights by parent. Calls take weight vectors (points, n) for
    the node's children and return (points, subjects). Scans are cached, as the order and the
    grade searches scan the same points.
    """

    def __init__(
        self,
        root: Node,
        node: Node,
        local: dict,
        vectors: dict[str, np.ndarray],
        operator: str,
        grade_scores: np.ndarray,
    ):
        if operator not in fuzzy.OPERATORS:
            choices = ", ".join(fuzzy.OPERATORS)
            raise ValueError(f"{fuzzy.UNKNOWN_OPERATOR}: {operator!r} (choose from {choices})")
        self.compose = fuzzy.OPERATORS[operator]
        self.grade_scores = grade_scores
        self.children = _children(node, vectors)
        # From the node's parent up to the root: its children's vectors (the one on the path
        # is replaced), its weights and the place of the child on the path.
        self.path = [
            (_children(parent, vectors), np.asarray(local[parent.code], dtype=float), index)
            for parent, index in _ancestors(root, node)
        ]
        self.cache: dict[bytes, np.ndarray] = {}

    def totals(self, points: np.ndarray) -> np.ndarray:
        return self._evaluation(points) @ self.grade_scores

    def grades(self, points: np.ndarray) -> np.ndarray:
        return fuzzy.grade(self._evaluation(points))

    def _evaluation(self, points: np.ndarray) -> np.ndarray:
        if points.shape[0] == 1:  # a bisection's single points are not asked for twice
            return self.evaluation(points)
        key = points.tobytes()
        if key not in self.cache:
            self.cache[key] = self.evaluation(points)
        return self.cache[key]

    def evaluation(self, points: np.ndarray) -> np.ndarray:
        """The normalised evaluation vectors (points, subjects, grades).

        The engine's operator functions compose; weights moved by the engine's rule stay
        non-negative and sum to 1, and the result's own vectors were checked when composed.
        """
        vector = self.compose(points[:, None, :, None], self.children)  # (P, S, m)
        for children, weights, index in self.path:
            stacked = np.repeat(children[None], points.shape[0], axis=0)  # (P, S, n, m)
            stacked[:, :, index, :] = vector
            vector = self.compose(weights[:, None], stacked)
        total = vector.sum(axis=-1, keepdims=True)
        # An operator's vector is never all 0 when weights and memberships each sum to 1;
        # if one were, it is left at 0 rather than divided by 0.
        return np.divide(vector, total, out=np.zeros_like(vector), where=total > 0)


def _children(node: Node, vectors: dict[str, np.ndarray]) -> np.ndarray:
    """The node's children's vectors (subjects, n, grades)."""
    return np.stack([vectors[child.code] for child in node.children], axis=-2)


def _ancestors(root: Node, node: Node) -> list[tuple[Node, int]]:
    """(parent, index of the child on the way down to node), from node's parent to the root."""

    def down(current: Node) -> list[tuple[Node, int]] | None:
        if current.code == node.code:
            return []
        for index, child in enumerate(current.children):
            below = down(child)
            if below is not None:
                return [*below, (current, index)]
        return None

    path = down(root)
    if path is None:
        raise ValueError(f"node {node.code!r} is not in the hierarchy")
    return path
