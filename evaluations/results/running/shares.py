"""One counted ballot's share of the results: a pairwise ballot's own figures for its matrix
(what matrices.matrix_result computes per expert), a rating ballot's votes; and their parts of
the running sums (state.py adds and takes them back)."""

import math

import numpy as np

from ...engine import ahp, incomplete, incomplete_panel
from ...engine.hierarchy import Node
from ...models import Evaluation
from ...services.limits import settings_cr_limit
from .. import skipped
from ..matrices import finite
from ..panel import PanelInput, expert_weight


def pairwise_figures_many(
    node: Node, values: list, memberships: list, data: PanelInput, stack=None
) -> list:
    """pairwise_figures of many ballots of one matrix, weighed as one stack (a full recompute
    reads tens of thousands; numpy's per-call cost would dominate one by one). `stack`: their
    matrices, when the caller has built them already."""
    settings = data.settings
    method, ri = settings["weighting_method"], settings["ri_table"]
    t = len(node.children)
    threshold = settings_cr_limit(settings, t)
    if stack is None:
        stack = ahp.from_upper(values, t).reshape(len(values), t, t)
    gaps = np.isnan(stack).any(axis=(1, 2))
    every = [
        {
            "weight": expert_weight(data, membership, node.code),
            "skipped": sum(math.isnan(v) for v in upper),
            "weights": None,
            "lambda_max": None,
            "ci": None,
            "cr": None,
            "ri": None,
            "consistent": None,
            "included": False,
            "upper": [None if math.isnan(v) else v for v in upper],
        }
        for upper, membership in zip(values, memberships, strict=True)
    ]
    weighable = ~gaps if method not in ahp.METHODS else np.ones(len(values), dtype=bool)
    if not weighable.any():
        return every  # skipped pairs and a fuzzy method: matrix_result says why
    at = np.flatnonzero(weighable)
    try:
        own = _own(stack[at], method, ri, threshold)
    except incomplete.DisconnectedError as error:
        if len(values) == 1:
            return [{**every[0], "unlinked": skipped.unlinked(node, error)}]
        # Some ballot's answers do not link (the services refuse these): each on its own.
        return [
            pairwise_figures_many(node, [upper], [membership], data)[0]
            for upper, membership in zip(values, memberships, strict=True)
        ]
    consistent_only = settings["ballot_inclusion"] == Evaluation.BallotInclusion.CONSISTENT
    index = np.broadcast_to(own.ri, len(at))
    for position, k in enumerate(at):
        consistent = bool(own.cr[position] < threshold)
        every[k].update(
            weights=own.weights[position].tolist(),
            lambda_max=finite(own.lambda_max[position]),
            ci=finite(own.ci[position]),
            cr=finite(own.cr[position]),
            ri=float(index[position]),
            consistent=consistent,
            included=consistent if consistent_only else True,
        )
    included = [k for k in at if every[k]["included"]]
    if included:
        eigen = incomplete_panel.individual(stack[included], "eigenvector", ri).weights
        for position, k in enumerate(included):
            every[k]["eigen"] = eigen[position].tolist()
    return every


def _own(stack: np.ndarray, method: str, ri: str, threshold: float):
    if np.isnan(stack).any():
        return incomplete_panel.individual(stack, method, ri, threshold)
    return ahp.priorities(stack, method=method, ri=ri, threshold=threshold)


def matrix_of(judgments: list) -> np.ndarray:
    """The t × t matrix of stored upper-triangle judgments (None: a skipped pair)."""
    upper = [math.nan if v is None else v for v in judgments]
    t = (1 + math.isqrt(1 + 8 * len(upper))) // 2
    return ahp.from_upper([upper], t)[0]
