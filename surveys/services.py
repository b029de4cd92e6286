"""Saving and submitting ballots. Each save is one transaction that also marks results stale.

Judgments arrive keyed "<row id>-<col id>" for the upper triangle of the parent's children in
their order, each {"value": b_xy, "comment": str}; ratings keyed "<leaf id>" → {"grade": id,
"comment": str}. A draft may be incomplete; a submission must be complete, and under the
evaluation's `block` policy consistent.
"""

import math
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.engine import ahp, scale
from evaluations.models import Evaluation, Indicator, Subject
from evaluations.services.pipeline import results_mark_stale
from experts.models import PanelMembership

from .models import BallotStatus, PairwiseBallot, RatingBallot

ERROR_NOT_OPEN = gettext_noop("The panel is not open, so ballots cannot be changed.")
ERROR_NOT_A_MATRIX = gettext_noop("{code} has fewer than two sub-indicators to compare.")
ERROR_UNKNOWN_PAIR = gettext_noop("“{pair}” is not a comparison of this form.")
ERROR_NOT_ON_SCALE = gettext_noop(
    "{row} vs {col}: {value} is not on the 1–9 scale (1 to 9 or 1/2 to 1/9)."
)
ERROR_MISSING_JUDGMENT = gettext_noop("{row} vs {col}: choose a value before submitting.")
ERROR_INCONSISTENT = gettext_noop(
    "The judgments are inconsistent (CR = {cr} ≥ {threshold}). Revise the judgments flagged "
    "below, then submit again."
)
ERROR_UNKNOWN_INDICATOR = gettext_noop("“{key}” is not an indicator rated on this form.")
ERROR_UNKNOWN_SUBJECT = gettext_noop("“{key}” is not a subject of this evaluation.")
ERROR_UNKNOWN_GRADE = gettext_noop("{code}: “{grade}” is not a grade of this evaluation.")
ERROR_MISSING_RATING = gettext_noop("{code}: choose a grade before submitting.")
ERROR_COMMENT_TOO_LONG = gettext_noop("{key}: a comment may have at most {limit} characters.")

COMMENT_LIMIT = 2000


@dataclass(frozen=True)
class Consistency:
    """What the form shows while the expert answers: weights, CR and what to revise."""

    complete: bool
    weights: list[float] | None
    cr: float | None
    consistent: bool | None
    revisions: list[ahp.Revision]


def matrix_children(parent: Indicator) -> list[Indicator]:
    return list(parent.children.all())


def pair_key(row: Indicator, col: Indicator) -> str:
    return f"{row.pk}-{col.pk}"


def pairwise_consistency(
    *, evaluation: Evaluation, children: list[Indicator], judgments: dict
) -> Consistency:
    """Weights, CR and the judgments to revise (worst first) of complete judgments."""
    matrix = pairwise_matrix(children, judgments)
    if matrix is None:
        return Consistency(False, None, None, None, [])
    result = ahp.priorities(
        matrix,
        method=evaluation.weighting_method,
        ri=evaluation.ri_table,
        threshold=evaluation.cr_threshold,
    )
    revisions = [] if result.consistent else ahp.diagnose(matrix, weights=result.weights)
    return Consistency(True, result.weights.tolist(), result.cr, result.consistent, revisions)


def _clean_judgments(children: list[Indicator], raw: dict, *, submit: bool) -> dict:
    pairs = {
        pair_key(row, col): (row, col)
        for x, row in enumerate(children)
        for col in children[x + 1 :]
    }
    errors: dict[str, list[str]] = {}
    for key in raw:
        if key not in pairs:
            errors.setdefault("judgments", []).append(_(ERROR_UNKNOWN_PAIR).format(pair=key))
    cleaned = {}
    for key, (row, col) in pairs.items():
        answer = raw.get(key) or {}
        value, comment = answer.get("value"), str(answer.get("comment") or "").strip()
        if len(comment) > COMMENT_LIMIT:
            message = _(ERROR_COMMENT_TOO_LONG).format(key=key, limit=COMMENT_LIMIT)
            errors.setdefault(key, []).append(message)
        if value is None or value == "":
            if submit:
                message = _(ERROR_MISSING_JUDGMENT).format(row=row.code, col=col.code)
                errors.setdefault(key, []).append(message)
            value = None
        else:
            value = scale_value(value)
            if value is None:
                shown = answer.get("value")
                shown = f"{shown:g}" if isinstance(shown, float) else shown
                message = _(ERROR_NOT_ON_SCALE).format(row=row.code, col=col.code, value=shown)
                errors.setdefault(key, []).append(message)
        if value is not None or comment:
            cleaned[key] = {"value": value, "comment": comment}
    if errors:
        raise ValidationError(errors)
    return cleaned


def scale_value(value) -> float | None:
    """The scale value `value` stands for, or None if it is not one of the 17."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    nearest = float(scale.snap_to_scale(number))
    return nearest if abs(nearest - number) <= 1e-6 * nearest else None


def _lock_membership(membership: PanelMembership) -> PanelMembership:
    # Serialise one expert's concurrent saves (double clicks, autosave racing a submit): the
    # second waits here, then updates the row the first created.
    # The evaluation comes along without being locked: every save of the panel would wait.
    locked = (
        PanelMembership.objects.select_related("evaluation")
        .select_for_update(of=("self",))
        .get(pk=membership.pk)
    )
    if locked.evaluation.status != Evaluation.Status.OPEN:
        raise ValidationError({"status": _(ERROR_NOT_OPEN)})
    return locked


@transaction.atomic
def pairwise_ballot_save(
    *, membership: PanelMembership, parent: Indicator, judgments: dict, submit: bool
) -> PairwiseBallot:
    """Save a draft or submit one expert's judgment matrix for `parent`."""
    membership = _lock_membership(membership)
    evaluation = membership.evaluation
    children = matrix_children(parent)
    if parent.evaluation_id != evaluation.pk or len(children) < 2:
        raise ValidationError({"parent": _(ERROR_NOT_A_MATRIX).format(code=parent.code)})
    cleaned = _clean_judgments(children, judgments, submit=submit)
    check = pairwise_consistency(evaluation=evaluation, children=children, judgments=cleaned)
    blocked = evaluation.cr_policy == Evaluation.CRPolicy.BLOCK and check.consistent is False
    if submit and blocked:
        message = _(ERROR_INCONSISTENT).format(
            cr=f"{check.cr:.3f}", threshold=f"{evaluation.cr_threshold:g}"
        )
        raise ValidationError({"judgments": message})
    ballot = PairwiseBallot.objects.filter(membership=membership, parent=parent).first()
    ballot = ballot or PairwiseBallot(membership=membership, parent=parent)
    return _store(
        ballot, membership, submit, judgments=cleaned, cr=check.cr, consistent=check.consistent
    )


@transaction.atomic
def rating_ballot_save(
    *, membership: PanelMembership, subject: Subject, ratings: dict, submit: bool
) -> RatingBallot:
    """Save a draft or submit one expert's grades of every leaf indicator for `subject`."""
    membership = _lock_membership(membership)
    evaluation = membership.evaluation
    if subject.evaluation_id != evaluation.pk:
        raise ValidationError({"subject": _(ERROR_UNKNOWN_SUBJECT).format(key=subject.pk)})
    leaves = list(evaluation.indicators.filter(children__isnull=True))
    grades = {grade.pk for grade in evaluation.grades.all()}
    cleaned = _clean_ratings(leaves, grades, ratings, submit=submit)
    ballot = RatingBallot.objects.filter(membership=membership, subject=subject).first()
    ballot = ballot or RatingBallot(membership=membership, subject=subject)
    return _store(ballot, membership, submit, ratings=cleaned)


def _clean_ratings(leaves: list[Indicator], grades: set[int], raw: dict, *, submit: bool) -> dict:
    by_key = {str(leaf.pk): leaf for leaf in leaves}
    errors: dict[str, list[str]] = {}
    for key in raw:
        if str(key) not in by_key:
            errors.setdefault("ratings", []).append(_(ERROR_UNKNOWN_INDICATOR).format(key=key))
    cleaned = {}
    for key, leaf in by_key.items():
        answer = raw.get(key) or raw.get(leaf.pk) or {}
        grade, comment = answer.get("grade"), str(answer.get("comment") or "").strip()
        if len(comment) > COMMENT_LIMIT:
            message = _(ERROR_COMMENT_TOO_LONG).format(key=leaf.code, limit=COMMENT_LIMIT)
            errors.setdefault(key, []).append(message)
        if grade in (None, ""):
            if submit:
                errors.setdefault(key, []).append(_(ERROR_MISSING_RATING).format(code=leaf.code))
            grade = None
        else:
            grade = _grade_id(grade, grades)
            if grade is None:
                message = _(ERROR_UNKNOWN_GRADE).format(code=leaf.code, grade=answer.get("grade"))
                errors.setdefault(key, []).append(message)
        if grade is not None or comment:
            cleaned[key] = {"grade": grade, "comment": comment}
    if errors:
        raise ValidationError(errors)
    return cleaned


def _grade_id(value, grades: set[int]) -> int | None:
    try:
        grade = int(value)
    except (TypeError, ValueError):
        return None
    return grade if grade in grades else None


def _store(ballot, membership: PanelMembership, submit: bool, **answers):
    """Write the answers and the status, and mark results stale when they change."""
    was_submitted = ballot.status == BallotStatus.SUBMITTED
    unchanged = all(getattr(ballot, name) == value for name, value in answers.items())
    if was_submitted and not submit and unchanged:
        return ballot  # an autosave of what was just submitted must not withdraw it
    for name, value in answers.items():
        setattr(ballot, name, value)
    _set_status(ballot, submit)
    ballot.save()
    _touch(membership, results_changed=submit or was_submitted)
    return ballot


def _set_status(ballot, submit: bool) -> None:
    # Saving a change to a submitted ballot without submitting withdraws it from the results
    # until it is submitted again, so results never mix old and unconfirmed answers.
    ballot.status = BallotStatus.SUBMITTED if submit else BallotStatus.DRAFT
    ballot.submitted_at = timezone.now() if submit else None


def _touch(membership: PanelMembership, *, results_changed: bool) -> None:
    membership.last_activity_at = timezone.now()
    membership.save(update_fields=["last_activity_at"])
    if results_changed:
        results_mark_stale(evaluation_id=membership.evaluation_id)


def pairwise_matrix(children: list[Indicator], judgments: dict) -> np.ndarray | None:
    """The full matrix of complete judgments (for pages that show it), else None."""
    values = []
    for x, row in enumerate(children):
        for col in children[x + 1 :]:
            answer = judgments.get(pair_key(row, col)) or {}
            if answer.get("value") is None:
                return None
            values.append(float(answer["value"]))
    return ahp.from_upper(values, len(children))
