"""One parent's pairwise matrix in a snapshot: each expert's and the group's weights, λmax,
CI, RI, CR, which ballots the inclusion setting keeps, and the panel's consensus S*.

`source` says where the weights come from: "pairwise" (the panel's ballots) or "given" (the
coordinator's direct weights, evaluations/given_weights: no matrix, λmax, CR or consensus,
and `given_source` the reference the coordinator gave).

Ballots with skipped comparisons (NaN) are weighed by engine.incomplete_panel: per expert
ahp.llsm / ahp.harker with Ágoston & Csató's CR, the group over the experts who answered each
pair. "skipped" counts the skipped pairs (per expert: m), "unanswered" names the pairs nobody
included answered."""

import numpy as np

from ..engine import ahp, consensus, incomplete, incomplete_panel
from ..engine.hierarchy import Node
from ..models import Evaluation
from ..services.limits import settings_cr_limit
from . import skipped
from .panel import PanelInput, expert_weight


def matrix_result(node: Node, ballots: list[dict], data: PanelInput, missing: list[str]) -> dict:
    """One parent's matrix: each expert's and the group's weights and CR, and consensus."""
    settings = data.settings
    method, ri = settings["weighting_method"], settings["ri_table"]
    # The CR limit of this matrix: the fixed threshold, or by its order (the rule's setting).
    threshold = settings_cr_limit(settings, len(node.children))
    result = no_figures(node, source="pairwise", experts_submitted=len(ballots))
    if not ballots:
        missing.append(f"no submitted judgments for {node.code}")
        return result
    stack = np.array([b["matrix"] for b in ballots], dtype=float)
    # Skipped comparisons (NaN) are weighed by their own methods (results.skipped).
    gaps = np.isnan(stack).any()
    if gaps and method not in ahp.METHODS:
        missing.append(skipped.unweighable(node.code, method))
        return result
    skips = skipped.counts(stack)
    result["skipped"] = int(skips.sum())  # over every submitted ballot, included or not
    try:
        own = (
            incomplete_panel.individual(stack, method, ri, threshold)
            if gaps
            else ahp.priorities(stack, method=method, ri=ri, threshold=threshold)
        )
    except incomplete.DisconnectedError as error:  # a ballot's answers do not link
        missing.append(skipped.unlinked(node, error))
        return result
    index = np.broadcast_to(own.ri, len(ballots))  # one RI per expert: RI(t, m)
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
            "ri": float(index[k]),
            "zero_weights": zero_codes(node, own.weights[k]),
            "consistent": bool(own.cr[k] < threshold),
            "included": bool(keep[k]),
            # m, the pairs this expert skipped: their RI is RI(t, m) (Ágoston & Csató 2022).
            "skipped": int(skips[k]),
        }
        for k, b in enumerate(ballots)
    ]
    result["inconsistent_experts"] = [
        e["name"] for e in result["per_expert"] if not e["consistent"]
    ]
    if not keep.any():
        missing.append(f"no consistent judgments for {node.code}")
        return result
    kept_gaps = bool(np.isnan(stack[keep]).any())
    aggregate = incomplete_panel.aggregate if kept_gaps else ahp.aggregate
    try:
        group = _group(aggregate, stack[keep], np.array(expert_weights)[keep], settings, threshold)
    except incomplete.DisconnectedError as error:
        missing.append(skipped.unlinked(node, error))
        return result
    result.update(group_figures(node, group, group.matrix, int(keep.sum())))
    if kept_gaps:  # the pairs nobody answered, left out of the group matrix
        result["unanswered"] = skipped.unanswered(node, group.matrix)
    if keep.sum() >= 2:
        # S* is defined on the experts' own eigenvector priorities (Goepel 2018); for an
        # incomplete matrix Harker's, the eigenvector method's incomplete form.
        eigen = (
            incomplete_panel.individual(stack[keep], "eigenvector", ri).weights
            if kept_gaps
            else ahp.priorities(stack[keep], method="eigenvector", ri=ri).weights
        )
        value = consensus.s_star(eigen)
        result.update(consensus=value, consensus_word=consensus.describe(value))
    return result


def group_figures(node: Node, group, matrix: np.ndarray, included: int) -> dict:
    """A matrix entry's group figures (weights, λmax, CI, RI, CR, the aggregated matrix), from
    the whole stack here or from the running sums (results/running/source.py)."""
    return {
        "experts_included": included,
        "weights": group.weights.tolist(),
        "lambda_max": finite(group.lambda_max),
        "ci": finite(group.ci),
        "ri": float(group.ri),
        "cr": finite(group.cr),
        "zero_weights": zero_codes(node, group.weights),
        "consistent": bool(group.consistent),
        "matrix": skipped.as_json(matrix),
    }


def given_matrix_result(node: Node, weights: list[float], source: str, ignored: int) -> dict:
    """A node whose local weights the coordinator gave: the same keys as matrix_result, the
    weights as given, nothing computed from judgments. `ignored` counts the submitted
    pairwise ballots kept for it but left out while the weights are given."""
    result = no_figures(node, source="given", experts_submitted=0)
    result.update(given_source=source, ignored_ballots=ignored, weights=list(weights))
    return result


def no_figures(node: Node, *, source: str, experts_submitted: int) -> dict:
    """A matrix entry before anything is computed from judgments (the snapshot's keys)."""
    return {
        "parent": node.code,
        "children": [child.code for child in node.children],
        "source": source,
        "experts_submitted": experts_submitted,
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


def _group(aggregate, stack, expert_weights, settings: dict, threshold: float):
    return aggregate(
        stack,
        method=settings["aggregation"],
        weights=expert_weights,
        weighting=settings["weighting_method"],
        ri=settings["ri_table"],
        threshold=threshold,
        # AIJ takes no mean but the geometric; settings built without the key mean it too.
        mean=settings.get("aip_mean", "geometric")
        if settings["aggregation"] == Evaluation.Aggregation.AIP
        else "geometric",
    )


def finite(value) -> float | None:
    """A JSON number: λmax, CI and CR are infinite when a weight is 0 (Chang's method; no
    finite λmax fits it), and a snapshot is JSON, which has no infinity (PostgreSQL's jsonb
    refuses it). null then, with the matrix's zero_weights saying why."""
    value = float(value)
    return value if np.isfinite(value) else None


def zero_codes(node: Node, weights: np.ndarray) -> list[str]:
    """The children weighed exactly 0 (Chang's extent analysis can; ahp.Priorities)."""
    return [child.code for child, w in zip(node.children, weights, strict=True) if w == 0]
