"""Every rule priorities() enforces, with the message the web app shows."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.engine import ahp

from .strategies import scale_matrices

GOOD = [[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]


def rule(message: str) -> str:
    return re.escape(message)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([1, 2, 3], ahp.NOT_2D_OR_3D),
        (np.ones((2, 2, 2, 2)), ahp.NOT_2D_OR_3D),
        (np.ones((2, 3)), ahp.NOT_SQUARE),
        (np.ones((0, 0)), ahp.EMPTY),
        (np.ones((0, 3, 3)), ahp.EMPTY),
        (np.ones((10, 10)), ahp.TOO_LARGE),
        ([[1, 2], [3]], ahp.NOT_NUMERIC),
        ([["a", "b"], ["c", "d"]], ahp.NOT_NUMERIC),
        ([[1, np.nan], [np.nan, 1]], ahp.MISSING),
        ([[1, None], [None, 1]], ahp.MISSING),
        ([[1, np.inf], [0, 1]], ahp.NOT_FINITE),
        ([[1, -2], [-0.5, 1]], ahp.NOT_POSITIVE),
        ([[1, 0], [0, 1]], ahp.NOT_POSITIVE),
        ([[2, 2], [0.5, 1]], ahp.DIAGONAL),
        ([[1, 2], [0.4, 1]], ahp.NOT_RECIPROCAL),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_it_rejects_what_is_no_judgment_matrix(matrix, message):
    with pytest.raises(ValueError, match=rule(message)):
        ahp.priorities(matrix)


def test_it_rejects_a_non_reciprocal_matrix_and_says_where():
    matrix = np.array(GOOD)
    matrix[2, 1] = 3.0
    with pytest.raises(ValueError, match=rule(f"{ahp.NOT_RECIPROCAL} (first at index (1, 2))")):
        ahp.priorities(matrix)


def test_it_accepts_reciprocals_stored_as_decimals():
    ahp.priorities([[1, 9, 1 / 3], [0.1111111111111111, 1, 0.2], [3, 5, 1]])


def test_it_names_the_matrix_of_a_stack_that_breaks_a_rule():
    stack = np.array([GOOD, GOOD, GOOD])
    stack[2, 0, 0] = 1.5
    with pytest.raises(ValueError, match=rule(f"{ahp.DIAGONAL} (first at index (2, 0, 0))")):
        ahp.priorities(stack)


@settings(max_examples=150, deadline=None)
@given(scale_matrices(min_t=2), st.data())
def test_it_rejects_any_broken_reciprocal_pair(matrix, data):
    t = len(matrix)
    x, y = data.draw(st.lists(st.integers(0, t - 1), min_size=2, max_size=2, unique=True))
    factor = data.draw(st.floats(min_value=1.001, max_value=5.0))
    matrix[x, y] *= factor
    with pytest.raises(ValueError, match=rule(ahp.NOT_RECIPROCAL)):
        ahp.priorities(matrix)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "power"}, ahp.UNKNOWN_METHOD),
        ({"ri": "golden"}, "unknown RI table"),
        ({"threshold": 0}, ahp.BAD_THRESHOLD),
        ({"threshold": float("nan")}, ahp.BAD_THRESHOLD),
    ],
)
def test_it_rejects_unknown_options(options, message):
    with pytest.raises(ValueError, match=rule(message)):
        ahp.priorities(GOOD, **options)
