"""Ranking survey statistics for key-risk identification (DESIGN §2.8).

Each respondent orders k groups by importance; the first scores k, the next k − 1, …, the last
1. Per group: valid answers, missing, mean, standard error, sample SD and variance; a group is a
key factor when its mean exceeds a threshold (the study: 3.2 of 4, 80 % of the maximum).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

BAD_GROUP_COUNT = "the number of groups k must be at least 1"
UNKNOWN_GROUP = "an order names a group outside 0 … k − 1"
REPEATED_GROUP = "an order names a group more than once"
NOT_FINITE = "values must be finite numbers or missing (NaN or None)"
NOT_A_SEQUENCE = "give the values as a flat sequence"
BAD_SHARE = "the share of the maximum must lie in (0, 1]"


@dataclass(frozen=True)
class Summary:
    """Descriptive statistics of one group's scores, missing answers left out.

    sd and variance are the sample ones (ddof = 1) and se = sd / √n; they are NaN when n < 2,
    as the mean is when n = 0.
    """

    n: int
    missing: int
    mean: float
    se: float
    sd: float
    variance: float


def ranking_scores(orders: Sequence[Sequence[int]], k: int) -> np.ndarray:
    """Scores (respondents × k) from each respondent's order of groups, most important first.

    orders[r] lists group indices 0 … k − 1; the group at position p scores k − p. Groups a
    respondent left out of a partial order are missing (NaN).
    """
    if k < 1:
        raise ValueError(BAD_GROUP_COUNT)
    scores = np.full((len(orders), k), np.nan)
    for respondent, order in enumerate(orders):
        groups = [int(group) for group in order]
        if any(not 0 <= group < k for group in groups):
            raise ValueError(f"{UNKNOWN_GROUP} (respondent {respondent})")
        if len(set(groups)) != len(groups):
            raise ValueError(f"{REPEATED_GROUP} (respondent {respondent})")
        scores[respondent, groups] = k - np.arange(len(groups))
    return scores


def describe(values: ArrayLike) -> Summary:
    """Summary of one group's scores; NaN or None count as missing."""
    x = np.array(values, dtype=float)  # None becomes NaN
    if x.ndim != 1:
        raise ValueError(f"{NOT_A_SEQUENCE}; got shape {x.shape}")
    if np.any(np.isinf(x)):
        raise ValueError(NOT_FINITE)
    valid = x[~np.isnan(x)]
    n = len(valid)
    mean = float(valid.mean()) if n else float("nan")
    variance = float(valid.var(ddof=1)) if n >= 2 else float("nan")
    sd = float(np.sqrt(variance))
    se = sd / float(np.sqrt(n)) if n >= 2 else float("nan")
    return Summary(n, len(x) - n, mean, se, sd, variance)


def is_key(mean: float, threshold: float) -> bool:
    """A group is a key factor when its mean score exceeds the threshold (strictly)."""
    return bool(mean > threshold)


def key_threshold(k: int, share: float = 0.8) -> float:
    """The threshold as a share of the top score k: the study's 80 % of 4 is 3.2."""
    if k < 1:
        raise ValueError(BAD_GROUP_COUNT)
    if not 0 < share <= 1:
        raise ValueError(BAD_SHARE)
    return share * k
