"""The boundary-value method of screening a round's items (DESIGN §2.8).

Across the items of a round: thresholds mean − SD for the item means and for the full-score
shares (an item passes at or above), mean + SD for the CVs (passes at or below), SD being the
sample SD across items (ddof 1). An item passing all three is kept, failing all three dropped,
otherwise discussed.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .validation import THRESHOLD_TOLERANCE as TOLERANCE
from .validation import as_item_vectors

KEEP, DROP, DISCUSS = "keep", "drop", "discuss"


@dataclass(frozen=True)
class BoundaryThresholds:
    """The three thresholds; NaN when fewer than 2 items have that statistic defined."""

    mean: float
    full_score_share: float
    cv: float


def boundary_thresholds(
    mean: ArrayLike, full_score_share: ArrayLike, cv: ArrayLike
) -> BoundaryThresholds:
    """Thresholds over the items where each statistic is defined (NaN items are left out)."""
    means, shares, cvs = as_item_vectors(mean, full_score_share, cv)
    return BoundaryThresholds(
        mean=_centre(means) - _spread(means),
        full_score_share=_centre(shares) - _spread(shares),
        cv=_centre(cvs) + _spread(cvs),
    )


def boundary_value(mean: ArrayLike, full_score_share: ArrayLike, cv: ArrayLike) -> list[str]:
    """Per item, "keep", "drop" or "discuss".

    An undefined statistic (NaN, say the CV of an item only one expert rated) neither passes nor
    fails, so its item is discussed; so is every item when a threshold is undefined.
    """
    means, shares, cvs = as_item_vectors(mean, full_score_share, cv)
    limits = boundary_thresholds(means, shares, cvs)
    low_mean, low_share = limits.mean - TOLERANCE, limits.full_score_share - TOLERANCE
    high_cv = limits.cv + TOLERANCE
    # NaN compares False both ways, so passes and fails are counted separately.
    passes = np.stack([means >= low_mean, shares >= low_share, cvs <= high_cv])
    fails = np.stack([means < low_mean, shares < low_share, cvs > high_cv])
    verdicts = np.where(passes.all(axis=0), KEEP, np.where(fails.all(axis=0), DROP, DISCUSS))
    return [str(verdict) for verdict in verdicts]


def _centre(values: np.ndarray) -> float:
    defined = values[~np.isnan(values)]
    return float(defined.mean()) if len(defined) >= 2 else float("nan")


def _spread(values: np.ndarray) -> float:
    defined = values[~np.isnan(values)]
    return float(defined.std(ddof=1)) if len(defined) >= 2 else float("nan")
