"""Experts' authority coefficient Cr = (Ca + Cs) / 2 (DESIGN §2.8).

Ca, the judgment-basis coefficient, adds up what each basis of the expert's judgment
(practice, theory, literature, intuition) is worth at the influence the expert rated it (high,
medium, low); Cs, the familiarity coefficient, reads the expert's familiarity with the subject.
A panel's Cr is the mean over its experts; 0.7 or more is customarily acceptable. The tables
are plain data so an evaluation can bring its own; they are checked before use.
"""

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from .validation import is_finite_number

BASES = ("practice", "theory", "literature", "intuition")
INFLUENCE_LEVELS = ("high", "medium", "low")

DEFAULT_BASIS_TABLE: Mapping[str, tuple[float, float, float]] = MappingProxyType(
    {
        "practice": (0.5, 0.4, 0.3),
        "theory": (0.3, 0.2, 0.1),
        "literature": (0.1, 0.1, 0.05),
        "intuition": (0.1, 0.1, 0.05),
    }
)
DEFAULT_FAMILIARITY: Mapping[str, float] = MappingProxyType(
    {"very familiar": 1.0, "familiar": 0.8, "somewhat": 0.6, "little": 0.4, "unfamiliar": 0.2}
)
ACCEPTABLE_AUTHORITY = 0.7

BAD_BASIS_TABLE = (
    "the judgment-basis table needs practice, theory, literature and intuition, each with three "
    "coefficients in [0, 1] for high, medium and low influence, never increasing"
)
BASIS_TABLE_TOO_LARGE = (
    "the judgment-basis table's coefficients for high influence must sum to at most 1, "
    "so that Ca stays within [0, 1]"
)
BAD_FAMILIARITY_TABLE = (
    "the familiarity table needs at least one level, each with a coefficient in [0, 1]"
)
BAD_BASIS_RATINGS = "rate the influence of every basis (practice, theory, literature, intuition)"
UNKNOWN_INFLUENCE = "an influence is high, medium or low (or its index 0, 1, 2)"
UNKNOWN_FAMILIARITY = "the familiarity must be one of the table's levels"
BAD_COEFFICIENTS = "Ca and Cs must be finite numbers in [0, 1], one of each per expert"
NO_EXPERTS = "the panel's authority needs at least one expert's Cr"


def authority(ca: ArrayLike, cs: ArrayLike) -> np.ndarray:
    """Cr = (Ca + Cs) / 2 per expert."""
    try:
        a, s = np.array(ca, dtype=float), np.array(cs, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(BAD_COEFFICIENTS) from None
    if a.shape != s.shape or a.ndim > 1:
        raise ValueError(f"{BAD_COEFFICIENTS}; got shapes {a.shape} and {s.shape}")
    if not all(np.all(np.isfinite(v) & (v >= 0) & (v <= 1)) for v in (a, s)):
        raise ValueError(BAD_COEFFICIENTS)
    return (a + s) / 2


def panel_authority(cr: ArrayLike) -> float:
    """The panel's Cr: the mean of its experts' Cr."""
    values = np.array(cr, dtype=float).ravel()
    if len(values) == 0:
        raise ValueError(NO_EXPERTS)
    if not np.all(np.isfinite(values) & (values >= 0) & (values <= 1)):
        raise ValueError(BAD_COEFFICIENTS)
    return float(values.mean())


def judgment_basis_coefficient(
    ratings: Mapping[str, str | int], table: Mapping[str, Sequence[float]] = DEFAULT_BASIS_TABLE
) -> float:
    """Ca of one expert: ratings maps each basis to its influence, "high" / "medium" / "low"
    (or 0 / 1 / 2)."""
    checked = _basis_table(table)
    if not isinstance(ratings, Mapping) or set(ratings) != set(BASES):
        raise ValueError(BAD_BASIS_RATINGS)
    return float(sum(checked[basis][_influence(ratings[basis])] for basis in BASES))


def familiarity_coefficient(level: str, table: Mapping[str, float] = DEFAULT_FAMILIARITY) -> float:
    """Cs of one expert: the table's coefficient for the familiarity level the expert chose."""
    checked = _familiarity_table(table)
    if not isinstance(level, str) or level not in checked:
        raise ValueError(f"{UNKNOWN_FAMILIARITY}: {', '.join(checked)}")
    return checked[level]


def _influence(level: str | int) -> int:
    if isinstance(level, str) and level in INFLUENCE_LEVELS:
        return INFLUENCE_LEVELS.index(level)
    if isinstance(level, int | np.integer) and not isinstance(level, bool) and 0 <= level < 3:
        return int(level)
    raise ValueError(UNKNOWN_INFLUENCE)


def _basis_table(table: Mapping[str, Sequence[float]]) -> dict[str, tuple[float, ...]]:
    if not isinstance(table, Mapping) or set(table) != set(BASES):
        raise ValueError(BAD_BASIS_TABLE)
    checked = {}
    for basis in BASES:
        row = table[basis]
        if not (isinstance(row, Sequence) and len(row) == 3 and all(map(_coefficient, row))):
            raise ValueError(f"{BAD_BASIS_TABLE}; {basis} has {row!r}")
        if not row[0] >= row[1] >= row[2]:
            raise ValueError(f"{BAD_BASIS_TABLE}; {basis} has {row!r}")
        checked[basis] = tuple(float(value) for value in row)
    if sum(row[0] for row in checked.values()) > 1 + 1e-12:  # 0.5 + 0.3 + 0.1 + 0.1 may round
        raise ValueError(BASIS_TABLE_TOO_LARGE)
    return checked


def _familiarity_table(table: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(table, Mapping) or not table:
        raise ValueError(BAD_FAMILIARITY_TABLE)
    if not all(isinstance(level, str) and _coefficient(v) for level, v in table.items()):
        raise ValueError(BAD_FAMILIARITY_TABLE)
    return {level: float(value) for level, value in table.items()}


def _coefficient(value: object) -> bool:
    return is_finite_number(value) and 0 <= value <= 1
