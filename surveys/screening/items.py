"""A question's items typed in, edited and deleted by the coordinator, until a round asks them
(suggested items after a round: rounds.suggested_item_add)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import Indicator

from .checks import (
    ERROR_CHOICE_NO_PLACE,
    ERROR_SUGGESTION_NO_ITEMS,
    error,
    item_count_check,
    item_lock,
    item_name_clean,
    item_require_not_asked,
    names_check_unique,
    place_check,
    question_lock,
    survey_require_not_started,
    text_clean,
)
from .limits import ERROR_TOO_MANY_ITEMS, MAX_ITEMS
from .models import ScreeningItem, ScreeningQuestion

Kind = ScreeningQuestion.Kind
Source = ScreeningItem.Source
Status = ScreeningItem.Status

# A question's help and an item's description are read on the form: a paragraph or two.
HELP_TEXT_LIMIT = 2000
ITEM_FIELDS = ("name", "description", "place_under")

ERROR_PLACE_WITH_HIERARCHY = gettext_noop(
    "Items from the hierarchy stay under their indicator: leave “place under” empty."
)
ERROR_SCORING_FIXED = gettext_noop(
    "This ranking gives set points to {places} places: clear or change the points per place "
    "before adding or removing items."
)


def scoring_require_unset(question: ScreeningQuestion) -> None:
    """Set points per place fit a number of places: the items of such a ranking are fixed."""
    if question.kind == Kind.RANKING and question.scoring:
        message = _(ERROR_SCORING_FIXED).format(places=len(question.scoring))
        raise error("scoring", message, code="fixed")


def item_check_room(question: ScreeningQuestion, name: str, *, field: str = "name") -> None:
    """A new item's name is new in its question, and the question has room for one more."""
    if question.kind == Kind.SUGGESTION:
        raise error("question", _(ERROR_SUGGESTION_NO_ITEMS))
    scoring_require_unset(question)
    names = list(question.items.values_list("name", flat=True))
    names_check_unique([*names, name], field=field)
    # Every row counts towards MAX_ITEMS; a ranking's places are the items still asked.
    if len(names) + 1 > MAX_ITEMS:
        message = _(ERROR_TOO_MANY_ITEMS).format(limit=MAX_ITEMS)
        raise error(field, message, code="max_length")
    asked = question.items.exclude(status__in=[Status.DROPPED, Status.MERGED]).count()
    item_count_check(question.kind, asked + 1, field=field)


def item_append(question: ScreeningQuestion, **fields: object) -> ScreeningItem:
    """Create an item after the others but before the "other" option, which stays last."""
    others = list(question.items.filter(is_other=True))
    top = question.items.filter(is_other=False).aggregate(top=Max("order"))["top"]
    order = 0 if top is None else top + 1
    for other in others:
        other.order = order + 1
    ScreeningItem.objects.bulk_update(others, ["order"])
    return ScreeningItem.objects.create(question=question, order=order, **fields)


def _description(value: object) -> str:
    return text_clean(value, field="description", limit=HELP_TEXT_LIMIT, required=False)


@transaction.atomic
def item_add(
    *,
    question: ScreeningQuestion,
    actor: AbstractBaseUser,
    name: str,
    description: str = "",
    place_under: Indicator | None = None,
) -> ScreeningItem:
    """Type in one more item before round 1 opens; Adopt places it under `place_under`."""
    survey, question = question_lock(question)
    survey_require_not_started(survey)
    name = item_name_clean(name)
    description = _description(description)
    item_check_room(question, name)
    if question.kind == Kind.CHOICE and place_under is not None:
        raise error("place_under", _(ERROR_CHOICE_NO_PLACE))
    place_check(survey.evaluation, place_under, field="place_under")
    return item_append(
        question, name=name, description=description, source=Source.TYPED, place_under=place_under
    )


@transaction.atomic
def item_update(
    *, item: ScreeningItem, actor: AbstractBaseUser, **changes: object
) -> ScreeningItem:
    """Change an item's name, description or place (ITEM_FIELDS) until a round has asked it.

    An item from the hierarchy stays where its indicator is: its place does not change.
    """
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown item fields: {', '.join(sorted(unknown))}")
    question, item = item_lock(item)
    item_require_not_asked(item)
    if "name" in changes:
        item.name = item_name_clean(changes["name"])
        others = question.items.exclude(pk=item.pk).values_list("name", flat=True)
        names_check_unique([*others, item.name], field="name")
    if "description" in changes:
        item.description = _description(changes["description"])
    if "place_under" in changes and changes["place_under"] != item.place_under:
        place = changes["place_under"]
        if item.source == Source.HIERARCHY:
            raise error("place_under", _(ERROR_PLACE_WITH_HIERARCHY))
        if question.kind == Kind.CHOICE and place is not None:
            raise error("place_under", _(ERROR_CHOICE_NO_PLACE))
        place_check(question.survey.evaluation, place, field="place_under")
        item.place_under = place
    item.save()
    return item


@transaction.atomic
def item_delete(*, item: ScreeningItem, actor: AbstractBaseUser) -> None:
    """Delete an item no round has asked yet. Deleting the "other" option turns it off."""
    question, item = item_lock(item)
    item_require_not_asked(item)
    if item.is_other:
        question.allow_other = False
        question.save(update_fields=["allow_other"])
    else:
        scoring_require_unset(question)
    item.delete()
