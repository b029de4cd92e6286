"""The layout's rules (see the package's docstring): strict types, asked questions and
items only, the scale, the choice's count and "other", text limits, the self-rating; and on
submit, completeness. Then two readings of complete answers: what changed since the last
round, and whether an attention question was missed."""

from collections.abc import Iterable, Mapping

from ..limits import ERROR_TEXT_TOO_LONG, OTHER_TEXT_LIMIT, REASON_LIMIT, SUGGESTION_LIMIT
from .layout import (
    BASES,
    CHOICE,
    ERROR_AUTHORITY_NOT_ASKED,
    ERROR_CHOOSE,
    ERROR_CHOOSE_ONE,
    ERROR_CHOSEN_TWICE,
    ERROR_FAMILIARITY,
    ERROR_INFLUENCE,
    ERROR_JSON_TYPE,
    ERROR_LEVEL,
    ERROR_ONE_CHOICE,
    ERROR_OTHER_NOT_CHOSEN,
    ERROR_OTHER_REQUIRED,
    ERROR_RANK_FIRST,
    ERROR_RANKED_TWICE,
    ERROR_RATE_EVERY,
    ERROR_TEXT_NUL,
    ERROR_TOO_MANY_CHOICES,
    ERROR_TOO_MANY_PLACES,
    ERROR_UNKNOWN_ITEM,
    ERROR_UNKNOWN_KEY,
    ERROR_UNKNOWN_QUESTION,
    FAMILIARITY,
    INFLUENCE_LEVELS,
    RANKING,
    RATING,
    SUGGESTION,
    Answers,
    AskedQuestion,
    Errors,
    Questionnaire,
    shown,
)


def answers_clean(
    *, answers, reasons=None, authority=None, form: Questionnaire, submit: bool
) -> Answers:
    """The layout checked and normalised (text stripped, empty answers left out); on submit
    also complete. Raises one ValidationError with every error, keyed by field path."""
    errors = Errors()
    cleaned = _clean_answers(answers, form, errors, submit)
    cleaned_reasons = _clean_reasons(reasons, form, errors)
    cleaned_authority = _clean_authority(authority, form, errors, submit)
    errors.raise_any()
    return Answers(answers=cleaned, reasons=cleaned_reasons, authority=cleaned_authority)


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _object(value, keys: Iterable[str] | None, path: str, errors: Errors) -> dict | None:
    """`value` as a JSON object holding only `keys` (None: any); None (and an error) when it
    is not an object. An absent answer reads as an empty one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.add(path, ERROR_JSON_TYPE, kind="object")
        return None
    if keys is not None:
        for key in value:
            if key not in keys:
                errors.add(path, ERROR_UNKNOWN_KEY, key=shown(key))
    return value


def _text(value, limit: int, path: str, errors: Errors) -> str | None:
    """The text stripped ("" for none); None when refused, the error added."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(path, ERROR_JSON_TYPE, kind="string")
        return None
    text = value.strip()
    if len(text) > limit:
        errors.add(path, ERROR_TEXT_TOO_LONG, limit=limit)
        return None
    if "\x00" in text:  # PostgreSQL's JSON cannot store it
        errors.add(path, ERROR_TEXT_NUL)
        return None
    return text


def _clean_answers(answers, form: Questionnaire, errors: Errors, submit: bool) -> dict:
    by_key = {str(q.id): q for q in form.questions}
    answers = _object(answers, None, "answers", errors)
    if answers is None:
        return {}
    for key in answers:
        if key not in by_key:
            errors.add("answers", ERROR_UNKNOWN_QUESTION, key=shown(key))
    cleaners = {
        RANKING: _clean_ranking,
        RATING: _clean_rating,
        CHOICE: _clean_choice,
        SUGGESTION: _clean_suggestion,
    }
    cleaned = {}
    for key, question in by_key.items():
        answer = cleaners[question.kind](question, answers.get(key), errors, submit)
        if answer:
            cleaned[key] = answer
    return cleaned


def _ids(values, path: str, count: int, place_paths: bool, errors: Errors) -> list | None:
    """A JSON array of item ids, at most `count` long; errors name the entry's place when
    `place_paths` (a ranking's "….order.<place>")."""
    if not isinstance(values, list):
        errors.add(path, ERROR_JSON_TYPE, kind="array")
        return None
    if len(values) > count:
        message = ERROR_TOO_MANY_PLACES if place_paths else ERROR_TOO_MANY_CHOICES
        errors.add(path, message, count=count)
        return None
    for place, value in enumerate(values, start=1):
        if not _is_id(value):
            where = f"{path}.{place}" if place_paths else path
            errors.add(where, ERROR_JSON_TYPE, kind="integer")
            return None
    return values


def _clean_ranking(question: AskedQuestion, value, errors: Errors, submit: bool) -> dict:
    path = f"answers.{question.id}"
    answer = _object(value, ("order",), path, errors)
    if answer is None:
        return {}
    order = _ids(answer.get("order", []), f"{path}.order", len(question.items), True, errors)
    if order is None:
        return {}
    asked, seen = question.item_ids, set()
    for place, item in enumerate(order, start=1):
        if item not in asked:
            errors.add(f"{path}.order.{place}", ERROR_UNKNOWN_ITEM, key=shown(item))
        elif item in seen:
            errors.add(f"{path}.order.{place}", ERROR_RANKED_TWICE)
        seen.add(item)
    if submit and not order:
        errors.add(f"{path}.order", ERROR_RANK_FIRST)
    return {"order": list(order)} if order else {}


def _clean_rating(question: AskedQuestion, value, errors: Errors, submit: bool) -> dict:
    path = f"answers.{question.id}"
    answer = _object(value, None, path, errors)
    if answer is None:
        return {}
    asked = [str(item.id) for item in question.items]
    for key in answer:
        if key not in asked:
            errors.add(path, ERROR_UNKNOWN_ITEM, key=shown(key))
    cleaned = {}
    for key in asked:
        if key not in answer:
            if submit:
                errors.add(f"{path}.{key}", ERROR_RATE_EVERY)
            continue
        level = answer[key]
        if level is None or (_is_id(level) and 1 <= level <= question.levels):
            cleaned[key] = level
        else:
            errors.add(f"{path}.{key}", ERROR_LEVEL, levels=question.levels)
    return cleaned


def _clean_choice(question: AskedQuestion, value, errors: Errors, submit: bool) -> dict:
    path = f"answers.{question.id}"
    answer = _object(value, ("selected", "other"), path, errors)
    if answer is None:
        return {}
    where = f"{path}.selected"
    selected = _ids(answer.get("selected", []), where, len(question.items), False, errors)
    if selected is None:  # refused already, so not "missing" too
        return {}
    asked = question.item_ids
    for item in selected:
        if item not in asked:
            errors.add(where, ERROR_UNKNOWN_ITEM, key=shown(item))
    if len(set(selected)) < len(selected):
        errors.add(where, ERROR_CHOSEN_TWICE)
    if len(selected) > 1 and not question.multiple:
        errors.add(where, ERROR_ONE_CHOICE)
    if submit and not selected:
        errors.add(where, ERROR_CHOOSE)
    other = _text(answer.get("other"), OTHER_TEXT_LIMIT, f"{path}.other", errors)
    if other is None:  # refused already: its other rules would only repeat it
        return {}
    other_chosen = any(item.is_other and item.id in selected for item in question.items)
    if other and not other_chosen:
        errors.add(f"{path}.other", ERROR_OTHER_NOT_CHOSEN)
    if submit and other_chosen and not other:
        errors.add(f"{path}.other", ERROR_OTHER_REQUIRED)
    return {"selected": list(selected), "other": other} if selected or other else {}


def _clean_suggestion(question: AskedQuestion, value, errors: Errors, submit: bool) -> dict:
    path = f"answers.{question.id}"
    answer = _object(value, ("text",), path, errors)
    if answer is None:
        return {}
    text = _text(answer.get("text"), SUGGESTION_LIMIT, f"{path}.text", errors)
    return {"text": text} if text else {}


def _clean_reasons(reasons, form: Questionnaire, errors: Errors) -> dict:
    reasons = _object(reasons, None, "reasons", errors)
    if reasons is None:
        return {}
    asked = {str(item.id) for item in form.reasoned_items()}
    cleaned = {}
    for key, value in reasons.items():
        if key not in asked:
            errors.add("reasons", ERROR_UNKNOWN_ITEM, key=shown(key))
            continue
        text = _text(value, REASON_LIMIT, f"reasons.{key}", errors)
        if text:
            cleaned[key] = text
    return cleaned


def _clean_authority(authority, form: Questionnaire, errors: Errors, submit: bool) -> dict:
    if not form.authority:
        if authority:
            errors.add("authority", ERROR_AUTHORITY_NOT_ASKED)
        return {}
    authority = _object(authority, ("basis", "familiarity"), "authority", errors)
    if authority is None:  # refused already, so not "missing" too
        return {}
    basis = _object(authority.get("basis"), BASES, "authority.basis", errors)
    cleaned_basis = {}
    for name in BASES if basis is not None else ():
        path, level = f"authority.basis.{name}", basis.get(name)
        if level is None:
            if submit:
                errors.add(path, ERROR_CHOOSE_ONE)
        elif isinstance(level, str) and level in INFLUENCE_LEVELS:
            cleaned_basis[name] = level
        else:
            errors.add(path, ERROR_INFLUENCE)
    cleaned: dict = {"basis": cleaned_basis} if cleaned_basis else {}
    familiarity = authority.get("familiarity")
    if familiarity is None:
        if submit:
            errors.add("authority.familiarity", ERROR_CHOOSE_ONE)
    elif isinstance(familiarity, str) and familiarity in FAMILIARITY:
        cleaned["familiarity"] = familiarity
    else:
        errors.add("authority.familiarity", ERROR_FAMILIARITY)
    return cleaned


# --- Reading complete answers ------------------------------------------------------------


def changed_items(previous: Mapping, current: Mapping, form: Questionnaire) -> list[int]:
    """Items whose answer differs from the respondent's previous round: a rating's level
    (or "cannot judge") changed, or a ranking's place changed. Places are compared among the
    items both rounds asked, so an item dropped or added between rounds moves no other item.
    An item the previous round did not answer has nothing to differ from."""
    changed = []
    for question in form.questions:
        before = previous.get(str(question.id)) or {}
        now = current.get(str(question.id)) or {}
        if question.kind == RATING:
            changed += [
                item.id
                for item in question.items
                if str(item.id) in before and before[str(item.id)] != now.get(str(item.id))
            ]
        elif question.kind == RANKING and before:
            both = [i.id for i in question.items if i.first_round < form.round_number]
            old = [i for i in before.get("order", []) if i in both]
            new = [i for i in now.get("order", []) if i in both]
            changed += [item for item in both if _place(old, item) != _place(new, item)]
    return changed


def _place(order: list[int], item: int) -> int | None:
    return order.index(item) + 1 if item in order else None


def attention_missed(answers: Mapping, form: Questionnaire) -> bool:
    """Whether an attention question (one with a right answer) was answered otherwise."""
    for question in form.questions:
        if question.attention_answer is not None:
            selected = (answers.get(str(question.id)) or {}).get("selected", [])
            if selected != [question.attention_answer]:
                return True
    return False
