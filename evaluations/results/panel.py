"""Read an evaluation's panel input: its settings, hierarchy, grades, subjects, experts and
every included expert's submitted ballots, in a few queries (layout: PanelInput)."""

from dataclasses import dataclass, field

from experts.models import Invitation
from surveys.consistency import upper_values
from surveys.models import PairwiseBallot, RatingBallot

from ..engine import ahp
from ..models import Evaluation, Indicator, LeafInput
from ..selectors import depth_first

# A revoked expert's ballots leave the results, unless the coordinator kept them.
REVOKED = Invitation.Status.REVOKED
LEFT_OUT = {"invitation__status": REVOKED, "answers_kept_after_revocation": False}


@dataclass
class PanelInput:
    """Everything the computation needs, read from the database in a few queries."""

    settings: dict
    # depth-first: {id, code, name, parent_code, recommendation, depth, given_weights (the
    # children's, in their order, or None: compared pairwise), given_weights_source}
    indicators: list[dict]
    grades: list[dict]  # {id, name, score}, best first
    subjects: list[dict]  # {id, name}
    # membership id → {name, weight, criterion_weights {first-level code: weight}}
    experts: dict[int, dict]
    pairwise: list[dict] = field(default_factory=list)  # {membership, parent_code, matrix, cr}
    # {membership, subject, grades: {leaf code: grade index}, dont_know: [leaf codes]}
    ratings: list[dict] = field(default_factory=list)
    # The comments that came with the submitted answers (layout: module docstring, less names).
    comments: dict = field(default_factory=lambda: {"pairwise": [], "ratings": []})
    # Leaves whose membership is not voted (issue 15 §2): code → {source, better, thresholds,
    # shape, unit, inputs: {subject id or None (all subjects): {row, value}}}.
    direct: dict[str, dict] = field(default_factory=dict)
    # Per given node's code, the submitted pairwise ballots kept but left out while its
    # weights are given (evaluations/given_weights).
    ignored_pairwise: dict[str, int] = field(default_factory=dict)
    # indicator code → the code of the first-level criterion above it (itself for a criterion,
    # None for the root): whose expert weight a matrix or a rating of it takes.
    criterion_of: dict[str, str | None] = field(default_factory=dict)


def expert_weight(data: PanelInput, membership: int, code: str) -> float:
    """The expert's weight for the matrix of parent `code`, or a rating of leaf `code`: their
    weight for the criterion above it if they have one, else their overall weight."""
    expert = data.experts[membership]
    criterion = data.criterion_of.get(code)
    return expert.get("criterion_weights", {}).get(criterion, expert["weight"])


@dataclass
class Layout:
    """How the ballots' ids map onto the panel input: the hierarchy depth-first, indicators by
    id, children ids by parent id, grade positions by grade id, the ids of given nodes."""

    tree: list
    by_id: dict
    children: dict[int, list[int]]
    grade_index: dict[int, int]
    given: set[int]


def panel_context(*, evaluation: Evaluation) -> tuple[PanelInput, Layout]:
    """The panel input without the ballots (settings, hierarchy, grades, subjects, experts,
    given and measured leaves), and the layout to read ballots into it."""
    tree = depth_first(evaluation.indicators.all())
    by_id = {indicator.pk: indicator for indicator, _depth in tree}
    children = _children_ids(tree)
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
                **_given(indicator, children.get(indicator.pk, [])),
            }
            for indicator, depth in tree
        ],
        grades=[{"id": g.pk, "name": g.name, "score": g.score} for g in grades],
        subjects=[{"id": s.pk, "name": s.name} for s in evaluation.subjects.all()],
        experts={
            m.pk: {
                "name": m.display_name,
                "weight": m.weight,
                "criterion_weights": _criterion_weights(m.criterion_weights, tree),
            }
            for m in evaluation.memberships.exclude(**LEFT_OUT)
        },
        criterion_of=_criterion_of(tree),
    )
    data.direct = _direct_leaves(evaluation, tree, children)
    given = {row["id"] for row in data.indicators if row["given_weights"] is not None}
    return data, Layout(tree, by_id, children, grade_index, given)


def panel_input(*, evaluation: Evaluation) -> PanelInput:
    """The panel input with every counted ballot (the full recompute's read)."""
    data, layout = panel_context(evaluation=evaluation)
    tree, by_id, children = layout.tree, layout.by_id, layout.children
    grade_index, given = layout.grade_index, layout.given
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
        if parent_id in given:
            code = by_id[parent_id].code
            data.ignored_pairwise[code] = data.ignored_pairwise.get(code, 0) + 1
            continue
        pairwise_comments(data, membership_id, parent_id, judgments, by_id)
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
        rating_comments(data, membership_id, subject_id, answers, by_id, grade_index)
        chosen, unsure = rating_votes(answers, layout)
        data.ratings.append(
            {
                "membership": membership_id,
                "subject": subject_id,
                # Votes for a leaf given or measured stay stored but do not count while it is.
                "grades": {code: g for code, g in chosen.items() if code not in data.direct},
                "dont_know": unsure,
            }
        )
    order_comments(data, tree)
    return data


def rating_votes(answers: dict, layout: Layout) -> tuple[dict[str, int], list[str]]:
    """A rating ballot's grade index per leaf code, and the leaves it answered "don't know"
    (evaluations/dont_know.py: no vote, but counted beside the leaf's row)."""
    by_id, grade_index = layout.by_id, layout.grade_index
    chosen = {
        by_id[int(leaf)].code: grade_index[answer["grade"]]
        for leaf, answer in answers.items()
        if int(leaf) in by_id and answer.get("grade") in grade_index
    }
    unsure = [
        by_id[int(leaf)].code
        for leaf, answer in answers.items()
        if int(leaf) in by_id and answer.get("dont_know") is True
    ]
    return chosen, unsure


def pairwise_comments(data: PanelInput, membership_id, parent_id, judgments, by_id) -> None:
    for key, answer in judgments.items():
        row, _dash, col = key.partition("-")
        if answer.get("comment") and int(row) in by_id and int(col) in by_id:
            comment = {
                "parent": by_id[parent_id].code,
                "row": by_id[int(row)].code,
                "col": by_id[int(col)].code,
                "value": answer.get("value"),
                "membership": membership_id,
                "text": answer["comment"],
            }
            if answer.get("skipped") is True:  # only then: older snapshots stay as they were
                comment["skipped"] = True
            data.comments["pairwise"].append(comment)


def rating_comments(data: PanelInput, membership_id, subject_id, answers, by_id, grades) -> None:
    for leaf, answer in answers.items():
        if answer.get("comment") and int(leaf) in by_id:
            data.comments["ratings"].append(
                {
                    "subject": subject_id,
                    "leaf": by_id[int(leaf)].code,
                    "grade": grades.get(answer.get("grade")),
                    "membership": membership_id,
                    "text": answer["comment"],
                    # Only on a don't-know's comment, so other snapshots keep their shape.
                    **({"dont_know": True} if answer.get("dont_know") is True else {}),
                }
            )


def _direct_leaves(evaluation: Evaluation, tree, children: dict) -> dict[str, dict]:
    leaves = [
        indicator
        for indicator, _depth in tree
        if indicator.pk not in children
        and indicator.membership_source != Indicator.MembershipSource.VOTES
    ]
    direct = {
        leaf.code: {
            "source": leaf.membership_source,
            "better": leaf.better,
            "thresholds": leaf.thresholds,
            "shape": leaf.threshold_shape,
            "unit": leaf.unit,
            "inputs": {},
        }
        for leaf in leaves
    }
    if direct:
        codes = {leaf.pk: leaf.code for leaf in leaves}
        rows = LeafInput.objects.filter(indicator__evaluation=evaluation, indicator__in=leaves)
        for indicator_id, subject_id, row, value in rows.values_list(
            "indicator_id", "subject_id", "row", "value"
        ):
            direct[codes[indicator_id]]["inputs"][subject_id] = {"row": row, "value": value}
    return direct


def order_comments(data: PanelInput, tree) -> None:
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
        "allow_dont_know": evaluation.allow_dont_know,
        "min_ratings_per_leaf": evaluation.min_ratings_per_leaf,
        "allow_skipped_comparisons": evaluation.allow_skipped_comparisons,
        "judgment_scale": evaluation.judgment_scale,
    }


def _given(indicator, children: list[int]) -> dict:
    """The node's given weights in its children's order (None: compared pairwise). Weights
    that no longer name exactly its children are not used: the structure services clear
    them, this only guards against a row edited by other means."""
    weights = indicator.given_weights
    usable = (
        isinstance(weights, dict)
        and len(children) >= 2
        and set(weights) == {str(pk) for pk in children}
    )
    return {
        "given_weights": [float(weights[str(pk)]) for pk in children] if usable else None,
        "given_weights_source": indicator.given_weights_source if usable else "",
    }


def _criterion_of(tree) -> dict[str, str | None]:
    by_id = {indicator.pk: indicator for indicator, _depth in tree}
    above: dict[str, str | None] = {}
    for indicator, _depth in tree:  # depth-first: a parent comes before its children
        parent = by_id.get(indicator.parent_id)
        if parent is None:
            above[indicator.code] = None
        elif parent.parent_id is None:
            above[indicator.code] = indicator.code
        else:
            above[indicator.code] = above[parent.code]
    return above


def _criterion_weights(stored: dict | None, tree) -> dict[str, float]:
    """{code: weight} of the stored weights whose id is still a first-level criterion, in the
    hierarchy's order (experts.criterion_weights writes them)."""
    stored = stored or {}
    return {
        indicator.code: float(stored[str(indicator.pk)])
        for indicator, depth in tree
        if depth == 1 and str(indicator.pk) in stored
    }


def _children_ids(tree) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for indicator, _depth in tree:
        if indicator.parent_id:
            children.setdefault(indicator.parent_id, []).append(indicator.pk)
    return children
