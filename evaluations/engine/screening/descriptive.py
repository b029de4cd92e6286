"""Per-item descriptive statistics of a ranking or rating question (DESIGN §2.8).

Answers come as a respondents × items table with NaN for a missing answer or "cannot judge",
which is left out of every item's N. All statistics are computed for every item at once.
"""

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .validation import (
    THRESHOLD_TOLERANCE,
    as_answers,
    as_item_vectors,
    is_finite_number,
    safe_divide,
)

BAD_LEVELS = "a rating scale needs a whole number of levels, at least 2"
BAD_LEVEL = "the agreement level must be a finite number"
BAD_FULL_SCORE = "the full score must be a finite number"
BAD_MAX_IQR = "the largest IQR for consensus must be a finite number, 0 or more"
BAD_MIN_AGREEMENT = "the smallest agreement share for consensus must lie in [0, 1]"

# Consensus as customary in Delphi studies: IQR ≤ 1 and at least 70 % agreement.
CONSENSUS_MAX_IQR = 1.0
CONSENSUS_MIN_AGREEMENT = 0.7


@dataclass(frozen=True, eq=False)
class Description:
    """Per-item statistics (arrays of length items).

    valid: answers given (N); missing: the rest. sd and variance are the sample ones (ddof 1),
    se = sd / √N, cv = sd / mean; median and iqr = Q3 − Q1 use numpy's default "linear"
    quantiles. NaN where undefined: mean, median and iqr when N = 0; sd, variance, se and cv when
    N < 2; cv also when the mean is 0. full_score_count / full_score_share (share of the valid
    answers equal to the full score) are None unless a full score was given.
    """

    valid: np.ndarray
    missing: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    sd: np.ndarray
    variance: np.ndarray
    cv: np.ndarray
    median: np.ndarray
    iqr: np.ndarray
    full_score_count: np.ndarray | None = None
    full_score_share: np.ndarray | None = None


def describe(answers: ArrayLike, full_score: float | None = None) -> Description:
    """Descriptive statistics of every item (column) of a respondents × items table."""
    x = as_answers(answers)
    if full_score is not None and not is_finite_number(full_score):
        raise ValueError(BAD_FULL_SCORE)
    # Answers near the float limit overflow to inf (and then NaN) rather than warn; real answers
    # lie on a small scale the service enforces.
    with np.errstate(over="ignore", invalid="ignore"):
        return _describe(x, full_score)


def _describe(x: np.ndarray, full_score: float | None) -> Description:
    answered = ~np.isnan(x)
    valid = answered.sum(axis=0)
    mean = safe_divide(np.where(answered, x, 0.0).sum(axis=0), valid, where=valid > 0)
    # Two passes (deviations from the mean) keep the variance accurate for large scores.
    squares = np.where(answered, x - mean, 0.0) ** 2
    variance = safe_divide(squares.sum(axis=0), valid - 1, where=valid >= 2)
    sd = np.sqrt(variance)
    q1, median, q3 = _quantiles(x, valid, (0.25, 0.5, 0.75))
    count = share = None
    if full_score is not None:
        count = (x == full_score).sum(axis=0)
        share = safe_divide(count, valid, where=valid > 0)
    return Description(
        valid=valid,
        missing=x.shape[0] - valid,
        mean=mean,
        se=se_from(sd, valid),
        sd=sd,
        variance=variance,
        cv=cv_from(sd, mean),
        median=median,
        iqr=q3 - q1,
        full_score_count=count,
        full_score_share=share,
    )


def se_from(sd: ArrayLike, n: ArrayLike) -> np.ndarray:
    """Standard error of the mean, SD / √N (SD the sample one); NaN where N < 2."""
    sd, n = np.asarray(sd, dtype=float), np.asarray(n, dtype=float)
    return safe_divide(sd, np.sqrt(np.maximum(n, 0)), where=n >= 2)


def cv_from(sd: ArrayLike, mean: ArrayLike) -> np.ndarray:
    """Coefficient of variation SD / mean; NaN where the mean is 0 or either is undefined."""
    sd, mean = np.asarray(sd, dtype=float), np.asarray(mean, dtype=float)
    return safe_divide(sd, mean, where=mean != 0)


def _quantiles(x: np.ndarray, valid: np.ndarray, qs: tuple[float, ...]) -> list[np.ndarray]:
    """numpy's default "linear" quantiles (Hyndman & Fan type 7) of each column's valid answers.

    Sorting puts NaN last, so a column's N valid answers are its first N rows; the quantile q
    lies at position (N − 1)·q between them. One sort for all items, no loop over columns.
    """
    ordered = np.sort(x, axis=0)
    columns = np.arange(x.shape[1])
    last = np.maximum(valid - 1, 0)
    results = []
    for q in qs:
        position = last * q
        below = np.floor(position).astype(int)
        above = np.minimum(below + 1, last)
        low = ordered[below, columns] if len(ordered) else np.full(len(columns), np.nan)
        high = ordered[above, columns] if len(ordered) else low
        value = low + (high - low) * (position - below)
        results.append(np.where(valid > 0, value, np.nan))
    return results


def default_agreement_level(levels: int) -> int:
    """The lowest rating that counts as agreement on a 1 … levels scale.

    The level nearest three quarters of the way up the scale (halves round up):
    1 + 0.75·(levels − 1), which gives the customary 4 on a 5-point and 7 on a 9-point scale
    (6 on a 7-point one, 8 on a 10-point one).
    """
    if isinstance(levels, bool) or not isinstance(levels, int | np.integer) or levels < 2:
        raise ValueError(BAD_LEVELS)
    return math.floor(1 + 0.75 * (levels - 1) + 0.5)


def agreement_share(answers: ArrayLike, at_least: float) -> np.ndarray:
    """Per item, the share of the valid ratings at or above `at_least`; NaN where none is valid."""
    if not is_finite_number(at_least):
        raise ValueError(BAD_LEVEL)
    x = as_answers(answers)
    valid = (~np.isnan(x)).sum(axis=0)
    agreeing = (x >= at_least).sum(axis=0)  # NaN compares False
    return safe_divide(agreeing, valid, where=valid > 0)


def consensus(
    iqr: ArrayLike,
    agreement_share: ArrayLike,
    max_iqr: float = CONSENSUS_MAX_IQR,
    min_agreement: float = CONSENSUS_MIN_AGREEMENT,
) -> np.ndarray:
    """Per item, whether the panel agrees: IQR ≤ max_iqr and agreement share ≥ min_agreement.

    An item whose IQR or agreement is undefined (NaN: nobody rated it) has no consensus.
    """
    if not (is_finite_number(max_iqr) and max_iqr >= 0):
        raise ValueError(BAD_MAX_IQR)
    if not (is_finite_number(min_agreement) and 0 <= min_agreement <= 1):
        raise ValueError(BAD_MIN_AGREEMENT)
    spread, share = as_item_vectors(iqr, agreement_share)
    narrow = spread <= max_iqr + THRESHOLD_TOLERANCE
    agreed = share >= min_agreement - THRESHOLD_TOLERANCE
    return narrow & agreed
