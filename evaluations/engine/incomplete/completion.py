"""The completion of an incomplete matrix that minimises λmax (Bozóki, Fülöp & Rónyai 2010).

Write each missing pair k = (i, j) as b_ij = e^{x_k}, b_ji = e^{−x_k}. Then λmax of the
completed matrix is a convex function of x (Bozóki, Fülöp & Rónyai 2010, from Kingman's
log-convexity of the Perron root), with a unique minimiser exactly when the answered
comparisons connect all elements. Its minimum λmin is the λ that Ágoston & Csató (2022) take
for the CI of an incomplete matrix (see consistency.py).

Method: Newton's method on x with a backtracking (Armijo) line search, started from the
logarithmic least-squares completion b_ij = w_i / w_j, for a whole stack at once (the missing
pairs of each matrix padded to the stack's largest count and masked). With u, v the right and
left Perron vectors (vᵀu = 1), E_k = ∂A/∂x_k = b_ij e_i e_jᵀ − b_ji e_j e_iᵀ and
F_k = b_ij e_i e_jᵀ + b_ji e_j e_iᵀ, the derivatives of the simple eigenvalue λ are
(second-order perturbation theory)
    ∂λ/∂x_k = vᵀ E_k u,
    ∂²λ/∂x_k∂x_l = δ_kl vᵀ F_k u + vᵀE_k S E_l u + vᵀE_l S E_k u,
where S = Σ_{s≠1} u_s w_sᵀ / (λ − λ_s) is the reduced resolvent, computed without the other
eigenvectors as (λI − A + u vᵀ)⁻¹ − u vᵀ.
A matrix is done when the Newton decrement gᵀH⁻¹g (twice the predicted λ − λmin) is at most
2 · TOLERANCE; after MAX_ITERATIONS, or when no step lowers λ any more before that,
RuntimeError(NOT_CONVERGED) names the matrix. From the least-squares start Newton's method
took at most 4 steps on each of the 9.1 million random matrices of the RI table, and none for
4 elements or where the answered pairs leave a single cycle: there the least-squares
completion was already optimal.
"""

from dataclasses import dataclass
from typing import NoReturn

import numpy as np
from numpy.typing import ArrayLike

from .graph import as_incomplete
from .llsm import llsm_log_weights

TOLERANCE = 1e-12  # on λ: stop when λ is predicted within this of λmin
MAX_ITERATIONS = 100
# Armijo's sufficient decrease, and how often a step may be halved before giving up.
ARMIJO = 1e-4
HALVINGS = 50
# The longest step in ln b_xy: e^4 ≈ 55 in one go. A Newton step far from the minimum can be
# huge; capped, it cannot overflow exp, and the line search shortens it further if needed.
MAX_STEP = 4.0
# The eigenvalue of A is computed to about this many ulps of ‖A‖ (LAPACK's backward error,
# with room for the Perron root's condition number on the matrices met here).
ROUNDING_ULPS = 64.0
# Matrices per pass: keeps the (chunk, m, m) Hessians in cache-sized arrays.
CHUNK = 1024

NOT_CONVERGED = "the completion minimising λmax did not converge"


@dataclass(frozen=True, eq=False)
class Completion:
    """The λmax-minimising completion: `matrix` complete and reciprocal (the given judgments
    kept), `lambda_max` its λmax = λmin, `missing` the number m of missing pairs (upper
    triangle), `iterations` the Newton steps taken. Floats for one matrix, arrays for a stack."""

    matrix: np.ndarray
    lambda_max: float | np.ndarray
    missing: int | np.ndarray
    iterations: int | np.ndarray


def lambda_min_completion(
    matrix: ArrayLike, tolerance: float = TOLERANCE, max_iterations: int = MAX_ITERATIONS
) -> Completion:
    """The completion of an incomplete matrix (NaN or None = missing), or of each matrix of a
    stack, with the smallest λmax; see the module doc. A complete matrix is its own."""
    stack, batched = as_incomplete(matrix)
    full, lambda_max, iterations = minimise(stack, tolerance, max_iterations)
    missing = missing_pairs(stack)
    if batched:
        return Completion(full, lambda_max, missing, iterations)
    return Completion(full[0], float(lambda_max[0]), int(missing[0]), int(iterations[0]))


def missing_pairs(stack: np.ndarray) -> np.ndarray:
    """m, the number of missing pairs x < y, of each matrix of a stack."""
    rows, cols = np.triu_indices(stack.shape[-1], 1)
    return np.isnan(stack[..., rows, cols]).sum(axis=-1)


def minimise(
    stack: np.ndarray, tolerance: float = TOLERANCE, max_iterations: int = MAX_ITERATIONS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Completed stack, λmin and iterations for a validated stack (k, t, t) with NaN gaps."""
    full = np.empty_like(stack)
    lambda_max = np.empty(len(stack))
    iterations = np.zeros(len(stack), dtype=int)
    for start in range(0, len(stack), CHUNK):
        part = slice(start, start + CHUNK)
        pattern = _Pattern(stack[part])
        x, lambda_max[part], iterations[part] = _newton(pattern, tolerance, max_iterations, start)
        full[part] = pattern.fill(x, np.arange(len(x)))
    return full, lambda_max, iterations


class _Pattern:
    """Where each matrix's missing pairs are: I, J (k, m) row and column of the m-th missing
    upper pair, padded to the largest m of the chunk; `valid` marks the real ones."""

    def __init__(self, stack: np.ndarray) -> None:
        t = stack.shape[-1]
        rows, cols = np.triu_indices(t, 1)
        missing = np.isnan(stack[:, rows, cols])
        m = int(missing.sum(axis=1).max())
        # The missing pairs first, each matrix's in row-major order, then the others as padding.
        order = np.argsort(~missing, axis=1, kind="stable")[:, :m]
        self.valid = np.take_along_axis(missing, order, axis=1)
        self.I, self.J = rows[order], cols[order]
        self.base = np.where(np.isnan(stack), 1.0, stack)
        self.stack = stack

    def start(self) -> np.ndarray:
        """x of the logarithmic least-squares completion, b_ij = w_i / w_j."""
        y = llsm_log_weights(self.stack)
        x = np.take_along_axis(y, self.I, axis=1) - np.take_along_axis(y, self.J, axis=1)
        return np.where(self.valid, x, 0.0)

    def fill(self, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The matrices `rows` completed with b_ij = e^x (x given for those rows only)."""
        a = self.base[rows].copy()
        b, k = np.nonzero(self.valid[rows])
        i, j = self.I[rows][b, k], self.J[rows][b, k]
        a[b, i, j] = np.exp(x[b, k])
        a[b, j, i] = np.exp(-x[b, k])
        return a


def _newton(
    pattern: _Pattern, tolerance: float, max_iterations: int, offset: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = pattern.start()
    iterations = np.zeros(len(x), dtype=int)
    if x.shape[1] == 0:  # complete matrices: nothing to choose
        return x, np.linalg.eigvals(pattern.base).real.max(axis=-1), iterations
    # λmax at the current x, known once a line search has computed it for the step it took.
    lambda_max = np.linalg.eigvals(pattern.fill(x, np.arange(len(x)))).real.max(axis=-1)
    active = np.arange(len(x))
    for iteration in range(max_iterations + 1):
        a = pattern.fill(x[active], active)
        lam = lambda_max[active]
        gradient, hessian = _derivatives(a, lam, x[active], pattern, active)
        step, decrement = _newton_step(gradient, hessian)
        done = decrement <= 2.0 * tolerance
        active, step, decrement, lam = active[~done], step[~done], decrement[~done], lam[~done]
        if len(active) == 0:
            return x, lambda_max, iterations
        if iteration == max_iterations:
            _fail(offset + active[0], f"after {max_iterations} Newton steps")
        slope = -(gradient[~done] * step).sum(axis=1)  # −gᵀ step: λ's fall per unit of step
        x[active], lambda_max[active] = _line_search(
            pattern, active, x[active], step, lam, slope, offset
        )
        iterations[active] += 1
    raise AssertionError("unreachable: the loop returns or fails")


def _derivatives(
    a: np.ndarray, lam: np.ndarray, x: np.ndarray, pattern: _Pattern, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The gradient (k, m) and Hessian (k, m, m) of λmax (= lam) in x; padding rows and
    columns are those of the identity so that the Newton step leaves padding at 0."""
    u, v = _perron_vectors(a, lam)
    valid, i, j = pattern.valid[rows], pattern.I[rows], pattern.J[rows]
    ahead, back = np.exp(x), np.exp(-x)
    ui, uj = np.take_along_axis(u, i, axis=1), np.take_along_axis(u, j, axis=1)
    vi, vj = np.take_along_axis(v, i, axis=1), np.take_along_axis(v, j, axis=1)
    forward, backward = vi * ahead * uj, vj * back * ui
    gradient = np.where(valid, forward - backward, 0.0)
    # Row k of left is vᵀE_k, row l of right is (E_l u)ᵀ; the sum over s ≠ 1 in the module
    # doc is left · S · rightᵀ with S the reduced resolvent, without the other eigenvectors
    # (which are ill-conditioned for nearly consistent matrices: eigenvalues cluster at 0).
    k, slot = np.indices(x.shape)
    left = np.zeros(x.shape + (a.shape[-1],))
    left[k, slot, j], left[k, slot, i] = vi * ahead, -vj * back
    right = np.zeros_like(left)
    right[k, slot, i], right[k, slot, j] = ahead * uj, -back * ui
    cross = left @ _reduced_resolvent(a, lam, u, v) @ np.swapaxes(right, 1, 2)
    hessian = np.where(valid[:, :, None] & valid[:, None, :], cross + np.swapaxes(cross, 1, 2), 0)
    diagonal = np.where(valid, forward + backward, 1.0)
    hessian[:, np.arange(x.shape[1]), np.arange(x.shape[1])] += diagonal
    return gradient, hessian


def _perron_vectors(a: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The right and left Perron vectors u, v (positive, vᵀu = 1) of each matrix, given its
    λmax (from the eigenvalues alone: eig with vectors costs twice as much).

    Both vectors come from one inverse: with 1 the all-ones vector, (λI − A + 1 1ᵀ) u = 1 (1ᵀu), so
    u ∝ (λI − A + 1 1ᵀ)⁻¹ 1 and likewise vᵀ ∝ 1ᵀ (λI − A + 1 1ᵀ)⁻¹. That matrix is invertible
    because λ is simple and 1ᵀu, vᵀ1 ≠ 0 (Perron vectors are positive).
    """
    bordered = np.linalg.inv(lam[:, None, None] * np.eye(a.shape[-1]) - a + 1.0)
    u, v = bordered.sum(axis=2), bordered.sum(axis=1)
    u /= u.sum(axis=1, keepdims=True)
    return u, v / (u * v).sum(axis=1, keepdims=True)


def _reduced_resolvent(a: np.ndarray, lam: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """S = Σ_{s≠1} u_s w_sᵀ / (λ − λ_s), as (λI − A + u vᵀ)⁻¹ − u vᵀ.

    λI − A + u vᵀ maps u to u and acts as λI − A on the vectors with vᵀx = 0, where λI − A is
    invertible because λ is simple; so its inverse is u vᵀ + S.
    """
    n = a.shape[-1]
    projector = u[:, :, None] * v[:, None, :]
    shifted = lam[:, None, None] * np.eye(n) - a + projector
    return np.linalg.inv(shifted) - projector


def _newton_step(gradient: np.ndarray, hessian: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton's step −H⁻¹g (at most MAX_STEP long) and the decrement gᵀH⁻¹g.

    λmax is convex, so H is positive semi-definite up to rounding; a step that is not a
    descent direction (rounding at a flat spot) falls back to the gradient's, which the line
    search then shortens as needed.
    """
    m = gradient.shape[1]
    scale = np.abs(np.diagonal(hessian, axis1=1, axis2=2)).max(axis=1)
    # A relative nudge of the diagonal keeps the solve defined if H is singular to rounding.
    nudged = hessian + (1e-13 * scale)[:, None, None] * np.eye(m)
    step = -np.linalg.solve(nudged, gradient[..., None])[..., 0]
    decrement = -(gradient * step).sum(axis=1)
    bad = ~(np.isfinite(decrement) & (decrement >= 0))
    step[bad] = -gradient[bad]
    decrement[bad] = np.inf  # not a Newton decrement: never counts as converged
    longest = np.abs(step).max(axis=1, initial=0.0)
    step *= (MAX_STEP / np.maximum(longest, MAX_STEP))[:, None]
    return step, decrement


def _line_search(
    pattern: _Pattern,
    rows: np.ndarray,
    x: np.ndarray,
    step: np.ndarray,
    lam: np.ndarray,
    slope: np.ndarray,
    offset: int,
) -> tuple[np.ndarray, np.ndarray]:
    """x + s·step with s = 1, 1/2, 1/4, … the first that lowers λ enough (Armijo), and λ
    there."""
    lam = lam.copy()
    size = np.ones(len(rows))
    pending = np.arange(len(rows))
    for _ in range(HALVINGS):
        trial = x[pending] + size[pending, None] * step[pending]
        a = pattern.fill(trial, rows[pending])
        trial_lam = np.linalg.eigvals(a).real.max(axis=-1)
        bound = lam[pending] - ARMIJO * size[pending] * slope[pending] + _rounding(a)
        ok = trial_lam <= bound
        x[pending[ok]], lam[pending[ok]] = trial[ok], trial_lam[ok]
        pending = pending[~ok]
        if len(pending) == 0:
            return x, lam
        size[pending] /= 2.0
    _fail(offset + rows[pending[0]], "no step lowers λmax any more")


def _rounding(a: np.ndarray) -> np.ndarray:
    """How far a computed λmax of each matrix may be off by rounding alone."""
    return ROUNDING_ULPS * np.finfo(float).eps * np.sqrt((a * a).sum(axis=(1, 2)))


def _fail(index: int, why: str) -> NoReturn:
    raise RuntimeError(f"{NOT_CONVERGED} ({why}; first at index ({int(index)},))")
