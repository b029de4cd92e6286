"""Reads of result snapshots: who may see them, which one, and a page-ready shape of its data.

Pages never compute results (the worker does, DESIGN §3); `results_report` only regroups the
snapshot's numbers (membership rows under their first-level indicator, grade indices to grade
names, words translated) so templates stay free of logic and the HTML pages and the exports
read the same structure.
"""

import copy
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from experts.models import Invitation

from .engine import ahp
from .models import Evaluation, ResultSnapshot
from .results.changes import results_changes
from .results.comments import comments_labelled, comments_report
from .results.criteria import criterion_weights_report
from .results.experts import with_experts
from .results.notices import dont_know_shown, few_ratings, missing_in_words
from .services.limits import CR_RULE_BY_SIZE, settings_cr_limit

WEAK_POINTS_SHOWN = 5

# The engine writes consensus words in English into the snapshot (DESIGN §2.5's word scale).
CONSENSUS_WORDS = {
    "very low": gettext_lazy("very low"),
    "low": gettext_lazy("low"),
    "moderate": gettext_lazy("moderate"),
    "high": gettext_lazy("high"),
    "very high": gettext_lazy("very high"),
}

# --- access -------------------------------------------------------------------------------


def access_results(*, user: AbstractBaseUser, evaluation_id: int) -> Evaluation:
    """The evaluation whose results `user` may read: the owner's, or, when the coordinator has
    made them visible, the panel's experts' (accepted, not revoked). 404 otherwise, so an
    outsider cannot tell a hidden evaluation from a missing one."""
    if not user.is_authenticated:
        raise Http404
    accepted_expert = Q(
        results_visible_to_experts=True,
        memberships__user=user,
        memberships__invitation__status=Invitation.Status.ACCEPTED,
    )
    evaluation = (
        Evaluation.objects.filter(Q(owner=user) | accepted_expert, pk=evaluation_id)
        .distinct()
        .first()
    )
    if evaluation is None:
        raise Http404
    return evaluation


def snapshot_latest(*, evaluation: Evaluation) -> ResultSnapshot | None:
    return evaluation.snapshots.order_by("-version").first()


def snapshot_get(*, evaluation: Evaluation, version: int) -> ResultSnapshot:
    """One snapshot of this evaluation by version; another evaluation's is a 404 too."""
    snapshot = evaluation.snapshots.filter(version=version).first()
    if snapshot is None:
        raise Http404
    return snapshot


def results_status(
    *, evaluation: Evaluation, snapshot: ResultSnapshot | None, named: bool = True
) -> dict:
    """What the page says about the snapshot shown: which one, and whether it is current.

    Stale means ballots or settings changed after the snapshot's input version; the worker is
    (or the periodic sweep will be) computing version `pending`. `changes` names the inputs
    that differ from those the snapshot was computed with (experts by name only when `named`).
    A failure since the snapshot is reported with its error (the page shows it to the
    coordinator only).
    """
    computed_at = snapshot.computed_at if snapshot else None
    failed = bool(evaluation.recompute_error) and (
        computed_at is None
        or (evaluation.recompute_failed_at and evaluation.recompute_failed_at > computed_at)
    )
    return {
        "version": snapshot.version if snapshot else None,
        "computed_at": computed_at,
        "pairwise_ballots": snapshot.pairwise_ballots if snapshot else 0,
        "rating_ballots": snapshot.rating_ballots if snapshot else 0,
        "stale": evaluation.input_version > (snapshot.version if snapshot else 0)
        or (snapshot is None and evaluation.input_version > 0),
        "pending": evaluation.input_version,
        "error": evaluation.recompute_error if failed else "",
        "failed_at": evaluation.recompute_failed_at if failed else None,
        "changes": results_changes(evaluation=evaluation, snapshot=snapshot, named=named),
    }


def results_data_for(
    *, evaluation: Evaluation, snapshot: ResultSnapshot, user, experts_limit: int | None = None
) -> dict:
    """The snapshot data as `user` may see it: the coordinator sees the experts' names; the
    experts, when results are shared with them, see each other only as "Expert 1", "Expert 2"
    (one expert's judgments and consistency are not the others' business). The experts'
    comments are the coordinator's only, named or not as the evaluation says. With
    `experts_limit`, each matrix lists the first that many experts' own figures (a page of a
    large panel); the exports list every one."""
    full = with_experts(snapshot, experts_limit)
    if evaluation.owner_id == user.pk:
        return comments_labelled(full, named=evaluation.comments_named)
    data = copy.deepcopy(full)
    data.pop("comments", None)
    aliases: dict[Any, str] = {}
    for matrix in data.get("matrices", []):
        for expert in matrix["per_expert"]:
            key = expert["membership"]
            aliases.setdefault(key, _("Expert {number}").format(number=len(aliases) + 1))
            names = {expert["name"]: aliases[key]}
            expert["name"] = aliases[key]
            matrix["inconsistent_experts"] = [
                names.get(n, n) for n in matrix["inconsistent_experts"]
            ]
    inconsistent = {m["parent"]: m["inconsistent_experts"] for m in data.get("matrices", [])}
    for warning in data.get("warnings", []):
        warning["experts"] = inconsistent.get(warning["parent"], [])
    return data


# --- page-ready shape ---------------------------------------------------------------------


def results_report(*, data: dict) -> dict:
    """The snapshot data regrouped for the results pages and exports (no new numbers)."""
    names = {row["code"]: row["name"] for row in data["indicators"]}
    grades = data["grades"]
    subjects = [_subject(subject, data, names) for subject in data["subjects"]]
    by_id = {subject["id"]: subject for subject in subjects}
    orders = {matrix["parent"]: len(matrix["children"]) for matrix in data["matrices"]}
    return {
        "grades": grades,
        "settings": _settings(data["settings"]),
        "fuzzy": data["settings"]["weighting_method"] in ahp.FUZZY_METHODS,
        "threshold": _threshold(data["settings"]),
        "indicators": data["indicators"],
        "leaves": [row for row in data["indicators"] if row["is_leaf"]],
        "first_level": [row for row in data["indicators"] if row["depth"] == 1],
        "matrices": [
            _matrix(matrix, names, data["settings"], data.get("per_expert_omitted", False))
            for matrix in data["matrices"]
        ],
        # Parents whose children's weights the coordinator gave (evaluations/given_weights).
        "given_parents": [m["parent"] for m in data["matrices"] if m.get("source") == "given"],
        "consensus": _consensus(data["consensus"]),
        "warnings": [
            {
                **warning,
                "parent_name": names.get(warning["parent"], ""),
                "threshold": _number(
                    settings_cr_limit(data["settings"], orders.get(warning["parent"], 0))
                ),
            }
            for warning in data["warnings"]
        ],
        "subjects": subjects,
        "ranking": [by_id[subject_id] for subject_id in data["ranking"] if subject_id in by_id],
        "complete": data["complete"],
        "missing": [missing_in_words(reason, names) for reason in data["missing"]],
        "few_ratings": few_ratings(data=data, names=names),
        "weighted_votes": votes_weighted(data=data),
        # The rated / don't-know columns, where "don't know" was allowed or given.
        "dont_know_shown": dont_know_shown(data=data),
        "zero_weight_warnings": [
            {
                "parent": warning["parent"],
                "parent_name": names.get(warning["parent"], ""),
                "children": ", ".join(
                    f"{c} {names.get(c, '')}".strip() for c in warning["children"]
                ),
            }
            for warning in data.get("zero_weight_warnings", [])
        ],
        "criterion_weights": criterion_weights_report(data=data, names=names),
        "grade_rank_inversions": grade_rank_inversions(data=data),
        "comments": comments_report(data=data),
    }


def votes_weighted(*, data: dict) -> bool:
    """Whether the vote counts are sums of expert weights rather than numbers of experts:
    then they are "weighted votes", possibly fractional (DESIGN §2.6)."""
    weights = list(data.get("expert_weights", {}).values())
    for by_criterion in data.get("expert_criterion_weights", {}).values():
        weights += list(by_criterion.values())
    return any(abs(float(w) - 1) > 1e-9 for w in weights)


def grade_rank_inversions(*, data: dict) -> list[dict]:
    """Subjects ranked below another yet graded better (grade 0 is the best).

    Not an error: the grade is the one with the largest membership in E (maximum membership
    principle) while the rank follows the score E · s, which weighs every grade. The page says
    so whenever it happens, naming the first such pair.
    """
    by_id = {subject["id"]: subject for subject in data["subjects"]}
    ranked = [by_id[pk] for pk in data["ranking"] if pk in by_id and by_id[pk]["grade"] is not None]
    grades = data["grades"]
    return [
        {
            "higher": higher["name"],
            "higher_grade": grades[higher["grade"]]["name"],
            "lower": lower["name"],
            "lower_grade": grades[lower["grade"]]["name"],
        }
        for position, higher in enumerate(ranked)
        for lower in ranked[position + 1 :]
        if lower["grade"] < higher["grade"]
    ]


def report_subject(*, report: dict, subject_id: int) -> dict | None:
    return next((s for s in report["subjects"] if s["id"] == subject_id), None)


def _settings(settings: dict) -> list[tuple[str, str]]:
    """The method settings the numbers were computed with, as (label, value) in words.

    A snapshot older than the threshold rule and the AIP mean was computed with the fixed
    threshold and the geometric mean, and says so."""
    ev = Evaluation
    rows = [
        (_("Weighting method"), _label(ev.WeightingMethod, settings["weighting_method"])),
        (_("RI table"), _label(ev.RITable, settings["ri_table"])),
        (_("CR threshold"), _threshold(settings)),
        (
            _("CR threshold rule"),
            _label(ev.CRThresholdRule, settings.get("cr_threshold_rule", "fixed")),
        ),
        (_("CR policy"), _label(ev.CRPolicy, settings.get("cr_policy", ""))),
        (_("Aggregation"), _label(ev.Aggregation, settings["aggregation"])),
    ]
    if settings["aggregation"] == ev.Aggregation.AIP:  # AIJ takes no other mean
        rows.append((_("AIP mean"), _label(ev.AIPMean, settings.get("aip_mean", "geometric"))))
    if settings.get("allow_skipped_comparisons"):  # older snapshots: none could be skipped
        rows.append((_("Skipped comparisons"), _("allowed")))
    rows += [
        (_("Ballots included"), _label(ev.BallotInclusion, settings["ballot_inclusion"])),
        (_("Composition operator"), _label(ev.Operator, settings["operator"])),
    ]
    if "allow_dont_know" in settings:  # a snapshot older than "don't know" had none
        allowed = _("yes") if settings["allow_dont_know"] else _("no")
        rows.append((_("Experts may answer “don't know”"), allowed))
        rows.append((_("Minimum ratings per indicator"), str(settings["min_ratings_per_leaf"])))
    if "judgment_scale" in settings:  # a snapshot older than the setting: the verbal scale
        rows.append((_("Judgment scale"), _label(ev.JudgmentScale, settings["judgment_scale"])))
    return rows


def _threshold(settings: dict) -> str:
    """The CR limit in words: the fixed threshold, or the limits by size under that rule."""
    if settings.get("cr_threshold_rule") == CR_RULE_BY_SIZE:
        return _("0.05 for 3 elements, 0.08 for 4, 0.1 for 5 or more")
    return _number(settings["cr_threshold"])


def _number(value: float) -> str:
    return f"{value:g}"


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _consensus(consensus: dict | None) -> dict | None:
    if consensus is None:
        return None
    return {"percent": consensus["value"] * 100, "word": _word(consensus["word"])}


def _word(word: str | None) -> str:
    return str(CONSENSUS_WORDS.get(word, word or ""))


def _matrix(matrix: dict, names: dict, settings: dict, omitted: bool = False) -> dict:
    # Data as stored has no own figures (results.experts adds them; results_data_for reads so).
    experts = matrix.get("per_expert") or []
    children = [{"code": code, "name": names.get(code, "")} for code in matrix["children"]]
    weights = matrix["weights"] or [None] * len(children)
    rows = matrix["matrix"] or []
    return {
        **matrix,
        "parent_name": names.get(matrix["parent"], ""),
        # Snapshots from before given weights existed have no source: all were pairwise.
        "source": matrix.get("source", "pairwise"),
        "given": matrix.get("source") == "given",
        "given_source": matrix.get("given_source", ""),
        "ignored_ballots": matrix.get("ignored_ballots", 0),
        "order": len(children),
        "children_named": children,
        "rows": [
            {**child, "values": rows[x] if rows else [], "weight": weights[x]}
            for x, child in enumerate(children)
        ],
        # A weight of 0 (Chang's method) makes CR infinite (stored as null): not acceptable.
        "over": bool(matrix.get("zero_weights"))
        or (
            matrix["cr"] is not None and matrix["cr"] >= settings_cr_limit(settings, len(children))
        ),
        "threshold": _number(settings_cr_limit(settings, len(children))),
        "consensus_percent": None if matrix["consensus"] is None else matrix["consensus"] * 100,
        "consensus_word": _word(matrix["consensus_word"]) if matrix["consensus_word"] else "",
        "unanswered_text": ", ".join(f"{x} – {y}" for x, y in matrix.get("unanswered", [])),
        # A page lists a small panel's own figures only (results.experts.LISTED_EXPERTS).
        "experts_not_listed": matrix["experts_submitted"] if omitted else 0,
        "per_expert": [
            {
                **expert,
                "over": not expert["consistent"],
                "pairs": list(zip(matrix["children"], expert["weights"], strict=True)),
            }
            for expert in experts
        ],
    }


def _subject(subject: dict, data: dict, names: dict) -> dict:
    grades = data["grades"]
    return {
        "id": subject["id"],
        "name": subject["name"],
        "rank": subject["rank"],
        "score": subject["score"],
        "grade_name": _grade_name(grades, subject["grade"]),
        "vector": _graded_vector(grades, subject["vector"]),
        "groups": _groups(subject, data, names),
        "operators": [
            {
                "key": key,
                "label": _label(Evaluation.Operator, key),
                "chosen": key == data["settings"]["operator"],
                "vector": _graded_vector(grades, result["vector"]),
                "grade_name": _grade_name(grades, result["grade"]),
                "score": result["score"],
            }
            for key, result in subject["by_operator"].items()
        ],
        "weak_points": subject["weak_points"][:WEAK_POINTS_SHOWN],
        # Leaves nobody rated (every expert said "don't know", or none answered yet).
        "unrated": [
            {"code": code, "name": names.get(code, "")}
            for code, counts in subject["counts"].items()
            if not any(counts)
        ],
    }


def _grade_name(grades: list[dict], index: int | None) -> str:
    return "" if index is None else grades[index]["name"]


def _graded_vector(grades: list[dict], vector: list[float] | None) -> list[dict] | None:
    if vector is None:
        return None
    return [{"grade": g["name"], "value": v} for g, v in zip(grades, vector, strict=True)]


def _groups(subject: dict, data: dict, names: dict) -> list[dict]:
    """R_i and G_i per first-level indicator U_i: its leaves (at any depth below it) with
    vote counts beside membership degrees, each leaf weighted within U_i (global / F_i)."""
    rows = {row["code"]: row for row in data["indicators"]}
    first_level = {row["code"]: row for row in data["indicators"] if row["depth"] == 1}
    evaluated = {g["code"]: g for g in subject["first_level"]}
    groups = {
        code: {
            "code": code,
            "name": row["name"],
            "weight": row["global_weight"],
            "vector": _graded_vector(data["grades"], evaluated.get(code, {}).get("vector")),
            "grade_name": _grade_name(data["grades"], evaluated.get(code, {}).get("grade")),
            "score": evaluated.get(code, {}).get("score"),
            "rows": [],
        }
        for code, row in first_level.items()
    }
    for code, counts in subject["counts"].items():
        group = groups.get(_first_level_of(code, rows))
        if group is None:  # a goal without sub-indicators has nothing to group
            continue
        degrees = subject["membership"].get(code) or [None] * len(counts)
        group["rows"].append(
            {
                "code": code,
                "name": names.get(code, ""),
                "source": direct_source_text(subject, code, data["grades"]),
                "source_kind": subject.get("membership_source", {}).get(code, "votes"),
                "measured_value": subject.get("measured", {}).get(code),
                "weight": _ratio(rows[code]["global_weight"], group["weight"]),
                "cells": [
                    {"count": _count(c), "degree": d} for c, d in zip(counts, degrees, strict=True)
                ],
                # Experts who rated the leaf and who said "don't know" (older snapshots: None).
                "rated": subject.get("rated", {}).get(code),
                "dont_know": subject.get("dont_know", {}).get(code),
            }
        )
    return list(groups.values())


def direct_source_text(subject: dict, code: str, grades: list[dict]) -> str:
    """ "measured: 3.2 % → strong" or "given" for a leaf not voted; "" for a voted one.

    Snapshots from before direct membership have no membership_source: every leaf voted."""
    source = subject.get("membership_source", {}).get(code)
    if source is None:
        return ""
    if source == "given":
        return _("given")
    value = subject.get("measured", {}).get(code)
    if value is None:
        return _("measured: no value yet")
    row = subject["membership"].get(code)
    unit = subject.get("units", {}).get(code, "")
    shown = f"{value:g} {unit}".strip()
    if not row:
        return _("measured: %(value)s") % {"value": shown}
    top = max(range(len(row)), key=lambda h: (row[h], -h))
    return _("measured: %(value)s → %(grade)s") % {"value": shown, "grade": grades[top]["name"]}


def _first_level_of(code: str, rows: dict) -> str:
    while rows[code]["depth"] > 1 and rows[code]["parent"]:
        code = rows[code]["parent"]
    return code


def _ratio(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def _count(value: float) -> int | float:
    """Vote counts are whole numbers unless experts carry weights; show 3, not 3.0 (nor
    2.9999999999 from a sum of weights)."""
    value = round(float(value), 4)
    return int(value) if value.is_integer() else value
