"""Analytic Hierarchy Process: weights and consistency of judgment matrices (DESIGN §2.2–2.5).

Every public function takes one t × t matrix or a stack k × t × t (the same parent indicator as
judged by k experts, say) and computes the stack without a Python loop per matrix. For a single
matrix the result fields are floats; for a stack they are arrays with a leading axis of k.

Methods
- "geometric": the paper's root method (row geometric mean, normalised; Crawford & Williams
  1985): row products to the power 1/t, normalised (in log space when a product would leave
  float range).
- "eigenvector": Saaty's principal right eigenvector normalised to sum 1.
Both give λmax, CI = (λmax − t)/(t − 1) and CR = CI / RI(t), with CI = CR = 0 for t ≤ 2.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

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
    is_valid_stack,
    to_upper,
)
from .scale import snap_to_scale

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
    "BAD_THRESHOLD",
    "BAD_WEIGHTS",
    "EXPERT_WEIGHTS_COUNT",
    "EXPERT_WEIGHTS_POSITIVE",
    "METHODS",
    "NOT_A_STACK",
    "ONE_MATRIX",
    "UNKNOWN_AGGREGATION",
    "UNKNOWN_METHOD",
    "GroupPriorities",
    "Priorities",
    "Revision",
    "aggregate",
    "complete",
    "diagnose",
    "from_upper",
    "harker",
    "priorities",
    "to_upper",
]

METHODS = ("geometric", "eigenvector")
AGGREGATIONS = ("aij", "aip")

UNKNOWN_METHOD = "unknown weighting method (choose 'geometric' or 'eigenvector')"
UNKNOWN_AGGREGATION = "unknown aggregation (choose 'aij' or 'aip')"
BAD_THRESHOLD = "the CR threshold must be a positive finite number"
NOT_A_STACK = "group aggregation needs a stack of matrices (k × t × t)"
EXPERT_WEIGHTS_COUNT = "give one expert weight per matrix"
EXPERT_WEIGHTS_POSITIVE = "expert weights must be positive finite numbers"
ONE_MATRIX = "diagnose takes a single t × t matrix"
BAD_WEIGHTS = "weights must be t positive finite numbers"


@dataclass(frozen=True, eq=False)
class Priorities:
    """Weights and consistency of one matrix (float fields) or of a stack (array fields).

    ri is the random index used for CR and threshold the CR limit; `consistent` is CR < threshold.
    """

    weights: np.ndarray
    lambda_max: float | np.ndarray
    ci: float | np.ndarray
    cr: float | np.ndarray
    ri: float
    threshold: float

    @property
    def consistent(self) -> bool | np.ndarray:
        result = np.asarray(self.cr) < self.threshold
        return bool(result) if result.ndim == 0 else result


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


@dataclass(frozen=True)
class Revision:
    """A judgment worth revising: b[row, col] is `current`, the weights suggest `suggested`."""

    row: int
    col: int
    current: float
    suggested: float
    deviation: float


def priorities(
    matrix: ArrayLike,
    method: str = "geometric",
    ri: str = ri_tables.DEFAULT,
    threshold: float = 0.1,
) -> Priorities:
    """Weights, λmax, CI and CR of a judgment matrix or a stack of them (see the module doc).

    Raises ValueError, with a message starting with one of this module's constants, for anything
    that is not a complete positive reciprocal matrix of order 1–9.
    """
    _check_options(method, ri, threshold)
    stack, batched = _as_checked_stack(matrix)
    weights = np.empty(stack.shape[:-1])
    lambda_max = np.empty(stack.shape[0])
    # Chunks small enough to stay in the CPU cache: each numpy step below is a pass over its
    # input, and over a whole large stack every pass would go to main memory (2× slower).
    for start in range(0, stack.shape[0], CHUNK):
        part = slice(start, start + CHUNK)
        weights[part], lambda_max[part] = _weigh(stack[part], method)
    return _result(weights, lambda_max, ri, threshold, batched)


CHUNK = 2048


def _as_checked_stack(matrix: ArrayLike) -> tuple[np.ndarray, bool]:
    b = np.asarray(matrix, dtype=float) if isinstance(matrix, np.ndarray) else None
    well_shaped = (
        b is not None
        and b.ndim == 3
        and b.shape[0] > 0
        and b.shape[-1] == b.shape[-2]
        and 0 < b.shape[-1] <= ri_tables.MAX_ORDER
    )
    if not well_shaped:
        return as_matrices(matrix)
    # A large valid stack: validate chunk by chunk while it is in cache; on the first failure
    # let the full validation find and name the first bad entry of the whole stack.
    for start in range(0, b.shape[0], CHUNK):
        if not is_valid_stack(b[start : start + CHUNK]):
            return as_matrices(b)
    return b, True


def _check_options(method: str, ri: str, threshold: float) -> None:
    if method not in METHODS:
        raise ValueError(f"{UNKNOWN_METHOD}: {method!r}")
    if ri not in ri_tables.TABLES:
        raise ValueError(f"{ri_tables.UNKNOWN_TABLE}: {ri!r}")
    if not (np.isfinite(threshold) and threshold > 0):
        raise ValueError(f"{BAD_THRESHOLD}: {threshold!r}")


def _weigh(stack: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    if method == "eigenvector":
        return _principal_eigenvector(stack)
    weights = _geometric_weights(stack)
    return weights, _lambda_max(stack, weights)


def _geometric_weights(stack: np.ndarray) -> np.ndarray:
    """The root method: W_x ∝ (Π_y b_xy)^(1/t), the paper's steps 1–3.

    The row product is the fast way; with at most 9 factors it stays far inside float range
    for judgments on the 1–9 scale. Extreme entries (a product that overflows or underflows)
    take exp of the mean log instead, which cannot.
    """
    t = stack.shape[-1]
    with np.errstate(over="ignore", under="ignore"):  # detected just below
        products = np.prod(stack, axis=-1)
    if np.all(np.isfinite(products)) and products.min() > 0:
        w = products ** (1.0 / t)
        return w / w.sum(axis=-1, keepdims=True)
    return _normalise_logs(np.log(stack).mean(axis=-1))


def _normalise_logs(log_w: np.ndarray) -> np.ndarray:
    # Shifting by the largest log before exp changes nothing after normalising but keeps exp
    # away from overflow and underflow.
    w = np.exp(log_w - log_w.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def _lambda_max(stack: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """λmax = (1/t) Σ_x (B W)_x / W_x, the paper's step 4."""
    bw = (stack @ weights[..., None])[..., 0]
    return (bw / weights).mean(axis=-1)


def _principal_eigenvector(stack: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Perron eigenvalue and eigenvector (normalised to sum 1) of each positive matrix.

    For a positive matrix the eigenvalue of largest real part is real and simple, and its
    eigenvector has all components of one sign (Perron–Frobenius); taking absolute values
    fixes the arbitrary sign LAPACK returns and drops imaginary rounding noise.
    """
    values, vectors = np.linalg.eig(stack)
    top = np.argmax(values.real, axis=-1)
    lambda_max = np.take_along_axis(values.real, top[:, None], axis=-1)[:, 0]
    vector = np.take_along_axis(vectors, top[:, None, None], axis=-1)[..., 0]
    weights = np.abs(vector)
    return weights / weights.sum(axis=-1, keepdims=True), lambda_max


def _consistency(lambda_max: np.ndarray, t: int, ri: str) -> tuple[np.ndarray, np.ndarray, float]:
    """CI and CR per matrix, and the RI used.

    λmax ≥ t holds for every positive reciprocal matrix and any positive weights, so a CI
    below 0 is rounding noise of a consistent matrix and is clipped to 0.
    """
    random_index = ri_tables.random_index(t, ri)
    if t <= 2:
        zeros = np.zeros_like(lambda_max)
        return zeros, zeros.copy(), random_index
    ci = np.maximum((lambda_max - t) / (t - 1), 0.0)
    return ci, ci / random_index, random_index


def _result(
    weights: np.ndarray, lambda_max: np.ndarray, ri: str, threshold: float, batched: bool
) -> Priorities:
    ci, cr, random_index = _consistency(lambda_max, weights.shape[-1], ri)
    if batched:
        return Priorities(weights, lambda_max, ci, cr, random_index, threshold)
    return Priorities(
        weights[0], float(lambda_max[0]), float(ci[0]), float(cr[0]), random_index, threshold
    )


def aggregate(
    matrices: ArrayLike,
    method: str = "aij",
    weights: ArrayLike | None = None,
    weighting: str = "geometric",
    ri: str = ri_tables.DEFAULT,
    threshold: float = 0.1,
) -> GroupPriorities:
    """Group priorities of k experts' judgments of one matrix (DESIGN §2.5).

    - "aij" (aggregation of individual judgments): the element-wise weighted geometric mean of
      the matrices, which stays reciprocal, then `weighting` on it as for one expert.
    - "aip" (aggregation of individual priorities): each expert's weights by `weighting`, then
      their weighted geometric mean, renormalised. λmax, CI and CR are those of these weights
      against the AIJ matrix, λmax = (1/t) Σ_x (A w)_x / w_x, so the figures stay comparable.
    With the geometric method both give the same weights (Barzilai & Golany 1994).

    weights are the experts' weights (default all 1), one per matrix, positive; they are
    normalised to sum 1. The result also carries the AIJ matrix and every expert's Priorities.
    """
    if method not in AGGREGATIONS:
        raise ValueError(f"{UNKNOWN_AGGREGATION}: {method!r}")
    _check_options(weighting, ri, threshold)
    stack, batched = as_matrices(matrices)
    if not batched:
        raise ValueError(NOT_A_STACK)
    alpha = _expert_weights(weights, len(stack))
    individual = priorities(stack, weighting, ri, threshold)
    matrix = np.exp(np.tensordot(alpha, np.log(stack), axes=1))
    if method == "aij":
        group_weights, lambda_max = _weigh(matrix[None], weighting)
    else:
        group_weights = _normalise_logs(alpha @ np.log(individual.weights))[None]
        lambda_max = _lambda_max(matrix[None], group_weights)
    group = _result(group_weights, lambda_max, ri, threshold, batched=False)
    return GroupPriorities(
        group.weights,
        group.lambda_max,
        group.ci,
        group.cr,
        group.ri,
        group.threshold,
        matrix=matrix,
        individual=individual,
        expert_weights=alpha,
        method=method,
    )


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
) -> list[Revision]:
    """Judgments to revise first when CR is too high, worst first (DESIGN §2.3).

    For each upper-triangle pair x < y the deviation is |ln(b_xy · w_y / w_x)|, how far the
    judgment is (in log space) from the ratio the weights imply; the suggestion is w_x / w_y
    snapped to the 1–9 scale. Pairs whose suggestion equals the current value are left out, so
    every Revision changes something. Ties keep row-major order. weights default to the
    matrix's own weights by `method`. Revising b_xy means setting b_yx to its reciprocal too.
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
    suggested = np.asarray(snap_to_scale(ideal))
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
        return priorities(b, method).weights
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(b),) or not np.all(np.isfinite(w) & (w > 0)):
        raise ValueError(f"{BAD_WEIGHTS}; got shape {w.shape} for t = {len(b)}")
    return w


def harker(matrix: ArrayLike, ri: str = ri_tables.DEFAULT, threshold: float = 0.1) -> Priorities:
    """Eigenvector priorities of an incomplete matrix by Harker's method (Harker 1987).

    Missing comparisons are NaN (or None) and come in symmetric pairs; the comparisons given must
    connect all elements. Each missing b_xy becomes 0 and each diagonal entry 1 + the number of
    missing entries in its row; the weights and λmax are the principal eigenpair of that matrix.
    CI and CR use t, the full number of elements, as for a complete matrix; for a complete
    matrix the result equals priorities(matrix, "eigenvector"). Takes a stack too.
    """
    _check_options("eigenvector", ri, threshold)
    stack, batched = as_matrices(matrix, allow_missing=True)
    weights, lambda_max = _principal_eigenvector(_harker_matrix(stack))
    return _result(weights, lambda_max, ri, threshold, batched)


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
    w, _ = _principal_eigenvector(_harker_matrix(stack))
    ratios = w[..., :, None] / w[..., None, :]
    full = np.where(np.isnan(stack), ratios, stack)
    return full if batched else full[0]
