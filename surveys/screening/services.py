"""The coordinator's side of a screening survey: its settings and questions; the items, the
rounds and Adopt live beside it (items.py, rounds.py, adopt.py) and are re-exported here, so
callers import every screening service from this module.

The services trust their caller, as the evaluation's do: views and the API reach a survey only
through selectors.survey_for_coordinator. Locks and the "fixed once asked" rule: checks.py.
"""

import math
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import Evaluation, Indicator

from .adopt import AdoptSummary, survey_adopt
from .attention import attention_answer_clean
from .authority_tables import TABLE_SETTINGS, table_clean
from .checks import (
    ERROR_CHOICE_NO_PLACE,
    ERROR_SUGGESTION_NO_ITEMS,
    error,
    item_count_check,
    item_name_clean,
    names_check_unique,
    place_check,
    question_lock,
    survey_lock,
    survey_require_not_started,
    text_clean,
)
from .items import (
    ERROR_PLACE_WITH_HIERARCHY,
    HELP_TEXT_LIMIT,
    item_add,
    item_delete,
    item_update,
)
from .limits import ERROR_TOO_MANY_QUESTIONS, MAX_QUESTIONS, QUESTION_TEXT_LIMIT
from .models import ScreeningItem, ScreeningQuestion, ScreeningRound, ScreeningSurvey
from .rounds import decision_set, round_close, round_open, suggested_item_add
from .scoring import ranking_scoring_clean

__all__ = [
    "AdoptSummary",
    "decision_set",
    "item_add",
    "item_delete",
    "item_update",
    "question_add",
    "question_delete",
    "question_update",
    "round_close",
    "round_open",
    "suggested_item_add",
    "survey_adopt",
    "survey_create",
    "survey_update_settings",
]

Kind = ScreeningQuestion.Kind
Source = ScreeningItem.Source
Status = ScreeningItem.Status

# A survey's introduction is read on the form: a few paragraphs at most (limits.py has no
# number for it; HELP_TEXT_LIMIT, items.py, bounds a question's help).
INTRODUCTION_LIMIT = 4000
# Screening surveys of one evaluation: a study runs one or two; the limit stops a runaway client.
MAX_SURVEYS = 20
# Settings' ranges. An answer time above an hour says nothing about attention; the largest IQR
# a 9-point scale allows is 8; the scale points a rating question may have.
MIN_SECONDS_MAX = 3600
CONSENSUS_IQR_MAX = 8.0
RATING_LEVELS = (5, 9)

ERROR_TOO_MANY_SURVEYS = gettext_noop("An evaluation may have at most {limit} screening surveys.")
ERROR_UNKNOWN_RULE = gettext_noop("Unknown screening rule: {value}.")
ERROR_THRESHOLD_SHARE = gettext_noop(
    "The share of the full score must be above 0 and at most 1 (the micro-store study: 0.8)."
)
ERROR_AGREEMENT_LEVEL = gettext_noop(
    "Agreement from level must be a whole number from 1 to {limit}, the points of the "
    "survey's smallest rating scale."
)
ERROR_CONSENSUS_IQR = gettext_noop("The largest IQR for consensus must lie between 0 and {limit}.")
ERROR_CONSENSUS_AGREEMENT = gettext_noop(
    "The least agreement for consensus must lie between 0 and 1."
)
ERROR_NOT_A_CHOICE = gettext_noop("Choose yes or no.")
ERROR_MIN_SECONDS = gettext_noop(
    "The least answering time must be a whole number from 0 to {limit}."
)
ERROR_SETTING_DURING_ROUND = gettext_noop(
    "Round {number} is open: what respondents are asked cannot change until it is closed."
)
ERROR_UNKNOWN_KIND = gettext_noop("Unknown kind of question: {value}.")
ERROR_LEVELS = gettext_noop("A rating question has a 5- or 9-point scale.")
ERROR_LEVELS_BELOW_AGREEMENT = gettext_noop(
    "The survey counts agreement from level {level}, above this {levels}-point scale; lower "
    "the survey's agreement level first."
)
ERROR_LEVELS_NOT_RATING = gettext_noop("Only a rating question has scale points.")
ERROR_CHOICE_ONLY = gettext_noop("Only a multiple-choice question has this option.")
ERROR_TWO_SOURCES = gettext_noop(
    "Take the items either from the hierarchy or from the typed list, not both."
)
ERROR_CHOICE_FROM_HIERARCHY = gettext_noop(
    "The options of a multiple-choice question are typed in, not taken from the hierarchy."
)
ERROR_NO_CHILDREN = gettext_noop("{code} has no sub-indicators to take as items.")
ERROR_ITEMS_NOT_A_LIST = gettext_noop("The items must be a list of names.")

# The "other" option's name, in the evaluation's language (it is data, shown to respondents).
OTHER_OPTION = gettext_noop("Other")

SETTINGS_FIELDS = (
    "title",
    "introduction",
    "rule",
    "threshold_share",
    "agreement_level",
    "consensus_max_iqr",
    "consensus_min_agreement",
    "ask_authority",
    "reason_required",
    "min_seconds",
    "basis_table",
    "familiarity_table",
)
# What a respondent sees or how their answer is judged: fixed while a round is open. The rule
# and its thresholds only word the verdicts, which are computed when read.
ANSWERING_SETTINGS = ("ask_authority", "reason_required", "min_seconds")
QUESTION_OPTIONS = ("levels", "scoring", "multiple", "allow_other")
QUESTION_FIELDS = ("text", "help_text", *QUESTION_OPTIONS, "attention_answer")


# ---------------------------------------------------------------------------------------------
# Surveys


def _shown(value: object) -> str:
    """A client's value, short, for a message (never str() of an object: a 5,000-digit integer
    raises in it)."""
    return value[:40] if isinstance(value, str) else type(value).__name__


def _real(value: object) -> float | None:
    """A finite float, or None for anything else (bools, text, huge integers, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and abs(value) > 10**6:  # float() of 10**400 overflows
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _smallest_scale(survey: ScreeningSurvey | None) -> int:
    if survey is None or survey.pk is None:
        return max(RATING_LEVELS)
    levels = survey.questions.filter(kind=Kind.RATING).values_list("levels", flat=True)
    return min([level for level in levels if level] or [max(RATING_LEVELS)])


def _clean_setting(name: str, value: object, survey: ScreeningSurvey | None) -> object:
    """One setting's value as stored, or a ValidationError keyed by the setting's name."""
    if name == "title":
        limit = ScreeningSurvey._meta.get_field("title").max_length
        return text_clean(value, field=name, limit=limit)
    if name == "introduction":
        return text_clean(value, field=name, limit=INTRODUCTION_LIMIT, required=False)
    if name == "rule":
        if value not in ScreeningSurvey.Rule.values:
            raise error(name, _(ERROR_UNKNOWN_RULE).format(value=_shown(value)))
        return value
    if name in ("ask_authority", "reason_required"):
        if not isinstance(value, bool):
            raise error(name, _(ERROR_NOT_A_CHOICE))
        return value
    if name in ("agreement_level", "min_seconds"):
        return _clean_whole(name, value, survey)
    if name in TABLE_SETTINGS:
        return table_clean(name, value)
    return _clean_share(name, value)


def _clean_whole(name: str, value: object, survey: ScreeningSurvey | None) -> int | None:
    whole = isinstance(value, int) and not isinstance(value, bool)
    if name == "agreement_level":
        if value is None:
            return None  # the customary levels: 4 of 5, 7 of 9
        limit = _smallest_scale(survey)
        if not whole or not 1 <= value <= limit:
            raise error(name, _(ERROR_AGREEMENT_LEVEL).format(limit=limit), code="range")
        return value
    if not whole or not 0 <= value <= MIN_SECONDS_MAX:
        raise error(name, _(ERROR_MIN_SECONDS).format(limit=MIN_SECONDS_MAX), code="range")
    return value


def _clean_share(name: str, value: object) -> float:
    number = _real(value)
    if name == "threshold_share":
        if number is None or not 0 < number <= 1:
            raise error(name, _(ERROR_THRESHOLD_SHARE), code="range")
    elif name == "consensus_max_iqr":
        if number is None or not 0 <= number <= CONSENSUS_IQR_MAX:
            message = _(ERROR_CONSENSUS_IQR).format(limit=f"{CONSENSUS_IQR_MAX:g}")
            raise error(name, message, code="range")
    elif number is None or not 0 <= number <= 1:  # consensus_min_agreement
        raise error(name, _(ERROR_CONSENSUS_AGREEMENT), code="range")
    return number


def _check_setting_names(settings: dict) -> None:
    unknown = set(settings) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown survey settings: {', '.join(sorted(unknown))}")


@transaction.atomic
def survey_create(
    *, evaluation: Evaluation, actor: AbstractBaseUser, title: str, **settings: object
) -> ScreeningSurvey:
    """A survey with no questions yet; `settings` are any of SETTINGS_FIELDS (model defaults
    for the others)."""
    _check_setting_names(settings)
    cleaned = {name: _clean_setting(name, value, None) for name, value in settings.items()}
    cleaned["title"] = _clean_setting("title", title, None)
    # Lock the evaluation so two tabs cannot both pass the count below.
    Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.screening_surveys.count() >= MAX_SURVEYS:
        message = _(ERROR_TOO_MANY_SURVEYS).format(limit=MAX_SURVEYS)
        raise error("survey", message, code="max_length")
    return ScreeningSurvey.objects.create(evaluation=evaluation, **cleaned)


@transaction.atomic
def survey_update_settings(
    *, survey: ScreeningSurvey, actor: AbstractBaseUser, **changes: object
) -> ScreeningSurvey:
    """Save the changed settings. The rule, its thresholds and the authority tables may change
    at any time (verdicts and Cr are computed when read); what respondents answer to
    (ANSWERING_SETTINGS) not while a round is open."""
    _check_setting_names(changes)
    locked = survey_lock(survey)
    # A table is checked even when it equals the stored one: True == 1.0 would pass unread.
    changed = {
        name: value
        for name, value in changes.items()
        if name in TABLE_SETTINGS or getattr(locked, name) != value
    }
    cleaned = {name: _clean_setting(name, value, locked) for name, value in changed.items()}
    open_round = locked.rounds.filter(status=ScreeningRound.Status.OPEN).first()
    for name in ANSWERING_SETTINGS:
        if name in cleaned and open_round is not None:
            message = _(ERROR_SETTING_DURING_ROUND).format(number=open_round.number)
            raise error(name, message, code="round_open")
    for name, value in cleaned.items():
        setattr(locked, name, value)
        setattr(survey, name, value)
    if cleaned:
        locked.save(update_fields=list(cleaned))
    return survey


# ---------------------------------------------------------------------------------------------
# Questions


def _clean_options(survey: ScreeningSurvey, kind: str, options: dict, *, places: int) -> dict:
    """levels, scoring, multiple and allow_other checked against the question's kind."""
    levels = options.get("levels")
    if kind == Kind.RATING:
        if isinstance(levels, bool) or levels not in RATING_LEVELS:
            raise error("levels", _(ERROR_LEVELS), code="range")
        if survey.agreement_level and survey.agreement_level > levels:
            message = _(ERROR_LEVELS_BELOW_AGREEMENT).format(
                level=survey.agreement_level, levels=levels
            )
            raise error("levels", message, code="range")
    elif levels is not None:
        raise error("levels", _(ERROR_LEVELS_NOT_RATING))
    if kind == Kind.RANKING:
        scoring = ranking_scoring_clean(options.get("scoring"), places=places)
    else:
        scoring = ranking_scoring_clean(options.get("scoring"), places=None)
    for flag in ("multiple", "allow_other"):
        value = options.get(flag, False)
        if not isinstance(value, bool):
            raise error(flag, _(ERROR_NOT_A_CHOICE))
        if value and kind != Kind.CHOICE:
            raise error(flag, _(ERROR_CHOICE_ONLY))
    return {
        "levels": levels,
        "scoring": scoring,
        "multiple": options.get("multiple", False),
        "allow_other": options.get("allow_other", False),
    }


def _item_rows(
    survey: ScreeningSurvey,
    kind: str,
    *,
    items_from: Indicator | None,
    items: Sequence[str] | None,
    place_under: Indicator | None,
) -> list[dict]:
    """The items a new question starts with, as ScreeningItem fields."""
    if kind == Kind.SUGGESTION and (items_from or items or place_under):
        raise error("items", _(ERROR_SUGGESTION_NO_ITEMS))
    if items_from is not None and items:
        raise error("items_from", _(ERROR_TWO_SOURCES))
    if items_from is not None:
        if kind == Kind.CHOICE:
            raise error("items_from", _(ERROR_CHOICE_FROM_HIERARCHY))
        if place_under is not None:
            raise error("place_under", _(ERROR_PLACE_WITH_HIERARCHY))
        place_check(survey.evaluation, items_from, field="items_from")
        children = list(items_from.children.order_by("order", "pk"))
        if not children:
            raise error("items_from", _(ERROR_NO_CHILDREN).format(code=items_from.code))
        return [
            {
                "name": child.name,
                "description": child.description,
                "source": Source.HIERARCHY,
                "indicator": child,
                "place_under": items_from,
            }
            for child in children
        ]
    if items is None:
        items = []
    if isinstance(items, str) or not isinstance(items, list | tuple):
        raise error("items", _(ERROR_ITEMS_NOT_A_LIST))
    item_count_check(kind, len(items))  # before reading them: a bounded amount of work
    if kind == Kind.CHOICE and place_under is not None:
        raise error("place_under", _(ERROR_CHOICE_NO_PLACE))
    place_check(survey.evaluation, place_under, field="place_under")
    names = [item_name_clean(name, field="items") for name in items]
    names_check_unique(names, field="items")
    return [{"name": name, "source": Source.TYPED, "place_under": place_under} for name in names]


def _other_name(survey: ScreeningSurvey) -> str:
    with translation.override(survey.evaluation.language):
        return _(OTHER_OPTION)


@transaction.atomic
def question_add(
    *,
    survey: ScreeningSurvey,
    actor: AbstractBaseUser,
    kind: str,
    text: str,
    help_text: str = "",
    levels: int | None = None,
    scoring: object = None,
    multiple: bool = False,
    allow_other: bool = False,
    items_from: Indicator | None = None,
    items: Sequence[str] | None = None,
    place_under: Indicator | None = None,
) -> ScreeningQuestion:
    """Add a question at the end of the survey, with its items.

    Items come from the hierarchy (`items_from`: that indicator's children, to be placed under
    it again by Adopt) or are typed (`items`, names, placed under `place_under` by Adopt; a
    choice question's options are not placed). `allow_other` adds an "other" option last.
    """
    survey = survey_lock(survey)
    survey_require_not_started(survey)
    if survey.questions.count() >= MAX_QUESTIONS:
        message = _(ERROR_TOO_MANY_QUESTIONS).format(limit=MAX_QUESTIONS)
        raise error("questions", message, code="max_length")
    if kind not in Kind.values:
        raise error("kind", _(ERROR_UNKNOWN_KIND).format(value=_shown(kind)))
    text = text_clean(text, field="text", limit=QUESTION_TEXT_LIMIT)
    help_text = text_clean(help_text, field="help_text", limit=HELP_TEXT_LIMIT, required=False)
    rows = _item_rows(survey, kind, items_from=items_from, items=items, place_under=place_under)
    options = _clean_options(
        survey,
        kind,
        {"levels": levels, "scoring": scoring, "multiple": multiple, "allow_other": allow_other},
        places=len(rows),
    )
    item_count_check(kind, len(rows) + options["allow_other"])
    top = survey.questions.aggregate(top=Max("order"))["top"]
    order = 0 if top is None else top + 1
    question = ScreeningQuestion.objects.create(
        survey=survey, kind=kind, text=text, help_text=help_text, order=order, **options
    )
    if options["allow_other"]:
        rows.append({"name": _other_name(survey), "source": Source.TYPED, "is_other": True})
    ScreeningItem.objects.bulk_create(
        ScreeningItem(question=question, order=position, **row) for position, row in enumerate(rows)
    )
    return question


@transaction.atomic
def question_update(
    *, question: ScreeningQuestion, actor: AbstractBaseUser, **changes: object
) -> ScreeningQuestion:
    """Change any of QUESTION_FIELDS before round 1 opens; the kind stays (delete and add to
    change it). Turning `allow_other` on or off adds or deletes the "other" option;
    `attention_answer` (an option's id, or None) makes a choice question an attention check."""
    unknown = set(changes) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown question fields: {', '.join(sorted(unknown))}")
    survey, question = question_lock(question)
    survey_require_not_started(survey)
    if "text" in changes:
        question.text = text_clean(changes["text"], field="text", limit=QUESTION_TEXT_LIMIT)
    if "help_text" in changes:
        question.help_text = text_clean(
            changes["help_text"], field="help_text", limit=HELP_TEXT_LIMIT, required=False
        )
    current = {name: getattr(question, name) for name in QUESTION_OPTIONS}
    places = question.items.filter(is_other=False).count()
    options = _clean_options(survey, question.kind, {**current, **changes}, places=places)
    item_count_check(question.kind, places + options["allow_other"])
    for name, value in options.items():
        setattr(question, name, value)
    if "attention_answer" in changes:
        question.attention_answer = attention_answer_clean(question, changes["attention_answer"])
    question.save()
    other = question.items.filter(is_other=True)
    if question.allow_other and not other.exists():
        ScreeningItem.objects.create(
            question=question,
            name=_other_name(survey),
            source=Source.TYPED,
            is_other=True,
            order=(question.items.aggregate(top=Max("order"))["top"] or 0) + 1,
        )
    elif not question.allow_other:
        other.delete()
    return question


@transaction.atomic
def question_delete(*, question: ScreeningQuestion, actor: AbstractBaseUser) -> None:
    """Delete the question and its items, before round 1 opens."""
    survey, question = question_lock(question)
    survey_require_not_started(survey)
    question.delete()
