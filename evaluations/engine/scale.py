"""Saaty's fundamental 1–9 scale of pairwise judgments (DESIGN §2.1), and the finer scales an
evaluation may allow instead.

Three judgment scales, named as the evaluation's `judgment_scale` setting names them:
- "verbal" (the default): the 17 values 1/9 … 1/2, 1, 2 … 9;
- "intermediate": the verbal values and the half steps between them (1.5, 2.5 … 8.5) with
  their reciprocals (1/2.5), 33 values;
- "continuous": any value from 1/9 to 9.
Every scale is symmetric under x → 1/x, so a judgment and its reciprocal are allowed alike.
"""

import numpy as np
from numpy.typing import ArrayLike

INTEGERS = np.arange(1.0, 10.0)
# 1/9 … 1/2, 1, 2 … 9: the 17 values an expert can enter, in ascending order.
VALUES = np.concatenate([1.0 / INTEGERS[:0:-1], INTEGERS])
VALUES.flags.writeable = False

VERBAL, INTERMEDIATE, CONTINUOUS = "verbal", "intermediate", "continuous"
SCALES = (VERBAL, INTERMEDIATE, CONTINUOUS)
LOWEST, HIGHEST = 1.0 / 9.0, 9.0

# The rungs ≥ 1 of each scale: a value x ≥ 1 is on a scale when it is one of them, and 1/x
# when x is. For the continuous scale they are tenths, the steps its suggestions are rounded
# to (a revision hint of 2.3719 would claim a precision no judgment has).
HALVES = np.arange(2.0, 19.0) / 2.0
TENTHS = np.arange(10.0, 91.0) / 10.0
_RUNGS = {VERBAL: INTEGERS, INTERMEDIATE: HALVES, CONTINUOUS: TENTHS}

NOT_POSITIVE = "a judgment must be a positive finite number to snap it to the scale"
UNKNOWN_SCALE = "scale must be 'verbal', 'intermediate' or 'continuous'"


def _rungs(scale: str) -> np.ndarray:
    try:
        return _RUNGS[scale]
    except (KeyError, TypeError):
        raise ValueError(UNKNOWN_SCALE) from None


def values(scale: str = VERBAL) -> np.ndarray:
    """The values of a discrete scale in ascending order (the continuous scale: its tenths)."""
    rungs = _rungs(scale)
    return np.concatenate([1.0 / rungs[:0:-1], rungs])


def snap_to_scale(x: ArrayLike, scale: str = VERBAL) -> np.ndarray | np.float64:
    """Return the scale value nearest to each x, measuring distance in log space.

    Log space makes 1/3 and 3 equally far from 1, so snap_to_scale(1 / x) is exactly
    1 / snap_to_scale(x) (up to rounding at the exact midpoints between neighbours, where
    either is as good). Values beyond the ends snap to 1/9 or 9. On the continuous scale a value
    snaps to the nearest tenth (or its reciprocal): the form of a suggestion. Works
    element-wise on arrays of any shape; a scalar in gives a numpy scalar out.
    """
    rungs = _rungs(scale)
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x) & (x > 0)):
        raise ValueError(NOT_POSITIVE)
    # Snap |ln x| among the rungs' logs and put the sign back, so x and 1/x snap alike.
    log_x = np.log(x)
    distance = np.abs(np.abs(log_x)[..., None] - np.log(rungs))
    nearest = rungs[np.argmin(distance, axis=-1)]
    return np.where(log_x < 0, 1.0 / nearest, nearest)[()]


def on_scale(x: ArrayLike, rtol: float = 1e-9, scale: str = VERBAL) -> np.ndarray | np.bool_:
    """Tell, element-wise, whether x is a value of the scale (within rtol); on the continuous
    scale, whether it lies from 1/9 to 9 (the ends widened by rtol)."""
    x = np.asarray(x, dtype=float)
    if scale == CONTINUOUS:
        return ((x >= LOWEST * (1 - rtol)) & (x <= HIGHEST * (1 + rtol)))[()]
    return np.isclose(x[..., None], values(scale), rtol=rtol, atol=0.0).any(axis=-1)[()]
