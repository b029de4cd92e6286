"""The numeric core of ahpanel: AHP, fuzzy comprehensive evaluation, hierarchy, screening.

Pure numpy (and scipy for ranks and distributions), no Django: numbers and arrays in,
numbers, arrays and dataclasses out.
"""

from . import ahp, consensus, fuzzy, hierarchy, judgments, ri, scale, screening

__all__ = ["ahp", "consensus", "fuzzy", "hierarchy", "judgments", "ri", "scale", "screening"]
