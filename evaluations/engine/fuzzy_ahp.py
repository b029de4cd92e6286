"""Fuzzy AHP weights from crisp judgments: Buckley (1985) and Chang (1996) (DESIGN §4).

Judgments become triangular fuzzy numbers (l, m, u) as DESIGN §4 states:
1 → (1, 1, 1); a > 1 → (max(1, a − 1), a, min(9, a + 1)), so k → (k − 1, k, k + 1) and
9 → (8, 9, 9); a < 1 → the reversed reciprocal of 1/a's number, (1/u, a, 1/l). Off-scale and
aggregated values map the same way (4.3 → (3.3, 4.3, 5.3)); above 9 the upper end stays at a
(12 → (11, 12, 12)) rather than falling below the middle.

- Buckley: the fuzzy geometric mean of each row, r_i = (Π_j l_ij, Π_j m_ij, Π_j u_ij)^(1/t);
  fuzzy weights w_i = (r_il / Σ_k r_ku, r_im / Σ_k r_km, r_iu / Σ_k r_kl); each defuzzified by
  its centroid (l + m + u) / 3, then normalised.
- Chang's extent analysis: synthetic extents S_i = (Σ_j l_ij / Σ_kj u_kj, Σ_j m_ij / Σ_kj m_kj,
  Σ_j u_ij / Σ_kj l_kj); the degree of possibility V(S_i ≥ S_k) = 1 if m_i ≥ m_k, 0 if
  l_k ≥ u_i, else (l_k − u_i) / ((m_i − u_i) − (m_k − l_k)); d'_i = min over k ≠ i of
  V(S_i ≥ S_k); weights d' normalised. A criterion whose extent lies wholly below another's
  gets weight exactly 0 however relevant it is — the method's known defect (Wang, Luo & Hua
  2008). The weights are returned as they are; callers show the zeros (Priorities.zero_weights).

Every function takes one matrix or a stack: crisp input (..., t, t), fuzzy input (..., t, t, 3)
with (l, m, u) on the last axis, and works on the whole stack at once.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

METHODS = ("fuzzy_buckley", "fuzzy_chang")

# Upper end of the 1–9 scale: a judgment of 9 is (8, 9, 9).
SCALE_MAX = 9.0
# A judgment within this of 1 in log space is 1: an aggregated 1 can come out as 1 ± 1e-16,
# which would otherwise widen to (1, 1, 2).
ONE_TOLERANCE = 1e-9

NOT_TFN_STACK = "fuzzy judgments must have shape (…, t, t, 3): (l, m, u) for every pair"
NOT_POSITIVE_TFN = "fuzzy judgments must be positive finite numbers"
NOT_ORDERED_TFN = "a triangular fuzzy number needs l ≤ m ≤ u"


@dataclass(frozen=True, eq=False)
class Buckley:
    """Buckley's steps: geometric_means r (…, t, 3), fuzzy_weights (…, t, 3), centroid (…, t)
    and the normalised crisp weights (…, t)."""

    geometric_means: np.ndarray
    fuzzy_weights: np.ndarray
    centroid: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True, eq=False)
class Chang:
    """Chang's steps: extents S (…, t, 3), possibility V (…, t, t) with V[…, i, k] = V(S_i ≥ S_k),
    d_prime (…, t) and the weights (…, t), some of which may be exactly 0."""

    extents: np.ndarray
    possibility: np.ndarray
    d_prime: np.ndarray
    weights: np.ndarray


def to_tfn(matrix: ArrayLike) -> np.ndarray:
    """The triangular fuzzy number of every judgment (see the module doc); adds an axis of 3.

    The input must be positive (ahp.priorities validates its matrices before calling this).
    """
    a = np.asarray(matrix, dtype=float)
    one = np.abs(np.log(a)) <= ONE_TOLERANCE
    big = np.maximum(a, 1.0 / a)  # the judgment ≥ 1 of the pair
    lower = np.maximum(1.0, big - 1.0)
    upper = np.maximum(big, np.minimum(SCALE_MAX, big + 1.0))
    above = np.stack([lower, big, upper], axis=-1)
    below = np.stack([1.0 / upper, a, 1.0 / lower], axis=-1)
    tfn = np.where((a < 1.0)[..., None], below, above)
    tfn[one] = 1.0
    return tfn


def buckley(tfn: ArrayLike) -> Buckley:
    """Buckley's (1985) fuzzy geometric-mean weights of fuzzy matrices (…, t, t, 3)."""
    return _buckley(_checked(tfn))


def chang(tfn: ArrayLike) -> Chang:
    """Chang's (1996) extent-analysis weights of fuzzy matrices (…, t, t, 3)."""
    return _chang(_checked(tfn))


def weights(stack: np.ndarray, method: str) -> np.ndarray:
    """Crisp weights (k, t) of a validated crisp stack (k, t, t) by one of METHODS."""
    tfn = to_tfn(stack)
    if method == "fuzzy_buckley":
        return _buckley(tfn).weights
    return _chang(tfn).weights


def _buckley(tfn: np.ndarray) -> Buckley:
    # exp of the mean log rather than a product to the power 1/t: off-scale judgments may be
    # large, and the mean of logs cannot overflow.
    r = np.exp(np.log(tfn).mean(axis=-2))
    # Fuzzy division by Σ r: l by the sum of the u's, m by that of the m's, u by that of the l's.
    fuzzy_weights = r / r.sum(axis=-2, keepdims=True)[..., ::-1]
    centroid = fuzzy_weights.mean(axis=-1)
    return Buckley(r, fuzzy_weights, centroid, centroid / centroid.sum(axis=-1, keepdims=True))


def _chang(tfn: np.ndarray) -> Chang:
    rows = tfn.sum(axis=-2)
    extents = rows / rows.sum(axis=-2, keepdims=True)[..., ::-1]
    possibility = _possibility(extents)
    # V(S_i ≥ S_i) = 1, so the minimum over all k equals the minimum over k ≠ i.
    d_prime = possibility.min(axis=-1)
    # The extent with the largest m has d' = 1, so the sum is at least 1.
    return Chang(extents, possibility, d_prime, d_prime / d_prime.sum(axis=-1, keepdims=True))


def _possibility(extents: np.ndarray) -> np.ndarray:
    """V(S_i ≥ S_k) for every i (axis −2) and k (axis −1)."""
    l_i, m_i, u_i = (extents[..., :, None, c] for c in range(3))
    l_k, m_k, u_k = (extents[..., None, :, c] for c in range(3))
    # Where m_i < m_k and l_k < u_i the denominator (m_i − u_i) − (m_k − l_k) is negative, not
    # 0; elsewhere the ratio is computed but not used, and may divide by 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (l_k - u_i) / ((m_i - u_i) - (m_k - l_k))
    return np.where(m_i >= m_k, 1.0, np.where(l_k >= u_i, 0.0, ratio))


def _checked(tfn: ArrayLike) -> np.ndarray:
    try:
        f = np.asarray(tfn, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(NOT_TFN_STACK) from None
    if f.ndim < 3 or f.shape[-1] != 3 or f.shape[-2] != f.shape[-3] or f.size == 0:
        raise ValueError(f"{NOT_TFN_STACK}; got shape {f.shape}")
    if not np.all(np.isfinite(f) & (f > 0)):
        raise ValueError(NOT_POSITIVE_TFN)
    if not np.all((f[..., 0] <= f[..., 1]) & (f[..., 1] <= f[..., 2])):
        raise ValueError(NOT_ORDERED_TFN)
    return f
