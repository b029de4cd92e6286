"""The numeric core of ahpanel: AHP, fuzzy evaluation, hierarchy, screening, robustness.

Pure numpy (and scipy for ranks and distributions), no Django: numbers and arrays in,
numbers, arrays and dataclasses out.
"""

from . import (
    ahp,
    consensus,
    fuzzy,
    hierarchy,
    judgments,
    measured,
    ri,
    robustness,
    scale,
    screening,
)

__all__ = [
    "ahp",
    "consensus",
    "fuzzy",
    "hierarchy",
    "judgments",
    "measured",
    "ri",
    "robustness",
    "scale",
    "screening",
]
