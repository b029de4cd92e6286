"""Reading an HTML form's fields into the answers' layout (see the package's docstring).

Every number is read only after a length check and as ASCII digits (evaluations.forms'
number_text_ok): int() never sees a 100,000-digit string, "²" or "1_000"."""

from collections.abc import Mapping

from evaluations.forms import WHOLE_NUMBER, number_text_ok

from .layout import (
    BASES,
    CANNOT_JUDGE,
    CHOICE,
    ERROR_LEVEL,
    ERROR_PLACE_EMPTY,
    ERROR_UNKNOWN_ITEM,
    RANKING,
    RATING,
    SUGGESTION,
    Answers,
    AskedQuestion,
    Errors,
    Questionnaire,
    shown,
)


def answers_from_form(data: Mapping, form: Questionnaire) -> Answers:
    """Read an HTML form's fields into the layout; the result still goes to answers_clean.

    Fields: "rating-<item id>" = a level or "none"; "ranking-<question id>-<place>" = an item
    id (places from 1); "choice-<question id>" = item ids (one field per selected box) and
    "other-<question id>" = text; "suggestion-<question id>" = text; "reason-<item id>" = text;
    "authority-<basis>" = high / medium / low and "authority-familiarity". An empty field is
    no answer. Other fields (the CSRF token, the buttons) are not read."""
    errors = Errors()
    readers = {
        RANKING: _ranking_from_form,
        RATING: _rating_from_form,
        CHOICE: _choice_from_form,
        SUGGESTION: _suggestion_from_form,
    }
    answers = {}
    for question in form.questions:
        answer = readers[question.kind](data, question, errors)
        if answer:
            answers[str(question.id)] = answer
    reasons = {}
    for item in form.reasoned_items():
        text = _form_text(data, f"reason-{item.id}")
        if text:
            reasons[str(item.id)] = text
    authority = _authority_from_form(data) if form.authority else {}
    errors.raise_any()
    return Answers(answers=answers, reasons=reasons, authority=authority)


def _form_text(data: Mapping, name: str):
    """The field's value; a value that is not text is handed on for answers_clean to refuse."""
    value = data.get(name, "")
    return value if value is not None else ""


def _form_values(data: Mapping, name: str) -> list:
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
    return [value for value in values if value not in (None, "")]


def _whole_number(value) -> int | None:
    """A short ASCII whole number as int; anything else None, unread (no int() of a
    100,000-digit string, of "²" or of "1_000")."""
    if not isinstance(value, str) or not number_text_ok(value, WHOLE_NUMBER):
        return None
    return int(value.strip())


def _rating_from_form(data: Mapping, question: AskedQuestion, errors: Errors) -> dict:
    answer: dict[str, int | None] = {}
    for item in question.items:
        raw = _form_text(data, f"rating-{item.id}")
        if isinstance(raw, str) and raw.strip() == "":
            continue
        if isinstance(raw, str) and raw.strip() == CANNOT_JUDGE:
            answer[str(item.id)] = None
            continue
        level = _whole_number(raw)
        if level is None:
            errors.add(f"answers.{question.id}.{item.id}", ERROR_LEVEL, levels=question.levels)
        else:
            answer[str(item.id)] = level  # the scale's range is answers_clean's rule
    return answer


def _ranking_from_form(data: Mapping, question: AskedQuestion, errors: Errors) -> dict:
    places = [
        _form_text(data, f"ranking-{question.id}-{place}")
        for place in range(1, len(question.items) + 1)
    ]
    filled = [not (isinstance(raw, str) and raw.strip() == "") for raw in places]
    last = max((place for place, full in enumerate(filled, start=1) if full), default=0)
    order = []
    for place, raw in enumerate(places[:last], start=1):
        path = f"answers.{question.id}.order.{place}"
        if not filled[place - 1]:
            errors.add(path, ERROR_PLACE_EMPTY, place=place)
            continue
        item = _whole_number(raw)
        if item is None:
            errors.add(path, ERROR_UNKNOWN_ITEM, key=shown(raw))
        else:
            order.append(item)
    return {"order": order} if order else {}


def _choice_from_form(data: Mapping, question: AskedQuestion, errors: Errors) -> dict:
    selected = []
    for raw in _form_values(data, f"choice-{question.id}"):
        item = _whole_number(raw)
        if item is None:
            errors.add(f"answers.{question.id}.selected", ERROR_UNKNOWN_ITEM, key=shown(raw))
        else:
            selected.append(item)
    other = _form_text(data, f"other-{question.id}")
    if selected or other:
        return {"selected": selected, "other": other}
    return {}


def _suggestion_from_form(data: Mapping, question: AskedQuestion, errors: Errors) -> dict:
    text = _form_text(data, f"suggestion-{question.id}")
    return {"text": text} if text else {}


def _authority_from_form(data: Mapping) -> dict:
    basis = {name: value for name in BASES if (value := _form_text(data, f"authority-{name}"))}
    familiarity = _form_text(data, "authority-familiarity")
    authority: dict = {"basis": basis} if basis else {}
    if familiarity:
        authority["familiarity"] = familiarity
    return authority
