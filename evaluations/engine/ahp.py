"""Analytic Hierarchy Process: weights and consistency of judgment matrices (DESIGN §2.2–2.5, §4).

The contract module: `from evaluations.engine import ahp`. priorities and Priorities live in
weighting (the methods, fuzzy ones included, are described there); this module adds the group
aggregation, the judgments to revise, and Harker's method for incomplete matrices. Every
function takes one t × t matrix or a stack k × t × t and computes the stack without a Python
loop per matrix; for a single matrix the result fields are floats, for a stack arrays.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import incomplete
from . import ri as ri_tables
from .judgments import (
    DIAGONAL,
    EMPTY,
    MISSING,
    MISSING_NOT_SYMMETRIC,
    NOT_2D_OR_3D,
    NOT_CONNECTED,
    NOT_FINITE,
    NOT_NUMERIC,
    NOT_POSITIVE,
    NOT_RECIPROCAL,
    NOT_SQUARE,
    TOO_LARGE,
    UPPER_LENGTH,
    as_matrices,
    from_upper,
    to_upper,
)
from .ri import size_threshold
from .scale import snap_to_scale
from .weighting import (
    BAD_THRESHOLD,
    CHUNK,
    FUZZY_METHODS,
    METHODS,
    UNKNOWN_METHOD,
    WEIGHTINGS,
    Priorities,
    as_priorities,
    check_options,
    lambda_max_of,
    normalise_logs,
    principal_eigenvector,
    priorities,
    weigh,
)

__all__ = [
    "DIAGONAL",
    "EMPTY",
    "MISSING",
    "MISSING_NOT_SYMMETRIC",
    "NOT_2D_OR_3D",
    "NOT_CONNECTED",
    "NOT_FINITE",
    "NOT_NUMERIC",
    "NOT_POSITIVE",
    "NOT_RECIPROCAL",
    "NOT_SQUARE",
    "TOO_LARGE",
    "UPPER_LENGTH",
    "AGGREGATIONS",
    "ALL_WEIGHTS_ZERO",
    "BAD_THRESHOLD",
    "BAD_WEIGHTS",
    "CHUNK",
    "EXPERT_WEIGHTS_COUNT",
    "EXPERT_WEIGHTS_POSITIVE",
    "FUZZY_METHODS",
    "MEANS",
    "MEAN_NEEDS_AIP",
    "METHODS",
    "NOT_A_STACK",
    "ONE_MATRIX",
    "UNKNOWN_AGGREGATION",
    "UNKNOWN_MEAN",
    "UNKNOWN_METHOD",
    "WEIGHTINGS",
    "ZERO_WEIGHTS_NO_DIAGNOSIS",
    "GroupPriorities",
    "Priorities",
    "Revision",
    "aggregate",
    "complete",
    "diagnose",
    "from_upper",
    "harker",
    "llsm",
    "priorities",
    "size_threshold",
    "to_upper",
]

AGGREGATIONS = ("aij", "aip")
MEANS = ("geometric", "arithmetic")

UNKNOWN_AGGREGATION = "unknown aggregation (choose 'aij' or 'aip')"
UNKNOWN_MEAN = "unknown AIP mean (choose 'geometric' or 'arithmetic')"
MEAN_NEEDS_AIP = (
    "mean='arithmetic' applies to AIP only; AIJ takes the geometric mean of the judgments, "
    "which keeps the group matrix reciprocal"
)
ALL_WEIGHTS_ZERO = (
    "the weighted geometric mean of the experts' weights is 0 for every element (each is 0 "
    "for some expert); choose mean='arithmetic' or another weighting method"
)
ZERO_WEIGHTS_NO_DIAGNOSIS = (
    "the weights have a zero, so they imply no ratio to revise the judgments toward; "
    "diagnose with another weighting method"
)
NOT_A_STACK = "group aggregation needs a stack of matrices (k × t × t)"
EXPERT_WEIGHTS_COUNT = "give one expert weight per matrix"
EXPERT_WEIGHTS_POSITIVE = "expert weights must be positive finite numbers"
ONE_MATRIX = "diagnose takes a single t × t matrix"
BAD_WEIGHTS = "weights must be t positive finite numbers"


@dataclass(frozen=True, eq=False)
class GroupPriorities(Priorities):
    """The group's weights and consistency, plus what they were made from.

    matrix: the element-wise weighted geometric mean of the experts' matrices (both methods).
    individual: the experts' own Priorities, as a batch. expert_weights: normalised to sum 1.
    method: "aij" or "aip".
    """

    matrix: np.ndarray
    individual: Priorities
    expert_weights: np.ndarray
    method: str

    @classmethod
    def of(cls, group: Priorities, **made_from) -> "GroupPriorities":
        """`group`'s weights and consistency with what they were made from (the fields above)."""
        figures = (group.weights, group.lambda_max, group.ci, group.cr, group.ri, group.threshold)
        return cls(*figures, **made_from)


@dataclass(frozen=True)
class Revision:
    """A judgment worth revising: b[row, col] is `current`, the weights suggest `suggested`."""

    row: int
    col: int
    current: float
    suggested: float
    deviation: float


def aggregate(
    matrices: ArrayLike,
    method: str = "aij",
    weights: ArrayLike | None = None,
    weighting: str = "geometric",
    ri: str = ri_tables.DEFAULT,
    threshold: float = 0.1,
    mean: str = "geometric",
) -> GroupPriorities:
    """Group priorities of k experts' judgments of one matrix (DESIGN §2.5, §4).

    - "aij" (aggregation of individual judgments): the element-wise weighted geometric mean of
      the matrices, which stays reciprocal, then `weighting` on it as for one expert (a fuzzy
      weighting maps the group's crisp judgments to fuzzy numbers then).
    - "aip" (aggregation of individual priorities): each expert's weights by `weighting`, then
      their weighted mean, geometric (renormalised; the default) or, with mean="arithmetic",
      arithmetic (Forman & Peniwati 1998). λmax, CI and CR are those of these weights against
      the AIJ matrix, λmax = (1/t) Σ_x (A w)_x / w_x, so the figures stay comparable.
    With the geometric method and mean both give the same weights (Barzilai & Golany 1994).

    weights are the experts' weights (default all 1), one per matrix, positive; they are
    normalised to sum 1. The result also carries the AIJ matrix and every expert's Priorities.
    """
    if method not in AGGREGATIONS:
        raise ValueError(f"{UNKNOWN_AGGREGATION}: {method!r}")
    if mean not in MEANS:
        raise ValueError(f"{UNKNOWN_MEAN}: {mean!r}")
    if method == "aij" and mean != "geometric":
        raise ValueError(MEAN_NEEDS_AIP)
    check_options(weighting, ri, threshold)
    stack, batched = as_matrices(matrices)
    if not batched:
        raise ValueError(NOT_A_STACK)
    alpha = _expert_weights(weights, len(stack))
    individual = priorities(stack, weighting, ri, threshold)
    matrix = np.exp(np.tensordot(alpha, np.log(stack), axes=1))
    if method == "aij":
        group_weights, lambda_max = weigh(matrix[None], weighting)
    else:
        group_weights = _mean_priorities(individual.weights, alpha, mean)[None]
        lambda_max = lambda_max_of(matrix[None], group_weights)
    group = as_priorities(group_weights, lambda_max, ri, threshold, batched=False)
    return GroupPriorities.of(
        group,
        matrix=matrix,
        individual=individual,
        expert_weights=alpha,
        method=method,
    )


def _mean_priorities(weights: np.ndarray, alpha: np.ndarray, mean: str) -> np.ndarray:
    """The experts' weight vectors (k, t) averaged with expert weights alpha (summing to 1)."""
    if mean == "arithmetic":
        group = alpha @ weights
        return group / group.sum()
    # A zero weight (Chang's method) has log −inf and makes that element's mean 0.
    with np.errstate(divide="ignore"):
        log_w = alpha @ np.log(weights)
    if not np.isfinite(log_w).any():
        raise ValueError(ALL_WEIGHTS_ZERO)
    return normalise_logs(log_w)


def _expert_weights(weights: ArrayLike | None, k: int) -> np.ndarray:
    if weights is None:
        return np.full(k, 1.0 / k)
    alpha = np.asarray(weights, dtype=float)
    if alpha.shape != (k,):
        raise ValueError(f"{EXPERT_WEIGHTS_COUNT}: {k} matrices, weights of shape {alpha.shape}")
    if not np.all(np.isfinite(alpha) & (alpha > 0)):
        raise ValueError(EXPERT_WEIGHTS_POSITIVE)
    return alpha / alpha.sum()


def diagnose(
    matrix: ArrayLike,
    weights: ArrayLike | None = None,
    method: str = "geometric",
    limit: int | None = None,
    scale: str = "verbal",
) -> list[Revision]:
    """Judgments to revise first when CR is too high, worst first (DESIGN §2.3).

    For each upper-triangle pair x < y the deviation is |ln(b_xy · w_y / w_x)|, how far the
    judgment is (in log space) from the ratio the weights imply; the suggestion is w_x / w_y
    snapped to the judgment scale (scale.snap_to_scale: the verbal 1–9 scale by default, or
    the intermediate one's half steps, or the continuous one's tenths). Pairs whose suggestion
    equals the current value are left out, so every Revision changes something. Ties keep
    row-major order. weights default to the matrix's own weights by `method`. Revising b_xy
    means setting b_yx to its reciprocal too.
    """
    stack, batched = as_matrices(matrix)
    if batched:
        raise ValueError(ONE_MATRIX)
    b = stack[0]
    w = _diagnosis_weights(b, weights, method)
    rows, cols = np.triu_indices(len(b), 1)
    current = b[rows, cols]
    ideal = w[rows] / w[cols]
    deviation = np.abs(np.log(current / ideal))
    suggested = np.asarray(snap_to_scale(ideal, scale))
    changes = ~np.isclose(suggested, current, rtol=1e-9, atol=0.0)
    order = [i for i in np.argsort(-deviation, kind="stable") if changes[i]]
    revisions = [
        Revision(
            int(rows[i]), int(cols[i]), float(current[i]), float(suggested[i]), float(deviation[i])
        )
        for i in order
    ]
    return revisions if limit is None else revisions[:limit]


def _diagnosis_weights(b: np.ndarray, weights: ArrayLike | None, method: str) -> np.ndarray:
    if weights is None:
        w = priorities(b, method).weights
        if not np.all(w > 0):
            raise ValueError(ZERO_WEIGHTS_NO_DIAGNOSIS)
        return w
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(b),) or not np.all(np.isfinite(w) & (w > 0)):
        raise ValueError(f"{BAD_WEIGHTS}; got shape {w.shape} for t = {len(b)}")
    return w


def harker(matrix: ArrayLike, ri: str = ri_tables.DEFAULT, threshold: float = 0.1) -> Priorities:
    """Eigenvector priorities of an incomplete matrix by Harker's method (Harker 1987).

    Missing comparisons are NaN (or None) and come in symmetric pairs; the comparisons given must
    connect all elements (else incomplete.DisconnectedError names the pairs that would). Each
    missing b_xy becomes 0 and each diagonal entry 1 + the number of missing entries in its row;
    the weights are the principal eigenvector of that matrix. λmax, CI and CR are Ágoston &
    Csató's (2022) for incomplete matrices (incomplete.consistency): λmax is the smallest λmax
    of any completion (Bozóki, Fülöp & Rónyai 2010), CI = (λmax − t)/(t − 1) and
    CR = CI / RI(t, m), m the number of missing pairs (simulated, incomplete.ri_table; m = 0 uses
    the `ri` table, so a complete matrix gives priorities(matrix, "eigenvector")). Harker's own
    eigenvalue is never below that λmax and usually above it. Takes a stack too; a stack's ri
    is then an array (one RI per matrix, as m may differ).
    """
    check_options("eigenvector", ri, threshold)
    stack, batched = incomplete.as_incomplete(matrix)
    weights, _ = principal_eigenvector(_harker_matrix(stack))
    return _incomplete_priorities(stack, weights, ri, threshold, batched)


def llsm(matrix: ArrayLike, ri: str = ri_tables.DEFAULT, threshold: float = 0.1) -> Priorities:
    """The "geometric" priorities of an incomplete matrix: logarithmic least squares on the
    comparison graph (Kwiesielewicz 1996; Bozóki, Fülöp & Rónyai 2010; incomplete.llsm), which
    for a complete matrix are the root method's weights. λmax, CI and CR as in harker."""
    check_options("geometric", ri, threshold)
    stack, batched = incomplete.as_incomplete(matrix)
    weights = normalise_logs(incomplete.llsm.llsm_log_weights(stack))
    return _incomplete_priorities(stack, weights, ri, threshold, batched)


def _incomplete_priorities(
    stack: np.ndarray, weights: np.ndarray, ri: str, threshold: float, batched: bool
) -> Priorities:
    c = incomplete.consistency.consistency_of(stack, ri)
    if batched:
        return Priorities(weights, c.lambda_max, c.ci, c.cr, c.ri, threshold)
    return Priorities(
        weights[0],
        float(c.lambda_max[0]),
        float(c.ci[0]),
        float(c.cr[0]),
        float(c.ri[0]),
        threshold,
    )


def _harker_matrix(stack: np.ndarray) -> np.ndarray:
    missing = np.isnan(stack)
    filled = np.where(missing, 0.0, stack)
    t = stack.shape[-1]
    filled[..., np.arange(t), np.arange(t)] += missing.sum(axis=-1)
    return filled


def complete(matrix: ArrayLike) -> np.ndarray:
    """Fill the missing comparisons b_xy of an incomplete matrix with w_x / w_y.

    w are Harker's weights (see harker); the judgments given are kept as they are. The result
    is a complete reciprocal matrix (or stack), not snapped to the 1–9 scale.
    """
    stack, batched = as_matrices(matrix, allow_missing=True)
    w, _ = principal_eigenvector(_harker_matrix(stack))
    ratios = w[..., :, None] / w[..., None, :]
    full = np.where(np.isnan(stack), ratios, stack)
    return full if batched else full[0]
