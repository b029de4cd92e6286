"""Set a leaf's membership source and its inputs; one transaction each, audited, results stale.

The checks are the engine's (evaluations.engine.measured), worded here for people: every
message names the indicator, the field or subject, and the rule.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..engine import measured
from ..models import AuditEntry, Evaluation, Indicator, LeafInput, Subject
from ..services.audit import audit_record
from ..services.pipeline import results_mark_stale_if_shown

# Measured values and thresholds are rates, times, counts: ±10^12 holds them all, and keeps
# the arithmetic of the linear shape far from overflow.
MAX_MAGNITUDE = 1e12
UNIT_LIMIT = Indicator._meta.get_field("unit").max_length

ERROR_NOT_A_LEAF = gettext_noop(
    "{code} has sub-indicators: only a leaf indicator's membership can be given or measured."
)
ERROR_CHOICE = gettext_noop("{code}, {field}: “{value}” is not one of the choices.")
ERROR_UNIT_TOO_LONG = gettext_noop("{code}, unit: at most {limit} characters.")
ERROR_THRESHOLDS_REQUIRED = gettext_noop(
    "{code}, thresholds: a measured indicator needs {count} thresholds, one between each two "
    "neighbouring grades of the {grades} grades."
)
ERROR_THRESHOLD_COUNT = gettext_noop(
    "{code}, thresholds: give {count} thresholds (one fewer than the {grades} grades); "
    "{given} given."
)
ERROR_THRESHOLD_NUMBER = gettext_noop(
    "{code}, thresholds: each must be a number between −{limit:g} and {limit:g}."
)
ERROR_THRESHOLDS_ORDER = gettext_noop(
    "{code}, thresholds: they must be strictly increasing or strictly decreasing (no repeats)."
)
ERROR_UNKNOWN_SUBJECT = gettext_noop("{code}: subject {subject} is not part of this evaluation.")
ERROR_SUBJECT_TWICE = gettext_noop("{code}: “{subject}” is listed twice.")
ERROR_VALUE_NUMBER = gettext_noop(
    "{code}, measured value of “{subject}”: a number between −{limit:g} and {limit:g}."
)
ERROR_VALUE_FOR_ALL = gettext_noop(
    "{code}: a measured value belongs to one subject; the row for all subjects takes a "
    "membership row only."
)
ERROR_ROW_LENGTH = gettext_noop(
    "{code}, membership row of “{subject}”: give one degree per grade ({grades} numbers)."
)
ERROR_ROW_NUMBER = gettext_noop(
    "{code}, membership row of “{subject}”: each degree must be a number from 0 to 1."
)
ERROR_ROW_SUM = gettext_noop(
    "{code}, membership row of “{subject}”: the degrees must sum to 1 (within {tolerance:g}); "
    "they sum to {total:g}."
)
ALL_SUBJECTS = gettext_noop("all subjects")


@dataclass(frozen=True)
class SourceSettings:
    """A leaf's membership source and, for a measured one, how its values map onto grades."""

    source: str = Indicator.MembershipSource.VOTES
    better: str = Indicator.Better.HIGHER
    thresholds: Sequence[float] = ()
    shape: str = Indicator.ThresholdShape.CRISP
    unit: str = ""


@dataclass(frozen=True)
class InputRow:
    """One subject's input (subject None: every subject): a given row, a measured value, or both."""

    subject: int | None
    row: Sequence[float] | None = None
    value: float | None = None


def _lock_leaf(indicator: Indicator) -> Indicator:
    # Two tabs (or a tab and an API client) editing the same leaf: the second waits for the
    # first, then reads what it wrote.
    Evaluation.objects.select_for_update().get(pk=indicator.evaluation_id)
    indicator = Indicator.objects.get(pk=indicator.pk)
    if indicator.children.exists():
        raise ValidationError({"indicator": _(ERROR_NOT_A_LEAF).format(code=indicator.code)})
    return indicator


def _record(indicator: Indicator, actor, fields: list[str] | None) -> None:
    """Log a change of the source settings (`fields`, the Indicator's) or of the inputs (None);
    evaluations.audit_wording words both."""
    code, name = indicator.code, indicator.name
    if fields is None:
        detail = f"edited the measured values or membership rows of {code} {name}"
        params = {"change": "inputs", "code": code, "name": name}
    else:
        detail = f"edited {code} {name}: {', '.join(fields)}"
        params = {"change": "edited", "code": code, "name": name, "fields": fields}
    audit_record(
        evaluation=indicator.evaluation,
        actor=actor,
        action=AuditEntry.Action.EDITED_HIERARCHY,
        detail=detail,
        params=params,
    )
    results_mark_stale_if_shown(evaluation_id=indicator.evaluation_id)


def _finite(value) -> bool:
    # The comparison first: math.isfinite(10**400) raises OverflowError, a comparison does not
    # (and NaN and infinities fail it too).
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) <= MAX_MAGNITUDE
        and math.isfinite(value)
    )


def _check_choice(code: str, field: str, value: str, choices) -> None:
    if value not in choices.values:
        shown = str(value)[:40]
        raise ValidationError({field: _(ERROR_CHOICE).format(code=code, field=field, value=shown)})


def _clean_thresholds(indicator: Indicator, settings: SourceSettings) -> list[float]:
    code, grades = indicator.code, indicator.evaluation.grades.count()
    thresholds = list(settings.thresholds)
    if not thresholds:
        if settings.source == Indicator.MembershipSource.MEASURED:
            message = _(ERROR_THRESHOLDS_REQUIRED).format(
                code=code, count=grades - 1, grades=grades
            )
            raise ValidationError({"thresholds": message})
        return []
    if not all(_finite(t) for t in thresholds):
        message = _(ERROR_THRESHOLD_NUMBER).format(code=code, limit=MAX_MAGNITUDE)
        raise ValidationError({"thresholds": message})
    if len(thresholds) != grades - 1:
        message = _(ERROR_THRESHOLD_COUNT).format(
            code=code, count=grades - 1, grades=grades, given=len(thresholds)
        )
        raise ValidationError({"thresholds": message})
    try:
        measured.check_thresholds(thresholds, grades)
    except ValueError:
        raise ValidationError({"thresholds": _(ERROR_THRESHOLDS_ORDER).format(code=code)}) from None
    return [float(t) for t in thresholds]


@transaction.atomic
def leaf_source_set(
    *, indicator: Indicator, actor: AbstractBaseUser, settings: SourceSettings
) -> Indicator:
    """Choose where a leaf's membership comes from. Votes already cast for it stay stored and
    count again when the source goes back to votes; the inputs likewise stay."""
    indicator = _lock_leaf(indicator)
    code = indicator.code
    _check_choice(code, "membership_source", settings.source, Indicator.MembershipSource)
    _check_choice(code, "better", settings.better, Indicator.Better)
    _check_choice(code, "threshold_shape", settings.shape, Indicator.ThresholdShape)
    unit = str(settings.unit).strip()
    if len(unit) > UNIT_LIMIT:
        raise ValidationError({"unit": _(ERROR_UNIT_TOO_LONG).format(code=code, limit=UNIT_LIMIT)})
    new = {
        "membership_source": settings.source,
        "better": settings.better,
        "thresholds": _clean_thresholds(indicator, settings),
        "threshold_shape": settings.shape,
        "unit": unit,
    }
    changed = [name for name, value in new.items() if getattr(indicator, name) != value]
    if changed:
        for name in changed:
            setattr(indicator, name, new[name])
        indicator.save(update_fields=changed)
        _record(indicator, actor, changed)
    return indicator


def _clean_row(code: str, label: str, row, grades: int) -> list[float]:
    values = list(row) if isinstance(row, list | tuple) else None
    if values is None or len(values) != grades:
        message = _(ERROR_ROW_LENGTH).format(code=code, subject=label, grades=grades)
        raise ValidationError({"row": message})
    if not all(_finite(v) and 0 <= v <= 1 for v in values):
        raise ValidationError({"row": _(ERROR_ROW_NUMBER).format(code=code, subject=label)})
    try:
        return measured.given_membership(values, grades).tolist()
    except ValueError:
        message = _(ERROR_ROW_SUM).format(
            code=code, subject=label, tolerance=measured.ROW_SUM_TOLERANCE, total=sum(values)
        )
        raise ValidationError({"row": message}) from None


@transaction.atomic
def leaf_inputs_replace(
    *, indicator: Indicator, actor: AbstractBaseUser, inputs: Sequence[InputRow]
) -> list[LeafInput]:
    """Replace the leaf's inputs with `inputs` (an input left out is deleted). A given row is
    stored rescaled to sum exactly 1; an input with neither row nor value is dropped."""
    indicator = _lock_leaf(indicator)
    code = indicator.code
    subjects = dict(
        Subject.objects.filter(evaluation_id=indicator.evaluation_id).values_list("pk", "name")
    )
    grades = indicator.evaluation.grades.count()
    cleaned: dict[int | None, tuple[list[float] | None, float | None]] = {}
    for item in inputs:
        if item.subject is not None and item.subject not in subjects:
            shown = str(item.subject)[:20]
            message = _(ERROR_UNKNOWN_SUBJECT).format(code=code, subject=shown)
            raise ValidationError({"subject": message})
        label = subjects[item.subject] if item.subject is not None else _(ALL_SUBJECTS)
        if item.subject in cleaned:
            raise ValidationError(
                {"subject": _(ERROR_SUBJECT_TWICE).format(code=code, subject=label)}
            )
        if item.value is not None and item.subject is None:
            raise ValidationError({"value": _(ERROR_VALUE_FOR_ALL).format(code=code)})
        if item.value is not None and not _finite(item.value):
            message = _(ERROR_VALUE_NUMBER).format(code=code, subject=label, limit=MAX_MAGNITUDE)
            raise ValidationError({"value": message})
        row = None if item.row is None else _clean_row(code, label, item.row, grades)
        value = None if item.value is None else float(item.value)
        if row is not None or value is not None:
            cleaned[item.subject] = (row, value)
    before = sorted(
        (s or 0, r, v) for s, r, v in indicator.inputs.values_list("subject_id", "row", "value")
    )
    after = sorted((s or 0, r, v) for s, (r, v) in cleaned.items())
    if before != after:
        indicator.inputs.all().delete()
        LeafInput.objects.bulk_create(
            LeafInput(indicator=indicator, subject_id=s, row=r, value=v)
            for s, (r, v) in cleaned.items()
        )
        _record(indicator, actor, None)
    return list(indicator.inputs.all())
