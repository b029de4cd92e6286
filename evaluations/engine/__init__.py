"""The numeric core of ahpanel: AHP, fuzzy comprehensive evaluation, hierarchy, statistics.

Pure numpy, no Django: numbers and arrays in, numbers, arrays and dataclasses out.
"""

from . import ahp, consensus, fuzzy, hierarchy, judgments, ri, scale, stats

__all__ = ["ahp", "consensus", "fuzzy", "hierarchy", "judgments", "ri", "scale", "stats"]
