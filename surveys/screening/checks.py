"""Locks and checks the screening services share (services, items, rounds, adopt).

The survey row is the lock: every service takes it first, so two coordinators' tabs editing
the same survey (or one opening round 1 while the other adds a question) are served one after
the other. What a survey asks is fixed once a round has asked it: questions change only before
round 1, and an item only until the first round that asks it opens.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import Evaluation, Indicator

from .limits import (
    ERROR_TEXT_TOO_LONG,
    ERROR_TOO_MANY_ITEMS,
    ERROR_TOO_MANY_RANKED,
    MAX_ITEMS,
    MAX_RANKED_ITEMS,
)
from .models import ScreeningItem, ScreeningQuestion, ScreeningSurvey

Kind = ScreeningQuestion.Kind

ERROR_REQUIRED = gettext_noop("This field must not be empty.")
ERROR_NOT_TEXT = gettext_noop("This field must be text.")
ERROR_NUL = gettext_noop("Null characters are not allowed.")
ERROR_SURVEY_STARTED = gettext_noop(
    "Round 1 has been opened, so the questions are fixed: change items through the decisions "
    "after a round, or add a suggested item."
)
ERROR_ITEM_ASKED = gettext_noop(
    "“{name}” has been asked in round {number}: change it through a decision after the round."
)
ERROR_GONE = gettext_noop(
    "That question or item is no longer part of this survey (it was changed in another tab or "
    "window). Reload the page and try again."
)
ERROR_NOT_THIS_EVALUATION = gettext_noop("That indicator is not part of this evaluation.")
ERROR_DUPLICATE_ITEM = gettext_noop("“{name}” is listed twice (names are compared ignoring case).")
ERROR_SUGGESTION_NO_ITEMS = gettext_noop(
    "A suggestion question asks for free text: it has no items."
)
ERROR_CHOICE_NO_PLACE = gettext_noop(
    "The options of a multiple-choice question are not placed in the hierarchy."
)


def error(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A ValidationError keyed by the field, as the forms and the API report it."""
    return ValidationError({field: ValidationError(message, code=code)})


def survey_lock(survey: ScreeningSurvey) -> ScreeningSurvey:
    """The survey's row, locked until the transaction ends, as it is now."""
    # Two tabs may post at once: the second waits here, then reads what the first left.
    return (
        ScreeningSurvey.objects.select_related("evaluation")
        .select_for_update(of=("self",))
        .get(pk=survey.pk)
    )


def question_lock(question: ScreeningQuestion) -> tuple[ScreeningSurvey, ScreeningQuestion]:
    """Lock the question's survey, then read the question afresh (it may have been deleted)."""
    survey = survey_lock(question.survey)
    try:
        return survey, survey.questions.get(pk=question.pk)
    except ScreeningQuestion.DoesNotExist:
        raise error("question", _(ERROR_GONE), code="gone") from None


def item_lock(item: ScreeningItem) -> tuple[ScreeningQuestion, ScreeningItem]:
    survey, question = question_lock(item.question)
    try:
        found = question.items.get(pk=item.pk)
    except ScreeningItem.DoesNotExist:
        raise error("item", _(ERROR_GONE), code="gone") from None
    question.survey = survey
    found.question = question
    return question, found


def survey_require_not_started(survey: ScreeningSurvey) -> None:
    if survey.rounds.exists():
        raise error("survey", _(ERROR_SURVEY_STARTED), code="started")


def item_require_not_asked(item: ScreeningItem) -> None:
    """An item is fixed from the first round that asks it on."""
    asked = item.question.survey.rounds.filter(number__gte=item.first_round).order_by("number")
    first = asked.first()
    if first is not None:
        message = _(ERROR_ITEM_ASKED).format(name=item.name, number=first.number)
        raise error("item", message, code="asked")


def text_clean(value: object, *, field: str, limit: int, required: bool = True) -> str:
    value = "" if value is None else value
    if not isinstance(value, str):
        raise error(field, _(ERROR_NOT_TEXT))
    if "\x00" in value:  # PostgreSQL's text columns cannot hold it
        raise error(field, _(ERROR_NUL), code="null_characters_not_allowed")
    value = value.strip()
    if required and not value:
        raise error(field, _(ERROR_REQUIRED), code="required")
    if len(value) > limit:
        raise error(field, _(ERROR_TEXT_TOO_LONG).format(limit=limit), code="max_length")
    return value


def item_name_clean(value: object, *, field: str = "name") -> str:
    return text_clean(value, field=field, limit=ScreeningItem._meta.get_field("name").max_length)


def names_check_unique(names: Sequence[str], *, field: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise error(field, _(ERROR_DUPLICATE_ITEM).format(name=name), code="unique")
        seen.add(name.casefold())


def place_check(evaluation: Evaluation, indicator: object, *, field: str) -> None:
    """`indicator` is None or an indicator of `evaluation`."""
    if indicator is None:
        return
    if not isinstance(indicator, Indicator) or indicator.evaluation_id != evaluation.pk:
        raise error(field, _(ERROR_NOT_THIS_EVALUATION))


def item_count_check(kind: str, count: int, *, field: str = "items") -> None:
    """`count` items fit a question of `kind` (a ranking has fewer places than other lists)."""
    if count > MAX_ITEMS:
        raise error(field, _(ERROR_TOO_MANY_ITEMS).format(limit=MAX_ITEMS), code="max_length")
    if kind == Kind.RANKING and count > MAX_RANKED_ITEMS:
        message = _(ERROR_TOO_MANY_RANKED).format(limit=MAX_RANKED_ITEMS)
        raise error(field, message, code="max_length")
