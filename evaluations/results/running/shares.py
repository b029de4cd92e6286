"""One counted ballot's share of the results: a pairwise ballot's own figures for its matrix
(what matrices.matrix_result computes per expert), a rating ballot's votes; and their parts of
the running sums (state.py adds and takes them back)."""

import math

import numpy as np

from ...engine import ahp, incomplete, incomplete_panel, running
from ...engine.hierarchy import Node
from ...models import Evaluation
from ...services.limits import settings_cr_limit
from .. import skipped
from ..matrices import finite
from ..panel import PanelInput, expert_weight


def pairwise_figures(node: Node, values: list[float], membership: int, data: PanelInput) -> dict:
    """The expert's own weights, λmax, CI, RI, CR, consistency and inclusion for the matrix of
    `node`, from their upper-triangle judgments (NaN for a skipped pair), with the settings
    and expert weight of `data`; the figures are None when the matrix cannot be weighed."""
    settings = data.settings
    method, ri = settings["weighting_method"], settings["ri_table"]
    t = len(node.children)
    threshold = settings_cr_limit(settings, t)
    matrix = ahp.from_upper([values], t)[0]
    gaps = bool(np.isnan(matrix).any())
    figures = {
        "weight": expert_weight(data, membership, node.code),
        "upper": [None if math.isnan(v) else v for v in values],
        "weights": None,
        "lambda_max": None,
        "ci": None,
        "cr": None,
        "ri": None,
        "skipped": sum(math.isnan(v) for v in values),
        "consistent": None,
        "included": False,
    }
    if gaps and method not in ahp.METHODS:
        return figures  # the whole matrix is unweighable (matrix_result says so)
    try:
        own = (
            incomplete_panel.individual(matrix[None], method, ri, threshold)
            if gaps
            else ahp.priorities(matrix[None], method=method, ri=ri, threshold=threshold)
        )
    except incomplete.DisconnectedError as error:
        figures["unlinked"] = skipped.unlinked(node, error)
        return figures
    consistent = bool(own.cr[0] < threshold)
    figures.update(
        weights=own.weights[0].tolist(),
        lambda_max=finite(own.lambda_max[0]),
        ci=finite(own.ci[0]),
        cr=finite(own.cr[0]),
        ri=float(np.broadcast_to(own.ri, 1)[0]),
        consistent=consistent,
        included=consistent
        if settings["ballot_inclusion"] == Evaluation.BallotInclusion.CONSISTENT
        else True,
    )
    return figures


def matrix_of(judgments: list) -> np.ndarray:
    """The t × t matrix of stored upper-triangle judgments (None: a skipped pair)."""
    upper = [math.nan if v is None else v for v in judgments]
    t = (1 + math.isqrt(1 + 8 * len(upper))) // 2
    return ahp.from_upper([upper], t)[0]


def pairwise_share(figures: dict, ri: str) -> running.Share:
    """An included ballot's part of its matrix's sums. The eigenvector priorities (for S*)
    are computed again from the judgments, the same way each time, so taking a share back
    subtracts exactly what adding it added."""
    matrix = matrix_of(figures["upper"])
    eigen = incomplete_panel.individual(matrix[None], "eigenvector", ri).weights[0]
    return running.Share(
        matrix=matrix,
        alpha=figures["weight"],
        weights=np.asarray(figures["weights"], dtype=float),
        eigen=eigen,
    )


def expert_row(figures: dict, membership: int, name: str, node_children: list[str]) -> dict:
    """The snapshot's per-expert entry of a matrix (matrices.matrix_result's layout)."""
    weights = figures["weights"]
    return {
        "membership": membership,
        "name": name,
        "weight": figures["weight"],
        "weights": weights,
        "lambda_max": figures["lambda_max"],
        "ci": figures["ci"],
        "cr": figures["cr"],
        "ri": figures["ri"],
        "zero_weights": [c for c, w in zip(node_children, weights, strict=True) if w == 0],
        "consistent": figures["consistent"],
        "included": figures["included"],
        "skipped": figures["skipped"],
    }
