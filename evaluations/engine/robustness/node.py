"""One node's local weights: the input checks and how moving one child's weight moves the rest.

Moving child k's weight from w_k to x rescales its siblings in proportion (DESIGN §2.9):
w_j' = w_j (1 − x) / (1 − w_k). So the whole weight vector is linear in x,

    w(x) = x e_k + (1 − x) u_k,    u_k = the siblings' shares, summing to 1, 0 at k,

and so is everything M(·,+) builds from it. Two cases the formula leaves open:
- The siblings' shares are divided by their own sum, which is 1 − w_k for weights summing to
  1 and keeps w(x) summing to exactly 1 when the input sums to 1 only within 1e-9.
- When every sibling weighs 0 (w_k = 1), lowering w_k gives the freed weight to the siblings
  in equal shares: the limit of the proportional rule from equal siblings. A sibling of weight
  0 beside others that weigh something stays at 0.
A node with a single child has nothing to trade its weight with: it has no flip points.
"""

import numpy as np
from numpy.typing import ArrayLike

NOT_NUMERIC = "{field} must be numbers"
NOT_FINITE = "{field} must be finite numbers (no NaN or infinity)"
NOT_A_VECTOR = "weights must be a flat vector with one weight per child (at least one)"
NEGATIVE_WEIGHTS = "weights must be non-negative"
WEIGHTS_SUM = "weights must sum to 1 (within 1e-9)"
SCORES_SHAPE = "scores must be a subjects × children table, one column per weight"
OFFSETS_SHAPE = "offsets must give one number per subject (a row of scores)"

# Weights from the AHP sum to 1 to within a few ulps; anything looser is a caller's mistake.
SUM_TOLERANCE = 1e-9
# Totals (or grade memberships) this close count as tied, as in fuzzy.grade. Scores are of
# order 1–100, whose rounding errors are far below it.
TIE_TOLERANCE = 1e-12


def as_array(value: ArrayLike, field: str) -> np.ndarray:
    """A float array of finite numbers, or a ValueError naming the field."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(NOT_NUMERIC.format(field=field)) from None
    if not np.all(np.isfinite(array)):
        raise ValueError(NOT_FINITE.format(field=field))
    return array


def check_weights(weights: ArrayLike) -> np.ndarray:
    """A node's local weights (n,): finite, non-negative, summing to 1 within 1e-9."""
    w = as_array(weights, "weights")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"{NOT_A_VECTOR}; got shape {w.shape}")
    if np.any(w < 0):
        raise ValueError(f"{NEGATIVE_WEIGHTS} (first at child {int(np.argmax(w < 0))})")
    if abs(w.sum() - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"{WEIGHTS_SUM}; they sum to {w.sum()!r}")
    return w


def check_node(
    weights: ArrayLike, scores: ArrayLike, offsets: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights (n,), scores (subjects, n) and offsets (subjects,), zeros when not given."""
    w = check_weights(weights)
    s = as_array(scores, "scores")
    if s.ndim != 2 or s.shape[1] != w.size:
        raise ValueError(f"{SCORES_SHAPE}; got scores {s.shape} for {w.size} weights")
    o = np.zeros(s.shape[0]) if offsets is None else as_array(offsets, "offsets")
    if o.shape != (s.shape[0],):
        raise ValueError(f"{OFFSETS_SHAPE}; got offsets {o.shape} for {s.shape[0]} subjects")
    return w, s, o


def sibling_shares(weights: np.ndarray) -> np.ndarray:
    """u (n, n): row k holds the siblings' shares of the weight child k gives up, 0 at k.

    A single child has no siblings: its row is all 0 (callers report no flip points for it).
    """
    n = weights.size
    others = np.where(np.eye(n, dtype=bool), 0.0, weights)  # row k: the weights without k
    total = others.sum(axis=1, keepdims=True)
    equal = np.where(np.eye(n, dtype=bool), 0.0, 1.0 / max(n - 1, 1))
    # Divided only where the siblings weigh something; the equal split covers w_k = 1.
    return np.divide(others, total, out=equal, where=total > 0)


def moved_weights(weights: np.ndarray, child: int, x: ArrayLike) -> np.ndarray:
    """The weight vectors (len(x), n) with child's weight set to each x, siblings rescaled."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    shares = sibling_shares(weights)[child]
    moved = (1.0 - x)[:, None] * shares[None, :]
    moved[:, child] = x
    return moved


def relative_change(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """|x − w_k| / w_k per child (DESIGN §2.9): NaN where x is NaN, infinity where w_k = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.abs(points - weights) / weights
    return np.where(np.isnan(points), np.nan, change)
