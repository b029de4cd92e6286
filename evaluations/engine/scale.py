"""Saaty's fundamental 1–9 scale of pairwise judgments (DESIGN §2.1)."""

import numpy as np
from numpy.typing import ArrayLike

INTEGERS = np.arange(1.0, 10.0)
# 1/9 … 1/2, 1, 2 … 9: the 17 values an expert can enter, in ascending order.
VALUES = np.concatenate([1.0 / INTEGERS[:0:-1], INTEGERS])
VALUES.flags.writeable = False

NOT_POSITIVE = "a judgment must be a positive finite number to snap it to the scale"


def snap_to_scale(x: ArrayLike) -> np.ndarray | np.float64:
    """Return the scale value nearest to each x, measuring distance in log space.

    Log space makes 1/3 and 3 equally far from 1, so snap_to_scale(1 / x) is exactly
    1 / snap_to_scale(x) (up to rounding at the exact midpoints between neighbours, where
    either is as good). Values beyond the ends snap to 1/9 or 9. Works element-wise on arrays
    of any shape; a scalar in gives a numpy scalar out.
    """
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x) & (x > 0)):
        raise ValueError(NOT_POSITIVE)
    # Snap |ln x| among ln 1 … ln 9 and put the sign back, so x and 1/x snap alike.
    log_x = np.log(x)
    distance = np.abs(np.abs(log_x)[..., None] - np.log(INTEGERS))
    nearest = INTEGERS[np.argmin(distance, axis=-1)]
    return np.where(log_x < 0, 1.0 / nearest, nearest)[()]


def on_scale(x: ArrayLike, rtol: float = 1e-9) -> np.ndarray | np.bool_:
    """Tell, element-wise, whether x is one of the 17 scale values (within rtol)."""
    x = np.asarray(x, dtype=float)
    return np.isclose(x[..., None], VALUES, rtol=rtol, atol=0.0).any(axis=-1)[()]
