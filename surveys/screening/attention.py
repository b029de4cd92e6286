"""An attention question: a multiple-choice question with one right answer ("choose
'Agree somewhat' here"), which a careful respondent cannot miss. A response that answers it
otherwise is invalid (responses.py marks it; the rounds page counts it apart).

The right answer is one of the question's own options, never the "other" option, and it is
set with the question's other options (question_update), so it is fixed once round 1 opens.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .checks import error
from .models import ScreeningItem, ScreeningQuestion

FIELD = "attention_answer"

ERROR_ATTENTION_KIND = gettext_noop("Only a multiple-choice question can check attention.")
ERROR_ATTENTION_OPTION = gettext_noop(
    "The right answer of an attention question is one of its own options, not “other”."
)


def attention_answer_clean(question: ScreeningQuestion, value: object) -> ScreeningItem | None:
    """The option `value` (an item's id) names as the question's right answer; None clears it."""
    if value is None:
        return None
    if question.kind != ScreeningQuestion.Kind.CHOICE:
        raise error(FIELD, _(ERROR_ATTENTION_KIND))
    if isinstance(value, ScreeningItem):
        value = value.pk
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(FIELD, _(ERROR_ATTENTION_OPTION))
    answer = question.items.filter(pk=value, is_other=False).first()
    if answer is None:
        raise error(FIELD, _(ERROR_ATTENTION_OPTION))
    return answer
