import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.engine import ri, scale

from .reference import load


def test_the_scale_has_17_values_from_a_ninth_to_nine():
    assert len(scale.VALUES) == 17
    assert scale.VALUES[0] == pytest.approx(1 / 9)
    assert scale.VALUES[-1] == 9
    assert np.all(np.diff(scale.VALUES) > 0)
    np.testing.assert_allclose(scale.VALUES * scale.VALUES[::-1], 1.0)


def test_it_snaps_to_the_nearest_value_in_log_space():
    # √(4·5) ≈ 4.47 is the log-space midpoint of 4 and 5.
    assert scale.snap_to_scale(4.4) == 4
    assert scale.snap_to_scale(4.5) == 5
    assert scale.snap_to_scale(1 / 4.4) == pytest.approx(1 / 4)
    assert scale.snap_to_scale(100.0) == 9
    assert scale.snap_to_scale(0.001) == pytest.approx(1 / 9)


def test_it_snaps_arrays_element_wise():
    snapped = scale.snap_to_scale([[0.9, 2.2], [7.6, 0.3]])
    np.testing.assert_allclose(snapped, [[1, 2], [8, 1 / 3]])


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1e-6, max_value=1e6))
def test_snapping_is_symmetric_under_reciprocals(x):
    assert scale.snap_to_scale(1 / x) == pytest.approx(1 / scale.snap_to_scale(x), rel=1e-12)
    assert scale.on_scale(scale.snap_to_scale(x))


def test_it_rejects_a_non_positive_value_to_snap():
    with pytest.raises(ValueError, match=re.escape(scale.NOT_POSITIVE)):
        scale.snap_to_scale([1.0, 0.0])


def test_the_ri_tables_equal_the_reference_file():
    # saaty_later is checked against variants.json in test_ahp_variants.
    tables = load("ri_tables.json")
    for name in ("paper", "saaty"):
        assert dict(ri.TABLES[name]) == {int(t): value for t, value in tables[name].items()}


def test_it_refuses_an_ri_for_more_than_nine_elements():
    with pytest.raises(ValueError, match=re.escape(ri.TOO_LARGE)):
        ri.random_index(10)


def test_it_rejects_an_unknown_ri_table():
    with pytest.raises(ValueError, match=re.escape(ri.UNKNOWN_TABLE)):
        ri.random_index(3, "golden")
