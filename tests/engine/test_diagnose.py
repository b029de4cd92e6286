import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from evaluations.engine import ahp, scale

from .reference import cases
from .strategies import consistent_matrix, scale_matrices

INCONSISTENT = cases("ahp")["ahpy_issue8_inconsistent_3"]["matrix"]
METHODS = ["geometric", "eigenvector"]


def revise(matrix: np.ndarray, revision: ahp.Revision) -> np.ndarray:
    revised = np.array(matrix, dtype=float)
    revised[revision.row, revision.col] = revision.suggested
    revised[revision.col, revision.row] = 1 / revision.suggested
    return revised


def test_it_suggests_revising_the_reference_inconsistent_matrix():
    revisions = ahp.diagnose(INCONSISTENT)
    top = revisions[0]
    assert (top.row, top.col, top.current, top.suggested) == (0, 1, 9.0, 4.0)
    # In a 3 × 3 matrix all three pairs deviate equally; (0, 2) is left out because its
    # suggestion, 9, is what the expert already said.
    assert [(r.row, r.col) for r in revisions] == [(0, 1), (1, 2)]


@pytest.mark.parametrize("method", METHODS)
def test_applying_the_top_suggestion_lowers_the_cr_of_the_reference_case(method):
    before = ahp.priorities(INCONSISTENT, method)
    after = ahp.priorities(
        revise(INCONSISTENT, ahp.diagnose(INCONSISTENT, method=method)[0]), method
    )
    assert after.cr < before.cr


@settings(max_examples=200, deadline=None)
@given(scale_matrices(min_t=3), st.sampled_from(METHODS))
def test_applying_the_top_suggestion_lowers_the_cr_of_an_inconsistent_matrix(matrix, method):
    before = ahp.priorities(matrix, method)
    assume(not before.consistent)
    revisions = ahp.diagnose(matrix, method=method)
    assume(revisions)
    after = ahp.priorities(revise(matrix, revisions[0]), method)
    assert after.cr < before.cr


@settings(max_examples=150, deadline=None)
@given(scale_matrices(min_t=2))
def test_revisions_come_worst_first_and_each_changes_a_judgment(matrix):
    w = ahp.priorities(matrix).weights
    revisions = ahp.diagnose(matrix)
    deviations = [r.deviation for r in revisions]
    assert deviations == sorted(deviations, reverse=True)
    for r in revisions:
        assert r.row < r.col
        assert r.current == matrix[r.row, r.col]
        assert r.deviation == pytest.approx(abs(np.log(r.current * w[r.col] / w[r.row])))
        assert r.suggested == scale.snap_to_scale(w[r.row] / w[r.col])
        assert r.suggested != pytest.approx(r.current, rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=2, max_size=9))
def test_a_consistent_matrix_on_the_scale_needs_no_revision(exponents):
    # Weights 2^e with e in 0…3 make every ratio a power of 2 between 1/8 and 8: on the scale.
    matrix = consistent_matrix(2.0 ** np.array(exponents))
    assert ahp.diagnose(matrix) == []


def test_limit_keeps_the_worst_revisions():
    matrix = ahp.from_upper([9, 1 / 9, 9, 1 / 5, 7, 1 / 3])
    assert ahp.diagnose(matrix, limit=2) == ahp.diagnose(matrix)[:2]


def test_it_uses_given_weights():
    revisions = ahp.diagnose(np.ones((3, 3)), weights=[0.6, 0.3, 0.1])
    assert (revisions[0].row, revisions[0].col, revisions[0].suggested) == (0, 2, 6.0)


def test_it_rejects_weights_that_do_not_fit():
    with pytest.raises(ValueError, match=re.escape(ahp.BAD_WEIGHTS)):
        ahp.diagnose(np.ones((3, 3)), weights=[0.5, 0.5])


def test_it_diagnoses_one_matrix_at_a_time():
    with pytest.raises(ValueError, match=re.escape(ahp.ONE_MATRIX)):
        ahp.diagnose(np.ones((2, 3, 3)))
