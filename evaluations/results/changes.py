"""What changed since a snapshot: the inputs it was computed with against the current ones.

A change of a setting, a grade, an expert weight or the structure marks the results stale in
its own transaction (DESIGN §3); until the worker has written the next snapshot, the page and
the API show the previous numbers and name, with this, what they were computed with.
"""

from django.utils.translation import gettext as _

from experts.criterion_weights import effective_criterion_weights, first_level_criteria

from ..models import Evaluation, ResultSnapshot

# The snapshot's "settings" keys, with the label and the choices that word each value.
SETTINGS = (
    ("weighting_method", Evaluation.WeightingMethod),
    ("ri_table", Evaluation.RITable),
    ("cr_threshold", None),
    ("cr_threshold_rule", Evaluation.CRThresholdRule),
    ("cr_policy", Evaluation.CRPolicy),
    ("aggregation", Evaluation.Aggregation),
    ("aip_mean", Evaluation.AIPMean),
    ("ballot_inclusion", Evaluation.BallotInclusion),
    ("operator", Evaluation.Operator),
    ("allow_dont_know", None),
    ("min_ratings_per_leaf", None),
    ("allow_skipped_comparisons", None),
    ("judgment_scale", Evaluation.JudgmentScale),
)


def results_changes(
    *, evaluation: Evaluation, snapshot: ResultSnapshot | None, named: bool = True
) -> list[dict]:
    """Each input that differs: {field, label, was, now} in the reader's language.

    `named`: whether experts may be named (the coordinator) or only counted (experts reading
    shared results).
    """
    if snapshot is None or snapshot.version >= evaluation.input_version:
        return []  # every change bumps the input version: none since this snapshot
    data = snapshot.data
    changes = _setting_changes(evaluation, data.get("settings", {}))
    changes += _grade_changes(evaluation, data.get("grades"))
    changes += _weight_changes(evaluation, data.get("expert_weights"), named)
    if "expert_criterion_weights" in data:  # a snapshot older than them has none to compare
        changes += _criterion_weight_changes(
            evaluation, data.get("expert_weights") or {}, data["expert_criterion_weights"], named
        )
    changes += _structure_changes(evaluation, data)
    return changes


def _setting_changes(evaluation: Evaluation, used: dict) -> list[dict]:
    changes = []
    for field, choices in SETTINGS:
        if field not in used:
            continue  # a snapshot older than the setting
        was, now = used[field], getattr(evaluation, field)
        if was == now:
            continue
        changes.append(
            {
                "field": field,
                "label": str(Evaluation._meta.get_field(field).verbose_name),
                "was": _word(choices, was),
                "now": _word(choices, now),
            }
        )
    return changes


def _word(choices, value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if choices is None:
        return f"{value:g}" if isinstance(value, float) else str(value)
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _grades_text(grades: list[tuple[str, float]]) -> str:
    return ", ".join(f"{name} {score:g}" for name, score in grades)


def _grade_changes(evaluation: Evaluation, used: list[dict] | None) -> list[dict]:
    if used is None:
        return []
    was = [(grade["name"], grade["score"]) for grade in used]
    now = [(grade.name, grade.score) for grade in evaluation.grades.all()]
    if was == now:
        return []
    return [
        {
            "field": "grades",
            "label": _("Grade set"),
            "was": _grades_text(was),
            "now": _grades_text(now),
        }
    ]


def _weight_changes(evaluation: Evaluation, used: dict | None, named: bool) -> list[dict]:
    if not used:
        return []
    changes = []
    memberships = evaluation.memberships.filter(pk__in=[int(pk) for pk in used])
    for membership in memberships.order_by("pk"):
        was, now = used[str(membership.pk)], membership.weight
        if was == now:
            continue
        label = _("Expert weight of {name}").format(name=membership.display_name)
        if not named:
            label = _("An expert's weight")
        changes.append(
            {"field": "expert_weight", "label": label, "was": f"{was:g}", "now": f"{now:g}"}
        )
    return changes


def _criterion_weight_changes(
    evaluation: Evaluation, overall: dict, used: dict, named: bool
) -> list[dict]:
    """Experts whose weights per criterion differ from those the snapshot used."""
    criteria = first_level_criteria(evaluation)
    changes = []
    memberships = evaluation.memberships.filter(pk__in=[int(pk) for pk in overall])
    for membership in memberships.order_by("pk"):
        was = used.get(str(membership.pk), {})
        now = effective_criterion_weights(membership, criteria)
        if was == now:
            continue
        label = _("Weights per criterion of {name}").format(name=membership.display_name)
        if not named:
            label = _("An expert's weights per criterion")
        changes.append(
            {
                "field": "expert_criterion_weights",
                "label": label,
                "was": _criteria_text(was),
                "now": _criteria_text(now),
            }
        )
    return changes


def _criteria_text(weights: dict) -> str:
    if not weights:
        return _("the overall weight")
    return ", ".join(f"{code} {weight:g}" for code, weight in weights.items())


def _structure_changes(evaluation: Evaluation, data: dict) -> list[dict]:
    changes = []
    used = {row["code"]: row["name"] for row in data.get("indicators", [])}
    current = dict(evaluation.indicators.values_list("code", "name"))
    if used and used != current:
        parts = []
        for word, codes in (
            (_("added"), sorted(current.keys() - used.keys())),
            (_("removed"), sorted(used.keys() - current.keys())),
            (
                _("renamed"),
                sorted(c for c in used.keys() & current.keys() if used[c] != current[c]),
            ),
        ):
            if codes:
                parts.append(f"{word}: {', '.join(codes)}")
        changes.append(
            {
                "field": "hierarchy",
                "label": _("Indicator hierarchy"),
                "was": _("{count} indicators").format(count=len(used)),
                "now": _("{count} indicators ({changes})").format(
                    count=len(current), changes="; ".join(parts)
                ),
            }
        )
    used_subjects = [subject["name"] for subject in data.get("subjects", [])]
    subjects = list(evaluation.subjects.values_list("name", flat=True))
    if used_subjects and used_subjects != subjects:
        changes.append(
            {
                "field": "subjects",
                "label": _("Subjects"),
                "was": ", ".join(used_subjects),
                "now": ", ".join(subjects),
            }
        )
    return changes
