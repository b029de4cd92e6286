"""The evaluation itself, and the evaluation without each expert in turn (leave-one-out)."""

from dataclasses import dataclass

import numpy as np

from . import batch
from .problem import Problem

# A batch's working memory, at most: draws (or experts left out) are taken this many at a time.
BATCH_BYTES = 64 * 2**20


@dataclass(frozen=True, eq=False)
class Outcome:
    """The deterministic result, as the results service computes it (DESIGN §2.4–2.6).

    local_weights, global_weights (nodes,): each node's weight under its parent and along its
    path (the root's 1); vectors (S, m): each subject's evaluation vector, normalised; scores,
    grades (index, 0 = best) and ranks (1 = first) per subject (S,); order: the subjects'
    indices best first (ties keep the subjects' order, as the results rank them).
    """

    local_weights: np.ndarray
    global_weights: np.ndarray
    vectors: np.ndarray
    scores: np.ndarray
    grades: np.ndarray
    ranks: np.ndarray
    order: np.ndarray

    @property
    def top(self) -> int:
        """The subject ranked first."""
        return int(self.order[0])


def deterministic(problem: Problem) -> Outcome:
    """The evaluation as the engine computes it, through the same batched core as the draws."""
    result = batch.run(batch.prepare(problem), np.ones((1, problem.expert_weights.size)))
    return _outcome(result, 0)


def _outcome(result: batch.Batch, row: int) -> Outcome:
    ranks = result.ranks[row]
    return Outcome(
        local_weights=result.local[row],
        global_weights=result.global_[row],
        vectors=result.vectors[row],
        scores=result.scores[row],
        grades=result.grades[row],
        ranks=ranks + 1,
        order=np.argsort(ranks),
    )


@dataclass(frozen=True, eq=False)
class LeaveOneOut:
    """The evaluation without each expert in turn, one row per expert (E, …).

    Without expert e the others' weights are renormalised at every node and in every vote.
    complete[e] is False when the rest leave a node without judgments or a leaf of a subject
    without ratings: that row has no result (ranks and grades -1, top -1, scores NaN) and
    changes nothing. ranks (1 = first), grades and scores are per subject; top the subject
    ranked first; changed (E, S) whether the subject's rank differs from the whole panel's,
    top_changed whether another subject comes first. baseline: the whole panel's Outcome.
    """

    complete: np.ndarray
    ranks: np.ndarray
    grades: np.ndarray
    scores: np.ndarray
    top: np.ndarray
    changed: np.ndarray
    top_changed: np.ndarray
    baseline: Outcome


def leave_one_out(problem: Problem) -> LeaveOneOut:
    """The results without each expert, all experts at once (in batches of BATCH_BYTES)."""
    prepared = batch.prepare(problem)
    baseline = deterministic(problem)
    experts = problem.expert_weights.size
    size = max(1, BATCH_BYTES // batch.bytes_per_draw(problem))
    parts = []
    for start in range(0, experts, size):
        multipliers = np.ones((min(size, experts - start), experts))
        rows = np.arange(multipliers.shape[0])
        multipliers[rows, start + rows] = 0.0
        parts.append(batch.run(prepared, multipliers))
    complete = np.concatenate([part.valid for part in parts])
    ranks = np.concatenate([part.ranks for part in parts]) + 1
    ranks[~complete] = -1
    grades = np.concatenate([part.grades for part in parts])
    grades[~complete] = -1
    scores = np.concatenate([part.scores for part in parts])
    scores[~complete] = np.nan
    top = np.argmax(ranks == 1, axis=1)
    top[~complete] = -1
    changed = complete[:, None] & (ranks != baseline.ranks[None, :])
    return LeaveOneOut(
        complete=complete,
        ranks=ranks,
        grades=grades,
        scores=scores,
        top=top,
        changed=changed,
        top_changed=complete & (top != baseline.top),
        baseline=baseline,
    )
