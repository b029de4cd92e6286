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

survey_adopt_plan reads all this without writing (the page that asks to confirm shows it);
survey_adopt makes the same plan under its locks and carries it out. Every change goes through
evaluations.services.structure, so its limits, codes and activity entries apply. The whole
Adopt is one transaction: refused, it changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
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

# What Adopt does with one item (ItemOutcome.outcome).
KEEP = "keep"  # kept: its indicator stays as it is
RENAME = "rename"  # kept: its indicator takes the item's name
ADD = "add"  # kept: a new indicator under its place
DELETE = "delete"  # dropped or merged: its indicator goes, with its sub-indicators
LEAVE_OUT = "leave_out"  # dropped or merged, standing for no indicator: nothing to do
STAYS = "stays"  # dropped or merged, but another item keeps its indicator (or it is the goal)
UNDECIDED = "undecided"  # refused: no decision
NO_PLACE = "no_place"  # refused: kept, typed in, with no place
UNDER_DELETED = "under_deleted"  # refused: kept, under an indicator that would be deleted
TWO_NAMES = "two_names"  # refused: kept under another name than an item of the same indicator


@dataclass(frozen=True)
class AdoptSummary:
    """What Adopt changed, by code: `deleted` as the codes were before, `renamed` and `added` as
    they are after (deleting an indicator moves its later siblings up one code)."""

    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Refusal:
    """A reason Adopt would be refused, as survey_adopt raises it (field, message, code)."""

    field: str
    message: str
    code: str = "invalid"

    def error(self) -> ValidationError:
        return error(self.field, self.message, code=self.code)


@dataclass
class Rename:
    indicator: Indicator  # as it is now: its code and old name
    name: str  # the new name
    code: str = ""  # after Adopt (a deleted earlier sibling moves it up); "" when refused


@dataclass
class Addition:
    """One new indicator: the kept items of the same name under the same parent."""

    parent: Indicator  # as it is now
    items: list[ScreeningItem]
    code: str = ""  # the code it will get; "" when refused

    @property
    def name(self) -> str:
        return self.items[0].name


@dataclass
class ItemOutcome:
    item: ScreeningItem
    outcome: str  # KEEP, RENAME, ADD, …
    indicator: Indicator | None = None  # the indicator kept, renamed or deleted, as it is now
    addition: Addition | None = None  # ADD: the new indicator
    deleted_with: Indicator | None = None  # DELETE, UNDER_DELETED: the top indicator deleted


@dataclass
class AdoptPlan:
    """What Adopt would do, and the refusals it would raise (survey_adopt raises the first).

    `delete` holds the top indicators deleted (their sub-indicators go with them), the last
    first, with their codes as they are now; `keep` the indicators kept unchanged. The codes of
    `rename` and `add` are computed only when nothing refuses."""

    items: list[ItemOutcome] = field(default_factory=list)
    keep: list[Indicator] = field(default_factory=list)
    rename: list[Rename] = field(default_factory=list)
    add: list[Addition] = field(default_factory=list)
    delete: list[Indicator] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    def refuse(self, field: str, message: str, code: str = "invalid") -> None:
        self.refusals.append(Refusal(field, message, code))

    def summary(self) -> AdoptSummary:
        """The summary survey_adopt returns when it carries out this plan."""
        return AdoptSummary(
            added=[addition.code for addition in self.add],
            renamed=[rename.code for rename in self.rename],
            deleted=[indicator.code for indicator in self.delete],
        )


def _names(items: list[ScreeningItem]) -> str:
    names = [f"“{item.name}”" for item in items[:NAMES_SHOWN]]
    return ", ".join(names) + (", …" if len(items) > NAMES_SHOWN else "")


def _candidates(survey: ScreeningSurvey) -> list[ScreeningItem]:
    kinds = [ScreeningQuestion.Kind.RANKING, ScreeningQuestion.Kind.RATING]
    items = ScreeningItem.objects.filter(question__survey=survey, question__kind__in=kinds)
    return list(
        items.select_related("question").order_by("question__order", "question_id", "order", "pk")
    )


def _sort(items: list[ScreeningItem], last_round: int) -> tuple[list, list, list]:
    """The kept items, the removed (dropped or merged) ones and the undecided ones.

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
    return kept, removed, undecided


def _plan(evaluation: Evaluation, survey: ScreeningSurvey) -> AdoptPlan:
    """The whole plan, read from the survey and the tree; refusals collected, never raised.

    They are collected in the order survey_adopt has always checked them, so the first is the
    one it raises: ballots, an open round, nothing to adopt, undecided items, then the tree.
    """
    plan = AdoptPlan()
    if evaluation_has_ballots(evaluation=evaluation):
        plan.refuse("structure", _(ERROR_STRUCTURE_LOCKED), code="locked")
    rounds = list(survey.rounds.order_by("number").values_list("number", "status"))
    for number, status in rounds:
        if status == ScreeningRound.Status.OPEN:
            message = _(ERROR_ADOPT_ROUND_OPEN).format(number=number)
            plan.refuse("round", message, code="round_open")
    items = _candidates(survey)
    if not items:
        plan.refuse("survey", _(ERROR_ADOPT_NOTHING), code="empty")
        return plan
    kept, removed, undecided = _sort(items, rounds[-1][0] if rounds else 0)
    if undecided:
        plan.refuse("decisions", _(ERROR_ADOPT_UNDECIDED).format(names=_names(undecided)))
    outcomes = {item.pk: ItemOutcome(item, UNDECIDED) for item in undecided}
    _plan_tree(evaluation, plan, kept, removed, outcomes)
    plan.items = [outcomes[item.pk] for item in items]
    return plan


def _plan_tree(
    evaluation: Evaluation, plan: AdoptPlan, kept: list, removed: list, outcomes: dict
) -> None:
    """What to delete, rename and add, checked against the whole tree before anything changes."""
    tree = depth_first(evaluation.indicators.all())
    by_pk = {indicator.pk: indicator for indicator, _depth in tree}
    names = _kept_names(plan, kept, by_pk, outcomes)
    gone = _doomed(plan, tree, removed, names, by_pk, outcomes)
    renamed: dict[int, str] = {}
    for item in kept:
        if item.pk in outcomes:  # kept under a second name: refused already
            continue
        indicator = by_pk.get(item.indicator_id)
        place = item.indicator_id or item.place_under_id
        if indicator is None and place is None:
            plan.refuse("place_under", _(ERROR_ADOPT_NO_PLACE).format(name=item.name))
            outcomes[item.pk] = ItemOutcome(item, NO_PLACE)
        elif place in gone:
            top = gone[place]
            message = _(ERROR_ADOPT_UNDER_DELETED).format(
                name=item.name, code=top.code, parent=top.name
            )
            plan.refuse("place_under", message)
            outcomes[item.pk] = ItemOutcome(item, UNDER_DELETED, indicator, deleted_with=top)
        elif indicator is not None and indicator.name != item.name:
            renamed[indicator.pk] = item.name
            outcomes[item.pk] = ItemOutcome(item, RENAME, indicator)
        elif indicator is not None:
            outcomes[item.pk] = ItemOutcome(item, KEEP, indicator)
        else:
            outcomes[item.pk] = ItemOutcome(item, ADD, addition=_addition(plan, by_pk[place], item))
    plan.rename = [Rename(by_pk[pk], name) for pk, name in renamed.items()]
    kept_as_is = [row.indicator for row in outcomes.values() if row.outcome == KEEP]
    plan.keep = list({indicator.pk: indicator for indicator in kept_as_is}.values())
    _check_room(plan, tree, gone)
    if not plan.refusals:
        _number(plan, tree, gone)


def _kept_names(plan: AdoptPlan, kept: list, by_pk: dict, outcomes: dict) -> dict[int, str]:
    """The kept items' indicators with the name each is kept under; two names are refused."""
    names: dict[int, ScreeningItem] = {}
    for item in kept:
        if item.indicator_id is None:
            continue
        first = names.setdefault(item.indicator_id, item)
        if first.name != item.name:
            code = by_pk[item.indicator_id].code
            message = _(ERROR_ADOPT_TWO_NAMES).format(code=code, first=first.name, second=item.name)
            plan.refuse("decisions", message)
            outcomes[item.pk] = ItemOutcome(item, TWO_NAMES, by_pk[item.indicator_id])
    return {pk: item.name for pk, item in names.items()}


def _doomed(
    plan: AdoptPlan, tree: list, removed: list, names: dict, by_pk: dict, outcomes: dict
) -> dict[int, Indicator]:
    """Every indicator deleted → the top one it goes with; plan.delete gets the top ones."""
    doomed = {i.indicator_id for i in removed if i.indicator_id} - set(names)
    doomed = {pk for pk in doomed if by_pk[pk].parent_id is not None}  # never the goal
    # Walking the tree in order, an indicator below a doomed one is doomed with it; delete the
    # top ones only, the last first, so no code moves before its indicator is deleted.
    gone: dict[int, Indicator] = {}
    for indicator, _depth in tree:
        top = gone.get(indicator.parent_id)
        if top is not None:
            gone[indicator.pk] = top
        elif indicator.pk in doomed:
            gone[indicator.pk] = indicator
            plan.delete.append(indicator)
    plan.delete.reverse()
    for item in removed:
        indicator = by_pk.get(item.indicator_id)
        if indicator is None:
            outcomes[item.pk] = ItemOutcome(item, LEAVE_OUT)
        elif indicator.pk in gone:
            top = gone[indicator.pk]
            outcomes[item.pk] = ItemOutcome(item, DELETE, indicator, deleted_with=top)
        else:
            outcomes[item.pk] = ItemOutcome(item, STAYS, indicator)
    return gone


def _addition(plan: AdoptPlan, parent: Indicator, item: ScreeningItem) -> Addition:
    """The new indicator the item becomes: one per name (ignoring case) under one parent."""
    for addition in plan.add:
        if addition.parent.pk == parent.pk and addition.name.casefold() == item.name.casefold():
            addition.items.append(item)
            return addition
    addition = Addition(parent, [item])
    plan.add.append(addition)
    return addition


def _check_room(plan: AdoptPlan, tree: list, gone: dict[int, Indicator]) -> None:
    """No parent ends with more children than MAX_CHILDREN, named in the refusal."""
    staying: dict[int, int] = defaultdict(int)
    for indicator, _depth in tree:
        if indicator.parent_id is not None and indicator.pk not in gone:
            staying[indicator.parent_id] += 1
    added: dict[int, int] = defaultdict(int)
    parents: dict[int, Indicator] = {}
    for addition in plan.add:
        added[addition.parent.pk] += 1
        parents[addition.parent.pk] = addition.parent
    for parent_pk, count in added.items():
        total = staying[parent_pk] + count
        if total > MAX_CHILDREN:
            parent = parents[parent_pk]
            message = _(ERROR_ADOPT_PARENT_FULL).format(
                code=parent.code, name=parent.name, count=total, limit=MAX_CHILDREN
            )
            plan.refuse("place_under", message, code="max_children")


def _number(plan: AdoptPlan, tree: list, gone: dict[int, Indicator]) -> None:
    """The codes renamed and added indicators will have, numbered as the structure services
    number the tree: deletions first (later siblings move up), then each addition last under
    its parent, in the plan's order."""
    below: dict[int | None, list] = defaultdict(list)
    for indicator, _depth in tree:  # siblings in their order
        if indicator.pk not in gone:
            below[indicator.parent_id].append(indicator)
    for addition in plan.add:
        below[addition.parent.pk].append(addition)
    codes: dict[int, str] = {}

    def walk(indicator: Indicator, code: str) -> None:
        codes[indicator.pk] = code
        for position, child in enumerate(below[indicator.pk], start=1):
            if isinstance(child, Addition):
                child.code = f"{code}{position}"
            else:
                walk(child, f"{code}{position}")

    for root in below[None]:
        walk(root, "U")
    for rename in plan.rename:
        rename.code = codes[rename.indicator.pk]


def survey_adopt_plan(*, survey: ScreeningSurvey) -> AdoptPlan:
    """What survey_adopt would do now, and why it would refuse; writes nothing and locks
    nothing (survey_adopt makes the plan again under its locks)."""
    evaluation = Evaluation.objects.get(pk=survey.evaluation_id)
    return _plan(evaluation, survey)


def _apply(plan: AdoptPlan, actor: AbstractBaseUser) -> AdoptSummary:
    summary = AdoptSummary()
    for indicator in plan.delete:
        summary.deleted.append(indicator.code)
        indicator_delete(indicator=indicator, actor=actor)
    for rename in plan.rename:
        indicator = Indicator.objects.get(pk=rename.indicator.pk)  # its code may have moved up
        indicator_update_text(
            indicator=indicator,
            actor=actor,
            name=rename.name,
            description=indicator.description,
            recommendation=indicator.recommendation,
        )
        summary.renamed.append(indicator.code)
    for addition in plan.add:
        first = addition.items[0]
        added = indicator_add(
            parent=Indicator.objects.get(pk=addition.parent.pk),
            actor=actor,
            name=first.name,
            description=first.description,
        )
        ScreeningItem.objects.filter(pk__in=[item.pk for item in addition.items]).update(
            indicator=added
        )
        summary.added.append(added.code)
    return summary


@transaction.atomic
def survey_adopt(*, survey: ScreeningSurvey, actor: AbstractBaseUser) -> AdoptSummary:
    """Build or update the evaluation's hierarchy from the survey's kept items (see the module's
    docstring). Refused once any ballot exists, while a round is open, or when an item is
    undecided, a kept item has no place, or a parent would have more than 9 children: the
    first of survey_adopt_plan's refusals is raised."""
    # The evaluation first, then the survey: the order the structure services lock in.
    evaluation = Evaluation.objects.select_for_update().get(pk=survey.evaluation_id)
    survey = survey_lock(survey)
    plan = _plan(evaluation, survey)
    if plan.refusals:
        raise plan.refusals[0].error()
    summary = _apply(plan, actor)
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
