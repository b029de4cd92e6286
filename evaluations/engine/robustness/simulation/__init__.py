"""Uncertainty of the results by simulation, and each expert's leave-one-out (DESIGN §2.9).

- problem: the input, one evaluation's hierarchy, ballots, ratings and settings by index
  (`Problem`; `from_panel` builds it from the results service's panel input);
- outcome: `deterministic`, the evaluation as the results compute it, and `leave_one_out`;
- draws: `simulate`, N draws of judgment noise or of panel resampling, seeded, and `perturb`,
  one judgment's noise;
- batch: the core both run on, many draws at once as array axes.
Bad input raises ValueError with a message naming the field and the rule (the constants).
"""

from .draws import (
    BAD_DRAWS,
    BAD_PERTURB_STEPS,
    BAD_SEED,
    BAD_STEPS,
    DRAWS,
    LADDER,
    MAX_DRAWS,
    MAX_STEPS,
    NOT_A_PROBLEM,
    PERCENTILES,
    SOURCES,
    UNKNOWN_SOURCE,
    Simulation,
    answering_experts,
    perturb,
    simulate,
)
from .outcome import LeaveOneOut, Outcome, deterministic, leave_one_out
from .problem import (
    EXPERT_WEIGHTS,
    GRADE_SCORES,
    JUDGMENT_EXPERTS,
    JUDGMENTS_EXTRA,
    JUDGMENTS_MISSING,
    JUDGMENTS_SHAPE,
    LABELS,
    MEANS,
    NO_RATING,
    PANEL_PARENT,
    PARENTS,
    RATINGS_SHAPE,
    RATINGS_VALUES,
    UNKNOWN_MEAN,
    UNRATED,
    Problem,
    from_panel,
)

__all__ = [
    "BAD_DRAWS",
    "BAD_PERTURB_STEPS",
    "BAD_SEED",
    "BAD_STEPS",
    "DRAWS",
    "EXPERT_WEIGHTS",
    "GRADE_SCORES",
    "JUDGMENTS_EXTRA",
    "JUDGMENTS_MISSING",
    "JUDGMENTS_SHAPE",
    "JUDGMENT_EXPERTS",
    "LABELS",
    "LADDER",
    "MAX_DRAWS",
    "MAX_STEPS",
    "MEANS",
    "NOT_A_PROBLEM",
    "NO_RATING",
    "PANEL_PARENT",
    "PARENTS",
    "PERCENTILES",
    "RATINGS_SHAPE",
    "RATINGS_VALUES",
    "SOURCES",
    "UNKNOWN_MEAN",
    "UNKNOWN_SOURCE",
    "UNRATED",
    "LeaveOneOut",
    "Outcome",
    "Problem",
    "Simulation",
    "answering_experts",
    "deterministic",
    "from_panel",
    "leave_one_out",
    "perturb",
    "simulate",
]
