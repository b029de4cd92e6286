"""Random consistency index RI(t) for the consistency ratio CR = CI / RI (DESIGN §2.3, §4).

Selectable per evaluation:
- "paper" (the default): the method paper's Table 2 as printed;
- "saaty": Saaty (1980);
- "saaty_later": Saaty's later table (0.52, 0.89, 1.11, …; as in Saaty 2008 and 2012);
- "alonso_lamata": no table but Alonso & Lamata's (2006) linear fit of the mean λmax of random
  matrices, λ̄(t) = 2.7699 t − 4.3513, so CR = (λmax − t) / (1.7699 t − 4.3513); the RI shown
  is the one this implies, (1.7699 t − 4.3513) / (t − 1). For small t it is below their own
  simulated means (0.479 against 0.5245 at t = 3), which is the fit's, not a slip here.
None is used beyond 9 elements, so larger matrices are refused rather than given an RI the
project has not checked. For t ≤ 2 every RI is 0 and CR is 0 by definition.

size_threshold gives Saaty's (1994) CR limits by matrix order: 0.05 for 3 elements, 0.08 for 4,
0.1 from 5 on.
"""

from types import MappingProxyType

PAPER = MappingProxyType(
    {1: 0.0, 2: 0.0, 3: 0.57, 4: 0.96, 5: 1.17, 6: 1.31, 7: 1.38, 8: 1.45, 9: 1.51}
)
SAATY = MappingProxyType(
    {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45}
)
SAATY_LATER = MappingProxyType(
    {1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45}
)
TABLES = MappingProxyType({"paper": PAPER, "saaty": SAATY, "saaty_later": SAATY_LATER})
ALONSO_LAMATA = "alonso_lamata"
# Every name an evaluation may choose: the printed tables, then the formula.
CHOICES = (*TABLES, ALONSO_LAMATA)
DEFAULT = "paper"
MAX_ORDER = 9

# Alonso & Lamata (2006): mean λmax of random reciprocal matrices ≈ SLOPE · t − INTERCEPT.
SLOPE = 2.7699
INTERCEPT = 4.3513

TOO_LARGE = "at most 9 elements per matrix for an RI-based CR"
UNKNOWN_TABLE = "unknown RI table (choose 'paper', 'saaty', 'saaty_later' or 'alonso_lamata')"
NO_ELEMENTS = "a matrix needs at least one element"


def random_index(t: int, table: str = DEFAULT) -> float:
    """RI for a matrix of order t by the named table (or Alonso & Lamata's fit)."""
    if table not in CHOICES:
        raise ValueError(f"{UNKNOWN_TABLE}: {table!r}")
    if t < 1:
        raise ValueError(NO_ELEMENTS)
    if t > MAX_ORDER:
        raise ValueError(f"{TOO_LARGE}; got {t}")
    if table == ALONSO_LAMATA:
        return alonso_lamata_index(t)
    return TABLES[table][t]


def alonso_lamata_index(t: int) -> float:
    """The RI that Alonso & Lamata's CR implies: (λ̄(t) − t) / (t − 1), and 0 for t ≤ 2.

    CI / this RI is their CR, (λmax − t) / (λ̄(t) − t), since the factors t − 1 cancel. For
    t = 2 the fit's λ̄ is below 2 (negative RI), and every 2 × 2 reciprocal matrix is
    consistent anyway, so t ≤ 2 keeps RI = CR = 0 like the tables.
    """
    if t <= 2:
        return 0.0
    return ((SLOPE - 1.0) * t - INTERCEPT) / (t - 1)


def size_threshold(t: int) -> float:
    """Saaty's (1994) CR limit for a matrix of order t: 0.05 for t = 3, 0.08 for t = 4, else 0.1.

    For t ≤ 2 the CR is 0 by definition, so any positive limit accepts; 0.1 is returned.
    """
    if t < 1:
        raise ValueError(NO_ELEMENTS)
    return {3: 0.05, 4: 0.08}.get(t, 0.1)
