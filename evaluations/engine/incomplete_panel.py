"""A panel's matrices for one parent when some experts skipped comparisons (issue 15 §1).

Missing comparisons are NaN (incomplete). The weighting follows the evaluation's crisp method:
- each expert: a complete matrix by ahp.priorities as always; an incomplete one by
  ahp.llsm ("geometric") or ahp.harker ("eigenvector"), with Ágoston & Csató's (2022) CR:
  CI of the λmax-minimising completion over RI(n, m), m the pairs skipped;
- AIJ: the weighted geometric mean over the experts who answered each pair
  (incomplete.group_matrix), then the same method on that group matrix, with its own CR (a
  group matrix every pair of which someone answered is complete and is weighed as one);
- AIP: each expert's weights as above, then their weighted geometric (renormalised) or
  arithmetic mean. λmax, CI and CR: those of the AIP weights against the AIJ group matrix when
  it is complete (as ahp.aggregate); when some pair nobody answered, those of the group matrix
  as an incomplete matrix (there is no (A w)_x for a missing a_xy).
The fuzzy weightings have no incomplete form: NEEDS_CRISP.
"""

import numpy as np
from numpy.typing import ArrayLike

from . import ahp, incomplete
from . import ri as ri_tables
from .weighting import Priorities, as_priorities, lambda_max_of, normalise_logs, weigh

NEEDS_CRISP = (
    "skipped comparisons are weighed by the 'geometric' (least squares) or 'eigenvector' "
    "(Harker) method only"
)


def individual(
    stack: ArrayLike,
    weighting: str = "geometric",
    ri: str = ri_tables.DEFAULT,
    threshold: float = 0.1,
) -> Priorities:
    """Each expert's Priorities (arrays over the stack; ri an array, one RI per matrix as m
    may differ): complete matrices as ahp.priorities, incomplete ones by ahp.llsm / harker."""
    if weighting not in ahp.METHODS:
        raise ValueError(f"{NEEDS_CRISP}: {weighting!r}")
    b, _batched = incomplete.as_incomplete(stack)
    k, t = b.shape[0], b.shape[-1]
    gaps = np.isnan(b).any(axis=(1, 2))
    weights = np.empty((k, t))
    lambda_max, ci, cr, index = (np.empty(k) for _ in range(4))
    if (~gaps).any():
        full = ahp.priorities(b[~gaps], weighting, ri, threshold)
        weights[~gaps], lambda_max[~gaps], ci[~gaps], cr[~gaps] = (
            full.weights, full.lambda_max, full.ci, full.cr
        )  # fmt: skip
        index[~gaps] = full.ri
    if gaps.any():
        part = incomplete_method(weighting)(b[gaps], ri=ri, threshold=threshold)
        weights[gaps], lambda_max[gaps], ci[gaps], cr[gaps] = (
            part.weights, part.lambda_max, part.ci, part.cr
        )  # fmt: skip
        index[gaps] = part.ri
    return Priorities(weights, lambda_max, ci, cr, index, threshold)


def aggregate(
    matrices: ArrayLike,
    method: str = "aij",
    weights: ArrayLike | None = None,
    weighting: str = "geometric",
    ri: str = ri_tables.DEFAULT,
    threshold: float = 0.1,
    mean: str = "geometric",
) -> ahp.GroupPriorities:
    """Group priorities of k experts' matrices, some incomplete (module doc). Arguments as
    ahp.aggregate. Raises incomplete.DisconnectedError when an expert's answered pairs do not
    link every element, naming a pair that would."""
    if method not in ahp.AGGREGATIONS:
        raise ValueError(f"{ahp.UNKNOWN_AGGREGATION}: {method!r}")
    if mean not in ahp.MEANS:
        raise ValueError(f"{ahp.UNKNOWN_MEAN}: {mean!r}")
    if method == "aij" and mean != "geometric":
        raise ValueError(ahp.MEAN_NEEDS_AIP)
    own = individual(matrices, weighting, ri, threshold)
    alpha = _normalised(weights, len(own.weights))
    matrix = incomplete.group_matrix(matrices, alpha)
    complete = not np.isnan(matrix).any()
    if method == "aij" and complete:
        group_weights, lambda_max = weigh(matrix[None], weighting)
        group = as_priorities(group_weights, lambda_max, ri, threshold, batched=False)
    elif method == "aij":
        group = incomplete_method(weighting)(matrix, ri=ri, threshold=threshold)
    else:
        w = _mean(own.weights, alpha, mean)
        if complete:
            lambda_max = lambda_max_of(matrix[None], w[None])
            group = as_priorities(w[None], lambda_max, ri, threshold, batched=False)
        else:
            c = incomplete.incomplete_cr(matrix, ri)
            group = Priorities(w, c.lambda_max, c.ci, c.cr, c.ri, threshold)
    return ahp.GroupPriorities.of(
        group,
        matrix=matrix,
        individual=own,
        expert_weights=alpha,
        method=method,
    )


def incomplete_method(weighting: str):
    return ahp.llsm if weighting == "geometric" else ahp.harker


def _normalised(weights: ArrayLike | None, k: int) -> np.ndarray:
    if weights is None:
        return np.full(k, 1.0 / k)
    alpha = np.asarray(weights, dtype=float)
    if alpha.shape != (k,):
        shape = alpha.shape
        raise ValueError(f"{ahp.EXPERT_WEIGHTS_COUNT}: {k} matrices, weights of shape {shape}")
    if not np.all(np.isfinite(alpha) & (alpha > 0)):
        raise ValueError(ahp.EXPERT_WEIGHTS_POSITIVE)
    return alpha / alpha.sum()


def _mean(weights: np.ndarray, alpha: np.ndarray, mean: str) -> np.ndarray:
    """The experts' weight vectors (k, t) averaged with weights alpha (summing to 1); the
    crisp methods give no zero weight, so the geometric mean needs no guard."""
    if mean == "arithmetic":
        group = alpha @ weights
        return group / group.sum()
    return normalise_logs(alpha @ np.log(weights))
