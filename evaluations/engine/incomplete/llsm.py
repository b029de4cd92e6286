"""Logarithmic least-squares weights of an incomplete matrix (Kwiesielewicz 1996; Bozóki, Fülöp
& Rónyai 2010, section 4).

The weights minimise Σ over the answered pairs x < y of (ln b_xy − ln w_x + ln w_y)². Setting
the gradient to zero gives a linear system on the comparison graph: L y = r, where y = ln w,
L is the graph's Laplacian (the number of answered comparisons of x on the diagonal, −1 for
each answered pair) and r_x = Σ_y ln b_xy over the pairs x answered. L is singular only along
y + c (the scale of w), and for a connected graph only there, so L + 1 1ᵀ is invertible and its
solution is the one with Σ y = 0 (1ᵀ r = 0 because ln b_yx = −ln b_xy).

For a complete matrix L = t I − 1 1ᵀ, so y_x = r_x / t: the geometric mean of row x, the
paper's root method (DESIGN §2.2). This is the "geometric" method for incomplete matrices.
"""

import numpy as np
from numpy.typing import ArrayLike

from ..weighting import normalise_logs
from .graph import as_incomplete


def llsm_weights(matrix: ArrayLike) -> np.ndarray:
    """Weights (summing to 1) of an incomplete matrix, or of each matrix of a stack, by
    logarithmic least squares; NaN (or None) marks a skipped comparison. The comparisons given
    must connect all elements (graph.as_incomplete says which pair would connect them)."""
    stack, batched = as_incomplete(matrix)
    weights = normalise_logs(llsm_log_weights(stack))
    return weights if batched else weights[0]


def llsm_log_weights(stack: np.ndarray) -> np.ndarray:
    """y = ln w with Σ y = 0 for each matrix of a valid stack (k, t, t); NaN = missing."""
    t = stack.shape[-1]
    answered = ~np.isnan(stack)
    logs = np.log(np.where(answered, stack, 1.0))
    off_diagonal = answered & ~np.eye(t, dtype=bool)
    laplacian = -off_diagonal.astype(float)
    laplacian[..., np.arange(t), np.arange(t)] = off_diagonal.sum(axis=-1)
    return np.linalg.solve(laplacian + 1.0, logs.sum(axis=-1)[..., None])[..., 0]
