"""Delphi rounds: the response rate of a round and the stability between two (DESIGN §2.8)."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .descriptive import describe
from .validation import as_answers, is_finite_number, safe_divide

BAD_INVITATIONS = "the response rate needs at least 1 invitation"
BAD_RESPONSES = "responses must be a whole number between 0 and the number of invitations"
ROUNDS_DIFFER = "compare two rounds of the same respondents × items (same shape, same order)"


@dataclass(frozen=True, eq=False)
class Stability:
    """How much a round moved from the previous one, per item and overall.

    cv_change: CV now − CV before (NaN where either is undefined). answered_both: respondents
    who answered the item in both rounds; changed_share: the share of them whose answer changed
    (NaN where none answered both). overall_changed_share: changed answers over all answers
    given in both rounds (NaN when there are none).
    """

    cv_change: np.ndarray
    answered_both: np.ndarray
    changed_share: np.ndarray
    overall_changed_share: float


def stability(previous: ArrayLike, current: ArrayLike) -> Stability:
    """Stability of two rounds given as tables of the same respondents (rows) and items."""
    before, now = as_answers(previous), as_answers(current)
    if before.shape != now.shape:
        raise ValueError(f"{ROUNDS_DIFFER}; got shapes {before.shape} and {now.shape}")
    both = ~np.isnan(before) & ~np.isnan(now)
    # Answers are levels of a scale: a changed answer is a different level, compared exactly.
    changed = both & (before != now)
    answered_both = both.sum(axis=0)
    total = int(answered_both.sum())
    return Stability(
        cv_change=describe(now).cv - describe(before).cv,
        answered_both=answered_both,
        changed_share=safe_divide(changed.sum(axis=0), answered_both, where=answered_both > 0),
        overall_changed_share=float(changed.sum()) / total if total else float("nan"),
    )


def response_rate(responses: int, invitations: int) -> float:
    """The positive coefficient of a round: responses / invitations (the paper: 180 / 200)."""
    if not _whole(invitations) or invitations < 1:
        raise ValueError(BAD_INVITATIONS)
    if not _whole(responses) or not 0 <= responses <= invitations:
        raise ValueError(BAD_RESPONSES)
    return responses / invitations


def _whole(value: object) -> bool:
    return is_finite_number(value) and not isinstance(value, bool) and float(value).is_integer()
