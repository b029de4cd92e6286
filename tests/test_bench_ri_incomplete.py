"""The simulation behind the RI(n, m) table of incomplete matrices, on small runs."""

import runpy
from collections import Counter

import numpy as np
import pytest

from bench import ri_incomplete as bench
from evaluations.engine import incomplete, scale
from evaluations.engine.incomplete import ri_table


def test_random_matrices_have_m_gaps_connected_and_judgments_on_the_scale():
    stack = bench.draw_matrices(np.random.default_rng(1), 6, 7, 500)
    assert stack.shape == (500, 6, 6)
    incomplete.as_incomplete(stack)  # reciprocal, gaps in pairs, connected: or it raises
    np.testing.assert_array_equal(incomplete.completion.missing_pairs(stack), 7)
    given = stack[~np.isnan(stack)]
    assert np.all(scale.on_scale(given))


def test_the_gaps_are_uniform_over_the_patterns_that_stay_connected():
    # 4 elements, 3 gaps: of the 20 ways to leave 3 of the 6 pairs, the 4 that leave a
    # triangle cut off one element; the other 16 (the spanning trees) should come up equally.
    stack = bench.draw_matrices(np.random.default_rng(2), 4, 3, 16_000)
    rows, cols = np.triu_indices(4, 1)
    patterns = Counter(tuple(row) for row in np.isnan(stack[:, rows, cols]))
    assert len(patterns) == 16
    counts = np.array(list(patterns.values()))
    assert np.all(np.abs(counts - 1000) < 150)  # ±4.9 standard deviations of a binomial


def test_judgments_are_uniform_on_the_17_values():
    stack = bench.draw_matrices(np.random.default_rng(3), 9, 0, 2000)
    rows, cols = np.triu_indices(9, 1)
    values, counts = np.unique(stack[:, rows, cols], return_counts=True)
    np.testing.assert_allclose(values, scale.VALUES)
    assert np.all(np.abs(counts - 72_000 / 17) < 5 * np.sqrt(72_000 / 17))


def test_a_cell_is_the_same_whatever_else_was_run():
    first = bench.simulate_cell(5, 2, 300, seed=9)
    bench.simulate_cell(6, 4, 50, seed=9)
    assert bench.simulate_cell(5, 2, 300, seed=9) == first
    assert bench.simulate_cell(5, 2, 300, seed=10) != first


@pytest.mark.parametrize("cell", [(3, 0), (4, 1), (4, 2)])
def test_the_shipped_cells_are_what_the_script_makes(cell):
    mean, se, _ = bench.simulate_cell(*cell, ri_table.DRAWS, ri_table.SEED)
    assert (round(mean, 6), round(se, 6), ri_table.DRAWS) == ri_table.CELLS[cell]


def test_a_small_run_writes_a_table_and_a_resumed_run_adds_only_what_is_missing(tmp_path, capsys):
    output = tmp_path / "table.py"
    bench.main(["--draws", "200", "--seed", "5", "--orders", "3", "4", "--output", str(output)])
    table = runpy.run_path(str(output))
    assert (table["SEED"], table["DRAWS"]) == (5, 200)
    assert set(table["CELLS"]) == {(3, 0), (3, 1), (4, 0), (4, 1), (4, 2), (4, 3)}
    assert "Status: complete." in output.read_text()
    capsys.readouterr()

    resumed = ["--draws", "200", "--seed", "5", "--orders", "3", "5", "--resume"]
    bench.main([*resumed, "--output", str(output)])
    printed = capsys.readouterr().out
    assert "n=4 m=1" not in printed and "n=5 m=1" in printed
    again = runpy.run_path(str(output))
    assert len(again["CELLS"]) == 13
    assert {cell: again["CELLS"][cell] for cell in table["CELLS"]} == dict(table["CELLS"])
