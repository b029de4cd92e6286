"""Create, copy, configure, open and close evaluations."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .. import dont_know
from ..models import MAX_CHILDREN, AuditEntry, Evaluation, Grade, Indicator, LeafInput, Subject
from ..robustness import rules as robustness_rules
from ..selectors import depth_first
from ..templates_catalog import localized, template_get
from .audit import audit_record
from .limits import (
    cr_threshold_check,
    deadline_check,
    deadline_future_check,
    subject_count_check,
)
from .pipeline import results_mark_stale
from .skipping import skipping_check

ERROR_UNKNOWN_TEMPLATE = gettext_noop("Unknown template: {key}.")
ERROR_TOO_MANY_CHILDREN = gettext_noop(
    "Indicator {code} has {count} children; at most {limit} are allowed under one parent "
    "(the consistency index is defined only up to 9 compared elements)."
)
ERROR_NO_SUBJECTS = gettext_noop("An evaluation needs at least one subject.")
ERROR_EMPTY_TITLE = gettext_noop("The title must not be empty.")
ERROR_DUPLICATE_SUBJECT = gettext_noop("Subject “{name}” is listed twice.")
ERROR_TRANSITION = gettext_noop("The evaluation is {status}: it cannot be {verb}.")
ERROR_NOT_READY_INDICATORS = gettext_noop(
    "The goal needs at least one indicator below it before the panel opens."
)
ERROR_NOT_READY_GRADES = gettext_noop("The grade set needs at least two grades.")

# The paper's comment set, for blank evaluations; coordinators edit it on the grade page.
DEFAULT_GRADES = [
    (gettext_noop("very strong"), 4),
    (gettext_noop("strong"), 3),
    (gettext_noop("general"), 2),
    (gettext_noop("poor"), 1),
]


def _clean_subjects(subjects: list[str]) -> list[str]:
    names = [name.strip() for name in subjects if name.strip()]
    if not names:
        raise ValidationError({"subjects": _(ERROR_NO_SUBJECTS)})
    subject_count_check(count=len(names))
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise ValidationError({"subjects": _(ERROR_DUPLICATE_SUBJECT).format(name=name)})
        seen.add(name.casefold())
    return names


def _create_subjects(evaluation: Evaluation, names: list[str]) -> None:
    Subject.objects.bulk_create(
        Subject(evaluation=evaluation, name=name, order=position)
        for position, name in enumerate(names)
    )


@transaction.atomic
def evaluation_create_blank(
    *,
    owner: AbstractBaseUser,
    title: str,
    subjects: list[str],
    description: str = "",
    language: str = "en",
) -> Evaluation:
    """A draft with the goal U only, the paper's four grades and the given subjects."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": _(ERROR_EMPTY_TITLE)})
    names = _clean_subjects(subjects)
    evaluation = Evaluation.objects.create(
        owner=owner, title=title, description=description, language=language
    )
    Indicator.objects.create(evaluation=evaluation, code="U", name=title)
    with translation.override(language):
        Grade.objects.bulk_create(
            Grade(evaluation=evaluation, name=_(name), score=score, order=position)
            for position, (name, score) in enumerate(DEFAULT_GRADES)
        )
    _create_subjects(evaluation, names)
    audit_record(evaluation=evaluation, actor=owner, action=AuditEntry.Action.CREATED)
    return evaluation


@transaction.atomic
def evaluation_create_from_template(
    *,
    owner: AbstractBaseUser,
    template_key: str,
    subjects: list[str],
    title: str = "",
    language: str = "en",
) -> Evaluation:
    """A draft with the template's hierarchy and grade set, its texts in `language`."""
    try:
        template = template_get(template_key)
    except KeyError:
        raise ValidationError(
            {"template": _(ERROR_UNKNOWN_TEMPLATE).format(key=template_key)}
        ) from None
    names = _clean_subjects(subjects)
    evaluation = Evaluation.objects.create(
        owner=owner,
        title=title.strip() or localized(template, "title", language),
        language=language,
    )
    _indicator_create_tree(evaluation, template["root"], None, 0, language)
    Grade.objects.bulk_create(
        Grade(evaluation=evaluation, name=name, score=score, order=position)
        for position, (name, score) in enumerate(_template_grades(template, language))
    )
    _create_subjects(evaluation, names)
    audit_record(
        evaluation=evaluation,
        actor=owner,
        action=AuditEntry.Action.CREATED,
        detail=f"template {template_key}",
        params={"template": template_key},
    )
    return evaluation


def _template_grades(template: dict, language: str) -> list[tuple[str, float]]:
    names = [name for name, _score in template["grades"]]
    if language == "zh-hans" and template.get("grades_zh"):
        names = template["grades_zh"]
    return [(name, score) for name, (_en, score) in zip(names, template["grades"], strict=True)]


def _indicator_create_tree(
    evaluation: Evaluation, node: dict, parent: Indicator | None, order: int, language: str
) -> None:
    children = node.get("children", [])
    if len(children) > MAX_CHILDREN:
        raise ValidationError(
            {
                "children": _(ERROR_TOO_MANY_CHILDREN).format(
                    code=node["code"], count=len(children), limit=MAX_CHILDREN
                )
            }
        )
    indicator = Indicator.objects.create(
        evaluation=evaluation,
        parent=parent,
        code=node["code"],
        name=localized(node, "name", language),
        description=localized(node, "description", language),
        recommendation=localized(node, "recommendation", language),
        order=order,
    )
    for position, child in enumerate(children):
        _indicator_create_tree(evaluation, child, indicator, position, language)


@transaction.atomic
def _copy_given_weights(new_ids: dict[int, Indicator]) -> None:
    """Given weights are keyed by child id (evaluations/given_weights): key the copy's by the
    copied children."""
    given = [i for i in new_ids.values() if i.given_weights is not None]
    for indicator in given:
        indicator.given_weights = {
            str(new_ids[int(old)].pk): weight for old, weight in indicator.given_weights.items()
        }
    Indicator.objects.bulk_update(given, ["given_weights"])


def evaluation_copy(*, owner: AbstractBaseUser, source: Evaluation, title: str = "") -> Evaluation:
    """A new draft with the source's settings, hierarchy, grades and subjects (no panel)."""
    copy = Evaluation.objects.get(pk=source.pk)
    copy.pk = None
    copy.owner = owner
    copy.title = title.strip() or _("Copy of %(title)s") % {"title": source.title}
    copy.status = Evaluation.Status.DRAFT
    copy.copied_from = source
    # A new evaluation's pipeline state, not the source's: no input yet (or the copy would
    # read as "being computed" and the sweep would pick it up), no claim on the source's
    # tasks, no failures.
    copy.input_version = 0
    copy.input_changed_at = None
    copy.recompute_queued_at = None
    copy.recompute_attempts = 0
    copy.recompute_error = ""
    copy.recompute_failed_at = None
    copy.analysis_queued_at = None
    copy.save()

    new_ids: dict[int, Indicator] = {}
    # depth_first puts every parent before its children, so each parent is copied first.
    for indicator, _depth in depth_first(source.indicators.all()):
        old_pk = indicator.pk
        indicator.pk = None
        indicator.evaluation = copy
        indicator.parent = new_ids.get(indicator.parent_id)
        indicator.save()
        new_ids[old_pk] = indicator
    _copy_given_weights(new_ids)
    Grade.objects.bulk_create(
        Grade(evaluation=copy, name=g.name, score=g.score, order=g.order)
        for g in source.grades.all()
    )
    subjects = list(source.subjects.all())
    copied = Subject.objects.bulk_create(
        Subject(evaluation=copy, name=s.name, description=s.description, order=s.order)
        for s in subjects
    )
    _leaf_inputs_copy(source, new_ids, {s.pk: c for s, c in zip(subjects, copied, strict=True)})
    audit_record(
        evaluation=copy,
        actor=owner,
        action=AuditEntry.Action.COPIED,
        detail=f"from #{source.pk} {source.title}",
        params={"source": source.pk, "title": source.title},
    )
    return copy


def _leaf_inputs_copy(source: Evaluation, indicators: dict, subjects: dict) -> None:
    """The coordinator's given rows and measured values (issue 15 §2) go with the copy, as the
    leaves' source settings do (copied with the indicators)."""
    LeafInput.objects.bulk_create(
        LeafInput(
            indicator=indicators[item.indicator_id],
            subject=subjects.get(item.subject_id),
            row=item.row,
            value=item.value,
        )
        for item in LeafInput.objects.filter(indicator__evaluation=source)
    )


class SettingsConflict(ValidationError):
    """A setting the stored data does not allow while it is as it is (a narrower judgment
    scale than the ballots' values): the request is well formed, so the API answers 409."""


# Settings the numbers depend on: a change makes the results stale (DESIGN §3), whatever the
# panel's status, and the snapshot records them so the page can say what differs meanwhile.
RESULT_SETTINGS = (
    "weighting_method",
    "ri_table",
    "cr_threshold",
    "cr_threshold_rule",
    "cr_policy",
    "aggregation",
    "aip_mean",
    "ballot_inclusion",
    "operator",
    # Neither moves a number: the snapshot records them (the warning of leaves with few
    # ratings follows the minimum), so a change computes the results again.
    "allow_dont_know",
    "min_ratings_per_leaf",
    # Not a number's input, but the snapshot records it (its settings and exports say whether
    # experts could skip) and a matrix's figures follow from what they skipped.
    "allow_skipped_comparisons",
    # Not a number's input, but the snapshot records the scale its judgments were entered on.
    "judgment_scale",
)
SETTINGS_FIELDS = (
    "title",
    "description",
    *RESULT_SETTINGS,
    "language",
    "deadline",
    "results_visible_to_experts",
    "comments_named",
    # Paper forms typed in twice before they count (surveys/paper/); no number depends on it.
    "double_entry",
    # The robustness analysis's: a change analyses the latest snapshot again.
    *robustness_rules.FIELDS,
)
# Settings a ballot's stored CR and consistency flag depend on.
CONSISTENCY_SETTINGS = ("weighting_method", "ri_table", "cr_threshold", "cr_threshold_rule")


@transaction.atomic
def evaluation_update_settings(
    *, evaluation: Evaluation, actor: AbstractBaseUser, **changes
) -> Evaluation:
    """Save validated settings (the form validates), log what changed, and when the numbers
    depend on it re-assess the ballots' stored CR and mark the results stale."""
    # Lock the row and write only the changed fields: a full save from a copy read before a
    # ballot came in would put the input version back and hide that ballot from the results.
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    changed = [
        name
        for name, value in changes.items()
        if name in SETTINGS_FIELDS and getattr(locked, name) != value
    ]
    if not changed:
        return evaluation
    _check_settings({name: changes[name] for name in changed})
    if {"allow_skipped_comparisons", "weighting_method"} & set(changed):
        # The pair, as it will be: either may change alone and break the rule.
        skipping_check(
            allowed=changes.get("allow_skipped_comparisons", locked.allow_skipped_comparisons),
            method=changes.get("weighting_method", locked.weighting_method),
        )
    if "judgment_scale" in changed:
        from surveys.scales import judgment_scale_check  # surveys imports this app

        judgment_scale_check(evaluation=locked, judgment_scale=changes["judgment_scale"])
    for name in changed:
        setattr(locked, name, changes[name])
        setattr(evaluation, name, changes[name])
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    audit_record(
        evaluation=locked,
        actor=actor,
        action=AuditEntry.Action.EDITED_SETTINGS,
        detail=", ".join(changed),
        params={"fields": changed},
    )
    if set(changed) & set(CONSISTENCY_SETTINGS):
        # Submitted ballots stay submitted: only their stored CR and flag follow, so the
        # panel's "valid" figures use the new threshold and table.
        from surveys.consistency import pairwise_ballots_reassess  # surveys imports this app

        pairwise_ballots_reassess(evaluation=locked)
    if set(changed) & set(RESULT_SETTINGS):
        results_mark_stale(evaluation_id=locked.pk)  # the next snapshot is analysed anyway
    elif set(changed) & set(robustness_rules.FIELDS):
        _analysis_rerun(locked.pk)
    evaluation.updated_at = locked.updated_at
    return evaluation


def _analysis_rerun(evaluation_id: int) -> None:
    # The analysis reads the results service, whose package imports this module.
    from ..robustness.analysis import analysis_queue_latest

    transaction.on_commit(lambda: analysis_queue_latest(evaluation_id=evaluation_id, rerun=True))


def _check_settings(changed: dict) -> None:
    """The ranges the model cannot name a field for (its constraint) or does not know (the
    deadline's window), checked on the changed values only: a deadline stored before the window
    existed must not block saving the other settings."""
    if "cr_threshold" in changed:
        cr_threshold_check(value=changed["cr_threshold"])
    if "deadline" in changed:
        deadline_check(value=changed["deadline"])
        deadline_future_check(value=changed["deadline"])
    robustness_rules.check(changed)
    dont_know.check(changed)


TRANSITIONS = {
    # action: (allowed from, new status, audit action, verb for the error message)
    "open": (
        Evaluation.Status.DRAFT,
        Evaluation.Status.OPEN,
        AuditEntry.Action.OPENED,
        gettext_noop("opened"),
    ),
    "close": (
        Evaluation.Status.OPEN,
        Evaluation.Status.CLOSED,
        AuditEntry.Action.CLOSED,
        gettext_noop("closed"),
    ),
    "reopen": (
        Evaluation.Status.CLOSED,
        Evaluation.Status.OPEN,
        AuditEntry.Action.REOPENED,
        gettext_noop("reopened"),
    ),
}


def evaluation_check_ready(*, evaluation: Evaluation) -> None:
    """Raise ValidationError if the evaluation cannot be answered yet."""
    if not evaluation.indicators.filter(parent__isnull=False).exists():
        raise ValidationError({"indicators": _(ERROR_NOT_READY_INDICATORS)})
    if evaluation.grades.count() < 2:
        raise ValidationError({"grades": _(ERROR_NOT_READY_GRADES)})
    if not evaluation.subjects.exists():
        raise ValidationError({"subjects": _(ERROR_NO_SUBJECTS)})


@transaction.atomic
def evaluation_transition(
    *, evaluation: Evaluation, actor: AbstractBaseUser, action: str
) -> Evaluation:
    """Open, close or reopen the panel. Closing stops ballot edits; reopening is logged."""
    # Lock the row: two coordinators' tabs clicking at once must not both pass the check.
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    allowed_from, new_status, audit_action, verb = TRANSITIONS[action]
    if evaluation.status != allowed_from:
        message = _(ERROR_TRANSITION).format(
            status=evaluation.get_status_display().lower(), verb=_(verb)
        )
        raise ValidationError({"status": message})
    if action == "open":
        evaluation_check_ready(evaluation=evaluation)
    evaluation.status = new_status
    evaluation.save(update_fields=["status", "updated_at"])
    audit_record(evaluation=evaluation, actor=actor, action=audit_action)
    return evaluation
