"""Experts against the group: how far each expert's judgments sit from the group's weights.

DESIGN §2.9. For each expert and matrix:
- Saaty's compatibility S of the expert's matrix A (n × n) with the group weights w,

      S = (1/n²) Σ_ij a_ij w_j / w_i,

  1 for perfect agreement, customarily acceptable up to 1.1;
- the Pearson correlation r of the expert's own weights with the group's.
Per expert, the overall S is the mean of their S over the matrices they answered, weighted by
each matrix's global weight (renormalised over those matrices); the expert is flagged when the
overall S is greater than the threshold (1.1 by default).

Why S ≥ 1 for every positive reciprocal matrix: write x_ij = a_ij w_j / w_i. The diagonal gives
x_ii = 1, and each pair i < j gives x_ij + x_ji = x_ij + 1/x_ij ≥ 2, with equality only at
x_ij = 1. So n² S ≥ n + n(n − 1) = n², and S = 1 exactly when a_ij = w_i / w_j for all i, j:
the expert's matrix is the consistent matrix of the group's weights.

Missing judgments (NaN, or None) follow the engine's reading of an incomplete matrix
(ahp.harker, ahp.complete): they come in symmetric pairs, the judgments given must connect all
elements, and each missing a_ij is filled with w'_i / w'_j from the expert's own Harker weights
w'. S and the expert's weights are those of the completed matrix; with the eigenvector method
its weights are exactly Harker's.

Bad input raises ValueError with a message starting with one of the constants below (or those
of judgments for a matrix that is not a positive reciprocal one).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .. import ahp
from ..judgments import (
    DIAGONAL,
    MISSING_NOT_SYMMETRIC,
    NOT_CONNECTED,
    NOT_FINITE,
    NOT_NUMERIC,
    NOT_POSITIVE,
    NOT_RECIPROCAL,
    NOT_SQUARE,
    as_matrices,
)

__all__ = [
    "BAD_THRESHOLD",
    "DIAGONAL",
    "EXPERTS_DIFFER",
    "GLOBAL_WEIGHTS",
    "MISSING_NOT_SYMMETRIC",
    "NOT_A_PAIR",
    "NOT_A_STACK",
    "NOT_CONNECTED",
    "NOT_FINITE",
    "NOT_NUMERIC",
    "NOT_POSITIVE",
    "NOT_RECIPROCAL",
    "NOT_SQUARE",
    "NO_MATRICES",
    "THRESHOLD",
    "WEIGHTS_NOT_NUMERIC",
    "WEIGHTS_POSITIVE",
    "WEIGHTS_SHAPE",
    "WEIGHTS_SUM",
    "Agreement",
    "compatibility",
    "expert_agreement",
    "weight_correlation",
]

# Saaty's customary limit of an acceptable compatibility.
THRESHOLD = 1.1

WEIGHTS_NOT_NUMERIC = "{field} must be numbers"
WEIGHTS_SHAPE = "{field} must give one weight per element of the matrix"
WEIGHTS_POSITIVE = "{field} must be positive finite numbers"
WEIGHTS_SUM = "{field} must sum to 1 (within 1e-9)"
BAD_THRESHOLD = "the flag threshold must be a finite number greater than 1 (S is never below 1)"
NO_MATRICES = "give at least one matrix: the experts' judgments with the group's weights"
NOT_A_PAIR = "each matrix must be a pair: the experts' matrices and the group's weights"
NOT_A_STACK = "the experts' matrices must be a stack, one n × n matrix per expert"
EXPERTS_DIFFER = "every matrix needs one judgment matrix per expert, the same experts in each"
GLOBAL_WEIGHTS = "global weights must be positive finite numbers, one per matrix"

# Weights from the AHP sum to 1 to within a few ulps; anything looser is a caller's mistake.
SUM_TOLERANCE = 1e-9
# Weights this close to each other count as equal, so Pearson's r is 0/0: the eigenvector
# method gives equal weights only to rounding (about 1e-16), and r of that noise would be a
# meaningless ±1.
CONSTANT_SPREAD = 1e-12


@dataclass(frozen=True, eq=False)
class Agreement:
    """Every expert against the group: one row per expert, one column per matrix.

    compatibility, correlation: S and Pearson's r, NaN where the expert did not answer the
    matrix (r is NaN too where it is undefined, see weight_correlation). answered: bool.
    overall: each expert's S averaged over the matrices they answered, weighted by the
    matrices' global weights renormalised over those; NaN for an expert who answered none.
    flagged: overall > threshold (strictly); an expert who answered nothing is not flagged.
    """

    compatibility: np.ndarray
    correlation: np.ndarray
    answered: np.ndarray
    overall: np.ndarray
    flagged: np.ndarray
    threshold: float


def compatibility(matrix: ArrayLike, group_weights: ArrayLike) -> float | np.ndarray:
    """Saaty's S of a matrix n × n (a float) or of a stack experts × n × n (an array (experts,)).

    Worked example: w = (0.5, 0.3, 0.2) and a_12 = 2, a_13 = 3, a_23 = 1. The terms
    a_ij w_j / w_i off the diagonal are 1.2 and 5/6 (pair 1–2), 1.2 and 5/6 (pair 1–3), 2/3
    and 3/2 (pair 2–3), summing to 187/30; with the diagonal's 3, S = (277/30) / 9 = 277/270
    ≈ 1.02593.
    """
    stack, batched = _completed(matrix)
    w = _check_weights(group_weights, "group weights", stack.shape[-1])
    s = _compatibility(stack, w)
    return s if batched else float(s[0])


def _completed(matrix: ArrayLike) -> tuple[np.ndarray, bool]:
    """A checked float stack with every missing judgment filled by ahp.complete."""
    stack, batched = as_matrices(matrix, allow_missing=True)
    incomplete = np.isnan(stack).any(axis=(-2, -1))
    if incomplete.any():
        stack = stack.copy()  # as_matrices may hand back the caller's own array
        stack[incomplete] = ahp.complete(stack[incomplete])
    return stack, batched


def _compatibility(stack: np.ndarray, w: np.ndarray) -> np.ndarray:
    ratios = w[None, :] / w[:, None]  # w_j / w_i at row i, column j
    return (stack * ratios).mean(axis=(-2, -1))


def _check_weights(weights: ArrayLike, field: str, n: int | None = None) -> np.ndarray:
    """Positive finite weights summing to 1 along the last axis, n of them when n is given."""
    try:
        w = np.array(weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(WEIGHTS_NOT_NUMERIC.format(field=field)) from None
    if w.ndim == 0 or w.shape[-1] == 0 or (n is not None and w.shape[-1] != n):
        expected = "" if n is None else f" ({n})"
        raise ValueError(f"{WEIGHTS_SHAPE.format(field=field)}{expected}; got shape {w.shape}")
    if not np.all(np.isfinite(w) & (w > 0)):
        raise ValueError(WEIGHTS_POSITIVE.format(field=field))
    sums = np.atleast_1d(w.sum(axis=-1))
    off = np.abs(sums - 1.0) > SUM_TOLERANCE
    if off.any():
        raise ValueError(f"{WEIGHTS_SUM.format(field=field)}; got a sum of {sums[off][0]!r}")
    return w


def weight_correlation(expert_weights: ArrayLike, group_weights: ArrayLike) -> float | np.ndarray:
    """Pearson's r of an expert's weights (n,) with the group's (n,), or of each row (experts, n).

    r is undefined (NaN) when either vector has no spread: all its weights equal within 1e-12.
    That covers n = 1 always, and for n = 2, where every r is otherwise +1 or −1 (whether the
    expert and the group favour the same element), an expert or a group weighing both at 1/2.
    """
    g = _check_weights(group_weights, "group weights")
    if g.ndim != 1:
        raise ValueError(f"{WEIGHTS_SHAPE.format(field='group weights')}; got shape {g.shape}")
    e = _check_weights(expert_weights, "expert weights", g.size)
    if e.ndim > 2:
        raise ValueError(f"{WEIGHTS_SHAPE.format(field='expert weights')}; got shape {e.shape}")
    r = _correlation(np.atleast_2d(e), g)
    return r if e.ndim == 2 else float(r[0])


def _correlation(e: np.ndarray, g: np.ndarray) -> np.ndarray:
    x = e - e.mean(axis=-1, keepdims=True)
    y = g - g.mean()
    spread = np.sqrt((x * x).sum(axis=-1) * (y @ y))
    flat = (np.ptp(e, axis=-1) <= CONSTANT_SPREAD) | (np.ptp(g) <= CONSTANT_SPREAD)
    r = np.divide(x @ y, spread, out=np.full(len(e), np.nan), where=~flat)
    return np.clip(r, -1.0, 1.0)  # NaN stays NaN; rounding could push |r| past 1


def expert_agreement(
    per_matrix: Sequence[tuple[ArrayLike, ArrayLike]],
    global_weights: ArrayLike,
    threshold: float = THRESHOLD,
    method: str = "geometric",
) -> Agreement:
    """S and r of every expert on every matrix, their overall S and the flag (see the module doc).

    per_matrix: one pair per matrix, (the experts' matrices, a stack experts × n × n with the
    same experts in the same order for every matrix; the group's weights (n,)). An expert who
    did not answer a matrix has it all NaN there. global_weights: each matrix's global weight
    (its parent's in the hierarchy), positive. The experts' own weights, for r, come from
    ahp.priorities with `method` ("geometric" or "eigenvector"), as the group's should.
    """
    _check_threshold(threshold)
    if method not in ahp.METHODS:
        raise ValueError(f"{ahp.UNKNOWN_METHOD}: {method!r}")
    if len(per_matrix) == 0:
        raise ValueError(NO_MATRICES)
    g = _global_weights(global_weights, len(per_matrix))
    columns = [_one_matrix(index, pair, method) for index, pair in enumerate(per_matrix)]
    _check_same_experts(columns)
    s = np.stack([column[0] for column in columns], axis=1)
    r = np.stack([column[1] for column in columns], axis=1)
    answered = ~np.isnan(s)
    overall = _weighted_mean(s, answered, g)
    flagged = overall > threshold  # NaN compares False: no answers, no flag
    return Agreement(s, r, answered, overall, flagged, float(threshold))


def _check_threshold(threshold: float) -> None:
    # A number, not text that float() would read or a bool that would pass for 1.
    number = isinstance(threshold, (int, float, np.integer, np.floating))
    if isinstance(threshold, bool) or not (number and np.isfinite(threshold) and threshold > 1):
        raise ValueError(f"{BAD_THRESHOLD}; got {threshold!r}")


def _global_weights(global_weights: ArrayLike, count: int) -> np.ndarray:
    try:
        g = np.array(global_weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(GLOBAL_WEIGHTS) from None
    if g.shape != (count,):
        raise ValueError(f"{GLOBAL_WEIGHTS}; got shape {g.shape} for {count} matrices")
    if not np.all(np.isfinite(g) & (g > 0)):
        raise ValueError(GLOBAL_WEIGHTS)
    return g


def _one_matrix(index: int, pair: object, method: str) -> tuple[np.ndarray, np.ndarray]:
    """S and r of every expert on matrix `index`, NaN for the experts who did not answer it."""
    try:
        return _answers(pair, method)
    except ValueError as error:
        raise ValueError(f"matrix {index}: {error}") from None


def _answers(pair: object, method: str) -> tuple[np.ndarray, np.ndarray]:
    matrices, group_weights = _unpack(pair)
    try:
        stack = np.asarray(matrices, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(NOT_NUMERIC) from None
    if stack.ndim != 3 or stack.shape[-1] != stack.shape[-2]:
        raise ValueError(f"{NOT_A_STACK}; got shape {stack.shape}")
    n = stack.shape[-1]
    w = _check_weights(group_weights, "group weights", n)
    s, r = np.full(len(stack), np.nan), np.full(len(stack), np.nan)
    answered = ~np.isnan(stack).all(axis=(-2, -1))
    if answered.any():
        # Unanswered matrices stand in as all-1 matrices (valid, and never read), so the checks'
        # error messages give the expert's index as the caller counts them.
        full, _ = _completed(np.where(answered[:, None, None], stack, 1.0))
        s[answered] = _compatibility(full[answered], w)
        r[answered] = _correlation(ahp.priorities(full[answered], method).weights, w)
    return s, r


def _unpack(pair: object) -> tuple[ArrayLike, ArrayLike]:
    if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
        raise ValueError(NOT_A_PAIR)
    return pair[0], pair[1]


def _check_same_experts(columns: list[tuple[np.ndarray, np.ndarray]]) -> None:
    counts = [len(s) for s, _ in columns]
    if len(set(counts)) > 1:
        raise ValueError(f"{EXPERTS_DIFFER}; got {counts} experts")


def _weighted_mean(s: np.ndarray, answered: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Σ g_m S_m / Σ g_m over each expert's answered matrices; NaN where they answered none."""
    total = answered @ g
    weighted = np.where(answered, s, 0.0) @ g
    return np.divide(weighted, total, out=np.full(len(s), np.nan), where=total > 0)
