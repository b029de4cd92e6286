"""engine.running: a matrix's group figures from running sums equal those of the whole stack
(ahp.aggregate, incomplete_panel.aggregate, consensus.s_star), after experts come and go."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.engine import ahp, consensus, incomplete_panel, running
from evaluations.engine import ri as ri_tables

from .incomplete_strategies import incomplete_matrices
from .strategies import scale_matrices

TOLERANCE = 1e-12
WEIGHTINGS = ("geometric", "eigenvector", "fuzzy_buckley", "fuzzy_chang")


def _share(matrix, alpha, weighting, ri=ri_tables.DEFAULT):
    gaps = bool(np.isnan(matrix).any())
    own = (
        incomplete_panel.individual(matrix[None], weighting, ri)
        if gaps
        else ahp.priorities(matrix[None], weighting, ri)
    )
    eigen = incomplete_panel.individual(matrix[None], "eigenvector", ri).weights[0]
    return running.Share(matrix=matrix, alpha=alpha, weights=own.weights[0], eigen=eigen)


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=TOLERANCE)


@st.composite
def panels(draw, incomplete=False):
    t = draw(st.integers(3, 7))
    k = draw(st.integers(2, 7))
    kind = incomplete_matrices(min_t=t, max_t=t) if incomplete else scale_matrices(t, t)
    matrices = [draw(kind) for _ in range(k)]
    alphas = [draw(st.sampled_from([0.5, 1.0, 1.0, 2.0, 3.0])) for _ in range(k)]
    gone = draw(st.lists(st.integers(0, k - 1), max_size=k - 2, unique=True))
    return matrices, alphas, gone


def _run(matrices, alphas, gone, weighting, method, mean):
    """Add everyone, take back `gone`, re-add and take back one of them again: the sums
    must equal those of the remaining experts alone."""
    sums = running.Sums(t=matrices[0].shape[0])
    shares = [_share(m, a, weighting) for m, a in zip(matrices, alphas, strict=True)]
    for share in shares:
        sums.add(share)
    for k in gone:
        sums.add(shares[k], sign=-1)
    if gone:
        sums.add(shares[gone[0]])
        sums.add(shares[gone[0]], sign=-1)
    kept = [k for k in range(len(matrices)) if k not in gone]
    stack = np.stack([matrices[k] for k in kept])
    weights = np.array([alphas[k] for k in kept])
    gaps = np.isnan(stack).any()
    aggregate = incomplete_panel.aggregate if gaps else ahp.aggregate
    try:
        full = aggregate(stack, method=method, weights=weights, weighting=weighting, mean=mean)
    except ValueError as error:  # Chang's zero weights under the geometric AIP mean
        full = error
    return sums, full, stack


@pytest.mark.parametrize("weighting", WEIGHTINGS)
@pytest.mark.parametrize(
    ("method", "mean"), [("aij", "geometric"), ("aip", "geometric"), ("aip", "arithmetic")]
)
@settings(max_examples=15, deadline=None)
@given(panel=panels())
def test_the_sums_give_the_stacks_group_figures(panel, weighting, method, mean):
    sums, full, stack = _run(*panel, weighting, method, mean)
    if isinstance(full, ValueError):
        with pytest.raises(ValueError, match=str(full)[:40]):
            running.group(sums, method=method, weighting=weighting, mean=mean)
        return

    mine = running.group(sums, method=method, weighting=weighting, mean=mean)

    _close(sums.matrix(), full.matrix)
    _close(mine.weights, full.weights)
    for name in ("lambda_max", "ci", "cr"):
        a, b = getattr(mine, name), getattr(full, name)
        assert (np.isinf(a) and np.isinf(b)) or abs(a - b) <= TOLERANCE * max(1, abs(b))
    assert mine.ri == full.ri


@pytest.mark.parametrize("weighting", ("geometric", "eigenvector"))
@pytest.mark.parametrize(
    ("method", "mean"), [("aij", "geometric"), ("aip", "geometric"), ("aip", "arithmetic")]
)
@settings(max_examples=15, deadline=None)
@given(panel=panels(incomplete=True))
def test_the_sums_give_the_incomplete_panels_group_figures(panel, weighting, method, mean):
    sums, full, _stack = _run(*panel, weighting, method, mean)

    mine = running.group(sums, method=method, weighting=weighting, mean=mean)

    _close(np.nan_to_num(sums.matrix(), nan=-1), np.nan_to_num(full.matrix, nan=-1))
    _close(mine.weights, full.weights)
    _close(
        [mine.lambda_max, mine.ci, mine.cr, mine.ri], [full.lambda_max, full.ci, full.cr, full.ri]
    )


@settings(max_examples=40, deadline=None)
@given(panel=panels())
def test_the_sums_give_s_star(panel):
    sums, _full, stack = _run(*panel, "geometric", "aij", "geometric")
    eigen = ahp.priorities(stack, method="eigenvector").weights

    assert abs(running.consensus_of(sums) - consensus.s_star(eigen)) <= TOLERANCE


def test_taking_back_every_expert_leaves_exact_zeros():
    matrix = ahp.from_upper([3, 5, 1 / 2], 3)
    sums = running.Sums(t=3)
    share = _share(matrix, 0.7, "fuzzy_chang")
    sums.add(share)
    sums.add(share, sign=-1)

    assert sums.as_json() == running.Sums(t=3).as_json()
    with pytest.raises(ValueError, match="no included expert"):
        running.group(sums)


def test_the_sums_survive_json():
    sums = running.Sums(t=3)
    sums.add(_share(ahp.from_upper([3, 5, 1 / 2], 3), 2.0, "geometric"))

    again = running.Sums.from_json(sums.as_json())

    assert again.as_json() == sums.as_json()
    _close(running.group(again).weights, running.group(sums).weights)
