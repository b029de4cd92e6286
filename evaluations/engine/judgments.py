"""Judgment matrices: validation and the upper-triangle form experts enter (DESIGN §2.1).

A judgment matrix B is t × t with b_xx = 1 and b_yx = 1 / b_xy. Every function here takes one
matrix or a stack k × t × t and checks the whole stack at once. Error messages start with one of
the module-level constants below (tests assert them) and end with the index of the first
offending entry, e.g. "... (first at index (0, 1, 2))" for matrix 0, row 1, column 2.
"""

import numpy as np
from numpy.typing import ArrayLike

from . import ri

NOT_NUMERIC = "judgments must be numbers arranged as a t × t matrix"
NOT_2D_OR_3D = "a judgment matrix must be 2-D (t × t) or a 3-D stack (k × t × t)"
NOT_SQUARE = "a judgment matrix must be square (t × t)"
EMPTY = "a judgment matrix needs at least one element (and a stack at least one matrix)"
TOO_LARGE = ri.TOO_LARGE
MISSING = "every comparison must be given; for missing ones (NaN or None) use harker or complete"
NOT_FINITE = "judgments must be finite numbers (no infinity)"
NOT_POSITIVE = "judgments must be positive"
DIAGONAL = "diagonal entries must be 1 (an element compared with itself)"
NOT_RECIPROCAL = "the matrix must be reciprocal: b_yx = 1 / b_xy"
MISSING_NOT_SYMMETRIC = "a missing comparison b_xy needs b_yx to be missing too"
NOT_CONNECTED = "the comparisons must connect all elements"
UPPER_LENGTH = "the upper triangle of a t × t matrix has t(t − 1)/2 judgments"

# b_xy · b_yx may differ from 1 by this much: judgments stored as decimals (0.1111111111111111)
# are reciprocal only to float precision.
RECIPROCAL_RTOL = 1e-9


def as_matrices(matrix: ArrayLike, allow_missing: bool = False) -> tuple[np.ndarray, bool]:
    """Validate one matrix or a stack; return it as a float stack (k, t, t) and whether it was one.

    With allow_missing, NaN (or None) marks a missing comparison; missing entries must come in
    symmetric pairs, off the diagonal, and the remaining comparisons must connect all elements
    (Harker 1987 needs this for a unique principal eigenvector).
    """
    try:
        # No copy for a float array: nothing here or in the callers writes into the input.
        b = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(NOT_NUMERIC) from None
    _check_shape(b)
    batched = b.ndim == 3
    stack = b if batched else b[None]
    if not (not allow_missing and is_valid_stack(stack)):
        _check_entries(stack, allow_missing, batched)
        _check_structure(stack, allow_missing, batched)
    return stack, batched


def is_valid_stack(stack: np.ndarray) -> bool:
    """Two passes that accept exactly the valid complete stacks (the common case), cheaply.

    All entries > 0 rules out NaN (it compares False), zero and negatives; then
    b_xy · b_yx ≈ 1 rules out infinity (inf · 1/inf is NaN) and, on the diagonal, b_xx ≈ 1.
    Only a stack that fails here goes through the checks that name the first problem.
    """
    if not stack.min() > 0:
        return False
    product = stack * np.swapaxes(stack, -1, -2)
    return bool(product.max() <= 1.0 + RECIPROCAL_RTOL and product.min() >= 1.0 - RECIPROCAL_RTOL)


def _check_shape(b: np.ndarray) -> None:
    if b.ndim not in (2, 3):
        raise ValueError(f"{NOT_2D_OR_3D}; got {b.ndim}-D")
    if b.shape[-1] != b.shape[-2]:
        raise ValueError(f"{NOT_SQUARE}; got shape {b.shape}")
    if b.size == 0:
        raise ValueError(f"{EMPTY}; got shape {b.shape}")
    if b.shape[-1] > ri.MAX_ORDER:
        raise ValueError(f"{TOO_LARGE}; got {b.shape[-1]}")


def _check_entries(stack: np.ndarray, allow_missing: bool, batched: bool) -> None:
    missing = np.isnan(stack)
    if not allow_missing:
        _fail_where(missing, MISSING, batched)
    _fail_where(np.isinf(stack), NOT_FINITE, batched)
    _fail_where(stack <= 0, NOT_POSITIVE, batched)  # NaN compares False, so is not caught here
    diagonal = np.diagonal(stack, axis1=-2, axis2=-1)
    # Written as "not close" so that a NaN on the diagonal fails as well.
    off = ~(np.abs(diagonal - 1.0) <= RECIPROCAL_RTOL)
    if off.any():
        k, x = np.argwhere(off)[0]
        _raise_at(DIAGONAL, (k, x, x), batched)


def _check_structure(stack: np.ndarray, allow_missing: bool, batched: bool) -> None:
    missing = np.isnan(stack)
    if allow_missing:
        _fail_where(missing != np.swapaxes(missing, -1, -2), MISSING_NOT_SYMMETRIC, batched)
    product = stack * np.swapaxes(stack, -1, -2)
    _fail_where(np.abs(product - 1.0) > RECIPROCAL_RTOL, NOT_RECIPROCAL, batched)
    if allow_missing:
        connected = _connected(~missing)
        if not connected.all():
            _raise_at(NOT_CONNECTED, (int(np.argmin(connected)),), batched)


def _connected(adjacency: np.ndarray) -> np.ndarray:
    """Whether each comparison graph in the stack is connected (adjacency includes the diagonal).

    Squaring the reachability matrix doubles the path length it covers, so ceil(log2 t)
    squarings reach every element a path can reach; this works on the whole stack at once.
    """
    reach = adjacency.astype(np.int64)
    t = adjacency.shape[-1]
    for _ in range(int(np.ceil(np.log2(max(t, 2))))):
        reach = np.minimum(reach @ reach, 1)
    return reach.all(axis=(-2, -1))


def _fail_where(mask: np.ndarray, message: str, batched: bool) -> None:
    if mask.any():
        _raise_at(message, tuple(np.argwhere(mask)[0]), batched)


def _raise_at(message: str, index: tuple, batched: bool) -> None:
    # A single matrix was given as 2-D, so drop the stack index the caller never saw.
    shown = tuple(int(i) for i in (index if batched else index[1:]))
    where = f" (first at index {shown})" if shown else ""
    raise ValueError(f"{message}{where}")


def _order_from_count(count: int) -> int:
    t = int(round((1 + np.sqrt(1 + 8 * count)) / 2))
    if t * (t - 1) // 2 != count:
        raise ValueError(f"{UPPER_LENGTH}; {count} is no such number")
    return t


def from_upper(values: ArrayLike, t: int | None = None) -> np.ndarray:
    """Build the full reciprocal matrix from the t(t − 1)/2 upper-triangle judgments.

    values are in row-major order (0, 1), (0, 2), …, (0, t−1), (1, 2), …; any leading axes are
    kept, so shape (k, t(t − 1)/2) gives a stack (k, t, t). t is inferred from the length when
    not given. NaN (or None) stays missing in both b_xy and b_yx, ready for harker/complete.
    """
    try:
        v = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(NOT_NUMERIC) from None
    if v.ndim == 0:
        raise ValueError(f"{UPPER_LENGTH}; got a single number")
    count = v.shape[-1]
    if t is None:
        t = _order_from_count(count)
    elif t < 1 or t * (t - 1) // 2 != count:
        raise ValueError(f"{UPPER_LENGTH}; got {count} for t = {t}")
    _fail_where(np.isinf(v), NOT_FINITE, True)
    _fail_where(v <= 0, NOT_POSITIVE, True)
    rows, cols = np.triu_indices(t, 1)
    b = np.ones(v.shape[:-1] + (t, t))
    b[..., rows, cols] = v
    b[..., cols, rows] = 1.0 / v
    return b


def to_upper(matrix: ArrayLike) -> np.ndarray:
    """The upper-triangle judgments of a matrix (or stack) in from_upper's order."""
    b = np.asarray(matrix, dtype=float)
    _check_shape(b)
    rows, cols = np.triu_indices(b.shape[-1], 1)
    return b[..., rows, cols]
