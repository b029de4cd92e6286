"""Uncertainty by simulation (DESIGN §2.9): N draws of the evaluation, batched and seeded.

Two sources:
- "noise", judgment noise: every judgment of every expert moves by a step drawn uniformly from
  the integers −k…k along the 17-point ladder 1/9 … 1/2, 1, 2 … 9, clamped at its ends (an
  off-scale judgment first snaps to its nearest rung, as scale.snap_to_scale snaps); the
  experts and their judgments are perturbed independently, then aggregated as the settings
  say. The lower triangle follows as the reciprocals. Ratings are grades, not ladder values:
  they stay as given.
- "bootstrap", panel resampling: as many experts as answered anything are drawn uniformly
  with replacement from them; an expert drawn c times counts with c times their weight, in
  every matrix they gave and every rating, so their judgments and their ratings go together.
  A draw that leaves a node without judgments or a leaf of a subject without ratings has no
  result: it is left out of the figures, and `complete` says how many draws are in them.
The matrices that enter are the problem's (the results' ballot inclusion applied once, on the
experts' own answers); a draw does not apply it again.

Every batch of draws is computed as array axes (no Python loop per draw), in batches of about
BATCH_BYTES of working memory at most (at least one block). The randomness comes from numpy
Generators (PCG64): the draws fall in blocks of 64, block b drawn from the b-th child of
SeedSequence(seed), its nodes in node order, so the same problem and seed give the same
figures however the draws are batched; the result records draws, k and the seed.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ... import scale
from . import batch
from .outcome import BATCH_BYTES, Outcome, deterministic
from .problem import Problem

SOURCES = ("noise", "bootstrap")
DRAWS = {"noise": 10_000, "bootstrap": 2_000}
MAX_DRAWS = 100_000
MAX_STEPS = 8
SEED_LIMIT = 2**64
PERCENTILES = (5.0, 50.0, 95.0)
# Draws per random stream (see _blocks): a batch holds whole blocks.
BLOCK = 64
LADDER = scale.VALUES  # the 17 rungs, ascending
LOG_LADDER = np.log(LADDER)

UNKNOWN_SOURCE = "source must be 'noise' (judgment noise) or 'bootstrap' (panel resampling)"
BAD_DRAWS = f"draws must be a whole number from 1 to {MAX_DRAWS:,} (the cap)"
BAD_STEPS = f"k must be a whole number of ladder steps from 1 to {MAX_STEPS}"
BAD_PERTURB_STEPS = f"k must be a whole number of ladder steps from 0 to {MAX_STEPS}"
BAD_SEED = "seed must be a whole number from 0 to 2**64 − 1, or None for a fresh one"
NOT_A_PROBLEM = "problem must be a simulation.Problem"


@dataclass(frozen=True, eq=False)
class Simulation:
    """The figures of N draws (DESIGN §2.9), over the `complete` draws that gave a result.

    rank_probabilities (S, S): row s, column r the share of draws in which subject s ranked
    r + 1 (rows sum to 1); grade_probabilities (S, m) the same for its grade; top the subject
    ranked first without noise and top_stays the share of draws in which it stays first.
    local_weights and global_weights (nodes, 3): each node's weight under its parent and along
    its path at the 5 / 50 / 95 % percentiles (numpy's linear method; the draws' weights are
    kept as float32, about 7 significant digits, far below the percentiles' sampling error);
    scores (S, 3) the same for the subjects' scores. baseline: the result without noise.
    With no complete draw every figure is NaN.
    """

    source: str
    draws: int
    seed: int
    k: int | None
    complete: int
    rank_probabilities: np.ndarray
    grade_probabilities: np.ndarray
    top: int
    top_stays: float
    local_weights: np.ndarray
    global_weights: np.ndarray
    scores: np.ndarray
    baseline: Outcome
    percentiles: tuple[float, ...] = PERCENTILES


def simulate(
    problem: Problem,
    source: str = "noise",
    draws: int | None = None,
    k: int = 1,
    seed: int | None = None,
) -> Simulation:
    """N draws of the evaluation from one source (module doc). draws defaults to 10,000 for
    judgment noise and 2,000 for the bootstrap, at most 100,000; k (1–8) is the largest step
    of judgment noise (checked for either source, recorded for noise only); seed None draws a
    fresh seed, which the result records."""
    if not isinstance(problem, Problem):
        raise ValueError(NOT_A_PROBLEM)
    if source not in SOURCES:
        raise ValueError(f"{UNKNOWN_SOURCE}; got {source!r}")
    draws = DRAWS[source] if draws is None else _whole(draws, 1, MAX_DRAWS, BAD_DRAWS)
    k = _whole(k, 1, MAX_STEPS, BAD_STEPS)
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    seed = _whole(seed, 0, SEED_LIMIT - 1, BAD_SEED)
    return _simulate(problem, source, draws, k, seed)


def _whole(value, low: int, high: int, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{message}; got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{message}; got {value!r}")
    return int(value)


def _simulate(problem: Problem, source: str, draws: int, k: int, seed: int) -> Simulation:
    """simulate without the checks of its settings; k = 0 (no step) is for the tests."""
    prepared = batch.prepare(problem)
    baseline = deterministic(problem)
    tally = _Tally(problem, draws, baseline.top)
    size = BATCH_BYTES // batch.bytes_per_draw(problem, noise=source == "noise")
    blocks = _blocks(seed, draws)
    per_batch = max(1, size // BLOCK)
    rungs = {m.node: _rungs(np.exp(m.logs)) for m in prepared.matrices}
    for start in range(0, len(blocks), per_batch):
        streams = blocks[start : start + per_batch]
        if source == "noise":
            tally.add(_noise_batch(prepared, rungs, k, streams))
        else:
            tally.add(_bootstrap_batch(prepared, streams))
    return tally.simulation(source, draws, seed, k if source == "noise" else None, baseline)


Streams = list[tuple[np.random.Generator, int]]


def _blocks(seed: int, draws: int) -> Streams:
    """The draws in blocks of BLOCK, block b drawn from the b-th child of SeedSequence(seed)
    by PCG64, with its number of draws. Batches take whole blocks, so how the draws are
    batched (BATCH_BYTES, the memory estimate) never changes the figures."""
    children = np.random.SeedSequence(seed).spawn(-(-draws // BLOCK))
    return [
        (np.random.Generator(np.random.PCG64(child)), min(BLOCK, draws - BLOCK * b))
        for b, child in enumerate(children)
    ]


def _noise_batch(prepared: batch.Prepared, rungs: dict, k: int, streams: Streams):
    def noisy_logs(matrices: batch.Matrices) -> np.ndarray:
        # Called node after node in node order, so each block's stream is read in that order.
        start = rungs[matrices.node]
        return LOG_LADDER[np.concatenate([_stepped(start, k, n, rng) for rng, n in streams])]

    panel = np.ones((1, prepared.problem.expert_weights.size))
    return batch.run(prepared, panel, noisy_logs, draws=sum(n for _rng, n in streams))


def _bootstrap_batch(prepared: batch.Prepared, streams: Streams):
    problem = prepared.problem
    panel = answering_experts(problem)
    picks = [rng.integers(0, panel.size, size=(n, panel.size)) for rng, n in streams]
    drawn = panel[np.concatenate(picks)]
    count, experts = drawn.shape[0], problem.expert_weights.size
    flat = (np.arange(count)[:, None] * experts + drawn).ravel()
    multipliers = np.bincount(flat, minlength=count * experts).reshape(count, experts)
    return batch.run(prepared, multipliers.astype(float))


def answering_experts(problem: Problem) -> np.ndarray:
    """The indices of the experts who gave a judgment or a rating: the bootstrap's panel."""
    answered = np.any(problem.ratings != batch.NO_RATING, axis=(1, 2))
    for _stack, experts in problem.judgments.values():
        answered[experts] = True
    return np.flatnonzero(answered)


def _rungs(values: np.ndarray) -> np.ndarray:
    """Each value's rung (0 = 1/9 … 8 = 1 … 16 = 9), snapped to the ladder first."""
    return np.searchsorted(LADDER, scale.snap_to_scale(values)).astype(np.int8)


def _stepped(rungs: np.ndarray, k: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """count draws of the rungs (count, …) each moved by a uniform step in −k…k, clamped."""
    steps = rng.integers(-k, k + 1, size=(count, *rungs.shape), dtype=np.int8)
    return np.clip(rungs + steps, 0, LADDER.size - 1)


def perturb(values: ArrayLike, k: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """draws noisy copies (draws, …) of judgments: each snapped to the ladder, moved by a step
    uniform in −k…k (k from 0 to 8; 0 only snaps) and clamped at 1/9 and 9. The step of one
    judgment in the simulation's judgment noise."""
    k = _whole(k, 0, MAX_STEPS, BAD_PERTURB_STEPS)
    draws = _whole(draws, 1, MAX_DRAWS, BAD_DRAWS)
    return LADDER[_stepped(_rungs(np.asarray(values, dtype=float)), k, draws, rng)]


class _Tally:
    """The counts and kept samples over the batches of one simulation."""

    def __init__(self, problem: Problem, draws: int, top: int) -> None:
        subjects = problem.subject_count
        self.top = top
        self.ranks = np.zeros((subjects, subjects), dtype=np.int64)
        self.grades = np.zeros((subjects, problem.grade_scores.size), dtype=np.int64)
        self.stays = 0
        self.complete = 0
        self.local = np.empty((draws, problem.nodes), dtype=np.float32)
        self.global_ = np.empty((draws, problem.nodes), dtype=np.float32)
        self.scores = np.empty((draws, subjects), dtype=np.float32)

    def add(self, result: batch.Batch) -> None:
        ok = result.valid
        ranks, grades = result.ranks[ok], result.grades[ok]
        self.ranks += _counts(ranks, self.ranks.shape[1])
        self.grades += _counts(grades, self.grades.shape[1])
        self.stays += int(np.count_nonzero(ranks[:, self.top] == 0))
        rows = slice(self.complete, self.complete + ranks.shape[0])
        self.local[rows] = result.local[ok]
        self.global_[rows] = result.global_[ok]
        self.scores[rows] = result.scores[ok]
        self.complete += ranks.shape[0]

    def simulation(self, source, draws, seed, k, baseline: Outcome) -> Simulation:
        n = self.complete
        with np.errstate(invalid="ignore"):  # no complete draw: every share is 0/0, NaN
            ranks, grades = self.ranks / n, self.grades / n
            stays = self.stays / n if n else float("nan")
        return Simulation(
            source=source,
            draws=draws,
            seed=seed,
            k=k,
            complete=n,
            rank_probabilities=ranks,
            grade_probabilities=grades,
            top=self.top,
            top_stays=stays,
            local_weights=_percentiles(self.local[:n]),
            global_weights=_percentiles(self.global_[:n]),
            scores=_percentiles(self.scores[:n]),
            baseline=baseline,
        )


def _counts(values: np.ndarray, size: int) -> np.ndarray:
    """counts[s, v]: how many rows have value v in column s."""
    subjects = values.shape[1]
    flat = (np.arange(subjects)[None, :] * size + values).ravel()
    return np.bincount(flat, minlength=subjects * size).reshape(subjects, size)


def _percentiles(samples: np.ndarray) -> np.ndarray:
    if samples.shape[0] == 0:
        return np.full((samples.shape[1], len(PERCENTILES)), np.nan)
    return np.percentile(samples.astype(float), PERCENTILES, axis=0).T
