"""Random consistency index RI(t) for the consistency ratio CR = CI / RI (DESIGN §2.3).

Two tables, selectable per evaluation: the method paper's Table 2 as printed ("paper", the
default) and Saaty's (1980). Neither goes beyond 9 elements, so larger matrices are refused
rather than given a made-up RI.
"""

from types import MappingProxyType

PAPER = MappingProxyType(
    {1: 0.0, 2: 0.0, 3: 0.57, 4: 0.96, 5: 1.17, 6: 1.31, 7: 1.38, 8: 1.45, 9: 1.51}
)
SAATY = MappingProxyType(
    {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45}
)
TABLES = MappingProxyType({"paper": PAPER, "saaty": SAATY})
DEFAULT = "paper"
MAX_ORDER = 9

TOO_LARGE = "at most 9 elements per matrix for an RI-based CR"
UNKNOWN_TABLE = "unknown RI table (choose 'paper' or 'saaty')"
NO_ELEMENTS = "a matrix needs at least one element"


def random_index(t: int, table: str = DEFAULT) -> float:
    """RI for a matrix of order t from the named table."""
    if table not in TABLES:
        raise ValueError(f"{UNKNOWN_TABLE}: {table!r}")
    if t < 1:
        raise ValueError(NO_ELEMENTS)
    if t > MAX_ORDER:
        raise ValueError(f"{TOO_LARGE}; got {t}")
    return TABLES[table][t]
