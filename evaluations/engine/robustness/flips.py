"""Flip points at one node under M(·,+), exact (DESIGN §2.9; the call of DESIGN §4).

Each subject's total, offsets + scores @ w(x), is a line in child k's weight x (node.py), so
the subjects' order changes only where two lines cross: at x = w_k − gap / closing, gap being
the pair's difference at the current weight and closing how fast it shrinks. The flip points
of child k are the nearest crossings in [0, 1] below and above w_k; for the top subject, the
nearest crossings of the line that leads on that side with any other.

Ties. A pair tied at the current weight (within 1e-12) only separates as w_k moves: its
crossing is w_k itself, which is not a flip. Lines that coincide never flip. When subjects tie
for the top, the top on each side is the one whose line leads on that side. A crossing at
exactly 0 or 1 counts.

For a node below the root, give the node's global weight × each subject's child scores as
scores and the rest of each subject's total as offsets; the flip points stay local weights.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .node import TIE_TOLERANCE, check_node, relative_change, sibling_shares

# A crossing computed a rounding error outside [0, 1] is taken as the end it belongs to.
RANGE_SLACK = 1e-12


@dataclass(frozen=True, eq=False)
class FlipPoints:
    """The flip points of one node's children, arrays (n,) with NaN where there is none.

    below / above: each child's nearest weight strictly below / above its current one at which
    the subjects' order changes; top_below / top_above: the same for a change of the top
    subject. weights are the node's local weights, totals (subjects,) the totals at them.
    tolerance: 0 for exact crossings, else the accuracy of a bracketing search.
    """

    weights: np.ndarray
    totals: np.ndarray
    below: np.ndarray
    above: np.ndarray
    top_below: np.ndarray
    top_above: np.ndarray
    tolerance: float = 0.0

    @property
    def relative_below(self) -> np.ndarray:
        """|x − w_k| / w_k for `below` (DESIGN §2.9); infinity where w_k = 0."""
        return relative_change(self.below, self.weights)

    @property
    def relative_above(self) -> np.ndarray:
        return relative_change(self.above, self.weights)

    @property
    def relative_top_below(self) -> np.ndarray:
        return relative_change(self.top_below, self.weights)

    @property
    def relative_top_above(self) -> np.ndarray:
        return relative_change(self.top_above, self.weights)

    @property
    def relative_top(self) -> np.ndarray:
        """The smaller relative change that changes the top subject, either way (NaN: none)."""
        return np.fmin(self.relative_top_below, self.relative_top_above)


def flip_points(
    weights: ArrayLike, scores: ArrayLike, offsets: ArrayLike | None = None
) -> FlipPoints:
    """Exact flip points of each child of one node; totals = offsets + scores @ weights.

    weights (n,): the node's local weights, non-negative, summing to 1 within 1e-9; scores
    (subjects, n): each subject's score per child; offsets (subjects,): the constant parts of
    the totals (0 when not given). Bad input: ValueError naming the field and the rule.
    """
    w, s, o = check_node(weights, scores, offsets)
    now, slope = lines(w, s, o)  # (subjects, n) each
    first, second = np.triu_indices(s.shape[0], 1)
    every = crossings(now[first] - now[second], slope[first] - slope[second], w)
    below, above = nearest(every, w)
    return FlipPoints(
        weights=w,
        totals=o + s @ w,
        below=below,
        above=above,
        top_below=nearest(_top_crossings(now, slope, w, downward=True), w)[0],
        top_above=nearest(_top_crossings(now, slope, w, downward=False), w)[1],
    )


def lines(w: np.ndarray, values: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each total as a line in child k's weight: its value at w_k and its slope.

    values (subjects, n, …) with the children on axis 1, offsets (subjects, …); both results
    have values' shape, entry [i, k, …] for subject i as child k moves.
    """
    rest = np.einsum("kj,ij...->ik...", sibling_shares(w), values)  # the siblings' part at x=0
    slope = values - rest
    at = w.reshape((1, -1) + (1,) * (values.ndim - 2))
    return offsets[:, None, ...] + rest + slope * at, slope


def crossings(gap: np.ndarray, closing: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Where gap + closing · (x − w_k) = 0 within [0, 1], NaN elsewhere; children on the last axis.

    A gap within 1e-12 is a tie now (no flip), and parallel lines never cross.
    """
    flips = np.abs(gap) > TIE_TOLERANCE
    flips &= closing != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        x = w - gap / closing
    flips &= (x >= -RANGE_SLACK) & (x <= 1 + RANGE_SLACK)
    flips &= w.size > 1  # a single child cannot move
    return np.where(flips, np.clip(x, 0.0, 1.0), np.nan)


def nearest(points: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per child (last axis), the largest point below w_k and the smallest above (NaN: none)."""
    flat = points.reshape(-1, w.size)
    below = np.max(np.where(flat < w, flat, -np.inf), axis=0, initial=-np.inf)
    above = np.min(np.where(flat > w, flat, np.inf), axis=0, initial=np.inf)
    return np.where(np.isinf(below), np.nan, below), np.where(np.isinf(above), np.nan, above)


def leader(now: np.ndarray, slope: np.ndarray, downward: bool, axis: int) -> np.ndarray:
    """The index along `axis` that leads just beside w_k: the largest now, ties by slope.

    Going down the line with the smaller slope is the higher one; going up, the larger. Lines
    tied in both stay tied: the first of them counts (fuzzy.grade's rule for grades).
    """
    tied = now >= now.max(axis=axis, keepdims=True) - TIE_TOLERANCE
    key = np.where(tied, -slope if downward else slope, -np.inf)
    return np.argmax(key, axis=axis)


def _top_crossings(now: np.ndarray, slope: np.ndarray, w: np.ndarray, downward: bool) -> np.ndarray:
    """Crossings (subjects, n) of the line on top on one side with every subject's line."""
    top = leader(now, slope, downward, axis=0)[None, :]
    top_now = np.take_along_axis(now, top, axis=0)
    top_slope = np.take_along_axis(slope, top, axis=0)
    return crossings(top_now - now, top_slope - slope, w)
