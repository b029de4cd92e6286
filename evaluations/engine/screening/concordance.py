"""Kendall's coefficient of concordance W with the correction for ties (DESIGN §2.8).

m experts rate n items. Each expert's ratings are ranked ascending, ties sharing their average
rank; R_j is the sum of item j's ranks, S = Σ (R_j − R̄)², T_i = Σ (t³ − t) over expert i's
groups of tied ratings, and

    W = 12 S / (m² (n³ − n) − m Σ T_i),   χ² = m (n − 1) W,   df = n − 1,

with p = P(χ²_df ≥ χ²). χ² equals Friedman's statistic with its tie correction.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .validation import as_answers

TOO_FEW_EXPERTS = "Kendall's W needs at least 2 experts who rated every item"
TOO_FEW_ITEMS = "Kendall's W needs at least 2 items"


@dataclass(frozen=True)
class Concordance:
    """W, its χ² test and the number of experts used (those who rated every item).

    w, chi2 and p are NaN when every expert gave every item the same rating: there is no
    ordering to agree on (W's formula reads 0 / 0).
    """

    w: float
    chi2: float
    df: int
    p: float
    experts: int


def kendall_w(ratings: ArrayLike) -> Concordance:
    """Kendall's W of a respondents × items table; rows with a missing rating are left out."""
    x = as_answers(ratings)
    complete = x[~np.isnan(x).any(axis=1)]
    m, n = complete.shape
    if n < 2:
        raise ValueError(f"{TOO_FEW_ITEMS}; got {n}")
    if m < 2:
        raise ValueError(f"{TOO_FEW_EXPERTS}; got {m}")
    ranks = stats.rankdata(complete, axis=1)  # average ranks for ties
    rank_sums = ranks.sum(axis=0)
    s = float(((rank_sums - rank_sums.mean()) ** 2).sum())
    denominator = m**2 * (n**3 - n) - m * _tie_sum(complete)
    if denominator <= 0:
        # Only when every row is one tie group: Σ T_i = m (n³ − n). S is 0 then too.
        return Concordance(w=np.nan, chi2=np.nan, df=n - 1, p=np.nan, experts=m)
    w = 12 * s / denominator
    chi2 = m * (n - 1) * w
    return Concordance(w=w, chi2=chi2, df=n - 1, p=float(stats.chi2.sf(chi2, n - 1)), experts=m)


def _tie_sum(rows: np.ndarray) -> int:
    """Σ over rows and their tie groups of t³ − t, t being a group's size; one sort, no loop.

    After sorting each row, a group starts wherever a value differs from its left neighbour
    (and at every row's start); numbering the starts in reading order labels every group.
    """
    ordered = np.sort(rows, axis=1)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    sizes = np.bincount(np.cumsum(starts.ravel()) - 1).astype(np.int64)
    return int((sizes**3 - sizes).sum())
