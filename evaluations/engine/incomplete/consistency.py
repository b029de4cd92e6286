"""Consistency of an incomplete matrix as Ágoston & Csató (2022) define it.

CI = (λmin − n) / (n − 1), where λmin is the λmax of the completion that minimises it
(Bozóki, Fülöp & Rónyai 2010; completion.py), and CR = CI / RI(n, m), where RI(n, m) is the
mean of that CI over random matrices of the same order n with the same number m of missing
pairs (the table in ri_table.py, simulated by bench/ri_incomplete.py as their paper
describes). So a matrix with skipped pairs is measured against random matrices with as many
skipped, not against complete ones.

- m = 0 (a complete matrix): λmin is the principal eigenvalue and RI comes from the
  evaluation's table (ri.py: "paper", "saaty", …), exactly as for complete matrices.
- m = (n − 1)(n − 2)/2, the most that can leave the elements connected: the answered pairs form
  a spanning tree, which always has a consistent completion, so CI = RI = 0 and CR = 0 by
  definition (as for t ≤ 2).
This is not Harker's λ (the eigenvalue of his auxiliary matrix), which is never smaller than
λmin and usually larger.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .. import ri as ri_tables
from .completion import minimise, missing_pairs
from .graph import as_incomplete
from .ri_table import CELLS

NO_RANDOM_INDEX = "no RI for this order and number of missing comparisons"


@dataclass(frozen=True, eq=False)
class Consistency:
    """λmin, CI, CR and the RI(n, m) used, of one matrix (floats) or a stack (arrays); missing
    is m, completion the λmax-minimising completed matrix (or stack)."""

    lambda_max: float | np.ndarray
    ci: float | np.ndarray
    cr: float | np.ndarray
    ri: float | np.ndarray
    missing: int | np.ndarray
    completion: np.ndarray


def incomplete_cr(matrix: ArrayLike, ri: str = ri_tables.DEFAULT) -> Consistency:
    """CR of an incomplete matrix (NaN or None = missing), or of each matrix of a stack, by
    Ágoston & Csató (2022); `ri` names the RI table used for complete matrices (m = 0)."""
    ri_tables.random_index(1, ri)  # an unknown table name fails here, before any work
    stack, batched = as_incomplete(matrix)
    result = consistency_of(stack, ri)
    if batched:
        return result
    return Consistency(
        float(result.lambda_max[0]),
        float(result.ci[0]),
        float(result.cr[0]),
        float(result.ri[0]),
        int(result.missing[0]),
        result.completion[0],
    )


def consistency_of(stack: np.ndarray, ri: str = ri_tables.DEFAULT) -> Consistency:
    """incomplete_cr for a stack already validated (e.g. by graph.as_incomplete)."""
    n = stack.shape[-1]
    completion, lambda_max, _ = minimise(stack)
    m = missing_pairs(stack)
    counts, position = np.unique(m, return_inverse=True)  # one look-up per distinct m
    index = np.array([random_index(n, int(count), ri) for count in counts])[position]
    if n <= 2:
        ci = np.zeros(len(stack))
    else:
        # λmax ≥ n for every positive reciprocal matrix: below it is rounding, clipped.
        ci = np.maximum((lambda_max - n) / (n - 1), 0.0)
    ci = np.where(index > 0, ci, 0.0)  # a spanning tree: consistent completion, CI = 0
    cr = np.divide(ci, index, out=np.zeros_like(ci), where=index > 0)
    return Consistency(lambda_max, ci, cr, index, m, completion)


def random_index(n: int, m: int, table: str = ri_tables.DEFAULT) -> float:
    """RI(n, m): `table`'s RI(n) for m = 0, else the simulated mean CI of ri_table.py."""
    if m == 0:
        return ri_tables.random_index(n, table)
    if m == largest_missing(n):
        return 0.0
    if (n, m) not in CELLS:
        raise ValueError(f"{NO_RANDOM_INDEX}: n = {n}, m = {m}")
    return CELLS[(n, m)][0]


def largest_missing(n: int) -> int:
    """The most pairs that can be missing while the rest connect n elements: all but a
    spanning tree's n − 1, (n − 1)(n − 2)/2."""
    return (n - 1) * (n - 2) // 2
