"""A screening survey's own coefficient tables for the experts' authority (DESIGN §2.8).

Cr = (Ca + Cs) / 2: Ca adds up what each judgment basis is worth at the influence the expert
gave it, Cs reads the expert's familiarity. A survey may bring its own tables, settings like
its rule: `basis_table` = {"practice" | "theory" | "literature" | "intuition": [high, medium,
low]} and `familiarity_table` = {"very_familiar" | "familiar" | "somewhat" | "little" |
"unfamiliar": Cs}, keyed as the answers' layout spells the self-rating. Null is the common
defaults (the engine's). The statistics read them when a round is read, so they may change at
any time.

A table is checked strictly before anything converts it: exactly the bases or levels, JSON
numbers from 0 to 1 (no booleans, text, NaN or infinity), a basis's coefficients never rising
from high to low influence; the work is bounded whatever was sent (the first stranger key or
the first bad row ends it). Each error names its cell, "basis_table.practice.1".
"""

import math
from collections.abc import Mapping
from types import MappingProxyType

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.engine import screening

from .answers import BASES, FAMILIARITY
from .answers.layout import shown
from .checks import error
from .models import ScreeningSurvey

BASIS_TABLE = "basis_table"
FAMILIARITY_TABLE = "familiarity_table"
TABLE_SETTINGS = (BASIS_TABLE, FAMILIARITY_TABLE)

# The answers' layout spells the familiarity levels as form values; the engine's default table
# spells them in words. Mapped here and nowhere else.
ENGINE_LEVELS = MappingProxyType(
    {
        "very_familiar": "very familiar",
        "familiar": "familiar",
        "somewhat": "somewhat",
        "little": "little",
        "unfamiliar": "unfamiliar",
    }
)
DEFAULT_BASIS_TABLE = screening.DEFAULT_BASIS_TABLE
DEFAULT_FAMILIARITY_TABLE = MappingProxyType(
    {level: screening.DEFAULT_FAMILIARITY[ENGINE_LEVELS[level]] for level in FAMILIARITY}
)

ERROR_NOT_A_TABLE = gettext_noop("A JSON object, or null for the common defaults.")
ERROR_UNKNOWN_BASIS = gettext_noop(
    "“{key}” is not a judgment basis: practice, theory, literature or intuition."
)
ERROR_BASIS_ROW = gettext_noop(
    "Three coefficients from 0 to 1: for high, medium and low influence."
)
ERROR_COEFFICIENT = gettext_noop("A number from 0 to 1.")
ERROR_RISING = gettext_noop(
    "At most {value}, the coefficient before it: a weaker influence never counts for more."
)
ERROR_HIGH_SUM = gettext_noop(
    "The coefficients for high influence add up to {total}; at most 1, so that Ca stays "
    "between 0 and 1."
)
ERROR_UNKNOWN_LEVEL = gettext_noop(
    "“{key}” is not a familiarity level: very_familiar, familiar, somewhat, little or unfamiliar."
)


def table_clean(name: str, value: object) -> dict | None:
    """A table setting as stored (None for the defaults), or a ValidationError naming the
    cell."""
    if name == BASIS_TABLE:
        return basis_table_clean(value)
    return familiarity_table_clean(value)


def basis_table_clean(value: object) -> dict[str, list[float]] | None:
    if value is None:
        return None
    _check_keys(value, BASIS_TABLE, BASES, ERROR_UNKNOWN_BASIS)
    table = {basis: _basis_row(value.get(basis), f"{BASIS_TABLE}.{basis}") for basis in BASES}
    try:
        # The engine's own check has the last word (with its tolerance for 0.5 + 0.3 + 0.1 +
        # 0.1 rounding past 1). Every other rule it checks has passed above, so a refusal here
        # is of the high column's sum.
        screening.judgment_basis_coefficient(dict.fromkeys(BASES, "high"), table)
    except ValueError:
        total = math.fsum(row[0] for row in table.values())
        message = _(ERROR_HIGH_SUM).format(total=f"{total:g}")
        raise error(BASIS_TABLE, message, code="range") from None
    return table


def familiarity_table_clean(value: object) -> dict[str, float] | None:
    if value is None:
        return None
    _check_keys(value, FAMILIARITY_TABLE, FAMILIARITY, ERROR_UNKNOWN_LEVEL)
    table = {}
    for level in FAMILIARITY:
        table[level] = _coefficient(value.get(level), f"{FAMILIARITY_TABLE}.{level}")
    return table


def is_default(name: str, table: object) -> bool:
    """Whether a table, as stored, holds exactly the common defaults."""
    if name == BASIS_TABLE:
        return table == {basis: list(row) for basis, row in DEFAULT_BASIS_TABLE.items()}
    return table == dict(DEFAULT_FAMILIARITY_TABLE)


def basis_table_of(survey: ScreeningSurvey) -> Mapping[str, tuple[float, ...]]:
    """The judgment-basis table the survey's statistics read: its own, or the defaults."""
    if survey.basis_table is None:
        return DEFAULT_BASIS_TABLE
    return {basis: tuple(row) for basis, row in survey.basis_table.items()}


def familiarity_table_of(survey: ScreeningSurvey) -> Mapping[str, float]:
    """The familiarity table the statistics read, keyed as the answers spell the levels."""
    if survey.familiarity_table is None:
        return DEFAULT_FAMILIARITY_TABLE
    return survey.familiarity_table


def _check_keys(value: object, field: str, keys: tuple[str, ...], unknown: str) -> None:
    if not isinstance(value, dict):
        raise error(field, _(ERROR_NOT_A_TABLE), code="type")
    stranger = next((key for key in value if key not in keys), None)
    if stranger is not None:
        raise error(field, _(unknown).format(key=shown(stranger)))


def _basis_row(row: object, field: str) -> list[float]:
    if not isinstance(row, list | tuple) or len(row) != len(screening.INFLUENCE_LEVELS):
        raise error(field, _(ERROR_BASIS_ROW))
    checked = [_coefficient(value, f"{field}.{place}") for place, value in enumerate(row)]
    for place in range(1, len(checked)):
        if checked[place] > checked[place - 1]:
            message = _(ERROR_RISING).format(value=f"{checked[place - 1]:g}")
            raise error(f"{field}.{place}", message, code="range")
    return checked


def _coefficient(value: object, field: str) -> float:
    """A JSON number from 0 to 1 as a float; booleans, text, NaN and infinity are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise error(field, _(ERROR_COEFFICIENT), code="type")
    # An integer is 0 or 1 or out of range: float() of 10**400 would overflow.
    number = float(value) if not isinstance(value, int) or value in (0, 1) else math.nan
    if not (math.isfinite(number) and 0 <= number <= 1):
        raise error(field, _(ERROR_COEFFICIENT), code="range")
    return number
