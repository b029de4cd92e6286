"""Expert weights per first-level criterion (issue #15 §3): an expert may weigh more on the
criteria of their field. A criterion's weight applies to every matrix and every rating in its
subtree; the root matrix, and every criterion without a weight of its own, take the expert's
overall weight (PanelMembership.weight).

Stored on PanelMembership.criterion_weights by indicator id (codes can be renamed); read and
written by code, as the pages, the API and the results name indicators. A stored id that is no
longer a first-level criterion (deleted or moved) is ignored and dropped at the next save.
"""

import math
from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import AuditEntry, Evaluation, Indicator
from evaluations.models.evaluation import MAX_CHILDREN
from evaluations.services import audit_record
from evaluations.services.pipeline import results_mark_stale

from .models import PanelMembership
from .paste import (
    ERROR_WEIGHT_TOO_LARGE,
    MAX_EXPERT_WEIGHT,
    ExpertLine,
    expert_weight_parse,
    shown,
)

CODE_LIMIT = 20  # Indicator.code's max_length: a longer key cannot name a criterion

ERROR_LINE_CRITERION_UNKNOWN = gettext_noop(
    "Line {line}: “{criterion}” is not a first-level criterion of this evaluation."
)
ERROR_CRITERIA_NOT_OBJECT = gettext_noop(
    "{expert}: the weights per criterion must be an object {{criterion code: weight}}."
)
ERROR_CRITERIA_TOO_MANY = gettext_noop(
    "{expert}: at most {limit} weights per criterion (one per first-level criterion); got {count}."
)
ERROR_CRITERION_UNKNOWN = gettext_noop(
    "{expert}: “{criterion}” is not a first-level criterion of this evaluation."
)
ERROR_CRITERION_WEIGHT = gettext_noop(
    "{expert}, criterion {criterion}: “{value}” is not a positive number "
    "(leave it blank, or null, for the overall weight)."
)
ERROR_CRITERION_WEIGHT_TOO_LARGE = gettext_noop(
    "{expert}, criterion {criterion}: the weight may be at most {limit}."
)


def first_level_criteria(evaluation: Evaluation) -> list[Indicator]:
    """The root's children, in the hierarchy's order."""
    return list(
        Indicator.objects.filter(evaluation=evaluation, parent__parent__isnull=True)
        .exclude(parent__isnull=True)
        .order_by("order", "id")
    )


def effective_criterion_weights(
    membership: PanelMembership, criteria: list[Indicator]
) -> dict[str, float]:
    """{code: weight} of the criteria that have a weight of their own, in hierarchy order."""
    stored = membership.criterion_weights or {}
    return {c.code: float(stored[str(c.pk)]) for c in criteria if str(c.pk) in stored}


def criterion_weight_parse(
    value: object, *, expert: str, criterion: str, errors: list[str]
) -> float | None:
    """A criterion's weight from form text or a JSON value: None (blank or null) means the
    overall weight; a refusal is appended to `errors`, naming the expert, criterion and rule.
    Text is bounded (expert_weight_parse) before it reaches float()."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        weight = None
    elif isinstance(value, int | float):
        weight = float(value) if math.isfinite(value) and value > 0 else None
    elif isinstance(value, str):
        weight = expert_weight_parse(value)
    else:
        weight = None
    if weight is None:
        errors.append(
            _(ERROR_CRITERION_WEIGHT).format(
                expert=expert, criterion=criterion, value=shown(str(value))
            )
        )
    elif weight > MAX_EXPERT_WEIGHT:
        errors.append(
            _(ERROR_CRITERION_WEIGHT_TOO_LARGE).format(
                expert=expert, criterion=criterion, limit=MAX_EXPERT_WEIGHT
            )
        )
        weight = None
    return weight


def criterion_weights_clean(
    *, membership: PanelMembership, criteria: list[Indicator], values: object
) -> dict[str, float]:
    """{indicator id: weight} to store, from {criterion code: weight or None}.

    Raises ValidationError({"criterion_weights": [...]}) naming every refusal; nothing is
    converted past the size bound.
    """
    expert = membership.display_name
    if not isinstance(values, Mapping):
        raise _refused(_(ERROR_CRITERIA_NOT_OBJECT).format(expert=expert))
    if len(values) > MAX_CHILDREN:
        message = _(ERROR_CRITERIA_TOO_MANY).format(
            expert=expert, limit=MAX_CHILDREN, count=len(values)
        )
        raise _refused(message)
    by_code = {c.code: c for c in criteria}
    errors: list[str] = []
    cleaned: dict[str, float] = {}
    for code, value in values.items():
        criterion = by_code.get(code) if isinstance(code, str) else None
        if criterion is None:
            name = shown(str(code)[: CODE_LIMIT * 2])
            errors.append(_(ERROR_CRITERION_UNKNOWN).format(expert=expert, criterion=name))
            continue
        weight = criterion_weight_parse(value, expert=expert, criterion=code, errors=errors)
        if weight is not None:
            cleaned[str(criterion.pk)] = weight
    if errors:
        raise _refused(*errors)
    return cleaned


def pasted_criterion_weights(
    *, evaluation: Evaluation, experts: list[ExpertLine]
) -> dict[int, dict[str, float]]:
    """Each pasted line's CODE=weight fields as stored ({indicator id: weight}); a code that
    is not a first-level criterion of the evaluation refuses the paste, naming the line."""
    criteria = {c.code: c.pk for c in first_level_criteria(evaluation)}
    stored, errors = {}, []
    for expert in experts:
        stored[expert.line] = {}
        for code, weight in expert.criterion_weights:
            if code in criteria:
                stored[expert.line][str(criteria[code])] = weight
            else:
                errors.append(
                    _(ERROR_LINE_CRITERION_UNKNOWN).format(line=expert.line, criterion=code)
                )
    if errors:
        raise ValidationError({"text": errors})
    return stored


def _refused(*messages: str) -> ValidationError:
    return ValidationError({"criterion_weights": list(messages)})


@transaction.atomic
def membership_weights_set(
    *,
    membership: PanelMembership,
    actor: AbstractBaseUser,
    weight: float | None = None,
    criterion_weights: object = None,
) -> PanelMembership:
    """Set the expert's overall weight and/or weights per criterion ({code: weight or None};
    None or a code left out: the overall weight). Leaving an argument None keeps what is
    stored. Logged with the settings, and the results recomputed when anything changed."""
    # Locked: two coordinators' tabs saving at once would each log a "before" the other wrote.
    membership = PanelMembership.objects.select_for_update().get(pk=membership.pk)
    if weight is not None:
        _check_overall(weight)
    criteria = first_level_criteria(membership.evaluation)
    before = effective_criterion_weights(membership, criteria)
    if criterion_weights is not None:
        membership.criterion_weights = criterion_weights_clean(
            membership=membership, criteria=criteria, values=criterion_weights
        )
    after = effective_criterion_weights(membership, criteria)
    previous = membership.weight
    if weight is not None:
        membership.weight = weight
    membership.save(update_fields=["weight", "criterion_weights"])
    expert = membership.email or membership.name  # a paper-only expert has no e-mail
    if previous != membership.weight:
        audit_record(
            evaluation=membership.evaluation,
            actor=actor,
            action=AuditEntry.Action.EDITED_SETTINGS,
            detail=f"expert weight of {expert}: {previous:g} → {membership.weight:g}",
            params={"expert": expert, "before": previous, "after": membership.weight},
        )
    if before != after:
        audit_record(
            evaluation=membership.evaluation,
            actor=actor,
            action=AuditEntry.Action.EDITED_SETTINGS,
            detail=f"weights per criterion of {expert}: {before} → {after}",
            params={"expert": expert, "criteria_before": before, "criteria_after": after},
        )
    if previous != membership.weight or before != after:
        results_mark_stale(evaluation_id=membership.evaluation_id)  # weights enter AIJ/AIP/FCE
    return membership


def _check_overall(weight: float) -> None:
    from .services import ERROR_WEIGHT  # services imports this module (the pasted weights)

    if isinstance(weight, bool) or not math.isfinite(weight) or weight <= 0:
        raise ValidationError({"weight": _(ERROR_WEIGHT)})
    if weight > MAX_EXPERT_WEIGHT:
        raise ValidationError({"weight": _(ERROR_WEIGHT_TOO_LARGE).format(limit=MAX_EXPERT_WEIGHT)})
