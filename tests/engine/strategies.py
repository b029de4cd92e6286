"""Hypothesis strategies for judgment matrices and weights."""

import numpy as np
from hypothesis import strategies as st

from evaluations.engine import ahp, scale

orders = st.integers(min_value=1, max_value=9)


@st.composite
def scale_matrices(draw, min_t: int = 1, max_t: int = 9) -> np.ndarray:
    """A reciprocal matrix whose judgments are drawn from the 1–9 scale."""
    t = draw(st.integers(min_value=min_t, max_value=max_t))
    values = draw(
        st.lists(
            st.sampled_from(list(scale.VALUES)),
            min_size=t * (t - 1) // 2,
            max_size=t * (t - 1) // 2,
        )
    )
    return ahp.from_upper(values, t)


@st.composite
def weight_vectors(draw, t: int | None = None, min_t: int = 1, max_t: int = 9) -> np.ndarray:
    """Positive weights summing to 1, with ratios up to about 1000 between them."""
    if t is None:
        t = draw(st.integers(min_value=min_t, max_value=max_t))
    raw = draw(st.lists(st.floats(min_value=1e-3, max_value=1.0), min_size=t, max_size=t))
    w = np.array(raw)
    return w / w.sum()


def consistent_matrix(w: np.ndarray) -> np.ndarray:
    """b_xy = w_x / w_y: a perfectly consistent matrix with weights w."""
    return w[:, None] / w[None, :]


@st.composite
def stacks(draw, min_k: int = 1, max_k: int = 6) -> np.ndarray:
    """A stack of scale matrices of one order."""
    t = draw(orders)
    k = draw(st.integers(min_value=min_k, max_value=max_k))
    return np.stack([draw(scale_matrices(min_t=t, max_t=t)) for _ in range(k)])
