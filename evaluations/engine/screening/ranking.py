"""Ranking questions and key factors (DESIGN §2.8; the micro-store risk study).

Each respondent orders t items by importance, most important first. With the default points the
first place scores t, the next t − 1, …, the last 1; an item a respondent left unranked is
missing. An item is a key factor when its mean score exceeds a threshold (the study: 3.2 of 4,
80 % of the top score). The scores table goes to describe() like any answers table.
"""

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_item_vectors, is_finite_number

BAD_ITEM_COUNT = "the number of ranked items t must be a whole number, at least 1"
NOT_AN_ORDER = "an order lists item indices (whole numbers), most important first"
UNKNOWN_ITEM = "an order names an item outside 0 … t − 1"
REPEATED_ITEM = "an order names an item more than once"
BAD_SCORING = (
    "points per place must be t positive finite numbers that never increase from the first "
    "place to the last"
)
BAD_TOP_SCORE = "the top score must be a positive finite number"
BAD_SHARE = "the share of the top score must lie in (0, 1]"
BAD_THRESHOLD = "the key-factor threshold must be a finite number"

KEY_SHARE = 0.8  # the study's 3.2 of 4


def ranking_scores(
    orders: Sequence[Sequence[int]], t: int, scoring: Sequence[float] | None = None
) -> np.ndarray:
    """Scores (respondents × t) from each respondent's order of items, most important first.

    orders[r] lists item indices 0 … t − 1; the item at place p (0 first) scores scoring[p],
    by default t − p. A respondent may rank only the first places: the first still scores the
    first place's points (t by default) and the unranked items are missing (NaN).

    A coordinator's scoring must be positive and never increase: a later place that scored more
    than an earlier one would turn the respondent's order around; equal points for neighbouring
    places are allowed (say 3, 3, 1: "the top two matter alike"). Positive because the key
    threshold is a share of the top score and the CV divides by the mean; both lose their
    meaning with zero or negative points, and 0 would read like an unranked item.
    """
    _check_t(t)
    points = _points(t, scoring)
    lengths, flat = _flatten(orders)
    respondent = np.repeat(np.arange(len(lengths)), lengths)
    place = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    outside = (flat < 0) | (flat >= t)
    if outside.any():
        raise ValueError(f"{UNKNOWN_ITEM} (respondent {respondent[outside.argmax()]})")
    _check_repeats(respondent, flat, t)
    scores = np.full((len(lengths), t), np.nan)
    scores[respondent, flat] = points[place]
    return scores


def _check_t(t: int) -> None:
    if isinstance(t, bool) or not isinstance(t, int | np.integer) or t < 1:
        raise ValueError(BAD_ITEM_COUNT)


def _points(t: int, scoring: Sequence[float] | None) -> np.ndarray:
    if scoring is None:
        return np.arange(t, 0, -1, dtype=float)
    try:
        points = np.array(scoring, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(BAD_SCORING) from None
    if points.shape != (t,) or not (np.isfinite(points).all() and (points > 0).all()):
        raise ValueError(f"{BAD_SCORING}; got {points.tolist()}")
    if (np.diff(points) > 0).any():
        raise ValueError(f"{BAD_SCORING}; got {points.tolist()}")
    return points


def _flatten(orders: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Each order's length and all the indices in one array (orders are ragged lists)."""
    if not isinstance(orders, list | tuple | np.ndarray) or any(
        not isinstance(order, list | tuple | np.ndarray) for order in orders
    ):
        raise ValueError(NOT_AN_ORDER)
    flat = list(itertools.chain.from_iterable(orders))
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in flat):
        raise ValueError(NOT_AN_ORDER)
    lengths = np.array([len(order) for order in orders], dtype=int)
    try:
        return lengths, np.array(flat, dtype=np.int64)
    except OverflowError:
        raise ValueError(UNKNOWN_ITEM) from None


def _check_repeats(respondent: np.ndarray, flat: np.ndarray, t: int) -> None:
    cells = respondent * t + flat
    ordered = np.sort(cells)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if len(repeated):
        raise ValueError(f"{REPEATED_ITEM} (respondent {repeated[0] // t})")


def key_threshold(top_score: float, share: float = KEY_SHARE) -> float:
    """The key-factor threshold as a share of the top score: the study's 80 % of 4 is 3.2.

    The top score is t with the default points, or the first place's points of a coordinator's
    scoring.
    """
    if not (is_finite_number(top_score) and top_score > 0):
        raise ValueError(BAD_TOP_SCORE)
    if not (is_finite_number(share) and 0 < share <= 1):
        raise ValueError(BAD_SHARE)
    return share * top_score


def is_key(mean: float, threshold: float) -> bool:
    """An item is a key factor when its mean score exceeds the threshold (strictly)."""
    return bool(mean > threshold)


def key_factors(mean: ArrayLike, threshold: float) -> np.ndarray:
    """Per item, whether its mean exceeds the threshold (strictly); an undefined mean does not."""
    if not is_finite_number(threshold):
        raise ValueError(BAD_THRESHOLD)
    (means,) = as_item_vectors(mean)
    return means > threshold  # NaN compares False
