"""The answers' vocabulary: the kinds, the messages, and the questionnaire a respondent is
asked in one round, as light dataclasses built from the models."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The self-rating's bases and influences are the engine's words: its coefficient tables read them.
from evaluations.engine.screening.experts import BASES as BASES
from evaluations.engine.screening.experts import INFLUENCE_LEVELS as INFLUENCE_LEVELS

from ..models import ScreeningItem, ScreeningQuestion

RANKING = ScreeningQuestion.Kind.RANKING
RATING = ScreeningQuestion.Kind.RATING
CHOICE = ScreeningQuestion.Kind.CHOICE
SUGGESTION = ScreeningQuestion.Kind.SUGGESTION
ASKED = (ScreeningItem.Status.ACTIVE, ScreeningItem.Status.KEPT)
FAMILIARITY = ("very_familiar", "familiar", "somewhat", "little", "unfamiliar")
# What a rating form posts for "cannot judge / not my field".
CANNOT_JUDGE = "none"
# A question without its scale points set is read on the customary five.
DEFAULT_LEVELS = 5

ERROR_JSON_TYPE = gettext_noop("Must be a JSON {kind}.")
ERROR_UNKNOWN_QUESTION = gettext_noop("“{key}” is not a question of this survey.")
ERROR_UNKNOWN_KEY = gettext_noop("“{key}” is not a field of this answer.")
ERROR_UNKNOWN_ITEM = gettext_noop("“{key}” is not an item asked in this round.")
ERROR_RANKED_TWICE = gettext_noop("Each item may be ranked once.")
ERROR_PLACE_EMPTY = gettext_noop("Place {place} is empty: fill the places in order.")
ERROR_TOO_MANY_PLACES = gettext_noop("At most {count} places.")
ERROR_RANK_FIRST = gettext_noop("Rank at least the first place before submitting.")
ERROR_LEVEL = gettext_noop("A level from 1 to {levels}, or “cannot judge”.")
ERROR_RATE_EVERY = gettext_noop("Choose a level, or “cannot judge”, before submitting.")
ERROR_CHOSEN_TWICE = gettext_noop("Each answer may be chosen once.")
ERROR_ONE_CHOICE = gettext_noop("Choose one answer only.")
ERROR_TOO_MANY_CHOICES = gettext_noop("At most {count} answers.")
ERROR_CHOOSE = gettext_noop("Choose an answer before submitting.")
ERROR_OTHER_REQUIRED = gettext_noop("Say what “other” is before submitting.")
ERROR_OTHER_NOT_CHOSEN = gettext_noop("Text for “other” only when “other” is chosen.")
ERROR_TEXT_NUL = gettext_noop("Text may not hold a NUL character.")
ERROR_AUTHORITY_NOT_ASKED = gettext_noop("This survey does not ask you for a self-rating.")
ERROR_INFLUENCE = gettext_noop("High, medium or low.")
ERROR_FAMILIARITY = gettext_noop("Very familiar, familiar, somewhat, little or unfamiliar.")
ERROR_CHOOSE_ONE = gettext_noop("Choose one before submitting.")

# How much of a refused key or value an error message quotes back.
SHOWN_LIMIT = 24


@dataclass(frozen=True)
class AskedItem:
    id: int
    is_other: bool = False
    first_round: int = 1


@dataclass(frozen=True)
class AskedQuestion:
    id: int
    kind: str
    items: tuple[AskedItem, ...] = ()  # asked in this round, in the form's order
    levels: int = DEFAULT_LEVELS
    multiple: bool = False
    attention_answer: int | None = None

    @property
    def item_ids(self) -> set[int]:
        return {item.id for item in self.items}


@dataclass(frozen=True)
class Questionnaire:
    """What one respondent is asked in one round."""

    questions: tuple[AskedQuestion, ...]
    round_number: int = 1
    authority: bool = False  # whether the self-rating is asked (invited experts only)

    def reasoned_items(self) -> list[AskedItem]:
        """Items whose answer may change between rounds, and so may carry a reason."""
        kinds = (RANKING, RATING)
        return [item for q in self.questions if q.kind in kinds for item in q.items]


@dataclass
class Answers:
    answers: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)
    authority: dict = field(default_factory=dict)


def questionnaire(
    questions: Iterable, items: Iterable, *, round_number: int, authority: bool
) -> Questionnaire:
    """The questionnaire of round `round_number` from ScreeningQuestion and ScreeningItem
    instances (or anything with their attributes): each question with the items it asks."""
    asked: dict[int, list[AskedItem]] = {}
    for item in sorted(items, key=lambda i: (i.order, i.id)):
        if item.status in ASKED and item.first_round <= round_number:
            entry = AskedItem(id=item.id, is_other=item.is_other, first_round=item.first_round)
            asked.setdefault(item.question_id, []).append(entry)
    return Questionnaire(
        questions=tuple(
            AskedQuestion(
                id=q.id,
                kind=q.kind,
                items=tuple(asked.get(q.id, ())),
                levels=q.levels or DEFAULT_LEVELS,
                multiple=q.multiple,
                attention_answer=q.attention_answer_id,
            )
            for q in sorted(questions, key=lambda q: (q.order, q.id))
        ),
        round_number=round_number,
        authority=authority,
    )


class Errors(dict):
    """Messages by field path, raised together as one ValidationError."""

    def add(self, path: str, message: str, **params) -> None:
        self.setdefault(path, []).append(_(message).format(**params))

    def raise_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def shown(value) -> str:
    """A refused key or value as a message quotes it: cut short, not a pasted novel."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return "…"
    if isinstance(value, int) and abs(value) >= 10**SHOWN_LIMIT:
        return "…"  # and str() of a 5,000-digit integer would raise
    text = str(value)
    return text if len(text) <= SHOWN_LIMIT else text[: SHOWN_LIMIT - 1] + "…"
