"""Flip points by a bracketing search, for operators under which the totals are not linear.

Under M(∧,∨), M(·,∨), M(∧,⊕) and the balanced M(∧,+) the totals and grades are piecewise and
not linear in a weight, so there is no formula for the crossings (DESIGN §2.9). For each child
and each side of its weight the search scans a grid of [0, 1] outward from w_k (1001 points
by default), finds the first grid point past a change and bisects that cell down to 1e-6.

It is NOT exact: a change that undoes itself between two grid points (a pair that reverses
and reverses back within 0.001) goes unseen, and a cell holding several changes yields one of
them, not always the nearest. The reported weight is within 1e-6 of a point where the state
changes; under M(·,+) it agrees with flip_points to that accuracy.

What counts as a change, as in the exact search:
- order: a pair of subjects whose totals now stand the other way round than just beside w_k.
  The side's own order is read at w_k ± tolerance/4, or, for a pair tied there, at the first
  grid point where the two differ; pairs tied all the way never flip. Totals within 1e-12 tie.
- top: the same for the pairs holding the subject on top on that side.
- grade: any subject's grade (fuzzy.grade) other than its grade at w_k ± tolerance/4.

The evaluators take weight vectors (points, n), the node's weights with one child moved and
its siblings rescaled (node.py), and return one row per point: the subjects' totals, or their
grades. operator_totals and operator_grades build them for one node's membership vectors;
for a node below the root the caller's evaluator recomputes the whole tree.
"""

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .. import fuzzy
from .flips import FlipPoints
from .grades import GradeFlipPoints, check_grade_node
from .node import TIE_TOLERANCE, as_array, check_weights, moved_weights

Evaluator = Callable[[np.ndarray], ArrayLike]

TOLERANCE = 1e-6
GRID_POINTS = 1001

BAD_TOLERANCE = "tolerance must be a number greater than 0 and below 0.01"
BAD_GRID = "grid_points must be a whole number of at least 2"
BAD_EVALUATION = "the evaluator must return one row per weight vector, the same subjects each time"
SCORES_COUNT = "give one grade score per grade"
OPERATOR_MEMBERSHIPS = "memberships must be a subjects × children × grades array"


def bracket_flip_points(
    weights: ArrayLike,
    totals_at: Evaluator,
    *,
    tolerance: float = TOLERANCE,
    grid_points: int = GRID_POINTS,
) -> FlipPoints:
    """Flip points of the subjects' order and of the top subject, by bracketing (see above)."""
    w = check_weights(weights)
    grid = _grid(tolerance, grid_points)
    totals = _evaluate(totals_at, w[None, :])[0]
    found = np.full((2, 2, w.size), np.nan)  # (order, top) × (below, above) × child
    for child in range(w.size if w.size > 1 else 0):  # a single child cannot move
        for side, downward in enumerate((True, False)):
            outward = _outward(w[child], downward, tolerance, grid)
            if outward.size:
                search = _PairSearch(w, child, totals_at, outward, totals.size)
                found[:, side, child] = search.nearest(tolerance)
    return FlipPoints(
        weights=w,
        totals=totals,
        below=found[0, 0],
        above=found[0, 1],
        top_below=found[1, 0],
        top_above=found[1, 1],
        tolerance=tolerance,
    )


def bracket_grade_flip_points(
    weights: ArrayLike,
    grades_at: Evaluator,
    *,
    tolerance: float = TOLERANCE,
    grid_points: int = GRID_POINTS,
) -> GradeFlipPoints:
    """Where any subject's grade changes, by bracketing (see above)."""
    w = check_weights(weights)
    grid = _grid(tolerance, grid_points)
    grades = _evaluate(grades_at, w[None, :])[0]
    found = np.full((2, w.size), np.nan)  # (below, above) × child
    for child in range(w.size if w.size > 1 else 0):  # a single child cannot move
        for side, downward in enumerate((True, False)):
            outward = _outward(w[child], downward, tolerance, grid)
            if outward.size:
                search = _GradeSearch(w, child, grades_at, outward, grades.size)
                found[side, child] = search.nearest(tolerance)
    return GradeFlipPoints(
        weights=w,
        grades=grades.astype(int),
        below=found[0],
        above=found[1],
        tolerance=tolerance,
    )


def operator_totals(
    memberships: ArrayLike, grade_scores: ArrayLike, operator: str = fuzzy.DEFAULT_OPERATOR
) -> Evaluator:
    """Evaluator of one node's totals: the score E · s of each subject's normalised E = w ∘ R.

    memberships (subjects, n, grades): each subject's vector per child; grade_scores (grades,).
    """
    r = _check_operator(memberships, operator)
    s = as_array(grade_scores, "grade_scores")
    if s.shape != r.shape[2:]:
        raise ValueError(f"{SCORES_COUNT}; got {s.shape} for {r.shape[2]} grades")
    return lambda points: fuzzy.evaluate(points[:, None, :], r, operator) @ s


def operator_grades(memberships: ArrayLike, operator: str = fuzzy.DEFAULT_OPERATOR) -> Evaluator:
    """Evaluator of one node's grades: fuzzy.grade of each subject's normalised E = w ∘ R."""
    r = _check_operator(memberships, operator)
    return lambda points: fuzzy.grade(fuzzy.evaluate(points[:, None, :], r, operator))


def operator_flip_points(
    weights: ArrayLike,
    memberships: ArrayLike,
    grade_scores: ArrayLike,
    operator: str = fuzzy.DEFAULT_OPERATOR,
    *,
    tolerance: float = TOLERANCE,
    grid_points: int = GRID_POINTS,
) -> tuple[FlipPoints, GradeFlipPoints]:
    """Order, top and grade flip points of one node under any operator, by bracketing."""
    check_grade_node(weights, memberships, None)
    options = {"tolerance": tolerance, "grid_points": grid_points}
    totals = bracket_flip_points(
        weights, operator_totals(memberships, grade_scores, operator), **options
    )
    grades = bracket_grade_flip_points(weights, operator_grades(memberships, operator), **options)
    return totals, grades


class _PairSearch:
    """The order and top-subject searches on one side of one child's weight."""

    def __init__(self, w, child, totals_at, outward, subjects):
        self.w, self.child, self.totals_at, self.outward = w, child, totals_at, outward
        self.subjects = subjects
        self.first, self.second = np.triu_indices(subjects, 1)
        self.scanned = self._signs(outward)
        # Each pair's order on this side: its first sign that is not a tie (0: tied all along).
        first_sign = np.argmax(self.scanned != 0, axis=0)
        self.reference = self.scanned[first_sign, np.arange(self.first.size)]
        # The subject on top on this side is the one that beats the most others in that order.
        wins = np.bincount(self.first, self.reference, subjects)
        wins -= np.bincount(self.second, self.reference, subjects)
        top = np.argmax(wins)
        self.masks = (np.ones(self.first.size, bool), (self.first == top) | (self.second == top))

    def nearest(self, tolerance: float) -> list[float]:
        """The nearest change of the order and of the top subject on this side."""
        return [
            _bisect(
                self.outward, self._reversed(self.scanned, mask), self._changed(mask), tolerance
            )
            for mask in self.masks
        ]

    def _signs(self, points: np.ndarray) -> np.ndarray:
        moved = moved_weights(self.w, self.child, points)
        totals = _evaluate(self.totals_at, moved, self.subjects)
        gap = totals[:, self.first] - totals[:, self.second]
        return np.where(gap > TIE_TOLERANCE, 1, np.where(gap < -TIE_TOLERANCE, -1, 0))

    def _reversed(self, signs: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.any((signs == -self.reference) & (self.reference != 0) & mask, axis=1)

    def _changed(self, mask: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        return lambda points: self._reversed(self._signs(points), mask)


class _GradeSearch:
    """The grade search on one side of one child's weight."""

    def __init__(self, w, child, grades_at, outward, subjects):
        self.w, self.child, self.grades_at, self.outward = w, child, grades_at, outward
        self.subjects = subjects
        self.scanned = self._grades(outward)
        self.reference = self.scanned[0]  # the grades just beside w_k

    def nearest(self, tolerance: float) -> float:
        scanned_changed = np.any(self.scanned != self.reference, axis=1)
        return _bisect(self.outward, scanned_changed, self._changed, tolerance)

    def _grades(self, points: np.ndarray) -> np.ndarray:
        moved = moved_weights(self.w, self.child, points)
        return _evaluate(self.grades_at, moved, self.subjects)

    def _changed(self, points: np.ndarray) -> np.ndarray:
        return np.any(self._grades(points) != self.reference, axis=1)


def _bisect(outward, scanned_changed, changed, tolerance) -> float:
    """Bisect the cell before the first grid point that changed; NaN if none did.

    The first outward point is the side's reference, so it never counts as changed.
    """
    if not scanned_changed.any():
        return np.nan
    at = int(np.argmax(scanned_changed))
    still, moved = outward[at - 1], outward[at]
    while abs(moved - still) > tolerance:
        middle = (still + moved) / 2
        if changed(np.array([middle]))[0]:
            moved = middle
        else:
            still = middle
    return float((still + moved) / 2)


def _outward(weight: float, downward: bool, tolerance: float, grid: np.ndarray) -> np.ndarray:
    """The points to scan on one side: just beside w_k, then the grid going away from it."""
    start = weight - tolerance / 4 if downward else weight + tolerance / 4
    if not 0.0 <= start <= 1.0:
        return np.empty(0)
    beyond = grid[grid < start][::-1] if downward else grid[grid > start]
    return np.concatenate(([start], beyond))


def _grid(tolerance: float, grid_points: int) -> np.ndarray:
    if not (isinstance(tolerance, int | float) and 0 < tolerance < 0.01):
        raise ValueError(f"{BAD_TOLERANCE}; got {tolerance!r}")
    if isinstance(grid_points, bool) or not isinstance(grid_points, int) or grid_points < 2:
        raise ValueError(f"{BAD_GRID}; got {grid_points!r}")
    return np.linspace(0.0, 1.0, grid_points)


def _evaluate(evaluator: Evaluator, points: np.ndarray, subjects: int | None = None) -> np.ndarray:
    """The evaluator's rows (points, subjects) for the weight vectors `points`, checked."""
    rows = as_array(evaluator(points), "the evaluator's results")
    expected = (points.shape[0], rows.shape[-1] if subjects is None else subjects)
    if rows.shape != expected:
        raise ValueError(f"{BAD_EVALUATION}; got shape {rows.shape} for {points.shape[0]} points")
    return rows


def _check_operator(memberships: ArrayLike, operator: str) -> np.ndarray:
    if operator not in fuzzy.OPERATORS:
        choices = ", ".join(fuzzy.OPERATORS)
        raise ValueError(f"{fuzzy.UNKNOWN_OPERATOR}: {operator!r} (choose from {choices})")
    r = as_array(memberships, "memberships")
    if r.ndim != 3 or r.shape[2] == 0:
        raise ValueError(f"{OPERATOR_MEMBERSHIPS}; got shape {r.shape}")
    return r
