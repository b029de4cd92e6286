"""Group judgments (AIJ, DESIGN §2.5) from ballots that skipped some comparisons.

Each pair's group judgment is the weighted geometric mean over the experts who answered that
pair, their weights renormalised over those experts only: an expert who skipped a pair neither
pulls it toward 1 nor dilutes the others. A pair nobody answered stays missing (NaN). The
result stays reciprocal (ln b_yx = −ln b_xy expert by expert), and since every ballot's answered
pairs connect all elements, so do the group's.
"""

import numpy as np
from numpy.typing import ArrayLike

from .graph import as_incomplete

NOT_A_STACK = "group aggregation needs a stack of matrices (k × t × t)"
EXPERT_WEIGHTS_COUNT = "give one expert weight per matrix"
EXPERT_WEIGHTS_POSITIVE = "expert weights must be positive finite numbers"


def group_matrix(matrices: ArrayLike, weights: ArrayLike | None = None) -> np.ndarray:
    """The AIJ group matrix of k experts' incomplete matrices (k, t, t), NaN where a pair was
    skipped; weights are the experts' (default all 1), positive, one per matrix."""
    stack, batched = as_incomplete(matrices)
    if not batched:
        raise ValueError(NOT_A_STACK)
    alpha = _expert_weights(weights, len(stack))
    answered = ~np.isnan(stack)
    share = np.where(answered, alpha[:, None, None], 0.0)
    total = share.sum(axis=0)
    log_sum = (share * np.log(np.where(answered, stack, 1.0))).sum(axis=0)
    mean = np.divide(log_sum, total, out=np.full_like(total, np.nan), where=total > 0)
    return np.exp(mean)


def answered_counts(matrices: ArrayLike) -> np.ndarray:
    """How many experts answered each pair (t, t); the diagonal counts every expert."""
    stack, batched = as_incomplete(matrices)
    if not batched:
        raise ValueError(NOT_A_STACK)
    return (~np.isnan(stack)).sum(axis=0)


def _expert_weights(weights: ArrayLike | None, k: int) -> np.ndarray:
    if weights is None:
        return np.ones(k)
    try:
        alpha = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(EXPERT_WEIGHTS_POSITIVE) from None
    if alpha.shape != (k,):
        raise ValueError(f"{EXPERT_WEIGHTS_COUNT}: {k} matrices, weights of shape {alpha.shape}")
    if not np.all(np.isfinite(alpha) & (alpha > 0)):
        raise ValueError(EXPERT_WEIGHTS_POSITIVE)
    return alpha
