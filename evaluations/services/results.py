"""Turn an evaluation's included ballots into a result snapshot, through the engine.

Reading (`panel_input`) is separated from computing (`results_compute`, plain data in, a
JSON-ready dict out) so the numbers can be checked against the engine run independently, and
from writing (`snapshot_write`, version-guarded) so a late or repeated task never goes back.

Snapshot data layout (all JSON):
  settings        the method settings the numbers were computed with
  grades          [{name, score}] best first
  expert_weights  {membership id: the expert weight used}
  indicators      [{code, name, parent, depth, is_leaf, local_weight, global_weight, rank}]
  matrices        one per parent with ≥ 2 children: group weights, λmax, CI, RI, CR, the
                  aggregated matrix, consensus S*, and every included expert's own figures
  consensus       {value, word} overall (weighted by global weight), null for < 2 experts
  warnings        matrices at or over the CR threshold, with the experts who caused them
  subjects        per subject: vote counts and membership rows per leaf, G per first-level
                  indicator (vector, grade, score), E, grade, score, the other operators,
                  the weak points, and the rank by score
  ranking         subject ids by score, best first
  robustness      the flip points at every node with ≥ 2 children, the most critical
                  criterion and the score lines, over the scored subjects (layout:
                  evaluations.robustness.flips; empty without global weights or scores)
  complete        whether every matrix and every leaf of every subject had answers
  comments        the experts' comments on their submitted answers, named as on the panel
                  (pages and exports choose names or "Expert n"): {pairwise: [{parent, row,
                  col, value, membership, name, text}], ratings: [{subject, subject_name,
                  leaf, grade, membership, name, text}]}, in hierarchy order, then by expert
  missing         why not, in words
"""

import time
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings as django_settings
from django.db import IntegrityError, transaction

from experts.models import Invitation
from surveys.consistency import upper_values
from surveys.models import PairwiseBallot, RatingBallot

from ..engine import ahp, consensus, fuzzy, hierarchy
from ..engine.hierarchy import Node
from ..models import Evaluation, ResultSnapshot
from ..robustness.flips import result_flip_points
from ..selectors import depth_first
from .limits import settings_cr_limit

OPERATORS = ("product_sum", "min_max", "product_max", "min_bounded_sum")
# A revoked expert's ballots leave the results, unless the coordinator kept them.
REVOKED = Invitation.Status.REVOKED
LEFT_OUT = {"invitation__status": REVOKED, "answers_kept_after_revocation": False}


@dataclass
class PanelInput:
    """Everything the computation needs, read from the database in a few queries."""

    settings: dict
    indicators: list[dict]  # depth-first: {id, code, name, parent_code, recommendation, depth}
    grades: list[dict]  # {id, name, score}, best first
    subjects: list[dict]  # {id, name}
    experts: dict[int, dict]  # membership id → {name, weight}
    pairwise: list[dict] = field(default_factory=list)  # {membership, parent_code, matrix, cr}
    ratings: list[dict] = field(default_factory=list)  # {membership, subject, leaf_code→grade idx}
    # The comments that came with the submitted answers (layout: module docstring, less names).
    comments: dict = field(default_factory=lambda: {"pairwise": [], "ratings": []})


def panel_input(*, evaluation: Evaluation) -> PanelInput:
    tree = depth_first(evaluation.indicators.all())
    by_id = {indicator.pk: indicator for indicator, _depth in tree}
    grades = list(evaluation.grades.all())
    grade_index = {grade.pk: position for position, grade in enumerate(grades)}
    data = PanelInput(
        settings=_settings(evaluation),
        indicators=[
            {
                "id": indicator.pk,
                "code": indicator.code,
                "name": indicator.name,
                "parent_code": by_id[indicator.parent_id].code if indicator.parent_id else None,
                "recommendation": indicator.recommendation,
                "depth": depth,
            }
            for indicator, depth in tree
        ],
        grades=[{"id": g.pk, "name": g.name, "score": g.score} for g in grades],
        subjects=[{"id": s.pk, "name": s.name} for s in evaluation.subjects.all()],
        experts={
            m.pk: {"name": m.display_name, "weight": m.weight}
            for m in evaluation.memberships.exclude(**LEFT_OUT)
        },
    )
    children = _children_ids(tree)
    # Each expert's submitted copy counts (surveys.models): a draft on top of it does not.
    submitted = {"submitted_at__isnull": False, "membership__evaluation": evaluation}
    revoked = {
        "membership__invitation__status": REVOKED,
        "membership__answers_kept_after_revocation": False,
    }
    pairwise = PairwiseBallot.objects.filter(**submitted).exclude(**revoked)
    # Plain rows, and one batched matrix build per parent: a large panel has tens of
    # thousands of ballots, and per-ballot model objects and numpy calls dominated.
    upper: dict[int, list[tuple[int, list[float]]]] = {}
    rows = pairwise.order_by("membership_id").values_list(
        "membership_id", "parent_id", "submitted_judgments"
    )
    for membership_id, parent_id, judgments in rows:
        _pairwise_comments(data, membership_id, parent_id, judgments, by_id)
        values = upper_values(judgments, children.get(parent_id, []))
        if values is not None:
            upper.setdefault(parent_id, []).append((membership_id, values))
    for parent_id, ballots in upper.items():
        t = len(children[parent_id])
        stack = ahp.from_upper([values for _m, values in ballots], t)
        code = by_id[parent_id].code
        data.pairwise.extend(
            {"membership": membership_id, "parent_code": code, "matrix": matrix}
            for (membership_id, _values), matrix in zip(ballots, stack, strict=True)
        )
    data.pairwise.sort(key=lambda ballot: ballot["membership"])
    ratings = RatingBallot.objects.filter(**submitted).exclude(**revoked)
    rows = ratings.order_by("membership_id").values_list(
        "membership_id", "subject_id", "submitted_ratings"
    )
    for membership_id, subject_id, answers in rows:
        _rating_comments(data, membership_id, subject_id, answers, by_id, grade_index)
        chosen = {
            by_id[int(leaf)].code: grade_index[answer["grade"]]
            for leaf, answer in answers.items()
            if int(leaf) in by_id and answer.get("grade") in grade_index
        }
        data.ratings.append({"membership": membership_id, "subject": subject_id, "grades": chosen})
    _order_comments(data, tree)
    return data


def _pairwise_comments(data: PanelInput, membership_id, parent_id, judgments, by_id) -> None:
    for key, answer in judgments.items():
        row, _dash, col = key.partition("-")
        if answer.get("comment") and int(row) in by_id and int(col) in by_id:
            data.comments["pairwise"].append(
                {
                    "parent": by_id[parent_id].code,
                    "row": by_id[int(row)].code,
                    "col": by_id[int(col)].code,
                    "value": answer.get("value"),
                    "membership": membership_id,
                    "text": answer["comment"],
                }
            )


def _rating_comments(data: PanelInput, membership_id, subject_id, answers, by_id, grades) -> None:
    for leaf, answer in answers.items():
        if answer.get("comment") and int(leaf) in by_id:
            data.comments["ratings"].append(
                {
                    "subject": subject_id,
                    "leaf": by_id[int(leaf)].code,
                    "grade": grades.get(answer.get("grade")),
                    "membership": membership_id,
                    "text": answer["comment"],
                }
            )


def _order_comments(data: PanelInput, tree) -> None:
    """Hierarchy order (parent, then pair or leaf), subjects as listed, then by expert."""
    position = {indicator.code: n for n, (indicator, _depth) in enumerate(tree)}
    subject_position = {subject["id"]: n for n, subject in enumerate(data.subjects)}
    subject_names = {subject["id"]: subject["name"] for subject in data.subjects}
    for comment in data.comments["ratings"]:
        comment["subject_name"] = subject_names.get(comment["subject"], "")
    data.comments["pairwise"].sort(
        key=lambda c: (
            position[c["parent"]],
            position[c["row"]],
            position[c["col"]],
            c["membership"],
        )
    )
    data.comments["ratings"].sort(
        key=lambda c: (subject_position.get(c["subject"], 0), position[c["leaf"]], c["membership"])
    )


def _settings(evaluation: Evaluation) -> dict:
    return {
        "weighting_method": evaluation.weighting_method,
        "ri_table": evaluation.ri_table,
        "cr_threshold": evaluation.cr_threshold,
        "cr_threshold_rule": evaluation.cr_threshold_rule,
        "cr_policy": evaluation.cr_policy,
        "aggregation": evaluation.aggregation,
        "aip_mean": evaluation.aip_mean,
        "ballot_inclusion": evaluation.ballot_inclusion,
        "operator": evaluation.operator,
    }


def _children_ids(tree) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for indicator, _depth in tree:
        if indicator.parent_id:
            children.setdefault(indicator.parent_id, []).append(indicator.pk)
    return children


# --- computing --------------------------------------------------------------------------


def results_compute(data: PanelInput) -> dict:
    """The snapshot data (layout in the module docstring) from plain panel input."""
    settings = data.settings
    root = _tree(data.indicators)
    missing: list[str] = []
    by_parent: dict[str, list[dict]] = {}
    for ballot in data.pairwise:
        by_parent.setdefault(ballot["parent_code"], []).append(ballot)
    matrices = [
        _matrix_result(node, by_parent.get(node.code, []), data, missing)
        for node in root.walk()
        if len(node.children) >= 2
    ]
    local = _local_weights(root, matrices)
    global_weights = _global_weights(root, local)
    result = {
        "settings": settings,
        "grades": [{"name": g["name"], "score": g["score"]} for g in data.grades],
        # Each expert's weight as used, so the page can say when a weight changed since.
        "expert_weights": {str(m): e["weight"] for m, e in data.experts.items()},
        "indicators": _indicator_rows(data.indicators, local, global_weights),
        "matrices": matrices,
        "consensus": _overall_consensus(matrices, global_weights),
        "warnings": [
            {"parent": m["parent"], "cr": m["cr"], "experts": m["inconsistent_experts"]}
            for m in matrices
            if m["cr"] is not None and m["cr"] >= settings_cr_limit(settings, len(m["children"]))
        ],
        "subjects": [],
        "ranking": [],
    }
    if global_weights is not None:
        result["subjects"] = [
            _subject_result(subject, root, local, global_weights, data, missing)
            for subject in data.subjects
        ]
        scored = [s for s in result["subjects"] if s["score"] is not None]
        scored.sort(key=lambda s: -s["score"])
        for rank, subject in enumerate(scored, start=1):
            subject["rank"] = rank
        result["ranking"] = [s["id"] for s in scored]
    result["robustness"] = result_flip_points(
        root,
        local,
        global_weights,
        {s["id"]: s["membership"] for s in result["subjects"] if s["score"] is not None},
        [g["score"] for g in data.grades],
        settings["operator"],
    )
    result["complete"] = not missing
    result["missing"] = missing
    result["comments"] = _named_comments(data)
    return result


def _named_comments(data: PanelInput) -> dict:
    def named(comment: dict) -> dict:
        expert = data.experts.get(comment["membership"], {})
        return {**comment, "name": expert.get("name", "")}

    return {kind: [named(c) for c in comments] for kind, comments in data.comments.items()}


def _tree(indicators: list[dict]) -> Node:
    children: dict[str | None, list[str]] = {}
    for row in indicators:
        children.setdefault(row["parent_code"], []).append(row["code"])

    def build(code: str) -> Node:
        return Node(code, tuple(build(child) for child in children.get(code, [])))

    return build(children[None][0])


def _matrix_result(node: Node, ballots: list[dict], data: PanelInput, missing: list[str]) -> dict:
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
    }
    if not ballots:
        missing.append(f"no submitted judgments for {node.code}")
        return result
    stack = np.array([b["matrix"] for b in ballots])
    own = ahp.priorities(stack, method=method, ri=ri, threshold=threshold)
    keep = np.ones(len(ballots), dtype=bool)
    if settings["ballot_inclusion"] == Evaluation.BallotInclusion.CONSISTENT:
        keep = own.cr < threshold
    result["per_expert"] = [
        {
            "membership": b["membership"],
            "name": data.experts[b["membership"]]["name"],
            "weight": data.experts[b["membership"]]["weight"],
            "weights": own.weights[k].tolist(),
            "lambda_max": float(own.lambda_max[k]),
            "ci": float(own.ci[k]),
            "cr": float(own.cr[k]),
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
    expert_weights = [data.experts[b["membership"]]["weight"] for b in ballots]
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
        lambda_max=float(group.lambda_max),
        ci=float(group.ci),
        ri=float(group.ri),
        cr=float(group.cr),
        consistent=bool(group.consistent),
        matrix=group.matrix.tolist(),
    )
    if keep.sum() >= 2:
        # S* is defined on the experts' own eigenvector priorities (Goepel 2018).
        eigen = ahp.priorities(stack[keep], method="eigenvector", ri=ri).weights
        value = consensus.s_star(eigen)
        result.update(consensus=value, consensus_word=consensus.describe(value))
    return result


def _local_weights(root: Node, matrices: list[dict]) -> dict[str, list[float] | None]:
    by_parent = {m["parent"]: m["weights"] for m in matrices}
    local: dict[str, list[float] | None] = {}
    for node in root.walk():
        if len(node.children) == 1:
            local[node.code] = [1.0]
        elif len(node.children) >= 2:
            local[node.code] = by_parent[node.code]
    return local


def _global_weights(root: Node, local: dict) -> dict[str, float] | None:
    if any(weights is None for weights in local.values()):
        return None
    return hierarchy.global_weights(local, root)


def _indicator_rows(indicators: list[dict], local: dict, global_weights: dict | None) -> list:
    position: dict[str, tuple[str, int]] = {}
    children: dict[str | None, list[str]] = {}
    for row in indicators:
        children.setdefault(row["parent_code"], []).append(row["code"])
    for parent, codes in children.items():
        for index, code in enumerate(codes):
            position[code] = (parent, index)
    leaves = [row["code"] for row in indicators if row["code"] not in children]
    leaf_rank = {}
    if global_weights is not None:
        ordered = sorted(leaves, key=lambda code: -global_weights[code])
        leaf_rank = {code: rank for rank, code in enumerate(ordered, start=1)}
    rows = []
    for row in indicators:
        parent, index = position.get(row["code"], (None, 0))
        weights = local.get(parent) if parent else [1.0]
        rows.append(
            {
                "code": row["code"],
                "name": row["name"],
                "parent": parent,
                "depth": row["depth"],
                "is_leaf": row["code"] not in children,
                "local_weight": weights[index] if weights else None,
                "global_weight": global_weights[row["code"]] if global_weights else None,
                "rank": leaf_rank.get(row["code"]),
            }
        )
    return rows


def _overall_consensus(matrices: list[dict], global_weights: dict | None) -> dict | None:
    rated = [m for m in matrices if m["consensus"] is not None]
    if not rated or global_weights is None:
        return None
    value = consensus.overall(
        [m["consensus"] for m in rated], [global_weights[m["parent"]] for m in rated]
    )
    return {"value": value, "word": consensus.describe(value)}


def _subject_result(subject, root, local, global_weights, data, missing) -> dict:
    grade_scores = np.array([g["score"] for g in data.grades])
    leaves = [node.code for node in root.leaves()]
    counts = _vote_counts(subject["id"], leaves, len(data.grades), data)
    result = {
        "id": subject["id"],
        "name": subject["name"],
        "counts": {code: counts[code].tolist() for code in leaves},
        "membership": {},
        "first_level": [],
        "vector": None,
        "grade": None,
        "score": None,
        "by_operator": {},
        "weak_points": [],
        "rank": None,
    }
    unrated = [code for code in leaves if counts[code].sum() == 0]
    if unrated:
        missing.append(f"no ratings of {', '.join(unrated)} for {subject['name']}")
        return result
    rows = {code: fuzzy.membership(counts[code][None])[0] for code in leaves}
    result["membership"] = {code: row.tolist() for code, row in rows.items()}
    for operator in OPERATORS:
        vectors = fuzzy.evaluate_tree(root, local, rows, operator=operator)
        result["by_operator"][operator] = _graded(vectors[root.code], grade_scores)
    chosen = fuzzy.evaluate_tree(root, local, rows, operator=data.settings["operator"])
    result.update(_graded(chosen[root.code], grade_scores))
    names = {row["code"]: row["name"] for row in data.indicators}
    result["first_level"] = [
        {"code": child.code, "name": names[child.code], **_graded(chosen[child.code], grade_scores)}
        for child in root.children
    ]
    result["weak_points"] = _weak_points(rows, grade_scores, global_weights, data.indicators)
    return result


def _vote_counts(subject_id, leaves, grade_count, data: PanelInput) -> dict[str, np.ndarray]:
    """V_ijh: per leaf, the experts (weighted by expert weight) who chose each grade."""
    counts = {code: np.zeros(grade_count) for code in leaves}
    for ballot in data.ratings:
        if ballot["subject"] != subject_id:
            continue
        weight = data.experts[ballot["membership"]]["weight"]
        for code, grade_index in ballot["grades"].items():
            if code in counts:
                counts[code][grade_index] += weight
    return counts


def _graded(vector: np.ndarray, grade_scores: np.ndarray) -> dict:
    total = vector.sum()
    normalised = vector / total if total > 0 else vector
    return {
        "vector": normalised.tolist(),
        "grade": int(fuzzy.grade(normalised)),
        "score": float(fuzzy.score(normalised, grade_scores)),
    }


def _weak_points(rows, grade_scores, global_weights, indicators) -> list[dict]:
    shortfalls = {code: float(fuzzy.shortfall(row, grade_scores)) for code, row in rows.items()}
    by_code = {row["code"]: row for row in indicators}
    return [
        {
            "code": code,
            "name": by_code[code]["name"],
            "global_weight": global_weights[code],
            "score": float(rows[code] @ grade_scores),
            "shortfall": shortfalls[code],
            "priority": impact,
            "recommendation": by_code[code]["recommendation"],
        }
        for code, impact in fuzzy.weak_points(global_weights, shortfalls)
    ]


# --- writing ----------------------------------------------------------------------------


def results_recompute(*, evaluation_id: int) -> ResultSnapshot | None:
    """Compute from committed ballots and write a snapshot if it is newer than the latest.

    Safe to run twice, late or in parallel: the version read first is a lower bound of what
    the ballots read after it contain, and a snapshot is written only for a version above the
    latest one (checked under a row lock, and guarded by a unique constraint).
    """
    evaluation = Evaluation.objects.get(pk=evaluation_id)
    version = evaluation.input_version
    if _latest_version(evaluation_id) >= version and version > 0:
        return None
    started = time.perf_counter()
    data = panel_input(evaluation=evaluation)
    results = results_compute(data)
    return snapshot_write(
        evaluation_id=evaluation_id,
        version=version,
        data=results,
        pairwise=len(data.pairwise),
        ratings=len(data.ratings),
        compute_seconds=time.perf_counter() - started,
    )


def _latest_version(evaluation_id: int) -> int:
    latest = (
        ResultSnapshot.objects.filter(evaluation_id=evaluation_id)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return -1 if latest is None else latest


def _prune(evaluation_id: int) -> None:
    """Keep the newest RESULT_SNAPSHOTS_KEPT snapshots of the evaluation."""
    older = (
        ResultSnapshot.objects.filter(evaluation_id=evaluation_id)
        .order_by("-version")
        .values_list("pk", flat=True)[django_settings.RESULT_SNAPSHOTS_KEPT :]
    )
    ResultSnapshot.objects.filter(pk__in=list(older)).delete()


def snapshot_write(
    *,
    evaluation_id: int,
    version: int,
    data: dict,
    pairwise: int,
    ratings: int,
    compute_seconds: float | None = None,
) -> ResultSnapshot | None:
    try:
        with transaction.atomic():
            # Serialise writers of one evaluation: check and insert under the row lock.
            Evaluation.objects.select_for_update().filter(pk=evaluation_id).first()
            if _latest_version(evaluation_id) >= version:
                return None
            snapshot = ResultSnapshot.objects.create(
                evaluation_id=evaluation_id,
                version=version,
                data=data,
                pairwise_ballots=pairwise,
                rating_ballots=ratings,
                compute_seconds=compute_seconds,
            )
            _prune(evaluation_id)
            return snapshot
    except IntegrityError:
        return None  # another worker wrote this version first
