"""Group consensus of a panel's priorities: AHP-OS's S* (Goepel 2018; DESIGN §2.5).

S* compares the diversity between the experts' priority vectors with the largest diversity the
1–9 scale allows: 1 means identical priorities, 0 means as different as the scale permits
(each expert puts a different element at the scale's maximum over all others).
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

TOO_FEW_EXPERTS = "consensus needs the priorities of at least 2 experts"
NOT_PRIORITIES = "priority vectors must be non-negative and each sum to 1"
NOT_A_TABLE = "give the priorities as a K × n array (one row per expert)"
BAD_SCALE_MAX = "the scale maximum must be greater than 1"
LENGTHS_DIFFER = "give one global weight per consensus value"
BAD_GLOBAL_WEIGHTS = "global weights must be non-negative and not all 0"
NOT_A_NUMBER = "a consensus value must be a finite number"

# Lower bounds of each word on the percentage scale of DESIGN §2.5, highest first.
WORDS = ((0.85, "very high"), (0.75, "high"), (0.65, "moderate"), (0.50, "low"))
LOWEST_WORD = "very low"


def entropy(p: np.ndarray) -> np.ndarray:
    """Shannon entropy along the last axis, with 0 · ln 0 = 0."""
    terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=-1)


def s_star(weight_vectors: ArrayLike, scale_max: float = 9) -> float:
    """S* of K experts' own (eigenvector) priority vectors of one matrix, a K × n array.

    Hα = mean of the experts' entropies, Hγ = entropy of their mean vector, Dβ = exp(Hγ − Hα);
    Hα,min = −a ln a − (n − 1) b ln b with a = M/(n + M − 1), b = 1/(n + M − 1), M = scale_max;
    cor = n / exp(Hα,min); S* = (1/Dβ − 1/cor) / (1 − 1/cor). A single element (n = 1) leaves
    nothing to disagree on: S* = 1.
    """
    p = _priority_table(weight_vectors)
    return s_star_of_sums(p.mean(axis=0), entropy(p).mean(), p.shape[1], scale_max)


def s_star_of_sums(mean: np.ndarray, mean_entropy: float, n: int, scale_max: float = 9) -> float:
    """S* from the experts' mean priority vector and the mean of their entropies: all that
    s_star reads of the K vectors (engine.running keeps them as running sums)."""
    if scale_max <= 1:
        raise ValueError(BAD_SCALE_MAX)
    if n == 1:
        return 1.0
    alpha = mean_entropy
    gamma = entropy(mean)
    d_beta = np.exp(gamma - alpha)
    a, b = scale_max / (n + scale_max - 1), 1.0 / (n + scale_max - 1)
    alpha_min = -a * np.log(a) - (n - 1) * b * np.log(b)
    cor = n / np.exp(alpha_min)
    return float((1 / d_beta - 1 / cor) / (1 - 1 / cor))


def _priority_table(weight_vectors: ArrayLike) -> np.ndarray:
    p = np.asarray(weight_vectors, dtype=float)
    if p.ndim != 2 or p.shape[1] == 0:
        raise ValueError(f"{NOT_A_TABLE}; got shape {p.shape}")
    if p.shape[0] < 2:
        raise ValueError(f"{TOO_FEW_EXPERTS}; got {p.shape[0]}")
    if not (np.all(np.isfinite(p) & (p >= 0)) and np.allclose(p.sum(axis=1), 1, atol=1e-9)):
        raise ValueError(NOT_PRIORITIES)
    return p


def overall(s_values: Sequence[float] | ArrayLike, global_weights: ArrayLike) -> float:
    """Overall S* = Σ g(node) S*(node) / Σ g(node), g being each node's global weight."""
    s = np.asarray(s_values, dtype=float)
    g = np.asarray(global_weights, dtype=float)
    if s.ndim != 1 or s.shape != g.shape:
        raise ValueError(f"{LENGTHS_DIFFER}; got shapes {s.shape} and {g.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError(NOT_A_NUMBER)
    if not (np.all(np.isfinite(g) & (g >= 0)) and g.sum() > 0):
        raise ValueError(BAD_GLOBAL_WEIGHTS)
    return float(s @ g / g.sum())


def describe(s: float) -> str:
    """The word for a consensus value: very low < 50 % ≤ low < 65 % ≤ moderate < 75 % ≤ high
    < 85 % ≤ very high."""
    if not np.isfinite(s):
        raise ValueError(NOT_A_NUMBER)
    for bound, word in WORDS:
        if s >= bound:
            return word
    return LOWEST_WORD
