"""The answers of a rating ballot, cleaned: a grade of every leaf indicator, or "don't know"
where the evaluation allows it (evaluations/dont_know.py). Messages name the indicator and
the rule; surveys.services saves what comes out."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import Indicator

ERROR_UNKNOWN_INDICATOR = gettext_noop("“{key}” is not an indicator rated on this form.")
ERROR_UNKNOWN_SUBJECT = gettext_noop("“{key}” is not a subject of this evaluation.")
ERROR_UNKNOWN_GRADE = gettext_noop("{code}: “{grade}” is not a grade of this evaluation.")
ERROR_MISSING_RATING = gettext_noop("{code}: choose a grade before submitting.")
ERROR_MISSING_RATING_OR_DONT_KNOW = gettext_noop(
    "{code}: choose a grade or “don't know” before submitting."
)
ERROR_DONT_KNOW_OFF = gettext_noop(
    "{code}: this evaluation does not allow “don't know” (dont_know); choose a grade."
)
ERROR_DONT_KNOW_WITH_GRADE = gettext_noop(
    "{code}: give either a grade or “don't know” (dont_know), not both."
)
ERROR_DONT_KNOW_NOT_BOOLEAN = gettext_noop("{code}: dont_know must be true or false.")
ERROR_COMMENT_TOO_LONG = gettext_noop("{key}: a comment may have at most {limit} characters.")

COMMENT_LIMIT = 2000  # of a comment on any answer, a judgment's or a rating's


def clean_ratings(
    leaves: list[Indicator], grades: set[int], raw: dict, *, submit: bool, dont_know: bool = False
) -> dict:
    """Each leaf's answer: a grade, or (when `dont_know` is allowed) "don't know", stored as
    {"grade": None, "dont_know": True, "comment": …}. A submission answers every leaf."""
    by_key = {str(leaf.pk): leaf for leaf in leaves}
    errors: dict[str, list[str]] = {}
    for key in raw:
        if str(key) not in by_key:
            errors.setdefault("ratings", []).append(_(ERROR_UNKNOWN_INDICATOR).format(key=key))
    cleaned = {}
    for key, leaf in by_key.items():
        answer = raw.get(key) or raw.get(leaf.pk) or {}
        grade, comment = answer.get("grade"), str(answer.get("comment") or "").strip()
        if len(comment) > COMMENT_LIMIT:
            message = _(ERROR_COMMENT_TOO_LONG).format(key=leaf.code, limit=COMMENT_LIMIT)
            errors.setdefault(key, []).append(message)
        unsure = _dont_know(leaf, answer, grade, allowed=dont_know)
        refused = isinstance(unsure, str)  # then that message says it all for this leaf
        if refused:
            errors.setdefault(key, []).append(unsure)
            unsure = False
        if grade in (None, ""):
            if submit and not unsure and not refused:
                missing = ERROR_MISSING_RATING_OR_DONT_KNOW if dont_know else ERROR_MISSING_RATING
                errors.setdefault(key, []).append(_(missing).format(code=leaf.code))
            grade = None
        else:
            grade = _grade_id(grade, grades)
            if grade is None:
                shown = str(answer.get("grade"))[: GRADE_ID_TEXT_LIMIT + 1]  # not a pasted novel
                message = _(ERROR_UNKNOWN_GRADE).format(code=leaf.code, grade=shown)
                errors.setdefault(key, []).append(message)
        if unsure:
            # The key only when true: ballots without a don't-know keep their stored shape.
            cleaned[key] = {"grade": None, "dont_know": True, "comment": comment}
        elif grade is not None or comment:
            cleaned[key] = {"grade": grade, "comment": comment}
    if errors:
        raise ValidationError(errors)
    return cleaned


def _dont_know(leaf: Indicator, answer: dict, grade, *, allowed: bool) -> bool | str:
    """Whether the answer is a well-formed "don't know", or the message refusing it."""
    value = answer.get("dont_know", False)
    if not isinstance(value, bool):  # "yes", 1: only JSON's true and false say it
        return _(ERROR_DONT_KNOW_NOT_BOOLEAN).format(code=leaf.code)
    if not value:
        return False
    if not allowed:
        return _(ERROR_DONT_KNOW_OFF).format(code=leaf.code)
    if grade not in (None, ""):
        return _(ERROR_DONT_KNOW_WITH_GRADE).format(code=leaf.code)
    return True


# A grade id is a BigAutoField key: 19 digits at most. Longer text names no grade and is not
# handed to int() at all.
GRADE_ID_TEXT_LIMIT = 19


def _grade_id(value, grades: set[int]) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in grades else None
    if not isinstance(value, str) or len(value) > GRADE_ID_TEXT_LIMIT:
        return None
    try:
        grade = int(value)
    except ValueError:
        return None
    return grade if grade in grades else None
