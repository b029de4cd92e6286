"""The analysis's figures from the panel input a snapshot was computed from (plain data in, a
JSON-ready dict out; no database), through the engine's simulation and agreement.

analysis_compute(data, settings) -> the `data` of a RobustnessAnalysis (contract B):
  simulation     {source: {source, draws, seed, k, complete, top, top_probability,
                  rank_probabilities {subject id: [p rank 1 … S]}, grade_probabilities
                  {subject id: [p grade 0 (best) … m − 1]}, weight_percentiles {indicator code:
                  [p5, p50, p95] of its global weight}, local_weight_percentiles (the same for
                  the local weights), score_percentiles {subject id: [p5, p50, p95]}}}, one
                  entry per selected source ("noise", "bootstrap")
  agreement      {threshold, experts: [{membership, number, name, named, overall, flagged,
                  matrices: [{node, s, r}]}]}: every expert who answered a pairwise matrix
  leave_one_out  [{membership, number, name, named, complete, ranking, top, top_changes,
                  rank_changes {subject id: new rank}}]: every expert who answered anything
  baseline       {ranking, top}: the subjects as the engine ranks them without noise
Subject ids are strings (JSON object keys); NaN and infinities are null. `number` counts the
panel's experts in membership order from 1; `name` is the expert's name only when the
evaluation names them (flagged_experts_named), else "Expert n" and `named` false, so a page
can write "Expert n" in its own language.
"""

import math
from collections.abc import Iterable

import numpy as np

from ..engine.robustness import agreement, simulation
from ..results.direct import direct_rows
from .rules import SOURCE_RUNS

FLOAT32_DIGITS = 7
# The simulation perturbs and resamples complete matrices; skipped comparisons (issue 15 §1)
# have no batched form there yet, so the analysis says so rather than guess the gaps.
SKIPPED_NOT_SIMULATED = (
    "the robustness analysis needs complete judgment matrices: {count} submitted pairwise "
    "ballot(s) skip comparisons"
)


def panel_problem(data) -> simulation.Problem:
    """The simulation's input from the results service's PanelInput: the same ballots,
    settings and expert weights, and the given or measured rows fixed."""
    return simulation.from_panel(
        settings=data.settings,
        indicators=data.indicators,
        grades=data.grades,
        subjects=data.subjects,
        experts=data.experts,
        pairwise=data.pairwise,
        ratings=data.ratings,
        fixed_rows=_fixed_rows(data),
    )


def analysis_compute(data, settings: dict) -> dict:
    """The analysis of `data` (the results service's PanelInput) under the robustness
    `settings` (rules.FIELDS, the seed already chosen). Raises ValueError (the engine's
    message) when the panel input gives the engine no evaluation to analyse."""
    skipping = sum(1 for ballot in data.pairwise if np.isnan(ballot["matrix"]).any())
    if skipping:
        raise ValueError(SKIPPED_NOT_SIMULATED.format(count=skipping))
    problem = panel_problem(data)
    labels = _Labels(data.experts, named=settings["flagged_experts_named"])
    baseline = simulation.deterministic(problem)
    runs = {
        source: _simulation(problem, source, settings)
        for source in SOURCE_RUNS[settings["robustness_sources"]]
    }
    return {
        "simulation": runs,
        "agreement": _agreement(problem, data, baseline, settings, labels),
        "leave_one_out": _leave_one_out(problem, labels),
        "baseline": {
            "ranking": [problem.subjects[s] for s in baseline.order.tolist()],
            "top": problem.subjects[baseline.top],
        },
    }


def _fixed_rows(data) -> dict | None:
    """The rows of the leaves given or measured (issue 15 §2), as the results take them: they
    stay fixed in every draw, while the voted leaves are resampled."""
    if not data.direct:
        return None
    fixed = {}
    for subject in data.subjects:
        rows = direct_rows(subject, data).rows
        fixed[subject["id"]] = {code: rows.get(code) for code in data.direct}
    return fixed


def number(value) -> float | None:
    """A JSON number: NaN and infinities become null."""
    value = float(value)
    return value if math.isfinite(value) else None


def numbers(values: Iterable) -> list[float | None]:
    return [number(value) for value in np.asarray(values, dtype=float).ravel().tolist()]


class _Labels:
    """Each panel expert's number (membership order, from 1) and the name the data may hold."""

    def __init__(self, experts: dict, *, named: bool) -> None:
        self.numbers = {m: n for n, m in enumerate(sorted(experts), start=1)}
        self.names = {m: expert["name"] for m, expert in experts.items()}
        self.named = named

    def __call__(self, membership) -> dict:
        n = self.numbers[membership]
        # Unnamed, the stored data holds no name at all: the API and exports read it too.
        name = self.names[membership] if self.named else f"Expert {n}"
        return {"membership": membership, "number": n, "name": name, "named": self.named}


def _simulation(problem, source: str, settings: dict) -> dict:
    draws = settings[f"robustness_{source}_draws"]
    result = simulation.simulate(
        problem,
        source,
        draws=draws,
        k=settings["robustness_noise_steps"],
        seed=settings["robustness_seed"],
    )
    subjects = [str(s) for s in problem.subjects]
    return {
        "source": source,
        "draws": result.draws,
        "seed": result.seed,
        "k": result.k,
        "complete": result.complete,
        "top": problem.subjects[result.top],
        "top_probability": number(result.top_stays),
        "rank_probabilities": _rows(subjects, result.rank_probabilities),
        "grade_probabilities": _rows(subjects, result.grade_probabilities),
        # The draws' weights and scores are kept as float32 (the engine's Simulation): more
        # than 7 significant digits would be noise.
        "weight_percentiles": _rows(problem.codes, result.global_weights, FLOAT32_DIGITS),
        "local_weight_percentiles": _rows(problem.codes, result.local_weights, FLOAT32_DIGITS),
        "score_percentiles": _rows(subjects, result.scores, FLOAT32_DIGITS),
    }


def _rows(keys, array: np.ndarray, digits: int | None = None) -> dict:
    rows = {str(key): numbers(row) for key, row in zip(keys, array, strict=True)}
    if digits is not None:
        rows = {key: [_significant(x, digits) for x in row] for key, row in rows.items()}
    return rows


def _significant(value: float | None, digits: int) -> float | None:
    return None if value is None else float(f"{value:.{digits}g}")


def _agreement(problem, data, baseline, settings: dict, labels: _Labels) -> dict:
    """Every expert's submitted matrices against the group's weights (DESIGN §2.9).

    All submitted matrices count, also those the ballot inclusion setting kept out of the
    group weights: an expert left out for inconsistency is the one whose agreement matters.
    """
    experts = list(problem.experts)
    index = {membership: e for e, membership in enumerate(experts)}
    # Nodes with given weights have no matrices to compare (evaluations/given_weights).
    nodes = [
        node
        for node, kids in enumerate(problem.children)
        if kids.size >= 2 and node not in problem.fixed
    ]
    position = {code: node for node, code in enumerate(problem.codes)}
    stacks = {}
    for node in nodes:
        t = problem.children[node].size
        stacks[node] = np.full((len(experts), t, t), np.nan)
    for ballot in data.pairwise:
        node = position.get(ballot["parent_code"])
        if node in stacks and ballot["membership"] in index:
            stacks[node][index[ballot["membership"]]] = np.array(ballot["matrix"], dtype=float)
    per_matrix = []
    for node in nodes:
        group = np.asarray(baseline.local_weights[problem.children[node]], dtype=float)
        per_matrix.append((stacks[node], group / group.sum()))
    result = agreement.expert_agreement(
        per_matrix,
        [float(baseline.global_weights[node]) for node in nodes],
        threshold=float(settings["agreement_threshold"]),
        method=data.settings["weighting_method"],
    )
    rows = []
    for e, membership in enumerate(experts):
        if not result.answered[e].any():
            continue
        matrices = [
            {"node": problem.codes[node], "s": number(result.compatibility[e, m]),
             "r": number(result.correlation[e, m])}
            for m, node in enumerate(nodes)
            if result.answered[e, m]
        ]  # fmt: skip
        rows.append(
            {
                **labels(membership),
                "overall": number(result.overall[e]),
                "flagged": bool(result.flagged[e]),
                "matrices": matrices,
            }
        )
    return {"threshold": result.threshold, "experts": rows}


def _leave_one_out(problem, labels: _Labels) -> list[dict]:
    result = simulation.leave_one_out(problem)
    subjects = problem.subjects
    rows = []
    for e in simulation.answering_experts(problem).tolist():
        complete = bool(result.complete[e])
        ranks = result.ranks[e]
        rows.append(
            {
                **labels(problem.experts[e]),
                "complete": complete,
                "ranking": [subjects[s] for s in np.argsort(ranks).tolist()] if complete else [],
                "top": subjects[int(result.top[e])] if complete else None,
                "top_changes": bool(result.top_changed[e]),
                "rank_changes": {
                    str(subjects[s]): int(ranks[s]) for s in np.flatnonzero(result.changed[e])
                },
            }
        )
    return rows
