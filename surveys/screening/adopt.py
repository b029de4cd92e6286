"""Adopt: the screened items become the evaluation's hierarchy, so the AHP stage starts from them.

Only ranking and rating items are candidate indicators (choice options are not). What each
becomes follows its decisions:
- kept (status kept, or revised in the last round and not asked again): an item standing for
  an indicator keeps it, renamed to the item's name if that differs; an item typed in or
  suggested is added under its `place_under` and linked to the new indicator, so adopting again
  adds nothing twice;
- dropped or merged: an item standing for an indicator deletes it (with its sub-indicators);
- undecided: Adopt is refused until every item has a decision.
An indicator two items stand for stays if either keeps it.

Every change goes through evaluations.services.structure, so its limits, codes and activity
entries apply. The whole Adopt is one transaction: refused, it changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import MAX_CHILDREN, AuditEntry, Evaluation, Indicator
from evaluations.selectors import depth_first, evaluation_has_ballots
from evaluations.services.audit import audit_record
from evaluations.services.structure import (
    ERROR_STRUCTURE_LOCKED,
    indicator_add,
    indicator_delete,
    indicator_update_text,
)

from .checks import error, survey_lock
from .models import ItemDecision, ScreeningItem, ScreeningQuestion, ScreeningRound, ScreeningSurvey

Status = ScreeningItem.Status

# Names listed in a refusal before "…": enough to find them on the page.
NAMES_SHOWN = 5

ERROR_ADOPT_ROUND_OPEN = gettext_noop(
    "Round {number} is still open: close it and decide on its items before adopting."
)
ERROR_ADOPT_NOTHING = gettext_noop("The survey has no ranking or rating items to adopt.")
ERROR_ADOPT_UNDECIDED = gettext_noop(
    "Decide on every item before adopting (keep, drop or merge): {names} have no decision "
    "after the round that last asked them, or have not been asked yet."
)
ERROR_ADOPT_NO_PLACE = gettext_noop(
    "“{name}” is kept but has no place in the hierarchy: choose the indicator to place it under."
)
ERROR_ADOPT_UNDER_DELETED = gettext_noop(
    "“{name}” is kept, but {code} {parent} above it would be deleted (an item standing for it "
    "is dropped or merged): keep {code} or place “{name}” elsewhere."
)
ERROR_ADOPT_TWO_NAMES = gettext_noop(
    "{code} is kept under two names, “{first}” and “{second}”: revise one so that they agree."
)
ERROR_ADOPT_PARENT_FULL = gettext_noop(
    "{code} {name} would have {count} sub-indicators, more than the {limit} one parent may have: "
    "group some of them under a new indicator first, then adopt again."
)


@dataclass(frozen=True)
class AdoptSummary:
    """What Adopt changed, by code: `deleted` as the codes were before, `renamed` and `added` as
    they are after (deleting an indicator moves its later siblings up one code)."""

    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    delete: list[Indicator] = field(default_factory=list)
    rename: dict[int, str] = field(default_factory=dict)  # indicator pk → new name
    # (parent pk, name casefolded) → the kept items that become one new indicator
    add: dict[tuple[int, str], list[ScreeningItem]] = field(default_factory=dict)


def _names(items: list[ScreeningItem]) -> str:
    names = [f"“{item.name}”" for item in items[:NAMES_SHOWN]]
    return ", ".join(names) + (", …" if len(items) > NAMES_SHOWN else "")


def _kept(items: list[ScreeningItem], last_round: int) -> tuple[list, list]:
    """The kept items and the removed (dropped or merged) ones; refused if any is undecided.

    A revised item is asked again; revised after the last round, it is kept under its new name.
    """
    latest: dict[int, ItemDecision] = {}
    decisions = ItemDecision.objects.filter(item__in=items).select_related("round")
    for decision in decisions.order_by("round__number"):
        latest[decision.item_id] = decision
    kept, removed, undecided = [], [], []
    for item in items:
        decision = latest.get(item.pk)
        revised_last = (
            decision is not None
            and decision.decision == ItemDecision.Decision.REVISE
            and decision.round.number == last_round
        )
        if item.status in (Status.DROPPED, Status.MERGED):
            removed.append(item)
        elif item.status == Status.KEPT or revised_last:
            kept.append(item)
        else:
            undecided.append(item)
    if undecided:
        raise error("decisions", _(ERROR_ADOPT_UNDECIDED).format(names=_names(undecided)))
    return kept, removed


def _plan(evaluation: Evaluation, kept: list, removed: list) -> _Plan:
    """What to delete, rename and add, checked against the whole tree before anything changes."""
    tree = depth_first(evaluation.indicators.all())
    by_pk = {indicator.pk: indicator for indicator, _depth in tree}
    plan = _Plan()
    names: dict[int, ScreeningItem] = {}
    for item in kept:
        if item.indicator_id is None:
            continue
        first = names.setdefault(item.indicator_id, item)
        if first.name != item.name:
            code = by_pk[item.indicator_id].code
            message = _(ERROR_ADOPT_TWO_NAMES).format(code=code, first=first.name, second=item.name)
            raise error("decisions", message)
        if by_pk[item.indicator_id].name != item.name:
            plan.rename[item.indicator_id] = item.name
    doomed = {i.indicator_id for i in removed if i.indicator_id} - set(names)
    doomed = {pk for pk in doomed if by_pk[pk].parent_id is not None}  # never the goal
    # Walking the tree in order, an indicator below a doomed one is doomed with it; delete the
    # top ones only, the last first, so no code moves before its indicator is deleted.
    gone: dict[int, Indicator] = {}  # every doomed indicator → the top one it goes with
    for indicator, _depth in tree:
        top = gone.get(indicator.parent_id)
        if top is not None:
            gone[indicator.pk] = top
        elif indicator.pk in doomed:
            gone[indicator.pk] = indicator
            plan.delete.append(indicator)
    plan.delete.reverse()
    for item in kept:
        place = item.indicator_id or item.place_under_id
        if item.indicator_id is None and place is None:
            raise error("place_under", _(ERROR_ADOPT_NO_PLACE).format(name=item.name))
        if place in gone:
            top = gone[place]
            message = _(ERROR_ADOPT_UNDER_DELETED).format(
                name=item.name, code=top.code, parent=top.name
            )
            raise error("place_under", message)
        if item.indicator_id is None:
            plan.add.setdefault((place, item.name.casefold()), []).append(item)
    _check_room(tree, gone, plan)
    return plan


def _check_room(tree: list, gone: dict[int, Indicator], plan: _Plan) -> None:
    """No parent ends with more children than MAX_CHILDREN, named in the refusal."""
    staying: dict[int, int] = defaultdict(int)
    for indicator, _depth in tree:
        if indicator.parent_id is not None and indicator.pk not in gone:
            staying[indicator.parent_id] += 1
    added: dict[int, int] = defaultdict(int)
    for parent_pk, _name in plan.add:
        added[parent_pk] += 1
    by_pk = {indicator.pk: indicator for indicator, _depth in tree}
    for parent_pk, count in added.items():
        total = staying[parent_pk] + count
        if total > MAX_CHILDREN:
            parent = by_pk[parent_pk]
            message = _(ERROR_ADOPT_PARENT_FULL).format(
                code=parent.code, name=parent.name, count=total, limit=MAX_CHILDREN
            )
            raise error("place_under", message, code="max_children")


def _apply(plan: _Plan, actor: AbstractBaseUser) -> AdoptSummary:
    summary = AdoptSummary()
    for indicator in plan.delete:
        summary.deleted.append(indicator.code)
        indicator_delete(indicator=indicator, actor=actor)
    for pk, name in plan.rename.items():
        indicator = Indicator.objects.get(pk=pk)  # its code may have moved up
        indicator_update_text(
            indicator=indicator,
            actor=actor,
            name=name,
            description=indicator.description,
            recommendation=indicator.recommendation,
        )
        summary.renamed.append(indicator.code)
    for (parent_pk, _name), items in plan.add.items():
        first = items[0]
        added = indicator_add(
            parent=Indicator.objects.get(pk=parent_pk),
            actor=actor,
            name=first.name,
            description=first.description,
        )
        ScreeningItem.objects.filter(pk__in=[item.pk for item in items]).update(indicator=added)
        summary.added.append(added.code)
    return summary


@transaction.atomic
def survey_adopt(*, survey: ScreeningSurvey, actor: AbstractBaseUser) -> AdoptSummary:
    """Build or update the evaluation's hierarchy from the survey's kept items (see the module's
    docstring). Refused once any ballot exists, while a round is open, or when an item is
    undecided, a kept item has no place, or a parent would have more than 9 children."""
    # The evaluation first, then the survey: the order the structure services lock in.
    evaluation = Evaluation.objects.select_for_update().get(pk=survey.evaluation_id)
    survey = survey_lock(survey)
    if evaluation_has_ballots(evaluation=evaluation):
        raise error("structure", _(ERROR_STRUCTURE_LOCKED), code="locked")
    open_round = survey.rounds.filter(status=ScreeningRound.Status.OPEN).first()
    if open_round is not None:
        message = _(ERROR_ADOPT_ROUND_OPEN).format(number=open_round.number)
        raise error("round", message, code="round_open")
    items = list(
        ScreeningItem.objects.filter(
            question__survey=survey,
            question__kind__in=[ScreeningQuestion.Kind.RANKING, ScreeningQuestion.Kind.RATING],
        ).order_by("question__order", "question_id", "order", "pk")
    )
    if not items:
        raise error("survey", _(ERROR_ADOPT_NOTHING), code="empty")
    last_round = survey.rounds.aggregate(last=Max("number"))["last"] or 0
    kept, removed = _kept(items, last_round)
    summary = _apply(_plan(evaluation, kept, removed), actor)
    detail = (
        f"adopted screening survey {survey.title}: added {', '.join(summary.added) or '-'}; "
        f"renamed {', '.join(summary.renamed) or '-'}; deleted {', '.join(summary.deleted) or '-'}"
    )
    params = {
        "change": "adopted",
        "survey": survey.pk,
        "title": survey.title,
        "added": summary.added,
        "renamed": summary.renamed,
        "deleted": summary.deleted,
    }
    audit_record(
        evaluation=evaluation,
        actor=actor,
        action=AuditEntry.Action.EDITED_HIERARCHY,
        detail=detail,
        params=params,
    )
    return summary
