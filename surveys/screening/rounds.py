"""Delphi rounds: open, close, decide per item, add suggested items.

A survey runs numbered rounds, one open at a time. After a round closes the coordinator decides
per item (keep, drop, revise, merge); a decision can be changed until the next round opens, and
an item without one is simply asked again. Decisions are kept per round (ItemDecision), and an
item's status follows the latest one: selectors.round_items reads the history, not the status.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import Indicator

from .checks import (
    ERROR_CHOICE_NO_PLACE,
    ERROR_GONE,
    error,
    item_name_clean,
    names_check_unique,
    place_check,
    survey_lock,
    text_clean,
)
from .items import HELP_TEXT_LIMIT, item_append, item_check_room
from .limits import ERROR_TOO_MANY_ROUNDS, MAX_ROUNDS
from .models import (
    ItemDecision,
    ScreeningItem,
    ScreeningQuestion,
    ScreeningRound,
    ScreeningSurvey,
)
from .selectors import answering_memberships, round_items, round_latest

Decision = ItemDecision.Decision
Kind = ScreeningQuestion.Kind
Status = ScreeningItem.Status
RoundStatus = ScreeningRound.Status

# The fewest items a question must ask in a round: a ranking or a choice of one is no question.
LEAST_ITEMS = {Kind.RANKING: 2, Kind.CHOICE: 2, Kind.RATING: 1, Kind.SUGGESTION: 0}
# The rule's verdicts a decision may carry (evaluations.engine.screening.boundary_value's words).
RULE_VERDICTS = ("", "keep", "drop", "discuss")
STATUS_AFTER = {
    Decision.KEEP: Status.KEPT,
    Decision.DROP: Status.DROPPED,
    Decision.REVISE: Status.ACTIVE,  # asked again under its new name
    Decision.MERGE: Status.MERGED,
}

ERROR_ROUND_STILL_OPEN = gettext_noop(
    "Round {number} is still open: close it before opening round {next}."
)
ERROR_ROUND_RACE = gettext_noop(
    "Another round of this survey was opened at the same moment (in another tab or window). "
    "Reload the page."
)
ERROR_NO_QUESTIONS = gettext_noop("Add at least one question before opening round 1.")
ERROR_TOO_FEW_ITEMS = gettext_noop(
    "“{question}” would ask {count} items in round {number}; it needs at least {least}."
)
ERROR_ROUND_CLOSED = gettext_noop("Round {number} is already closed.")
ERROR_ROUND_GONE = gettext_noop(
    "That round is no longer part of this survey. Reload the page and try again."
)
ERROR_DECIDE_AFTER_CLOSE = gettext_noop(
    "Round {number} is still open: decide on its items once it is closed."
)
ERROR_DECISIONS_FINAL = gettext_noop(
    "Round {next} has been opened, so what was decided after round {number} is final."
)
ERROR_ITEM_NOT_ASKED = gettext_noop("“{name}” was not asked in round {number}.")
ERROR_UNKNOWN_DECISION = gettext_noop("Unknown decision: {value}.")
ERROR_RULE_VERDICT = gettext_noop("The rule's verdict is keep, drop or discuss.")
ERROR_NEW_NAME_ONLY = gettext_noop("A new name goes with the decision “revise” only.")
ERROR_MERGE_TARGET_ONLY = gettext_noop("An item to merge into goes with the decision “merge” only.")
ERROR_MERGE_TARGET = gettext_noop(
    "Merge into another item of the same question that is neither dropped nor merged."
)
ERROR_MERGED_INTO_THIS = gettext_noop(
    "{names} merged into this item after round {number}: change their decisions first."
)
ERROR_SUGGEST_WHEN = gettext_noop(
    "Suggested items are added after a round is closed and before the next one opens."
)


def _round_lock(round: ScreeningRound) -> tuple[ScreeningSurvey, ScreeningRound]:
    """Lock the survey, then the round (the order every service follows), read afresh."""
    survey = survey_lock(round.survey)
    try:
        return survey, ScreeningRound.objects.select_for_update().get(pk=round.pk, survey=survey)
    except ScreeningRound.DoesNotExist:
        raise error("round", _(ERROR_ROUND_GONE), code="gone") from None


def _check_questions(survey: ScreeningSurvey, number: int) -> None:
    """Every question asks enough items in round `number` (after the earlier decisions)."""
    questions = list(survey.questions.all())
    if not questions:
        raise error("questions", _(ERROR_NO_QUESTIONS), code="required")
    counts: dict[int, int] = {}
    for item in round_items(round=ScreeningRound(survey=survey, number=number)):
        counts[item.question_id] = counts.get(item.question_id, 0) + 1
    for question in questions:
        count, least = counts.get(question.pk, 0), LEAST_ITEMS[question.kind]
        if count < least:
            message = _(ERROR_TOO_FEW_ITEMS).format(
                question=question.text[:80], count=count, number=number, least=least
            )
            raise error("questions", message, code="too_few_items")


@transaction.atomic
def round_open(*, survey: ScreeningSurvey, actor: AbstractBaseUser) -> ScreeningRound:
    """Open round 1, or the round after the last one once it is closed.

    Items without a decision after the last round are asked again, as are kept and revised
    ones; dropped and merged items are not. `invited` counts the experts who have joined the
    panel now: the base of the round's response rate.
    """
    survey = survey_lock(survey)
    latest = round_latest(survey=survey)
    number = 1 if latest is None else latest.number + 1
    if latest is not None and latest.status == RoundStatus.OPEN:
        message = _(ERROR_ROUND_STILL_OPEN).format(number=latest.number, next=number)
        raise error("round", message, code="round_open")
    if number > MAX_ROUNDS:
        message = _(ERROR_TOO_MANY_ROUNDS).format(limit=MAX_ROUNDS)
        raise error("round", message, code="max_length")
    _check_questions(survey, number)
    invited = answering_memberships(evaluation=survey.evaluation).count()
    try:
        # The unique constraints (one round per number, one open round per survey) meet a race
        # the lock above cannot: a database without row locks. A savepoint keeps the
        # transaction usable for the clear error.
        with transaction.atomic():
            return ScreeningRound.objects.create(survey=survey, number=number, invited=invited)
    except IntegrityError:
        raise error("round", _(ERROR_ROUND_RACE), code="conflict") from None


@transaction.atomic
def round_close(*, round: ScreeningRound, actor: AbstractBaseUser) -> ScreeningRound:
    """Close an open round: its responses stop changing and its decisions can be taken."""
    _survey, locked = _round_lock(round)
    if locked.status == RoundStatus.CLOSED:
        raise error("round", _(ERROR_ROUND_CLOSED).format(number=locked.number), code="closed")
    locked.status = RoundStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    return locked


def _require_decidable(survey: ScreeningSurvey, round: ScreeningRound) -> None:
    """The round is closed and the next has not opened: its decisions may still change."""
    if round.status == RoundStatus.OPEN:
        raise error("round", _(ERROR_DECIDE_AFTER_CLOSE).format(number=round.number))
    latest = round_latest(survey=survey)
    if latest.number != round.number:
        message = _(ERROR_DECISIONS_FINAL).format(next=round.number + 1, number=round.number)
        raise error("round", message, code="final")


def _clean_decision(
    item: ScreeningItem, decision: str, new_name: object, merged_into: object
) -> tuple[str, ScreeningItem | None]:
    """The new name (revise) and the item merged into (merge), checked."""
    if decision not in Decision.values:
        shown = decision[:20] if isinstance(decision, str) else type(decision).__name__
        raise error("decision", _(ERROR_UNKNOWN_DECISION).format(value=shown))
    if decision != Decision.REVISE and new_name not in ("", None):
        raise error("new_name", _(ERROR_NEW_NAME_ONLY))
    if decision != Decision.MERGE and merged_into is not None:
        raise error("merged_into", _(ERROR_MERGE_TARGET_ONLY))
    if decision == Decision.REVISE:
        name = item_name_clean(new_name, field="new_name")
        others = item.question.items.exclude(pk=item.pk).values_list("name", flat=True)
        names_check_unique([*others, name], field="new_name")
        return name, None
    if decision == Decision.MERGE:
        target = None
        if isinstance(merged_into, ScreeningItem) and merged_into.pk != item.pk:
            target = item.question.items.filter(pk=merged_into.pk).first()
        if target is None or target.status in (Status.DROPPED, Status.MERGED):
            raise error("merged_into", _(ERROR_MERGE_TARGET))
        return "", target
    return "", None


def _require_nothing_merged_into(item: ScreeningItem, round: ScreeningRound) -> None:
    merged = ItemDecision.objects.filter(
        round=round, decision=Decision.MERGE, merged_into=item
    ).exclude(item=item)
    names = [decision.item.name for decision in merged.select_related("item")]
    if names:
        message = _(ERROR_MERGED_INTO_THIS).format(
            names=", ".join(f"“{name}”" for name in names), number=round.number
        )
        raise error("decision", message, code="merged_into")


@transaction.atomic
def decision_set(
    *,
    round: ScreeningRound,
    item: ScreeningItem,
    actor: AbstractBaseUser,
    decision: str,
    new_name: str = "",
    merged_into: ScreeningItem | None = None,
    note: str = "",
    rule_verdict: str = "",
) -> ItemDecision:
    """Decide on an item asked in a closed round, or change that decision before the next
    round opens. keep → kept; drop → dropped (not asked again); revise → renamed and asked
    again (the decision keeps the name it had); merge → merged into another item of the
    question. A changed decision first undoes what the previous one did to the item."""
    survey, round = _round_lock(round)
    _require_decidable(survey, round)
    asked = round_items(round=round).filter(pk=item.pk).first()
    if asked is None:
        message = _(ERROR_ITEM_NOT_ASKED).format(name=item.name, number=round.number)
        raise error("item", message, code="not_asked")
    item = asked
    new_name, target = _clean_decision(item, decision, new_name, merged_into)
    note_limit = ItemDecision._meta.get_field("note").max_length
    note = text_clean(note, field="note", limit=note_limit, required=False)
    if rule_verdict not in RULE_VERDICTS:
        raise error("rule_verdict", _(ERROR_RULE_VERDICT))
    if decision in (Decision.DROP, Decision.MERGE):
        _require_nothing_merged_into(item, round)

    record = ItemDecision.objects.filter(round=round, item=item).first()
    if record is not None and record.decision == Decision.REVISE:
        item.name = record.previous_name  # undo the earlier rename before deciding again
    record = record or ItemDecision(round=round, item=item)
    record.previous_name = item.name if decision == Decision.REVISE else ""
    if decision == Decision.REVISE:
        item.name = new_name
    # The status follows this decision alone: only an item an earlier round kept, revised or
    # left undecided is asked in this round.
    item.status = STATUS_AFTER[decision]
    item.merged_into = target
    item.save(update_fields=["name", "status", "merged_into"])
    record.decision, record.new_name, record.merged_into = decision, new_name, target
    record.note, record.rule_verdict, record.decided_by = note, rule_verdict, actor
    record.save()
    return record


@transaction.atomic
def suggested_item_add(
    *,
    round: ScreeningRound,
    question: ScreeningQuestion,
    actor: AbstractBaseUser,
    name: str,
    description: str = "",
    place_under: Indicator | None = None,
) -> ScreeningItem:
    """Add an item after a closed round (a respondent's suggestion, say): the next round asks
    it, and until that round opens it can still be edited or deleted like a typed item."""
    survey, round = _round_lock(round)
    latest = round_latest(survey=survey)
    if round.status == RoundStatus.OPEN or latest.number != round.number:
        raise error("round", _(ERROR_SUGGEST_WHEN), code="round")
    if round.number + 1 > MAX_ROUNDS:
        message = _(ERROR_TOO_MANY_ROUNDS).format(limit=MAX_ROUNDS)
        raise error("round", message, code="max_length")
    question = survey.questions.filter(pk=question.pk).first()
    if question is None:
        raise error("question", _(ERROR_GONE), code="gone")
    name = item_name_clean(name)
    description = text_clean(
        description, field="description", limit=HELP_TEXT_LIMIT, required=False
    )
    item_check_room(question, name)
    if question.kind == Kind.CHOICE and place_under is not None:
        raise error("place_under", _(ERROR_CHOICE_NO_PLACE))
    place_check(survey.evaluation, place_under, field="place_under")
    return item_append(
        question,
        name=name,
        description=description,
        source=ScreeningItem.Source.SUGGESTED,
        place_under=place_under,
        first_round=round.number + 1,
    )
