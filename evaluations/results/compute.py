"""The snapshot data from plain panel input (layout: evaluations/services/results.py):
matrices, local and global weights, every subject's fuzzy evaluation, flip points."""

import numpy as np

from ..dont_know import DEFAULT_MIN_RATINGS
from ..engine import consensus, fuzzy, hierarchy
from ..engine.hierarchy import Node
from ..robustness.flips import result_flip_points
from ..services.limits import settings_cr_limit
from .direct import direct_rows
from .matrices import given_matrix_result, matrix_result
from .panel import PanelInput, expert_weight

OPERATORS = ("product_sum", "min_max", "product_max", "min_bounded_sum")


class BallotStack:
    """The full recompute's source of matrices and votes: every counted ballot, read into
    `data` (panel.panel_input). evaluations/results/running has the same two methods from
    running sums."""

    def __init__(self, data: PanelInput):
        self.data = data
        self.by_parent: dict[str, list[dict]] = {}
        for ballot in data.pairwise:
            self.by_parent.setdefault(ballot["parent_code"], []).append(ballot)

    def matrix(self, node: Node, missing: list[str]) -> dict:
        return matrix_result(node, self.by_parent.get(node.code, []), self.data, missing)

    def tallies(self, subject_id: int, leaves: list[str], grade_count: int) -> tuple:
        """Per leaf: the weighted votes per grade, the experts who rated, who did not know."""
        counts = _vote_counts(subject_id, leaves, grade_count, self.data)
        return (counts, *_experts_per_leaf(subject_id, leaves, self.data))


def results_compute(data: PanelInput, source=None) -> dict:
    """The snapshot data (layout in the module docstring) from plain panel input, and the
    matrices and votes from `source` (BallotStack of data's ballots by default)."""
    settings = data.settings
    source = source or BallotStack(data)
    root = _tree(data.indicators)
    missing: list[str] = []
    given = {row["code"]: row for row in data.indicators if row.get("given_weights")}
    matrices = [
        given_matrix_result(
            node,
            given[node.code]["given_weights"],
            given[node.code]["given_weights_source"],
            data.ignored_pairwise.get(node.code, 0),
        )
        if node.code in given
        else source.matrix(node, missing)
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
        # And the weights per first-level criterion that replaced it in that criterion's
        # subtree: {membership id: {criterion code: weight}}, experts with any only.
        "expert_criterion_weights": {
            str(m): e["criterion_weights"]
            for m, e in data.experts.items()
            if e.get("criterion_weights")
        },
        "indicators": _indicator_rows(data.indicators, local, global_weights),
        "matrices": matrices,
        "consensus": _overall_consensus(matrices, global_weights),
        "warnings": [
            {"parent": m["parent"], "cr": m["cr"], "experts": m["inconsistent_experts"]}
            for m in matrices
            if m["cr"] is not None and m["cr"] >= settings_cr_limit(settings, len(m["children"]))
        ],
        # Chang's zero-weight defect, per matrix: the children its group weights put at 0.
        "zero_weight_warnings": [
            {"parent": m["parent"], "children": m["zero_weights"]}
            for m in matrices
            if m["zero_weights"]
        ],
        "subjects": [],
        "ranking": [],
    }
    if global_weights is not None:
        result["subjects"] = [
            _subject_result(subject, root, local, global_weights, data, missing, source)
            for subject in data.subjects
        ]
        scored = [s for s in result["subjects"] if s["score"] is not None]
        scored.sort(key=lambda s: -s["score"])
        for rank, subject in enumerate(scored, start=1):
            subject["rank"] = rank
        result["ranking"] = [s["id"] for s in scored]
    result["few_ratings"] = _few_ratings(result["subjects"], settings)
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


def _subject_result(subject, root, local, global_weights, data, missing, source) -> dict:
    grade_scores = np.array([g["score"] for g in data.grades])
    leaves = [node.code for node in root.leaves()]
    counts, rated, unsure = source.tallies(subject["id"], leaves, len(data.grades))
    direct = direct_rows(subject, data)
    result = {
        "id": subject["id"],
        "name": subject["name"],
        "counts": {code: counts[code].tolist() for code in leaves},
        # Leaves whose row is given or measured, not voted (their counts stay 0).
        "membership_source": direct.sources,
        "measured": direct.values,
        "units": direct.units,
        # Experts (not weights) who rated each leaf, and who answered "don't know" instead.
        "rated": rated,
        "dont_know": unsure,
        "membership": {},
        "first_level": [],
        "vector": None,
        "grade": None,
        "score": None,
        "by_operator": {},
        "weak_points": [],
        "rank": None,
    }
    unrated = [code for code in leaves if code not in direct.sources and counts[code].sum() == 0]
    if unrated:
        missing.append(f"no ratings of {', '.join(unrated)} for {subject['name']}")
    missing.extend(direct.missing)
    if unrated or direct.missing:
        return result
    rows = {
        code: direct.rows[code]
        if code in direct.sources
        else fuzzy.membership(counts[code][None])[0]
        for code in leaves
    }
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
    """V_ijh: per leaf, the experts (weighted by expert weight: their weight for the leaf's
    first-level criterion if they have one) who chose each grade."""
    counts = {code: np.zeros(grade_count) for code in leaves}
    for ballot in data.ratings:
        if ballot["subject"] != subject_id:
            continue
        for code, grade_index in ballot["grades"].items():
            if code in counts:
                counts[code][grade_index] += expert_weight(data, ballot["membership"], code)
    return counts


def _experts_per_leaf(subject_id, leaves, data: PanelInput) -> tuple[dict, dict]:
    """Per leaf, how many experts gave a grade and how many said "don't know" (no vote: V
    counts only those who rated, DESIGN §2.6)."""
    rated = dict.fromkeys(leaves, 0)
    unsure = dict.fromkeys(leaves, 0)
    for ballot in data.ratings:
        if ballot["subject"] != subject_id:
            continue
        for code in ballot["grades"]:
            if code in rated:
                rated[code] += 1
        for code in ballot.get("dont_know", ()):
            if code in unsure:
                unsure[code] += 1
    return rated, unsure


def _few_ratings(subjects: list[dict], settings: dict) -> list[dict]:
    """Leaves of a subject rated, but by fewer experts than the evaluation's minimum: their
    membership rows rest on few votes. A notice only; the numbers stay. A leaf nobody rated
    is not listed here: it leaves the subject unevaluated (`missing`)."""
    minimum = settings.get("min_ratings_per_leaf", DEFAULT_MIN_RATINGS)
    return [
        {
            "subject": subject["id"],
            "subject_name": subject["name"],
            "leaf": code,
            "rated": rated,
            "dont_know": subject["dont_know"][code],
            "minimum": minimum,
        }
        for subject in subjects
        for code, rated in subject["rated"].items()
        if 0 < rated < minimum
    ]


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
