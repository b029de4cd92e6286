"""Edit an evaluation's structure: the indicator hierarchy, the grade set and the subjects.

Every structural service locks the evaluation row first, so two tabs editing the same
evaluation at once are serialised instead of re-coding the tree from stale reads. Codes
("U", "U1", "U23", …) are derived from each indicator's place in the tree and rewritten after
every change, through temporary codes so that the unique (evaluation, code) constraint never
sees two rows with the same code mid-way (a swap of U1 and U2, say).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from surveys.models import RatingBallot

from ..given_weights.keeping import given_weights_forget
from ..models import MAX_CHILDREN, AuditEntry, Evaluation, Grade, Indicator, Subject
from ..selectors import evaluation_has_ballots
from .audit import audit_record
from .lifecycle import ERROR_DUPLICATE_SUBJECT, ERROR_NO_SUBJECTS, ERROR_NOT_READY_GRADES
from .limits import grade_count_check, indicator_count_check, subject_count_check
from .pipeline import results_mark_stale_if_shown

# A code is "U" plus one digit per level, and the code column holds 20 characters.
MAX_DEPTH = Indicator._meta.get_field("code").max_length - 1

ERROR_STRUCTURE_LOCKED = gettext_noop(
    "Experts have already saved ballots, so the structure of the hierarchy is locked: "
    "indicators cannot be added, moved, reordered or deleted. Names, descriptions and "
    "recommendations can still be edited. Copy the evaluation to change its structure."
)
ERROR_INDICATOR_GONE = gettext_noop(
    "That indicator is no longer part of this evaluation (it was changed in another tab or "
    "window). Reload the page and try again."
)
ERROR_NAME_REQUIRED = gettext_noop("The name must not be empty.")
ERROR_NAME_TOO_LONG = gettext_noop("The name “{name}” is too long: at most {limit} characters.")
ERROR_PARENT_FULL = gettext_noop(
    "{code} already has {limit} sub-indicators, the most one parent may have: "
    "the RI tables stop at {limit} compared elements."
)
ERROR_TOO_DEEP = gettext_noop(
    "The hierarchy may be at most {limit} levels deep below the goal; this change would go deeper."
)
ERROR_ROOT_MOVE = gettext_noop("The goal U is the top of the hierarchy: it cannot be moved.")
ERROR_ROOT_DELETE = gettext_noop(
    "The goal U cannot be deleted; delete the indicators below it instead."
)
ERROR_MOVE_INTO_OWN_SUBTREE = gettext_noop(
    "{code} cannot be moved under itself or under one of its own sub-indicators ({target})."
)
ERROR_ALREADY_FIRST = gettext_noop("{code} is already the first indicator under its parent.")
ERROR_ALREADY_LAST = gettext_noop("{code} is already the last indicator under its parent.")

ERROR_STALE_ROW = gettext_noop(
    "The list was changed in another tab or window: a row you edited no longer exists. "
    "Reload the page and try again."
)
ERROR_GRADES_LOCKED = gettext_noop(
    "Experts have already rated subjects with these grades, so the grade set is locked. "
    "Copy the evaluation to use a different grade set."
)
ERROR_TOO_FEW_GRADES = ERROR_NOT_READY_GRADES  # "The grade set needs at least two grades."
ERROR_GRADE_NAME_REQUIRED = gettext_noop("Grade {position}: the name must not be empty.")
ERROR_DUPLICATE_GRADE = gettext_noop(
    "Grade “{name}” is listed twice (names are compared ignoring case)."
)
ERROR_GRADE_SCORE_NOT_FINITE = gettext_noop("Grade “{name}”: the score must be a finite number.")
ERROR_GRADE_SCORES_NOT_DECREASING = gettext_noop(
    "Grade “{name}”: its score {score} must be below {previous_score}, the score of "
    "“{previous}”. Scores decrease strictly from the best grade (first) to the worst (last)."
)
ERROR_SUBJECT_NAME_REQUIRED = gettext_noop("Subject {position}: the name must not be empty.")
ERROR_SUBJECT_HAS_BALLOTS = gettext_noop(
    "Subject “{name}” cannot be deleted: experts have already saved rating ballots for it."
)


@dataclass(frozen=True)
class GradeRow:
    """One grade as the editor submits it; id is None for a new grade."""

    name: str
    score: float
    id: int | None = None


@dataclass(frozen=True)
class SubjectRow:
    """One subject as the editor submits it; id is None for a new subject."""

    name: str
    description: str = ""
    id: int | None = None


# ---------------------------------------------------------------------------------------------
# The hierarchy


class _Tree:
    """All indicators of a locked evaluation, edited in memory and then written back."""

    def __init__(self, evaluation: Evaluation):
        self.evaluation = evaluation
        self.by_pk = {i.pk: i for i in Indicator.objects.filter(evaluation=evaluation)}
        self.before = {pk: (i.parent_id, i.code, i.order) for pk, i in self.by_pk.items()}
        self.children: dict[int | None, list[Indicator]] = {}
        for indicator in sorted(self.by_pk.values(), key=lambda i: (i.order, i.pk)):
            self.children.setdefault(indicator.parent_id, []).append(indicator)

    def get(self, pk: int) -> Indicator:
        try:
            return self.by_pk[pk]
        except KeyError:
            raise ValidationError({"indicator": _(ERROR_INDICATOR_GONE)}) from None

    def siblings(self, indicator: Indicator) -> list[Indicator]:
        return self.children.setdefault(indicator.parent_id, [])

    def subtree(self, indicator: Indicator) -> list[Indicator]:
        """The indicator and everything below it."""
        found = [indicator]
        for child in self.children.get(indicator.pk, []):
            found.extend(self.subtree(child))
        return found

    def depth(self, indicator: Indicator) -> int:
        return 0 if indicator.parent_id is None else 1 + self.depth(self.by_pk[indicator.parent_id])

    def height(self, indicator: Indicator) -> int:
        """Levels below the indicator (0 for a leaf)."""
        kids = self.children.get(indicator.pk, [])
        return 1 + max(self.height(child) for child in kids) if kids else 0

    def check_room_under(self, parent: Indicator, extra_levels: int) -> None:
        if len(self.children.get(parent.pk, [])) >= MAX_CHILDREN:
            message = _(ERROR_PARENT_FULL).format(code=parent.code, limit=MAX_CHILDREN)
            raise ValidationError({"parent": message})
        if self.depth(parent) + 1 + extra_levels > MAX_DEPTH:
            raise ValidationError({"parent": _(ERROR_TOO_DEEP).format(limit=MAX_DEPTH)})

    def save(self) -> None:
        """Derive every code and order from the tree and write the rows that changed."""
        for root in self.children.get(None, []):
            root.code, root.order = "U", 0
            self._number_below(root)
        changed = [
            i for pk, i in self.by_pk.items() if self.before[pk] != (i.parent_id, i.code, i.order)
        ]
        recoded = [i for i in changed if self.before[i.pk][1] != i.code]
        # Park the re-coded rows on codes no final code can take ("~" + pk) before writing the
        # final ones: databases check the unique constraint row by row, even within one UPDATE.
        Indicator.objects.bulk_update(
            [Indicator(pk=i.pk, code=f"~{i.pk}") for i in recoded], ["code"]
        )
        Indicator.objects.bulk_update(changed, ["parent", "code", "order"])

    def _number_below(self, parent: Indicator) -> None:
        for position, child in enumerate(self.children.get(parent.pk, [])):
            child.parent_id = parent.pk
            child.code = f"{parent.code}{position + 1}"
            child.order = position
            self._number_below(child)


def _lock(evaluation: Evaluation) -> Evaluation:
    # Two tabs of the same coordinator may post at once: the second waits here and then reads
    # the tree as the first left it.
    return Evaluation.objects.select_for_update().get(pk=evaluation.pk)


def _lock_structure(evaluation: Evaluation) -> _Tree:
    # The ballot check is only airtight if saving a ballot takes the same row lock; otherwise
    # a first ballot racing a structural edit can still land on the old tree.
    evaluation = _lock(evaluation)
    if evaluation_has_ballots(evaluation=evaluation):
        raise ValidationError({"structure": _(ERROR_STRUCTURE_LOCKED)})
    return _Tree(evaluation)


def _clean_name(name: str, *, limit: int, field: str = "name") -> str:
    name = name.strip()
    if not name:
        raise ValidationError({field: _(ERROR_NAME_REQUIRED)})
    if len(name) > limit:
        shown = name[:40] + "…"
        raise ValidationError({field: _(ERROR_NAME_TOO_LONG).format(name=shown, limit=limit)})
    return name


def _indicator_name(name: str) -> str:
    return _clean_name(name, limit=Indicator._meta.get_field("name").max_length)


def _record_hierarchy(
    evaluation: Evaluation, actor: AbstractBaseUser, detail: str, params: dict
) -> None:
    """Log a change of the hierarchy; the results show its names and codes, so they follow.

    `params` says the same as data ({"change": "added", "code": …}) for evaluations.audit_wording.
    """
    audit_record(
        evaluation=evaluation,
        actor=actor,
        action=AuditEntry.Action.EDITED_HIERARCHY,
        detail=detail,
        params=params,
    )
    results_mark_stale_if_shown(evaluation_id=evaluation.pk)


def _with_cleared(detail: str, params: dict, tree: _Tree, parent_ids: list) -> str:
    """Clear the given weights of parents whose children changed (evaluations/given_weights)
    and say so in the audit entry: the weights were given for the children there were."""
    cleared = given_weights_forget(evaluation=tree.evaluation, parent_ids=parent_ids)
    if not cleared:
        return detail
    params["given_weights_cleared"] = cleared
    return f"{detail}; cleared the given weights under {', '.join(cleared)}"


@transaction.atomic
def indicator_add(
    *,
    parent: Indicator,
    actor: AbstractBaseUser,
    name: str,
    description: str = "",
    recommendation: str = "",
) -> Indicator:
    """Add an indicator as the last child of `parent`; it gets the next code (U2 → U23)."""
    name = _indicator_name(name)
    tree = _lock_structure(parent.evaluation)
    parent = tree.get(parent.pk)
    tree.check_room_under(parent, extra_levels=0)
    indicator_count_check(count=len(tree.by_pk) + 1)
    siblings = tree.children.setdefault(parent.pk, [])
    indicator = Indicator.objects.create(
        evaluation=tree.evaluation,
        parent=parent,
        code=f"{parent.code}{len(siblings) + 1}",
        name=name,
        description=description.strip(),
        recommendation=recommendation.strip(),
        order=len(siblings),
    )
    params = {"change": "added", "code": indicator.code, "name": name}
    detail = _with_cleared(f"added {indicator.code} {name}", params, tree, [parent.pk])
    _record_hierarchy(tree.evaluation, actor, detail, params)
    return indicator


@transaction.atomic
def indicator_update_text(
    *,
    indicator: Indicator,
    actor: AbstractBaseUser,
    name: str,
    description: str = "",
    recommendation: str = "",
) -> Indicator:
    """Rename, describe or set the recommendation; allowed even when the structure is locked.

    The texts do not change what experts compared or rated, only how it reads.
    """
    name = _indicator_name(name)
    _lock(indicator.evaluation)
    try:
        indicator = Indicator.objects.get(pk=indicator.pk, evaluation_id=indicator.evaluation_id)
    except Indicator.DoesNotExist:
        raise ValidationError({"indicator": _(ERROR_INDICATOR_GONE)}) from None
    new = {
        "name": name,
        "description": description.strip(),
        "recommendation": recommendation.strip(),
    }
    changed = [field for field, value in new.items() if getattr(indicator, field) != value]
    if changed:
        for field in changed:
            setattr(indicator, field, new[field])
        indicator.save(update_fields=changed)
        detail = f"edited {indicator.code} {indicator.name}: {', '.join(changed)}"
        params = {
            "change": "edited",
            "code": indicator.code,
            "name": indicator.name,
            "fields": changed,
        }
        _record_hierarchy(indicator.evaluation, actor, detail, params)
    return indicator


@transaction.atomic
def indicator_reorder(
    *, indicator: Indicator, actor: AbstractBaseUser, direction: Literal["up", "down"]
) -> Indicator:
    """Swap the indicator with its previous ("up") or next ("down") sibling."""
    tree = _lock_structure(indicator.evaluation)
    indicator = tree.get(indicator.pk)
    if indicator.parent_id is None:
        raise ValidationError({"structure": _(ERROR_ROOT_MOVE)})
    siblings = tree.siblings(indicator)
    position = siblings.index(indicator)
    target = position - 1 if direction == "up" else position + 1
    if target < 0:
        raise ValidationError({"structure": _(ERROR_ALREADY_FIRST).format(code=indicator.code)})
    if target >= len(siblings):
        raise ValidationError({"structure": _(ERROR_ALREADY_LAST).format(code=indicator.code)})
    old_code = indicator.code
    siblings[position], siblings[target] = siblings[target], siblings[position]
    tree.save()
    _record_hierarchy(
        tree.evaluation,
        actor,
        f"moved {old_code} {direction} (now {indicator.code})",
        {"change": f"moved_{direction}", "code": old_code, "new_code": indicator.code},
    )
    return indicator


@transaction.atomic
def indicator_move(
    *, indicator: Indicator, actor: AbstractBaseUser, new_parent: Indicator
) -> Indicator:
    """Move the indicator with its subtree to the end of `new_parent`'s children."""
    tree = _lock_structure(indicator.evaluation)
    indicator = tree.get(indicator.pk)
    new_parent = tree.get(new_parent.pk)
    if indicator.parent_id is None:
        raise ValidationError({"structure": _(ERROR_ROOT_MOVE)})
    if new_parent in tree.subtree(indicator):
        message = _(ERROR_MOVE_INTO_OWN_SUBTREE).format(code=indicator.code, target=new_parent.code)
        raise ValidationError({"parent": message})
    old_code = indicator.code
    old_parent_id = indicator.parent_id
    if new_parent.pk != indicator.parent_id:
        tree.check_room_under(new_parent, extra_levels=tree.height(indicator))
    tree.siblings(indicator).remove(indicator)
    tree.children.setdefault(new_parent.pk, []).append(indicator)
    indicator.parent_id = new_parent.pk
    tree.save()
    detail = f"moved {old_code} {indicator.name} under {new_parent.code} (now {indicator.code})"
    params = {
        "change": "moved",
        "code": old_code,
        "name": indicator.name,
        "parent": new_parent.code,
        "new_code": indicator.code,
    }
    if old_parent_id != new_parent.pk:  # to the end of its own parent: the same children
        detail = _with_cleared(detail, params, tree, [old_parent_id, new_parent.pk])
    _record_hierarchy(tree.evaluation, actor, detail, params)
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator, actor: AbstractBaseUser) -> int:
    """Delete the indicator and its subtree; the siblings after it move up one code.

    Returns how many indicators were deleted.
    """
    tree = _lock_structure(indicator.evaluation)
    indicator = tree.get(indicator.pk)
    if indicator.parent_id is None:
        raise ValidationError({"structure": _(ERROR_ROOT_DELETE)})
    doomed = tree.subtree(indicator)
    tree.siblings(indicator).remove(indicator)
    for gone in doomed:
        del tree.by_pk[gone.pk]
    Indicator.objects.filter(pk__in=[gone.pk for gone in doomed]).delete()
    tree.save()
    detail = f"deleted {indicator.code} {indicator.name}"
    if len(doomed) > 1:
        detail += f" and {len(doomed) - 1} indicators below it"
    params = {
        "change": "deleted",
        "code": indicator.code,
        "name": indicator.name,
        "below": len(doomed) - 1,
    }
    detail = _with_cleared(detail, params, tree, [indicator.parent_id])
    _record_hierarchy(tree.evaluation, actor, detail, params)
    return len(doomed)


# ---------------------------------------------------------------------------------------------
# Grades and subjects: ordered, named lists replaced as a whole


def _replace_rows(
    model: type[models.Model], evaluation: Evaluation, rows: Sequence, fields: Sequence[str]
) -> list:
    """Make the evaluation's rows of `model` exactly `rows`, in order, keeping ids.

    Rows with an id update that object, rows without one are created, objects not listed are
    deleted. Names are unique per evaluation, so kept rows are parked under temporary names
    first: renaming "A" to "B" and "B" to "A" in one save must not collide mid-way.
    """
    existing = {obj.pk: obj for obj in model.objects.filter(evaluation=evaluation)}
    ids = [row.id for row in rows if row.id is not None]
    if len(ids) != len(set(ids)) or not set(ids) <= existing.keys():
        raise ValidationError({"rows": _(ERROR_STALE_ROW)})
    model.objects.filter(pk__in=existing.keys() - set(ids)).delete()
    model.objects.bulk_update([model(pk=pk, name=f"~{pk}") for pk in ids], ["name"])

    result, new = [], []
    for position, row in enumerate(rows):
        obj = existing[row.id] if row.id is not None else model(evaluation=evaluation)
        for field in fields:
            setattr(obj, field, getattr(row, field))
        obj.order = position
        result.append(obj)
        if row.id is None:
            new.append(obj)
    model.objects.bulk_update([obj for obj in result if obj.pk], [*fields, "order"])
    model.objects.bulk_create(new)
    return result


def _summary(before: list[tuple[int, str]], after: list[tuple[int, str]]) -> str:
    """A short English line for the audit log: (id, label) pairs before and after the save."""
    before_ids = {pk for pk, _label in before}
    after_ids = {pk for pk, _label in after}
    parts = []
    added = [label for pk, label in after if pk not in before_ids]
    removed = [label for pk, label in before if pk not in after_ids]
    if added:
        parts.append("added " + ", ".join(added))
    if removed:
        parts.append("removed " + ", ".join(removed))
    parts.append("now " + ", ".join(label for _pk, label in after))
    return "; ".join(parts)


def _summary_params(before: list[tuple[int, object]], after: list[tuple[int, object]]) -> dict:
    """What _summary says, as data: the rows added, removed and the list now."""
    before_ids = {pk for pk, _row in before}
    after_ids = {pk for pk, _row in after}
    return {
        "added": [row for pk, row in after if pk not in before_ids],
        "removed": [row for pk, row in before if pk not in after_ids],
        "now": [row for _pk, row in after],
    }


def _check_unique(names: Sequence[str], message: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise ValidationError({"rows": _(message).format(name=name)})
        seen.add(name.casefold())


def _clean_grades(grades: Sequence[GradeRow]) -> list[GradeRow]:
    if len(grades) < 2:
        raise ValidationError({"rows": _(ERROR_TOO_FEW_GRADES)})
    grade_count_check(count=len(grades))
    cleaned = []
    limit = Grade._meta.get_field("name").max_length
    for position, grade in enumerate(grades, start=1):
        if not grade.name.strip():
            message = _(ERROR_GRADE_NAME_REQUIRED).format(position=position)
            raise ValidationError({"rows": message})
        name = _clean_name(grade.name, limit=limit, field="rows")
        score = float(grade.score)
        if not math.isfinite(score):
            message = _(ERROR_GRADE_SCORE_NOT_FINITE).format(name=name)
            raise ValidationError({"rows": message})
        cleaned.append(GradeRow(name=name, score=score, id=grade.id))
    _check_unique([grade.name for grade in cleaned], ERROR_DUPLICATE_GRADE)
    for previous, grade in zip(cleaned, cleaned[1:], strict=False):
        if not grade.score < previous.score:
            message = _(ERROR_GRADE_SCORES_NOT_DECREASING).format(
                name=grade.name,
                score=f"{grade.score:g}",
                previous=previous.name,
                previous_score=f"{previous.score:g}",
            )
            raise ValidationError({"rows": message})
    return cleaned


@transaction.atomic
def grade_set_replace(
    *, evaluation: Evaluation, actor: AbstractBaseUser, grades: Sequence[GradeRow]
) -> list[Grade]:
    """Replace the grade set with `grades`, best first, in one go.

    Locked once any rating ballot exists: ballots store grade ids, and renaming or re-scoring
    a grade would change answers experts already gave. Pairwise ballots do not involve grades.
    """
    evaluation = _lock(evaluation)
    if RatingBallot.objects.filter(subject__evaluation=evaluation).exists():
        raise ValidationError({"rows": _(ERROR_GRADES_LOCKED)})
    cleaned = _clean_grades(grades)
    before_rows = [(g.pk, [g.name, g.score]) for g in evaluation.grades.all()]
    saved = _replace_rows(Grade, evaluation, cleaned, ["name", "score"])
    after_rows = [(g.pk, [g.name, g.score]) for g in saved]
    if after_rows != before_rows:
        before = [(pk, f"{name} {score:g}") for pk, (name, score) in before_rows]
        after = [(pk, f"{name} {score:g}") for pk, (name, score) in after_rows]
        audit_record(
            evaluation=evaluation,
            actor=actor,
            action=AuditEntry.Action.EDITED_GRADES,
            detail=_summary(before, after),
            params=_summary_params(before_rows, after_rows),
        )
        results_mark_stale_if_shown(evaluation_id=evaluation.pk)  # names and scores
    return saved


def _clean_subjects(subjects: Sequence[SubjectRow]) -> list[SubjectRow]:
    if not subjects:
        raise ValidationError({"rows": _(ERROR_NO_SUBJECTS)})
    subject_count_check(count=len(subjects), field="rows")
    cleaned = []
    limit = Subject._meta.get_field("name").max_length
    for position, subject in enumerate(subjects, start=1):
        if not subject.name.strip():
            message = _(ERROR_SUBJECT_NAME_REQUIRED).format(position=position)
            raise ValidationError({"rows": message})
        name = _clean_name(subject.name, limit=limit, field="rows")
        cleaned.append(
            SubjectRow(name=name, description=subject.description.strip(), id=subject.id)
        )
    _check_unique([subject.name for subject in cleaned], ERROR_DUPLICATE_SUBJECT)
    return cleaned


@transaction.atomic
def subject_set_replace(
    *, evaluation: Evaluation, actor: AbstractBaseUser, subjects: Sequence[SubjectRow]
) -> list[Subject]:
    """Replace the subjects with `subjects`, in order. Rated subjects cannot be removed.

    Adding, renaming and reordering stay allowed while the panel runs: they do not change an
    answer already given.
    """
    evaluation = _lock(evaluation)
    cleaned = _clean_subjects(subjects)
    kept = {subject.id for subject in cleaned}
    rated = (
        Subject.objects.filter(evaluation=evaluation, rating_ballots__isnull=False)
        .exclude(pk__in=[pk for pk in kept if pk is not None])
        .order_by("order", "pk")
        .first()
    )
    if rated is not None:
        raise ValidationError({"rows": _(ERROR_SUBJECT_HAS_BALLOTS).format(name=rated.name)})
    before = list(evaluation.subjects.all())
    saved = _replace_rows(Subject, evaluation, cleaned, ["name", "description"])
    if [(s.pk, s.name, s.description) for s in saved] != [
        (s.pk, s.name, s.description) for s in before
    ]:
        rows_before = [(s.pk, s.name) for s in before]
        rows_after = [(s.pk, s.name) for s in saved]
        audit_record(
            evaluation=evaluation,
            actor=actor,
            action=AuditEntry.Action.EDITED_SUBJECTS,
            detail=_summary(rows_before, rows_after),
            params=_summary_params(rows_before, rows_after),
        )
        results_mark_stale_if_shown(evaluation_id=evaluation.pk)  # the subjects ranked
    return saved
