"""Incomplete judgment matrices: ballots that skip some comparisons (issue 15).

A missing comparison is NaN (or None) in both b_xy and b_yx. A matrix may skip pairs as long
as the pairs it answers connect all elements (graph). Then:
- llsm: the "geometric" weights, logarithmic least squares on the comparison graph
  (Kwiesielewicz 1996; Bozóki, Fülöp & Rónyai 2010), equal to the root method when complete;
  the "eigenvector" weights are Harker's (ahp.harker);
- completion: the completion that minimises λmax (Bozóki, Fülöp & Rónyai 2010), by Newton's
  method in log-space, batched;
- consistency: CI of that completion and CR = CI / RI(n, m) (Ágoston & Csató 2022), with RI(n, m)
  simulated for n ≤ 9 and every m (ri_table, made by bench/ri_incomplete.py);
- group: AIJ over the experts who answered each pair.
Bad input raises ValueError with a message starting with a rule's constant (judgments' for the
matrix, DisconnectedError naming the pairs that would connect the elements).
"""

from . import completion, consistency, graph, group, llsm, ri_table
from .completion import NOT_CONVERGED, Completion, lambda_min_completion
from .consistency import NO_RANDOM_INDEX, Consistency, incomplete_cr, largest_missing, random_index
from .graph import NOT_CONNECTED, DisconnectedError, as_incomplete, components, connecting_pairs
from .group import (
    EXPERT_WEIGHTS_COUNT,
    EXPERT_WEIGHTS_POSITIVE,
    NOT_A_STACK,
    answered_counts,
    group_matrix,
)
from .llsm import llsm_weights

__all__ = [
    "EXPERT_WEIGHTS_COUNT",
    "EXPERT_WEIGHTS_POSITIVE",
    "NOT_A_STACK",
    "NOT_CONNECTED",
    "NOT_CONVERGED",
    "NO_RANDOM_INDEX",
    "Completion",
    "Consistency",
    "DisconnectedError",
    "answered_counts",
    "as_incomplete",
    "completion",
    "components",
    "connecting_pairs",
    "consistency",
    "graph",
    "group",
    "group_matrix",
    "incomplete_cr",
    "lambda_min_completion",
    "largest_missing",
    "llsm",
    "llsm_weights",
    "random_index",
    "ri_table",
]
