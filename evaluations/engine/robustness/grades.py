"""Grade flip points at one node under M(·,+), exact (DESIGN §2.9).

A subject's evaluation vector offsets + Σ_j w_j(x) R_j is linear in child k's weight x, one
line per grade. Normalising it divides by a positive number, which leaves the grade (the
largest component, fuzzy.grade) alone, so the grade changes where the leading grade's line is
crossed by another grade's. On each side of w_k the leading grade is the one whose line leads
just beside w_k (grades tied at w_k separate, which is no flip; lines tied everywhere stay
with the first grade, as fuzzy.grade has it).

For a node below the root, give the node's global weight × each subject's child vectors as
memberships and the rest of each subject's evaluation vector as offsets.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .. import fuzzy
from .flips import crossings, leader, lines, nearest
from .node import as_array, check_weights, relative_change

MEMBERSHIPS_SHAPE = "memberships must be a subjects × children × grades array, one child per weight"
NEGATIVE_MEMBERSHIPS = "memberships must be non-negative"
GRADE_OFFSETS_SHAPE = "offsets must be a subjects × grades table matching the memberships"


@dataclass(frozen=True, eq=False)
class GradeFlipPoints:
    """Where some subject's grade changes: arrays (n,) per child, NaN where none in [0, 1].

    below / above: each child's nearest weight strictly below / above its current one at which
    any subject's grade changes. grades (subjects,): the grades (0-based) at the current
    weights. tolerance: 0 for exact crossings, else the accuracy of a bracketing search.
    """

    weights: np.ndarray
    grades: np.ndarray
    below: np.ndarray
    above: np.ndarray
    tolerance: float = 0.0

    @property
    def relative_below(self) -> np.ndarray:
        """|x − w_k| / w_k for `below` (DESIGN §2.9); infinity where w_k = 0."""
        return relative_change(self.below, self.weights)

    @property
    def relative_above(self) -> np.ndarray:
        return relative_change(self.above, self.weights)


def grade_flip_points(
    weights: ArrayLike, memberships: ArrayLike, offsets: ArrayLike | None = None
) -> GradeFlipPoints:
    """Exact grade flip points of each child of one node under M(·,+).

    weights (n,): the node's local weights; memberships (subjects, n, grades): each subject's
    vector per child; offsets (subjects, grades): constant parts of the vectors (0 if not
    given). A subject's vector is offsets + Σ_k w_k memberships[:, k].
    """
    w, r, o = check_grade_node(weights, memberships, offsets)
    now, slope = lines(w, r, o)  # (subjects, n, grades)
    at = w[None, :, None]
    below = _grade_crossings(now, slope, at, downward=True)
    above = _grade_crossings(now, slope, at, downward=False)
    return GradeFlipPoints(
        weights=w,
        grades=np.atleast_1d(fuzzy.grade(o + np.einsum("ikh,k->ih", r, w))),
        below=nearest(below, w)[0],
        above=nearest(above, w)[1],
    )


def check_grade_node(
    weights: ArrayLike, memberships: ArrayLike, offsets: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights (n,), memberships (subjects, n, grades), offsets (subjects, grades) or zeros."""
    w = check_weights(weights)
    r = as_array(memberships, "memberships")
    if r.ndim != 3 or r.shape[1] != w.size or r.shape[2] == 0:
        raise ValueError(f"{MEMBERSHIPS_SHAPE}; got memberships {r.shape} for {w.size} weights")
    if np.any(r < 0):
        raise ValueError(NEGATIVE_MEMBERSHIPS)
    o = np.zeros((r.shape[0], r.shape[2])) if offsets is None else as_array(offsets, "offsets")
    if o.shape != (r.shape[0], r.shape[2]):
        raise ValueError(f"{GRADE_OFFSETS_SHAPE}; got offsets {o.shape} for {r.shape}")
    return w, r, o


def _grade_crossings(
    now: np.ndarray, slope: np.ndarray, at: np.ndarray, downward: bool
) -> np.ndarray:
    """Crossings (subjects, grades, n) of each leading grade's line with the other grades'."""
    lead = leader(now, slope, downward, axis=-1)[..., None]
    lead_now = np.take_along_axis(now, lead, axis=-1)
    lead_slope = np.take_along_axis(slope, lead, axis=-1)
    return np.moveaxis(crossings(lead_now - now, lead_slope - slope, at), 1, -1)
