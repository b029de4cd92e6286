"""Hypothesis strategies for incomplete judgment matrices (NaN = a skipped comparison)."""

import numpy as np
from hypothesis import strategies as st

from evaluations.engine import scale


@st.composite
def answered_masks(draw, t: int) -> np.ndarray:
    """Which pairs of t elements are answered (symmetric, diagonal True), always connected: a
    random spanning tree (each element after the first, in a random order, linked to one
    before it) plus any other pairs."""
    order = draw(st.permutations(range(t)))
    answered = np.eye(t, dtype=bool)
    for position in range(1, t):
        x, y = order[position], order[draw(st.integers(0, position - 1))]
        answered[x, y] = answered[y, x] = True
    rows, cols = np.triu_indices(t, 1)
    extra = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    answered[rows, cols] |= np.array(extra, dtype=bool)
    answered[cols, rows] = answered[rows, cols]
    return answered


@st.composite
def incomplete_matrices(draw, min_t: int = 3, max_t: int = 9) -> np.ndarray:
    """A reciprocal matrix of 1–9 scale judgments with some pairs skipped, still connected."""
    t = draw(st.integers(min_t, max_t))
    count = t * (t - 1) // 2
    values = draw(st.lists(st.sampled_from(list(scale.VALUES)), min_size=count, max_size=count))
    rows, cols = np.triu_indices(t, 1)
    matrix = np.ones((t, t))
    matrix[rows, cols] = values
    matrix[cols, rows] = 1.0 / np.array(values)
    return np.where(draw(answered_masks(t)), matrix, np.nan)
