"""The most critical criterion (DESIGN §2.9).

Over all nodes, the child whose local weight needs the smallest relative change |x − w_k| / w_k
to change the top subject, either way. A child of weight 0 needs an infinite relative change
and so comes last. Ties (within 1e-12) go to the first: nodes in the mapping's order, children
in their order, a decrease before an increase.
"""

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from .flips import FlipPoints

# Relative changes come out of a subtraction and a division; closer than this they are equal.
TIE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Critical:
    """A node's child (0-based) and the change of its local weight that changes the top subject.

    weight: the local weight at which the top changes; direction: "below" or "above" the
    current weight.
    """

    node: Hashable
    child: int
    weight: float
    relative_change: float
    direction: str


def most_critical(results: Mapping[Hashable, FlipPoints]) -> Critical | None:
    """The most critical criterion over the nodes' flip points; None if no change tops anyone.

    results maps each node (its code, say) to flip_points' result for it (exact or bracketed).
    """
    candidates = [
        Critical(node, child, float(points[child]), float(relative[child]), direction)
        for node, result in results.items()
        for child in range(result.weights.size)
        for direction, points, relative in (
            ("below", result.top_below, result.relative_top_below),
            ("above", result.top_above, result.relative_top_above),
        )
        if not math.isnan(points[child])
    ]
    if not candidates:
        return None
    smallest = min(candidate.relative_change for candidate in candidates)
    return next(c for c in candidates if c.relative_change <= smallest + TIE_TOLERANCE)
