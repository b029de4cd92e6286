"""engine.incomplete_panel: a panel's matrices when some skipped comparisons (issue 15 §1)."""

import numpy as np
import pytest

from evaluations.engine import ahp, incomplete, incomplete_panel

NAN = np.nan
COMPLETE = [ahp.from_upper(v) for v in ([3, 5, 7, 2, 3, 2], [2, 4, 8, 2, 4, 2], [1, 3, 2, 2, 1, 1])]
GAPS = ahp.from_upper([2, NAN, 4, 2, NAN, 2])  # the 4-cycle of tests/surveys


@pytest.mark.parametrize(
    ("method", "mean"), [("aij", "geometric"), ("aip", "geometric"), ("aip", "arithmetic")]
)
@pytest.mark.parametrize("weighting", ["geometric", "eigenvector"])
def test_complete_matrices_give_what_ahp_aggregate_gives(method, weighting, mean):
    stack, weights = np.stack(COMPLETE), [2.0, 1.0, 0.5]

    mine = incomplete_panel.aggregate(stack, method, weights, weighting, "saaty", 0.1, mean)
    theirs = ahp.aggregate(stack, method, weights, weighting, "saaty", 0.1, mean)

    np.testing.assert_allclose(mine.weights, theirs.weights, rtol=1e-12)
    np.testing.assert_allclose(mine.matrix, theirs.matrix, rtol=1e-12)
    assert (mine.lambda_max, mine.ci, mine.cr, mine.ri) == pytest.approx(
        (theirs.lambda_max, theirs.ci, theirs.cr, theirs.ri), rel=1e-12
    )
    np.testing.assert_allclose(mine.individual.cr, theirs.individual.cr, rtol=1e-12)


def test_each_expert_is_weighed_by_the_method_their_matrix_needs():
    stack = np.stack([COMPLETE[0], GAPS])

    own = incomplete_panel.individual(stack, "geometric", "paper")

    full, gaps = ahp.priorities(COMPLETE[0]), ahp.llsm(GAPS)
    np.testing.assert_allclose(own.weights, [full.weights, gaps.weights], rtol=1e-12)
    np.testing.assert_allclose(own.cr, [full.cr, gaps.cr], rtol=1e-12)
    np.testing.assert_allclose(own.ri, [0.96, 0.284326])  # the paper's RI(4); RI(4, 2)
    eigen = incomplete_panel.individual(stack, "eigenvector", "paper")
    np.testing.assert_allclose(eigen.weights[1], ahp.harker(GAPS).weights, rtol=1e-12)


def test_a_pair_nobody_answered_stays_missing_and_the_group_is_weighed_incomplete():
    both_skip = ahp.from_upper([3, NAN, 5, 2, 3, 2])
    stack = np.stack([GAPS, both_skip])

    group = incomplete_panel.aggregate(stack, "aij")

    expected = incomplete.group_matrix(stack)
    assert np.isnan(group.matrix[0, 2]) and np.isnan(group.matrix[2, 0])
    np.testing.assert_allclose(group.matrix, expected, rtol=1e-12)
    reference = ahp.llsm(expected)
    np.testing.assert_allclose(group.weights, reference.weights, rtol=1e-12)
    assert group.cr == pytest.approx(reference.cr, rel=1e-12)


@pytest.mark.parametrize("weighting", ["fuzzy_buckley", "fuzzy_chang", "nonsense"])
def test_a_weighting_without_an_incomplete_form_is_refused(weighting):
    with pytest.raises(ValueError) as refused:
        incomplete_panel.aggregate(np.stack([GAPS, COMPLETE[0]]), weighting=weighting)
    assert str(refused.value) == f"{incomplete_panel.NEEDS_CRISP}: {weighting!r}"


def test_an_expert_whose_answers_do_not_link_is_named():
    unlinked = ahp.from_upper([2, 4, NAN, 2, NAN, NAN])
    with pytest.raises(incomplete.DisconnectedError) as refused:
        incomplete_panel.aggregate(np.stack([GAPS, unlinked]))
    assert refused.value.pairs == [(0, 3)] and refused.value.index == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"method": "mean"}, ahp.UNKNOWN_AGGREGATION),
        ({"mean": "median", "method": "aip"}, ahp.UNKNOWN_MEAN),
        ({"mean": "arithmetic"}, ahp.MEAN_NEEDS_AIP),
        ({"weights": [1.0]}, ahp.EXPERT_WEIGHTS_COUNT),
        ({"weights": [1.0, -1.0]}, ahp.EXPERT_WEIGHTS_POSITIVE),
    ],
)
def test_bad_options_are_refused_with_the_engines_messages(arguments, message):
    with pytest.raises(ValueError) as refused:
        incomplete_panel.aggregate(np.stack([GAPS, COMPLETE[0]]), **arguments)
    assert str(refused.value).startswith(message)
