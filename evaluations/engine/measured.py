"""Direct membership of a leaf indicator (issue 15 §2): a measured value mapped onto the grades.

Objective indicators (return rate, response time) need no votes: the coordinator gives each
subject's measured value and the grade thresholds, and the leaf's membership row follows.

Conventions (grades run best first, as everywhere in ahpanel: index 0 is the best grade):

- `thresholds` are the m − 1 boundaries between m grades, strictly monotone in either order
  (a list read from the best grade down, or from the smallest value up, names the same cuts).
  Sorted ascending they are t_1 < … < t_{m−1} and cut the real line into m bands, band 0 the
  smallest values. With `better="higher"` band k is grade m − 1 − k (the largest values are
  the best grade); with `better="lower"` band k is grade k.
- **crisp** (the default): the value's band gets membership 1, every other grade 0. A value
  exactly on a threshold gets the better of its two grades ("at least 95 %" or "at most 2 %"
  is met by 95 % or 2 %): the bands are [t_k, t_{k+1}) when higher is better and (t_k, t_{k+1}]
  when lower is better. The two end bands are open-ended, so any finite value has a grade.
- **linear**: the piecewise-linear (triangular, with half-trapezoids at both ends) membership
  functions usual in fuzzy comprehensive evaluation of quantitative indicators (Zadeh 1965's
  fuzzy sets; the "ascending/descending half-trapezoid" distributions of FCE textbooks, e.g.
  Chen & Hwang 1992, ch. 3). Each band k has an anchor a_k: the midpoint (t_k + t_{k+1}) / 2 of
  an inner band, and the threshold bounding it for the two open-ended bands (a_0 = t_1,
  a_{m−1} = t_{m−1}). A value at or beyond an end anchor belongs wholly to that end band; a
  value x with a_k ≤ x ≤ a_{k+1} is split between the two neighbouring bands:
      μ_k = (a_{k+1} − x) / (a_{k+1} − a_k),   μ_{k+1} = (x − a_k) / (a_{k+1} − a_k).
  So the row sums to 1, is 1 at each inner band's midpoint, and moves linearly between
  neighbouring grades. Example: 4 grades, lower is better, thresholds 2, 5, 10 (%): anchors
  2, 3.5, 7.5, 10; a return rate of 3.2 % gives μ = (0.2, 0.8, 0, 0) (crisp: (0, 1, 0, 0)).
  With two grades there is no inner band (a_0 = a_1 = t_1): linear is then the crisp step.
"""

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

THRESHOLD_COUNT = "give one threshold fewer than there are grades"
THRESHOLDS_NOT_FINITE = "thresholds must be finite numbers"
THRESHOLDS_NOT_MONOTONE = "thresholds must be strictly increasing or strictly decreasing"
VALUE_NOT_FINITE = "a measured value must be a finite number"
TOO_FEW_GRADES = "a grade set needs at least two grades"
UNKNOWN_DIRECTION = "better must be 'higher' or 'lower'"
UNKNOWN_SHAPE = "shape must be 'crisp' or 'linear'"
ROW_LENGTH = "a membership row needs one degree per grade"
ROW_NOT_FINITE = "membership degrees must be finite numbers"
ROW_NEGATIVE = "membership degrees must be non-negative"
ROW_SUM = "a membership row must sum to 1"

DIRECTIONS = ("higher", "lower")
SHAPES = ("crisp", "linear")

# A given row is typed by hand: 0.33 + 0.33 + 0.33 = 0.99 is meant as thirds, while a row
# summing to 0.9 is a typo to report, not to rescale silently. Rows within this of 1 are
# accepted and rescaled to sum exactly 1.
ROW_SUM_TOLERANCE = 0.01


def check_thresholds(thresholds: ArrayLike, grade_count: int) -> np.ndarray:
    """The thresholds sorted ascending, after checking their count, finiteness and order."""
    if grade_count < 2:
        raise ValueError(TOO_FEW_GRADES)
    t = np.asarray(thresholds, dtype=float)
    if t.ndim != 1 or t.shape[0] != grade_count - 1:
        raise ValueError(f"{THRESHOLD_COUNT}: {grade_count} grades need {grade_count - 1}")
    if not np.all(np.isfinite(t)):
        raise ValueError(THRESHOLDS_NOT_FINITE)
    steps = np.diff(t)
    if not (np.all(steps > 0) or np.all(steps < 0)):
        raise ValueError(THRESHOLDS_NOT_MONOTONE)
    return np.sort(t)


def measured_membership(
    values: ArrayLike,
    thresholds: ArrayLike,
    grade_count: int,
    *,
    better: Literal["higher", "lower"] = "higher",
    shape: Literal["crisp", "linear"] = "crisp",
) -> np.ndarray:
    """Membership rows (…, m) of measured values (…) under the conventions of the docstring."""
    if better not in DIRECTIONS:
        raise ValueError(f"{UNKNOWN_DIRECTION}; got {better!r}")
    if shape not in SHAPES:
        raise ValueError(f"{UNKNOWN_SHAPE}; got {shape!r}")
    t = check_thresholds(thresholds, grade_count)
    x = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError(VALUE_NOT_FINITE)
    if shape == "linear" and grade_count > 2:
        bands = _linear_bands(x, t)
    else:
        bands = _crisp_bands(x, t, better)
    # Bands run from the smallest values up; grades from the best down.
    return bands[..., ::-1].copy() if better == "higher" else bands


def _crisp_bands(x: np.ndarray, t: np.ndarray, better: str) -> np.ndarray:
    # side="right" counts thresholds ≤ x (a value on t_k joins the band above, the better one
    # when higher is better); side="left" counts thresholds < x (joins the band below).
    band = np.searchsorted(t, x, side="right" if better == "higher" else "left")
    return np.eye(t.shape[0] + 1)[band]


def _linear_bands(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    anchors = np.concatenate([t[:1], (t[:-1] + t[1:]) / 2, t[-1:]])
    m = anchors.shape[0]
    # The left anchor of x's segment: k with a_k ≤ x < a_{k+1}, clipped to the m − 1 segments.
    k = np.clip(np.searchsorted(anchors, x, side="right") - 1, 0, m - 2)
    left, right = anchors[k], anchors[k + 1]
    upper = np.clip((x - left) / (right - left), 0.0, 1.0)  # μ_{k+1}; anchors strictly rise
    rows = np.zeros(x.shape + (m,))
    np.put_along_axis(rows, k[..., None], (1.0 - upper)[..., None], axis=-1)
    np.put_along_axis(rows, (k + 1)[..., None], upper[..., None], axis=-1)
    return rows


def given_membership(row: ArrayLike, grade_count: int) -> np.ndarray:
    """A membership row typed by the coordinator, checked and rescaled to sum exactly 1.

    Each degree must be finite and non-negative and the row must sum to 1 within
    ROW_SUM_TOLERANCE (the comment there says why rather than normalising any row).
    """
    r = np.asarray(row, dtype=float)
    if r.ndim != 1 or r.shape[0] != grade_count:
        raise ValueError(f"{ROW_LENGTH}: {grade_count} grades")
    if not np.all(np.isfinite(r)):
        raise ValueError(ROW_NOT_FINITE)
    if np.any(r < 0):
        raise ValueError(ROW_NEGATIVE)
    total = r.sum()
    # The 1e-12 keeps a row summing to exactly 1 ± tolerance in decimal (0.99) inside it.
    if abs(total - 1.0) > ROW_SUM_TOLERANCE + 1e-12:
        raise ValueError(f"{ROW_SUM} (within {ROW_SUM_TOLERANCE}); this one sums to {total:.6g}")
    return r / total
