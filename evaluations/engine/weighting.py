"""Weights and consistency of one judgment matrix or a stack of them (DESIGN §2.2, §2.3, §4).

The core of ahp.priorities (ahp re-exports what is public here). Every function takes one t × t
matrix or a stack k × t × t (the same parent indicator as judged by k experts, say) and
computes the stack without a Python loop per matrix. For a single matrix the result fields are
floats; for a stack they are arrays with a leading axis of k.

Methods
- "geometric": the paper's root method (row geometric mean, normalised; Crawford & Williams
  1985): row products to the power 1/t, normalised (in log space when a product would leave
  float range).
- "eigenvector": Saaty's principal right eigenvector normalised to sum 1.
- "fuzzy_buckley", "fuzzy_chang": the judgments as triangular fuzzy numbers, weighted by
  Buckley's (1985) fuzzy geometric means or Chang's (1996) extent analysis (fuzzy_ahp). Their
  λmax is that of the crisp matrix with these weights, (1/t) Σ_x (B W)_x / W_x. Chang's method
  can give weights of exactly 0 (Priorities.zero_weights); then λmax, CI and CR are infinite,
  as no finite λmax fits a zero weight: (B W)_x / W_x grows without bound as W_x → 0.
All give λmax, CI = (λmax − t)/(t − 1) and CR = CI / RI(t), with CI = CR = 0 for t ≤ 2; ri names
an RI table or Alonso & Lamata's formula (ri.CHOICES).
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import fuzzy_ahp
from . import ri as ri_tables
from .judgments import as_matrices, is_valid_stack

# The crisp methods (what the robustness simulation batches), then the fuzzy ones.
METHODS = ("geometric", "eigenvector")
FUZZY_METHODS = fuzzy_ahp.METHODS
WEIGHTINGS = METHODS + FUZZY_METHODS

UNKNOWN_METHOD = (
    "unknown weighting method (choose 'geometric', 'eigenvector', 'fuzzy_buckley' or 'fuzzy_chang')"
)
BAD_THRESHOLD = "the CR threshold must be a positive finite number"


@dataclass(frozen=True, eq=False)
class Priorities:
    """Weights and consistency of one matrix (float fields) or of a stack (array fields).

    ri is the random index used for CR and threshold the CR limit; `consistent` is CR < threshold.
    zero_weights marks the weights that are exactly 0 (only Chang's fuzzy method gives them).
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

    @property
    def zero_weights(self) -> np.ndarray:
        """A boolean array shaped like weights, True where a weight is exactly 0.

        Chang's extent analysis gives 0 to an element whose fuzzy extent lies wholly below
        another's, however the judgments rate it (its known defect); the pages show this rather
        than a weight of 0 passing for a judgment. `.zero_weights.any(axis=-1)` tells which
        matrices of a stack have one.
        """
        return np.asarray(self.weights) == 0


def priorities(
    matrix: ArrayLike,
    method: str = "geometric",
    ri: str = ri_tables.DEFAULT,
    threshold: float = 0.1,
) -> Priorities:
    """Weights, λmax, CI and CR of a judgment matrix or a stack of them (see the module doc).

    Raises ValueError, with a message starting with one of the constants ahp exports, for anything
    that is not a complete positive reciprocal matrix of order 1–9.
    """
    check_options(method, ri, threshold)
    stack, batched = _as_checked_stack(matrix)
    weights = np.empty(stack.shape[:-1])
    lambda_max = np.empty(stack.shape[0])
    # Chunks small enough to stay in the CPU cache: each numpy step below is a pass over its
    # input, and over a whole large stack every pass would go to main memory (2× slower).
    for start in range(0, stack.shape[0], CHUNK):
        part = slice(start, start + CHUNK)
        weights[part], lambda_max[part] = weigh(stack[part], method)
    return as_priorities(weights, lambda_max, ri, threshold, batched)


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


def check_options(method: str, ri: str, threshold: float) -> None:
    if method not in WEIGHTINGS:
        raise ValueError(f"{UNKNOWN_METHOD}: {method!r}")
    if ri not in ri_tables.CHOICES:
        raise ValueError(f"{ri_tables.UNKNOWN_TABLE}: {ri!r}")
    if not (np.isfinite(threshold) and threshold > 0):
        raise ValueError(f"{BAD_THRESHOLD}: {threshold!r}")


def weigh(stack: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    if method == "eigenvector":
        return principal_eigenvector(stack)
    if method in FUZZY_METHODS:
        weights = fuzzy_ahp.weights(stack, method)
    else:
        weights = _geometric_weights(stack)
    return weights, lambda_max_of(stack, weights)


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
    return normalise_logs(np.log(stack).mean(axis=-1))


def normalise_logs(log_w: np.ndarray) -> np.ndarray:
    # Shifting by the largest log before exp changes nothing after normalising but keeps exp
    # away from overflow and underflow.
    w = np.exp(log_w - log_w.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def lambda_max_of(stack: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """λmax = (1/t) Σ_x (B W)_x / W_x, the paper's step 4.

    A zero weight (Chang's fuzzy method) gives (B W)_x / 0 = +inf, the limit as W_x → 0, so
    λmax, CI and CR are infinite and the matrix counts as inconsistent.
    """
    bw = (stack @ weights[..., None])[..., 0]
    with np.errstate(divide="ignore"):
        return (bw / weights).mean(axis=-1)


def principal_eigenvector(stack: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def as_priorities(
    weights: np.ndarray, lambda_max: np.ndarray, ri: str, threshold: float, batched: bool
) -> Priorities:
    ci, cr, random_index = _consistency(lambda_max, weights.shape[-1], ri)
    if batched:
        return Priorities(weights, lambda_max, ci, cr, random_index, threshold)
    return Priorities(
        weights[0], float(lambda_max[0]), float(ci[0]), float(cr[0]), random_index, threshold
    )
