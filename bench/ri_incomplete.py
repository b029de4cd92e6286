"""Simulate the random index RI(n, m) of incomplete matrices and write the engine's table.

    nice -n 19 python -m bench.ri_incomplete --draws 10000 --seed 2022

Definition (Ágoston & Csató 2022, as restated in tests/reference/variants.json, ri_incomplete):
RI(n, m) is the mean of CI = (λmin − n)/(n − 1) over random n × n matrices with m missing
pairs, where λmin is the smallest λmax over all completions (Bozóki, Fülöp & Rónyai 2010).
A random matrix: each upper-triangle judgment uniform on the 17 values 1/9 … 1/2, 1, 2 … 9;
the m missing pairs a uniform m-subset of the n(n − 1)/2 pairs, drawn again while the answered
pairs do not connect all elements (so uniform over the connected patterns). λmin comes from the
engine's own Newton minimisation (evaluations.engine.incomplete.completion), so the table and
the CR it serves use the same λmin. Each cell reports the mean, its standard error
(sample SD / √draws) and the draws.

Every cell (n, m) has its own random stream, numpy's default generator seeded with
(seed, n, m), so a cell's numbers do not depend on which other cells were run. The table file
is rewritten after every cell; --resume keeps the cells of an earlier run with the same seed
and draws, so an interrupted run can be finished by running the same command with --resume.
"""

import argparse
import runpy
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.report import machine
from evaluations.engine import scale
from evaluations.engine.incomplete.completion import minimise
from evaluations.engine.incomplete.consistency import largest_missing
from evaluations.engine.incomplete.graph import connected
from evaluations.engine.judgments import from_upper

TABLE_PATH = Path(__file__).resolve().parents[1] / "evaluations/engine/incomplete/ri_table.py"
ORDERS = range(3, 10)  # the orders the engine's RI tables cover


def draw_matrices(rng: np.random.Generator, n: int, m: int, draws: int) -> np.ndarray:
    """`draws` random n × n matrices with m missing pairs (NaN) whose answered pairs connect."""
    pairs = n * (n - 1) // 2
    values = rng.choice(scale.VALUES, size=(draws, pairs))
    missing = np.empty((draws, pairs), dtype=bool)
    pending = np.arange(draws)
    while len(pending):
        # The first m of a random permutation: a uniform m-subset of the pairs.
        chosen = np.argsort(rng.random((len(pending), pairs)), axis=1)[:, :m]
        mask = np.zeros((len(pending), pairs), dtype=bool)
        np.put_along_axis(mask, chosen, True, axis=1)
        answered = ~np.isnan(from_upper(np.where(mask, np.nan, 1.0), n))
        ok = connected(answered)
        missing[pending[ok]] = mask[ok]
        pending = pending[~ok]
    return from_upper(np.where(missing, np.nan, values), n)


def simulate_cell(n: int, m: int, draws: int, seed: int) -> tuple[float, float, int]:
    """Mean CI of the λmin completion, its standard error and the most Newton steps any
    draw took, for one cell."""
    rng = np.random.default_rng([seed, n, m])
    _, lambda_min, steps = minimise(draw_matrices(rng, n, m, draws))
    ci = np.maximum((lambda_min - n) / (n - 1), 0.0)
    return float(ci.mean()), float(ci.std(ddof=1) / np.sqrt(draws)), int(steps.max())


def cells_wanted(orders) -> list[tuple[int, int]]:
    return [(n, m) for n in orders for m in range(largest_missing(n) + 1)]


def previous_table(path: Path, seed: int, draws: int) -> tuple[dict, float, str]:
    """The cells of the table at `path`, their simulation time and when it was made, if it was
    made with the same seed and draws (else nothing)."""
    if not path.exists():
        return {}, 0.0, ""
    table = runpy.run_path(str(path))
    if table.get("SEED") != seed or table.get("DRAWS") != draws:
        return {}, 0.0, ""
    # Tables written before MADE was recorded: the file's last write, after its last cell.
    written = f"{datetime.fromtimestamp(path.stat().st_mtime, UTC):%Y-%m-%d %H:%M} UTC"
    return dict(table["CELLS"]), float(table["SECONDS"]), table.get("MADE", written)


def render(cells: dict, seed: int, draws: int, seconds: float, made: str, wanted: list) -> str:
    done = [cell for cell in wanted if cell in cells]
    left = [cell for cell in wanted if cell not in cells]
    status = "complete" if not left else f"PARTIAL: {len(left)} of {len(wanted)} cells missing"
    lines = [
        '"""RI(n, m) of incomplete matrices: the mean CI of the λmax-minimising completion of',
        "random n × n matrices with m missing pairs (Ágoston & Csató 2022; see consistency.py).",
        "",
        "A random matrix: each upper-triangle judgment uniform on the 17 values 1/9, …, 1/2,",
        "1, 2, …, 9; the m missing pairs a uniform m-subset of the pairs, drawn again until the",
        "answered pairs connect all elements; λmin by the engine's Newton minimisation",
        "(completion.py); CI = (λmin − n)/(n − 1). Cell (n, m) draws from numpy's default",
        "generator seeded with (SEED, n, m).",
        "",
        "Generated by bench/ri_incomplete.py (its docstring has the details); do not edit:",
        f"    nice -n 19 python -m bench.ri_incomplete --draws {draws} --seed {seed}",
        f"Made {made} in {seconds / 60:.1f} min of simulation on",
        f"{machine()}.",
        f"Status: {status}.",
        "",
        "CELLS[(n, m)] = (mean CI, standard error of the mean, draws). m = 0 is the complete",
        "case (CR then uses the evaluation's RI table); at m = (n − 1)(n − 2)/2 the answered",
        "pairs form a spanning tree, every completion can be consistent and RI = 0.",
        '"""',
        "",
        "from types import MappingProxyType",
        "",
        f"SEED = {seed}",
        f"DRAWS = {draws}",
        f"SECONDS = {seconds:.0f}",
        f'MADE = "{made}"',
        "",
        "CELLS = MappingProxyType(",
        "    {",
    ]
    for n, m in done:
        mean, se, used = cells[(n, m)]
        lines.append(f"        ({n}, {m}): ({mean:.6f}, {se:.6f}, {used}),")
    lines += ["    }", ")", ""]
    return "\n".join(lines)


def write(path: Path, text: str) -> None:
    partial = path.with_suffix(".tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # atomic: a reader never sees half a table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--orders", type=int, nargs=2, default=(ORDERS[0], ORDERS[-1]))
    parser.add_argument("--resume", action="store_true", help="keep cells already made")
    parser.add_argument("--output", type=Path, default=TABLE_PATH)
    args = parser.parse_args(argv)
    wanted = cells_wanted(range(args.orders[0], args.orders[1] + 1))
    cells, elapsed, made = {}, 0.0, ""
    if args.resume:
        cells, elapsed, made = previous_table(args.output, args.seed, args.draws)
    cells = {cell: value for cell, value in cells.items() if cell in wanted}
    for n, m in wanted:
        if (n, m) in cells:
            continue
        start = time.perf_counter()
        mean, se, steps = simulate_cell(n, m, args.draws, args.seed)
        took = time.perf_counter() - start
        elapsed += took
        cells[(n, m)] = (round(mean, 6), round(se, 6), args.draws)
        made = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        write(args.output, render(cells, args.seed, args.draws, elapsed, made, wanted))
        print(f"n={n} m={m}: RI {mean:.4f} ± {se:.4f} ({took:.1f} s, ≤ {steps} steps)", flush=True)
    # Written once more at the end, so that --resume with nothing left renews the header.
    write(args.output, render(cells, args.seed, args.draws, elapsed, made, wanted))
    print(f"done: {len(cells)} cells in {args.output} ({elapsed / 60:.1f} min of simulation)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
