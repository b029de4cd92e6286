"""Direct membership from a measured value (evaluations.engine.measured), by hand-computed rows."""

import numpy as np
import pytest

from evaluations.engine import measured

# Four grades, best first. Return rate (%): lower is better, cuts at 2, 5 and 10.
RETURN_RATE = [2.0, 5.0, 10.0]
# On-time delivery (%): higher is better, cuts listed from the best grade down.
ON_TIME = [95.0, 85.0, 70.0]


def row(value, thresholds, *, better, shape="crisp", grades=4):
    return measured.measured_membership(value, thresholds, grades, better=better, shape=shape)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, [1, 0, 0, 0]),
        (2.0, [1, 0, 0, 0]),  # on the cut: the better grade ("at most 2 %")
        (2.000001, [0, 1, 0, 0]),
        (3.2, [0, 1, 0, 0]),
        (5.0, [0, 1, 0, 0]),
        (7.0, [0, 0, 1, 0]),
        (10.0, [0, 0, 1, 0]),
        (10.5, [0, 0, 0, 1]),
        (-40.0, [1, 0, 0, 0]),  # out of range: the open-ended end grades
        (1e300, [0, 0, 0, 1]),
    ],
)
def test_crisp_lower_is_better_puts_the_value_in_one_grade(value, expected):
    np.testing.assert_array_equal(row(value, RETURN_RATE, better="lower"), expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (99.0, [1, 0, 0, 0]),
        (95.0, [1, 0, 0, 0]),  # on the cut: the better grade ("at least 95 %")
        (94.99, [0, 1, 0, 0]),
        (85.0, [0, 1, 0, 0]),
        (84.0, [0, 0, 1, 0]),
        (70.0, [0, 0, 1, 0]),
        (69.9, [0, 0, 0, 1]),
        (-5.0, [0, 0, 0, 1]),
        (250.0, [1, 0, 0, 0]),
    ],
)
def test_crisp_higher_is_better_puts_the_value_in_one_grade(value, expected):
    np.testing.assert_array_equal(row(value, ON_TIME, better="higher"), expected)


def test_the_order_of_the_thresholds_does_not_matter():
    for value in (60.0, 70.0, 80.0, 90.0, 96.0):
        np.testing.assert_array_equal(
            row(value, ON_TIME, better="higher"), row(value, ON_TIME[::-1], better="higher")
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # anchors 2, 3.5, 7.5, 10
        (3.2, [0.2, 0.8, 0, 0]),  # (3.5 − 3.2) / 1.5 = 0.2
        (2.0, [1, 0, 0, 0]),
        (0.5, [1, 0, 0, 0]),
        (3.5, [0, 1, 0, 0]),
        (5.0, [0, 0.625, 0.375, 0]),  # (7.5 − 5) / 4 = 0.625
        (7.5, [0, 0, 1, 0]),
        (9.0, [0, 0, 0.4, 0.6]),  # (10 − 9) / 2.5 = 0.4
        (10.0, [0, 0, 0, 1]),
        (55.0, [0, 0, 0, 1]),
    ],
)
def test_linear_lower_is_better_splits_between_neighbouring_grades(value, expected):
    np.testing.assert_allclose(
        row(value, RETURN_RATE, better="lower", shape="linear"), expected, atol=1e-12
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # ascending cuts 70, 85, 95: anchors 70, 77.5, 90, 95
        (92.0, [0.4, 0.6, 0, 0]),  # (92 − 90) / 5 = 0.4 to the best grade
        (90.0, [0, 1, 0, 0]),
        (85.0, [0, 0.6, 0.4, 0]),  # (85 − 77.5) / 12.5 = 0.6
        (73.0, [0, 0, 0.4, 0.6]),  # (73 − 70) / 7.5 = 0.4
        (60.0, [0, 0, 0, 1]),
        (100.0, [1, 0, 0, 0]),
    ],
)
def test_linear_higher_is_better_splits_between_neighbouring_grades(value, expected):
    np.testing.assert_allclose(
        row(value, ON_TIME, better="higher", shape="linear"), expected, atol=1e-12
    )


def test_linear_with_two_grades_is_the_crisp_step():
    for value in (1.0, 2.0, 3.0):
        np.testing.assert_array_equal(
            row(value, [2.0], better="lower", shape="linear", grades=2),
            row(value, [2.0], better="lower", grades=2),
        )


def test_it_maps_a_stack_of_values_at_once():
    rows = row([3.2, 9.0], RETURN_RATE, better="lower", shape="linear")
    np.testing.assert_allclose(rows, [[0.2, 0.8, 0, 0], [0, 0, 0.4, 0.6]], atol=1e-12)
    assert np.allclose(row(np.linspace(-5, 20, 101), RETURN_RATE, better="lower").sum(-1), 1)


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ([2.0, 5.0], measured.THRESHOLD_COUNT),
        ([2.0, 5.0, 10.0, 20.0], measured.THRESHOLD_COUNT),
        ([2.0, float("nan"), 10.0], measured.THRESHOLDS_NOT_FINITE),
        ([2.0, float("inf"), 10.0], measured.THRESHOLDS_NOT_FINITE),
        ([2.0, 2.0, 10.0], measured.THRESHOLDS_NOT_MONOTONE),
        ([2.0, 10.0, 5.0], measured.THRESHOLDS_NOT_MONOTONE),
    ],
)
def test_it_refuses_bad_thresholds(thresholds, message):
    with pytest.raises(ValueError, match=message):
        row(3.0, thresholds, better="lower")


def test_it_refuses_bad_values_directions_and_shapes():
    with pytest.raises(ValueError, match=measured.VALUE_NOT_FINITE):
        row(float("nan"), RETURN_RATE, better="lower")
    with pytest.raises(ValueError, match=measured.UNKNOWN_DIRECTION):
        row(3.0, RETURN_RATE, better="sideways")
    with pytest.raises(ValueError, match=measured.UNKNOWN_SHAPE):
        row(3.0, RETURN_RATE, better="lower", shape="gaussian")
    with pytest.raises(ValueError, match=measured.TOO_FEW_GRADES):
        row(3.0, [], better="lower", grades=1)


def test_a_given_row_is_checked_and_rescaled_to_sum_1():
    np.testing.assert_allclose(
        measured.given_membership([0.33, 0.33, 0.33, 0.01], 4), [0.33, 0.33, 0.33, 0.01]
    )
    thirds = measured.given_membership([0.33, 0.33, 0.33], 3)
    np.testing.assert_allclose(thirds, [1 / 3] * 3)
    with pytest.raises(ValueError, match=measured.ROW_SUM):
        measured.given_membership([0.5, 0.4, 0.0], 3)
    with pytest.raises(ValueError, match=measured.ROW_NEGATIVE):
        measured.given_membership([1.2, -0.2, 0.0], 3)
    with pytest.raises(ValueError, match=measured.ROW_LENGTH):
        measured.given_membership([0.5, 0.5], 3)
    with pytest.raises(ValueError, match=measured.ROW_NOT_FINITE):
        measured.given_membership([float("nan"), 0.5, 0.5], 3)
