"""Realistic, reproducible expert answers for the demo, tests and load benchmarks.

Each parent indicator has a "true" priority vector the panel roughly agrees on; each expert
perturbs it in log space and answers every pair with the 1–9 scale value nearest to the ratio
of their weights, so matrices look like real ones: mostly consistent, some less so. Ratings
follow a latent quality per subject and leaf indicator, blurred per expert.
"""

import numpy as np

from .engine import ahp, scale


def true_weights(rng: np.random.Generator, t: int) -> np.ndarray:
    """A plausible priority vector: clearly ordered but no element negligible."""
    return rng.dirichlet(np.full(t, 4.0))


def expert_judgments(
    rng: np.random.Generator,
    weights: np.ndarray,
    noise: float = 0.35,
    max_cr: float | None = 0.1,
    tries: int = 50,
) -> list[float]:
    """The upper-triangle judgments of one expert whose view is `weights` blurred by `noise`.

    With max_cr, redraw (with less noise each time) until the matrix's CR (paper RI, root
    method) is below it, the way an expert revises an inconsistent form.
    """
    t = len(weights)
    rows, cols = np.triu_indices(t, 1)
    for attempt in range(tries):
        own = np.log(weights) + rng.normal(0.0, noise * 0.9**attempt, t)
        values = scale.snap_to_scale(np.exp(own[rows] - own[cols]))
        if max_cr is None or t <= 2:
            return values.tolist()
        if ahp.priorities(ahp.from_upper(values, t)).cr < max_cr:
            return values.tolist()
    return scale.snap_to_scale(weights[rows] / weights[cols]).tolist()


def inconsistent_judgments(t: int) -> list[float]:
    """A matrix no careful expert would submit: a cycle of strong preferences."""
    rows, cols = np.triu_indices(t, 1)
    return [9.0 if (col - row) % 2 else 1 / 9 for row, col in zip(rows, cols, strict=True)]


def expert_grade(rng: np.random.Generator, quality: float, grade_count: int) -> int:
    """A grade index (0 = best) for a leaf whose latent quality is in [0, 1] (1 = best)."""
    position = (1.0 - quality) * (grade_count - 1) + rng.normal(0.0, 0.6)
    return int(np.clip(np.rint(position), 0, grade_count - 1))


def subject_qualities(rng: np.random.Generator, leaves: list[str], level: float) -> dict:
    """Latent quality per leaf around `level`, so each subject has strengths and weak points."""
    return {code: float(np.clip(level + rng.normal(0.0, 0.2), 0.0, 1.0)) for code in leaves}
