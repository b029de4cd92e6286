"""A ranking question's points per place, as a coordinator types them ("10, 6, 3, 1") or a
client sends them ([10, 6, 3, 1]).

Without points the places score t, t − 1, …, 1 (DESIGN §2.8). Set points are finite, positive
and never increase from the first place to the last. Text is matched against a short pattern
before any conversion, so hostile input (tests/hostile.py) costs a regular-expression match and
never a long computation or an overflow.
"""

import math
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .limits import MAX_RANKED_ITEMS

# One place's points written out: a whole number or a decimal of a few digits, ASCII digits
# only. Points above 1000 say nothing a smaller scale does not.
POINTS_TEXT_LIMIT = 24
POINTS_MAX = 1000
_POINTS = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,6})?")
# Between places in typed text: commas (ASCII or Chinese), semicolons, spaces.
_SEPARATORS = re.compile(r"[,;，、；\s]+")
# The longest typed list worth splitting: every place at the longest, with a separator.
_TEXT_LIMIT = MAX_RANKED_ITEMS * (POINTS_TEXT_LIMIT + 2)

ERROR_SCORING_KIND = gettext_noop("Only a ranking question has points per place.")
ERROR_SCORING_FORMAT = gettext_noop(
    "Points per place: “{value}” is not a number; write one number per place, first place "
    "first (e.g. 4, 3, 2, 1)."
)
ERROR_SCORING_RANGE = gettext_noop("Points per place must be above 0 and at most {limit}.")
ERROR_SCORING_LENGTH = gettext_noop(
    "Points per place: {count} given for {places} items; give one number per place."
)
ERROR_SCORING_ORDER = gettext_noop(
    "Points per place must not increase from the first place to the last ({before} before {after})."
)


def _refuse(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({"scoring": ValidationError(message, code=code)})


def _shown(value: object) -> str:
    if not isinstance(value, str):
        # Never str() of a client's object: a nested 5,000-digit integer raises in str().
        return type(value).__name__
    text = value.replace("\x00", "")
    return text if len(text) <= POINTS_TEXT_LIMIT else text[:POINTS_TEXT_LIMIT] + "…"


def _points(value: object) -> float:
    """One place's points; a ValidationError naming the value otherwise."""
    if isinstance(value, bool):
        raise _refuse(_(ERROR_SCORING_FORMAT).format(value=_shown(value)))
    if isinstance(value, int):
        # Compared as an integer: float(10**400) would overflow.
        if not 0 < value <= POINTS_MAX:
            raise _refuse(_(ERROR_SCORING_RANGE).format(limit=POINTS_MAX), code="range")
        return float(value)
    if isinstance(value, float):
        if not (math.isfinite(value) and 0 < value <= POINTS_MAX):
            raise _refuse(_(ERROR_SCORING_RANGE).format(limit=POINTS_MAX), code="range")
        return value
    if not isinstance(value, str) or len(value) > POINTS_TEXT_LIMIT:
        raise _refuse(_(ERROR_SCORING_FORMAT).format(value=_shown(value)))
    if _POINTS.fullmatch(value.strip()) is None:
        raise _refuse(_(ERROR_SCORING_FORMAT).format(value=_shown(value)))
    return _points(float(value))


def ranking_scoring_clean(value: object, *, places: int | None) -> list[float] | None:
    """The points per place to store, or None for t, t − 1, …, 1.

    `value` is None, "" or [] (no set points), a list of numbers or number texts, or one text
    with the numbers separated by commas or spaces. `places` is the ranking's item count, None
    for a question that is not a ranking (which may have no points).
    """
    if value is None or value == "" or value == [] or value == ():
        return None
    if places is None:
        raise _refuse(_(ERROR_SCORING_KIND))
    if isinstance(value, str):
        if len(value) > _TEXT_LIMIT:
            raise _refuse(_(ERROR_SCORING_FORMAT).format(value=_shown(value)))
        parts: list[object] = [part for part in _SEPARATORS.split(value.strip()) if part]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise _refuse(_(ERROR_SCORING_FORMAT).format(value=_shown(value)))
    if len(parts) != places:
        message = _(ERROR_SCORING_LENGTH).format(count=len(parts), places=places)
        raise _refuse(message, code="length")
    points = [_points(part) for part in parts]
    for before, after in zip(points, points[1:], strict=False):
        if after > before:
            message = _(ERROR_SCORING_ORDER).format(before=f"{before:g}", after=f"{after:g}")
            raise _refuse(message, code="order")
    return points
