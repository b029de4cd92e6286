"""The finer judgment scales (issue 15 §1): which values each allows, how suggestions snap."""

import numpy as np
import pytest

from evaluations.engine import ahp, scale
from evaluations.models import Evaluation


def test_the_model_offers_the_engines_scales():
    assert tuple(Evaluation.JudgmentScale.values) == scale.SCALES
    assert Evaluation._meta.get_field("judgment_scale").default == scale.VERBAL


def test_the_verbal_scale_is_the_17_values_unchanged():
    np.testing.assert_array_equal(scale.values(scale.VERBAL), scale.VALUES)


def test_the_intermediate_scale_adds_the_half_steps_and_their_reciprocals():
    values = scale.values(scale.INTERMEDIATE)
    assert len(values) == 33
    assert {2.5, 1.5, 8.5, 9.0, 1.0} <= set(values.tolist())
    assert 1 / 2.5 in values.tolist() and 1 / 1.5 in values.tolist()
    assert np.all(np.diff(values) > 0)
    np.testing.assert_allclose(values * values[::-1], 1.0)
    assert set(scale.VALUES.tolist()) <= set(values.tolist())


@pytest.mark.parametrize(
    ("value", "verbal", "intermediate", "continuous"),
    [
        (3.0, True, True, True),
        (1 / 3, True, True, True),
        (2.5, False, True, True),
        (1 / 2.5, False, True, True),
        (0.8, False, False, True),
        (2.37, False, False, True),
        (1 / 9, True, True, True),
        (9.0, True, True, True),
        (12.0, False, False, False),
        (0.1, False, False, False),
    ],
)
def test_on_scale_per_scale(value, verbal, intermediate, continuous):
    assert bool(scale.on_scale(value, scale=scale.VERBAL)) is verbal
    assert bool(scale.on_scale(value, scale=scale.INTERMEDIATE)) is intermediate
    assert bool(scale.on_scale(value, scale=scale.CONTINUOUS)) is continuous


def test_snapping_per_scale_measures_in_log_space_and_mirrors_reciprocals():
    assert scale.snap_to_scale(2.4) == 2  # the default, as ever
    assert scale.snap_to_scale(2.4, scale.INTERMEDIATE) == 2.5
    assert scale.snap_to_scale(2.37, scale.CONTINUOUS) == pytest.approx(2.4)
    assert scale.snap_to_scale(1 / 2.4, scale.INTERMEDIATE) == pytest.approx(1 / 2.5)
    # Below 1 the continuous scale snaps the reciprocal to tenths: 1/0.8 = 1.25 → 1/1.3.
    assert scale.snap_to_scale(0.8, scale.CONTINUOUS) == pytest.approx(1 / 1.3)
    assert scale.snap_to_scale(40.0, scale.CONTINUOUS) == 9.0


def test_an_unknown_scale_is_refused():
    with pytest.raises(ValueError, match=scale.UNKNOWN_SCALE):
        scale.snap_to_scale(2.0, "fine")


def test_diagnose_suggests_values_of_the_evaluations_scale():
    # w = (0.6, 0.3, 0.1): ideal ratios 2, 6, 3; the judgment 1/3 of pair (0, 1) is far off.
    w = np.array([0.6, 0.3, 0.1])
    matrix = ahp.from_upper([1 / 3, 6, 3])
    verbal = ahp.diagnose(matrix, weights=w)[0]
    assert (verbal.row, verbal.col, verbal.suggested) == (0, 1, 2.0)
    skewed = np.array([0.62, 0.25, 0.13])  # ideal w0/w1 = 2.48, past √6 = 2.449 in log space
    assert ahp.diagnose(matrix, weights=skewed)[0].suggested == 3.0
    assert ahp.diagnose(matrix, weights=skewed, scale="intermediate")[0].suggested == 2.5
    assert ahp.diagnose(matrix, weights=skewed, scale="continuous")[0].suggested == 2.5
    assert ahp.diagnose(matrix, weights=[0.64, 0.25, 0.11], scale="continuous")[
        0
    ].suggested == pytest.approx(2.6)
