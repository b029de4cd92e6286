"""One parent's pairwise matrix in a snapshot: each expert's and the group's weights, λmax,
CI, RI, CR, which ballots the inclusion setting keeps, and the panel's consensus S*."""

import numpy as np

from ..engine import ahp, consensus
from ..engine.hierarchy import Node
from ..models import Evaluation
from ..services.limits import settings_cr_limit
from .panel import PanelInput, expert_weight


def matrix_result(node: Node, ballots: list[dict], data: PanelInput, missing: list[str]) -> dict:
    """One parent's matrix: each expert's and the group's weights and CR, and consensus."""
    settings = data.settings
    method, ri = settings["weighting_method"], settings["ri_table"]
    # The CR limit of this matrix: the fixed threshold, or by its order (the rule's setting).
    threshold = settings_cr_limit(settings, len(node.children))
    result = {
        "parent": node.code,
        "children": [child.code for child in node.children],
        "experts_submitted": len(ballots),
        "experts_included": 0,
        "weights": None,
        "lambda_max": None,
        "ci": None,
        "ri": None,
        "cr": None,
        "consistent": None,
        "matrix": None,
        "consensus": None,
        "consensus_word": None,
        "per_expert": [],
        "inconsistent_experts": [],
        "zero_weights": [],
    }
    if not ballots:
        missing.append(f"no submitted judgments for {node.code}")
        return result
    stack = np.array([b["matrix"] for b in ballots])
    own = ahp.priorities(stack, method=method, ri=ri, threshold=threshold)
    keep = np.ones(len(ballots), dtype=bool)
    if settings["ballot_inclusion"] == Evaluation.BallotInclusion.CONSISTENT:
        keep = own.cr < threshold
    # An expert's weight for this matrix: for the criterion above it, or overall (the root's).
    expert_weights = [expert_weight(data, b["membership"], node.code) for b in ballots]
    result["per_expert"] = [
        {
            "membership": b["membership"],
            "name": data.experts[b["membership"]]["name"],
            "weight": expert_weights[k],
            "weights": own.weights[k].tolist(),
            "lambda_max": finite(own.lambda_max[k]),
            "ci": finite(own.ci[k]),
            "cr": finite(own.cr[k]),
            "zero_weights": _zero_codes(node, own.weights[k]),
            "consistent": bool(own.cr[k] < threshold),
            "included": bool(keep[k]),
        }
        for k, b in enumerate(ballots)
    ]
    result["inconsistent_experts"] = [
        e["name"] for e in result["per_expert"] if not e["consistent"]
    ]
    if not keep.any():
        missing.append(f"no consistent judgments for {node.code}")
        return result
    group = ahp.aggregate(
        stack[keep],
        method=settings["aggregation"],
        weights=np.array(expert_weights)[keep],
        weighting=method,
        ri=ri,
        threshold=threshold,
        # AIJ takes no mean but the geometric; settings built without the key mean it too.
        mean=settings.get("aip_mean", "geometric")
        if settings["aggregation"] == Evaluation.Aggregation.AIP
        else "geometric",
    )
    result.update(
        experts_included=int(keep.sum()),
        weights=group.weights.tolist(),
        lambda_max=finite(group.lambda_max),
        ci=finite(group.ci),
        ri=float(group.ri),
        cr=finite(group.cr),
        zero_weights=_zero_codes(node, group.weights),
        consistent=bool(group.consistent),
        matrix=group.matrix.tolist(),
    )
    if keep.sum() >= 2:
        # S* is defined on the experts' own eigenvector priorities (Goepel 2018).
        eigen = ahp.priorities(stack[keep], method="eigenvector", ri=ri).weights
        value = consensus.s_star(eigen)
        result.update(consensus=value, consensus_word=consensus.describe(value))
    return result


def finite(value) -> float | None:
    """A JSON number: λmax, CI and CR are infinite when a weight is 0 (Chang's method; no
    finite λmax fits it), and a snapshot is JSON, which has no infinity (PostgreSQL's jsonb
    refuses it). null then, with the matrix's zero_weights saying why."""
    value = float(value)
    return value if np.isfinite(value) else None


def _zero_codes(node: Node, weights: np.ndarray) -> list[str]:
    """The children weighed exactly 0 (Chang's extent analysis can; ahp.Priorities)."""
    return [child.code for child, w in zip(node.children, weights, strict=True) if w == 0]
