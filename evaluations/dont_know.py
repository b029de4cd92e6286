""" "Don't know" in rating ballots and the minimum number of ratings per leaf (issue #15 §1).

An expert who cannot judge a leaf indicator for a subject may say so instead of guessing a
grade, when the evaluation allows it. A don't-know is left out of V for that leaf (DESIGN §2.6:
r_h = V_h / V over the experts who rated it), counted beside the membership row, and a leaf
rated by fewer experts than the evaluation's minimum is pointed out to the coordinator; the
numbers stay as computed. One rule for the minimum, read by the model's validators, the
settings form, the settings service and the API.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

# Three raters is the customary least for a share of votes to mean anything; a panel rarely
# has more than a hundred experts, and a larger minimum would only ever warn.
DEFAULT_MIN_RATINGS = 3
MIN_MIN_RATINGS = 1
MAX_MIN_RATINGS = 100

ERROR_MIN_RATINGS = gettext_noop(
    "The minimum number of ratings per leaf must be a whole number from {low} to {high}."
)
FIELDS = ("allow_dont_know", "min_ratings_per_leaf")


def message() -> str:
    return _(ERROR_MIN_RATINGS).format(low=MIN_MIN_RATINGS, high=MAX_MIN_RATINGS)


def lazy_message():
    return format_lazy(gettext_lazy(ERROR_MIN_RATINGS), low=MIN_MIN_RATINGS, high=MAX_MIN_RATINGS)


def range_validators() -> list:
    """The model field's validators: plain bounds, so the API's schema states them too."""
    rule = lazy_message()
    return [
        MinValueValidator(MIN_MIN_RATINGS, message=rule),
        MaxValueValidator(MAX_MIN_RATINGS, message=rule),
    ]


def min_ratings_ok(value) -> bool:
    whole = isinstance(value, int) and not isinstance(value, bool)
    return whole and MIN_MIN_RATINGS <= value <= MAX_MIN_RATINGS


def check(changed: dict) -> None:
    """Refuse a bad value among `changed` (field → value), keyed by the field, with its rule."""
    errors = {}
    if "min_ratings_per_leaf" in changed and not min_ratings_ok(changed["min_ratings_per_leaf"]):
        errors["min_ratings_per_leaf"] = ValidationError(message(), code="range")
    if "allow_dont_know" in changed and not isinstance(changed["allow_dont_know"], bool):
        errors["allow_dont_know"] = ValidationError(_("Must be true or false."), code="invalid")
    if errors:
        raise ValidationError(errors)
