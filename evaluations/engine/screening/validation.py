"""Checks shared by the screening statistics: answers tables and per-item statistic vectors."""

import numpy as np
from numpy.typing import ArrayLike

NOT_NUMERIC = "answers must be numbers (NaN or None for missing / cannot judge)"
NOT_A_TABLE = "give the answers as a respondents × items table"
NOT_FINITE = "answers must be finite numbers or missing (NaN or None); infinity is not an answer"
NOT_A_VECTOR = "give one value per item as a flat sequence"
VECTOR_NOT_FINITE = "per-item values must be finite numbers or NaN where undefined"
LENGTHS_DIFFER = "give the same number of values for every statistic (one per item)"

# Statistics compared with a threshold (boundary values, consensus) come out of sums and
# quotients; a value that equals its threshold on paper can land an ulp or two on either side.
# Values within this much of a threshold count as at it. Screening statistics are of order 1–10.
THRESHOLD_TOLERANCE = 1e-12


def as_answers(answers: ArrayLike) -> np.ndarray:
    """The answers as a float table (respondents, items), NaN for missing; None becomes NaN."""
    try:
        x = np.array(answers, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(NOT_NUMERIC) from None
    if x.ndim != 2:
        raise ValueError(f"{NOT_A_TABLE}; got {x.ndim}-D")
    if np.isinf(x).any():
        raise ValueError(NOT_FINITE)
    return x


def as_item_vectors(*values: ArrayLike) -> list[np.ndarray]:
    """Per-item statistics as float vectors of one length, NaN allowed (an undefined statistic)."""
    vectors = []
    for value in values:
        try:
            v = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(VECTOR_NOT_FINITE) from None
        if v.ndim != 1:
            raise ValueError(f"{NOT_A_VECTOR}; got {v.ndim}-D")
        if np.isinf(v).any():
            raise ValueError(VECTOR_NOT_FINITE)
        vectors.append(v)
    if len({v.shape for v in vectors}) > 1:
        raise ValueError(f"{LENGTHS_DIFFER}; got lengths {[len(v) for v in vectors]}")
    return vectors


def safe_divide(numerator: np.ndarray, denominator: np.ndarray, where: np.ndarray) -> np.ndarray:
    """numerator / denominator where `where` holds, NaN elsewhere, without a warning."""
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    return np.divide(numerator, denominator, out=out, where=where)


def is_finite_number(value: object) -> bool:
    """A real, finite number (not a string, not NaN, not infinity)."""
    return isinstance(value, int | float | np.integer | np.floating) and bool(np.isfinite(value))
