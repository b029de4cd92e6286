"""The shipped RI(n, m) table of incomplete matrices against the shared simulation."""

import numpy as np
import pytest

from evaluations.engine.incomplete import largest_missing, ri_table

from .reference import load

SHARED = load("variants.json")["ri_incomplete"]["table"]
CELLS = ri_table.CELLS
# The shared means are printed to 4 decimals and ours to 6: up to this much of a difference is
# rounding, on top of the sampling error.
ROUNDING = 0.5e-4 + 0.5e-6
# A spanning tree's λmin completion is consistent: its CI is 0 up to rounding, which the
# table's 6 decimals print as 0.000000.
TREE_CI = 0.5e-6


def test_the_table_has_every_order_and_every_number_of_gaps_that_leaves_the_graph_connected():
    wanted = {(n, m) for n in range(3, 10) for m in range(largest_missing(n) + 1)}
    assert set(CELLS) == wanted
    assert len(wanted) == 91


def test_every_cell_says_how_many_draws_it_used_and_has_a_standard_error():
    for (n, m), (mean, se, draws) in CELLS.items():
        assert draws == ri_table.DRAWS
        if m == largest_missing(n):
            assert mean <= TREE_CI and se <= TREE_CI
        else:
            assert 0 < se < mean


def test_the_random_index_falls_as_more_pairs_are_missing():
    # More freedom to complete, smaller λmin: each step in m lowers the mean by far more than
    # its standard errors, so a rise would mean a broken simulation, not noise.
    for n in range(3, 10):
        means = [CELLS[(n, m)][0] for m in range(largest_missing(n) + 1)]
        assert np.all(np.diff(means) < 0), n


@pytest.mark.parametrize("shared", SHARED, ids=lambda cell: f"n={cell['n']},m={cell['m']}")
def test_the_shared_cells_agree_within_four_combined_standard_errors(shared):
    n, m = shared["n"], shared["m"]
    if n > 9:
        # The engine's RI covers at most 9 elements; the shared set's one larger cell is
        # (10, 0), a complete matrix, which the evaluation's own RI table would serve anyway.
        assert (n, m) == (10, 0)
        return
    mean, se, _ = CELLS[(n, m)]
    combined = np.hypot(se, shared["se"])
    difference = abs(mean - shared["RI_sim_min_lambda_completion"])
    assert difference <= 4 * combined + ROUNDING


def test_the_shared_cells_are_all_checked():
    inside = [(cell["n"], cell["m"]) for cell in SHARED if cell["n"] <= 9]
    assert len(SHARED) == 20 and len(inside) == 19
    assert set(inside) <= set(CELLS)
