"""Robustness of the results: how far a weight may move before the ranking or a grade changes.

One node at a time (DESIGN §2.9; the call of DESIGN §4): move one child's local weight, its
siblings rescale in proportion, and find the nearest weights below and above the current one
at which the subjects' order, the top subject or any subject's grade changes.
- node: the input checks and the moved weight vectors (w_k = 1, zero siblings, one child);
- flips: `flip_points`, exact line crossings of the totals under M(·,+);
- grades: `grade_flip_points`, exact crossings of the evaluation vectors' components;
- bracket: the same by a grid scan and bisection to 1e-6 for the other operators (not exact);
- critical: `most_critical`, the criterion closest to changing the top subject over all nodes.
Around the whole result:
- simulation: judgment noise and panel resampling in batched draws, and leave-one-out;
- agreement: each expert's compatibility S and weight correlation with the group, the flag.
Bad input raises ValueError with a message naming the field and the rule (the constants).
"""

from . import agreement, simulation
from .bracket import (
    BAD_EVALUATION,
    BAD_GRID,
    BAD_TOLERANCE,
    GRID_POINTS,
    OPERATOR_MEMBERSHIPS,
    SCORES_COUNT,
    TOLERANCE,
    bracket_flip_points,
    bracket_grade_flip_points,
    operator_flip_points,
    operator_grades,
    operator_totals,
)
from .critical import Critical, most_critical
from .flips import FlipPoints, flip_points
from .grades import (
    GRADE_OFFSETS_SHAPE,
    MEMBERSHIPS_SHAPE,
    NEGATIVE_MEMBERSHIPS,
    GradeFlipPoints,
    grade_flip_points,
)
from .node import (
    NEGATIVE_WEIGHTS,
    NOT_A_VECTOR,
    NOT_FINITE,
    NOT_NUMERIC,
    OFFSETS_SHAPE,
    SCORES_SHAPE,
    WEIGHTS_SUM,
    moved_weights,
)

__all__ = [
    "agreement",
    "simulation",
    "BAD_EVALUATION",
    "BAD_GRID",
    "BAD_TOLERANCE",
    "GRADE_OFFSETS_SHAPE",
    "GRID_POINTS",
    "MEMBERSHIPS_SHAPE",
    "NEGATIVE_MEMBERSHIPS",
    "NEGATIVE_WEIGHTS",
    "NOT_A_VECTOR",
    "NOT_FINITE",
    "NOT_NUMERIC",
    "OFFSETS_SHAPE",
    "OPERATOR_MEMBERSHIPS",
    "SCORES_COUNT",
    "SCORES_SHAPE",
    "TOLERANCE",
    "WEIGHTS_SUM",
    "Critical",
    "FlipPoints",
    "GradeFlipPoints",
    "bracket_flip_points",
    "bracket_grade_flip_points",
    "flip_points",
    "grade_flip_points",
    "moved_weights",
    "most_critical",
    "operator_flip_points",
    "operator_grades",
    "operator_totals",
]
