"""Uncertainty by simulation: judgment noise on the demo and the bootstrap on a large panel.

`make bench` runs it and writes its section of BENCHMARKS.md. Targets of issue 14: 10,000
judgment-noise draws of the demo evaluation in under 2 s, and 2,000 bootstrap draws of the
1000 experts × 100 indicators panel in under 30 s. The panels are built in memory from the
demo's answer model (evaluations.demo), with the shapes of seed_demo and of the load
benchmark's large scenario; building them is not timed.
"""

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.report import machine, write_section
from evaluations import demo
from evaluations.engine import ahp
from evaluations.engine.robustness import simulation

GRADE_SCORES = [4.0, 3.0, 2.0, 1.0]  # the demo template's grades, best first
SETTINGS = [
    {"method": "aij", "weighting": "geometric", "mean": "geometric", "operator": "product_sum"},
    {"method": "aip", "weighting": "eigenvector", "mean": "geometric", "operator": "min_max"},
]


def demo_shape() -> list[int]:
    """The demo template: U → U1, U2, U3 with four leaf indicators each (16 nodes)."""
    parents = [-1]
    for _group in range(3):
        parents.append(0)
        group = len(parents) - 1
        parents += [group] * 4
    return parents


def large_shape() -> list[int]:
    """The load benchmark's generated hierarchy: U → 6 criteria → 4 sub-criteria each → 70
    leaves (3 under 22 sub-criteria, 2 under the last 2): 100 indicators below U. (Ten groups
    of ten would need 10 × 10 matrices, beyond the 9 elements the RI tables cover.)"""
    parents = [-1]
    leaves = [3] * 22 + [2] * 2
    for a in range(6):
        parents.append(0)
        criterion = len(parents) - 1
        for b in range(4):
            parents.append(criterion)
            sub = len(parents) - 1
            parents += [sub] * leaves[4 * a + b]
    return parents


def panel(parents: list[int], experts: int, subjects: int, seed: int, **settings):
    """Every expert answers every matrix (CR < 0.1, as a careful expert revises) and rates
    every leaf of every subject, around each subject's latent quality."""
    rng = np.random.default_rng(seed)
    parents = np.array(parents)
    judgments = {}
    for node in range(parents.size):
        t = int(np.sum(parents == node))
        if t >= 2:
            truth = demo.true_weights(rng, t)
            upper = [demo.expert_judgments(rng, truth) for _ in range(experts)]
            judgments[node] = (ahp.from_upper(upper, t), np.arange(experts))
    leaves = int(np.sum([np.sum(parents == node) == 0 for node in range(parents.size)]))
    levels = np.linspace(0.75, 0.45, subjects)
    quality = np.clip(levels[:, None] + rng.normal(0.0, 0.2, (subjects, leaves)), 0.0, 1.0)
    position = (1.0 - quality) * 3 + rng.normal(0.0, 0.6, (experts, subjects, leaves))
    ratings = np.clip(np.rint(position), 0, 3).astype(int)
    weights = np.ones(experts)
    weights[::7] = 1.5
    return simulation.Problem(
        parents=parents,
        judgments=judgments,
        expert_weights=weights,
        ratings=ratings,
        grade_scores=GRADE_SCORES,
        **settings,
    )


def best_time(run, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def label(settings: dict) -> str:
    aggregation = settings["method"].upper()
    if settings["method"] == "aip":
        aggregation += f" ({settings['mean']} mean)"
    return f"{aggregation}, {settings['weighting']}, {settings['operator']}"


def measure(args) -> list[dict]:
    rows = []
    for settings in SETTINGS:
        small = panel(demo_shape(), 10, 2, args.seed, **settings)
        seconds, figures = best_time(
            lambda small=small: simulation.simulate(
                small, "noise", draws=args.noise_draws, k=1, seed=args.seed
            ),
            args.repeats,
        )
        rows.append(_row("demo", "judgment noise (k = 1)", small, args.noise_draws, seconds,
                         2.0, figures, settings))  # fmt: skip
        print(rows[-1], flush=True)
    for settings in SETTINGS:
        large = panel(large_shape(), args.experts, args.subjects, args.seed, **settings)
        seconds, figures = best_time(
            lambda large=large: simulation.simulate(
                large, "bootstrap", draws=args.bootstrap_draws, seed=args.seed
            ),
            1,
        )
        rows.append(_row("large", "bootstrap", large, args.bootstrap_draws, seconds, 30.0,
                         figures, settings))  # fmt: skip
        print(rows[-1], flush=True)
        seconds, _ = best_time(lambda large=large: simulation.leave_one_out(large), 1)
        rows.append(_row("large", "leave-one-out", large, large.expert_weights.size, seconds,
                         None, None, settings))  # fmt: skip
        print(rows[-1], flush=True)
    return rows


def _row(name, source, problem, draws, seconds, target, figures, settings) -> dict:
    return {
        "panel": f"{name}: {problem.expert_weights.size} experts, {problem.nodes - 1} "
        f"indicators, {problem.subject_count} subjects",
        "source": source,
        "settings": label(settings),
        "draws": draws,
        "seconds": seconds,
        "target": target,
        "top_stays": None if figures is None else figures.top_stays,
    }


def render(rows: list[dict], args, seconds: float) -> str:
    lines = [
        "## Robustness: uncertainty by simulation",
        "",
        "Draws of the whole evaluation (group weights, membership, fuzzy evaluation, scores,",
        "grades, ranks) by `robustness.simulation`, batched as array axes. Seconds for all the",
        f"draws, the best of {args.repeats} runs for the demo, one run for the large panel.",
        "",
        f"- Command: `make bench` (= `python -m bench.robustness_simulation --output "
        f"BENCHMARKS.md --seed {args.seed}`)",
        f"- Machine: {machine()}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; run took {seconds:.0f} s",
        "",
        "| panel | source | settings | draws | seconds | target | P(top stays) |",
        "| --- | --- | --- | ---: | ---: | --- | ---: |",
    ]
    for row in rows:
        target = "—"
        if row["target"] is not None:
            met = "met" if row["seconds"] < row["target"] else "NOT met"
            target = f"< {row['target']:g} s ({met})"
        stays = "—" if row["top_stays"] is None else f"{row['top_stays']:.3f}"
        lines.append(
            f"| {row['panel']} | {row['source']} | {row['settings']} | {row['draws']:,} | "
            f"{row['seconds']:.2f} | {target} | {stays} |"
        )
    lines += ["", *NOTES.splitlines(), ""]
    return "\n".join(lines)


NOTES = """The demo panel has the seed_demo shape (the 12-indicator template, two enterprises,
four grades) with all ten experts answering; the large one the load benchmark's generated
100-indicator hierarchy (ten groups of ten would need 10 × 10 matrices, beyond the RI tables).
Judgment noise redraws every judgment of every expert, so its cost grows with experts ×
judgments; under AIJ with the root method a node's group weights are one weighted sum of log
judgments and a softmax, while AIP with the eigenvector method finds every expert's Perron
vector in every draw (by repeated squaring, LAPACK for the few that converge slowly). The
bootstrap only reweights the experts: one matrix product of the draws' expert counts with
every node's log judgments (or the experts' own weights under AIP) at once, and one with the
ratings for the membership rows. Leave-one-out is the same computation with one row per
expert left out."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise-draws", type=int, default=10_000)
    parser.add_argument("--bootstrap-draws", type=int, default=2_000)
    parser.add_argument("--experts", type=int, default=1000, help="experts on the large panel")
    parser.add_argument("--subjects", type=int, default=3, help="subjects of the large panel")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = measure(args)
    report = render(rows, args, time.perf_counter() - start)
    if args.output:
        write_section(args.output, "robustness", report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
