"""How much one evaluation may hold, and the ranges of its settings: one number per thing.

The services check these for every caller; the HTML forms and the API's serializers read the
same constants (a form's extra rows, the schema's maxItems), so the two doors cannot drift
apart. Each limit keeps the pages that show the collection savable: Django refuses a POST
with more than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields.
"""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..engine.ri import size_threshold

# The subjects editor posts 5 fields per row; 50 subjects are about 250, and a ranking of more
# than 50 enterprises is beyond what a panel rates one by one.
MAX_SUBJECTS = 50
# A comment set has 3 to 7 grades in practice; 11 leaves room for a 0–10 scale.
MAX_GRADES = 11
# Every indicator of an evaluation, the goal included. An expert's rating form posts 2 fields
# per leaf (the grade and the comment), so 200 indicators keep it far below Django's limit; the
# largest template has 24.
MAX_INDICATORS = 200

# The CR threshold lies strictly between these (the paper uses 0.1).
CR_THRESHOLD_MIN = 0.0
CR_THRESHOLD_MAX = 1.0

# A deadline lies between 2000-01-01 and ten years from now (the longest API token expiry is
# ten years too). Further out, a deadline says nothing, and 9999-12-31 23:59 UTC has no local
# time east of UTC: every page that shows it would fail.
DEADLINE_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
DEADLINE_HORIZON = timedelta(days=3650)

ERROR_TOO_MANY_SUBJECTS = gettext_noop("An evaluation may have at most {limit} subjects.")
ERROR_TOO_MANY_GRADES = gettext_noop("A grade set may have at most {limit} grades.")
ERROR_TOO_MANY_INDICATORS = gettext_noop(
    "An evaluation may have at most {limit} indicators, the goal included."
)
ERROR_CR_THRESHOLD = gettext_noop(
    "The CR threshold must lie strictly between 0 and 1 (the paper uses 0.1)."
)
ERROR_DEADLINE_PAST = gettext_noop("The deadline must be in the future.")
ERROR_DEADLINE_RANGE = gettext_noop(
    "The deadline must lie between {earliest} and {latest} (at most ten years ahead)."
)


def subject_count_check(*, count: int, field: str = "subjects") -> None:
    if count > MAX_SUBJECTS:
        message = _(ERROR_TOO_MANY_SUBJECTS).format(limit=MAX_SUBJECTS)
        raise ValidationError({field: ValidationError(message, code="max_length")})


def grade_count_check(*, count: int, field: str = "rows") -> None:
    if count > MAX_GRADES:
        message = _(ERROR_TOO_MANY_GRADES).format(limit=MAX_GRADES)
        raise ValidationError({field: ValidationError(message, code="max_length")})


def indicator_count_check(*, count: int, field: str = "parent") -> None:
    if count > MAX_INDICATORS:
        message = _(ERROR_TOO_MANY_INDICATORS).format(limit=MAX_INDICATORS)
        raise ValidationError({field: ValidationError(message, code="max_length")})


def cr_threshold_check(*, value: float) -> None:
    # `not (a < v < b)` also refuses NaN.
    if not CR_THRESHOLD_MIN < value < CR_THRESHOLD_MAX:
        raise ValidationError(
            {"cr_threshold": ValidationError(_(ERROR_CR_THRESHOLD), code="range")}
        )


# The rule that sets each matrix's CR limit (Evaluation.CRThresholdRule): "fixed" uses the
# CR threshold for every matrix, "by_size" Saaty's (1994) limits by the matrix's order.
CR_RULE_BY_SIZE = "by_size"


def cr_limit(*, rule: str, threshold: float, order: int) -> float:
    """The CR below which a matrix of `order` elements is consistent under `rule`."""
    if rule == CR_RULE_BY_SIZE and order >= 1:
        return size_threshold(order)
    return threshold


def settings_cr_limit(settings, order: int) -> float:
    """cr_limit from a snapshot's settings; one older than the rule was computed with the
    fixed threshold."""
    return cr_limit(
        rule=settings.get("cr_threshold_rule", "fixed"),
        threshold=settings["cr_threshold"],
        order=order,
    )


def deadline_latest() -> datetime:
    return timezone.now() + DEADLINE_HORIZON


def deadline_check(*, value: datetime | None) -> None:
    """Refuse a deadline outside the window. `value` must be aware; it is compared, never
    converted, so a date at the edge of the calendar cannot overflow here."""
    if value is None:
        return
    latest = deadline_latest()
    if not DEADLINE_EARLIEST <= value <= latest:
        message = _(ERROR_DEADLINE_RANGE).format(
            earliest=DEADLINE_EARLIEST.date().isoformat(), latest=latest.date().isoformat()
        )
        raise ValidationError({"deadline": ValidationError(message, code="range")})


def deadline_future_check(*, value: datetime | None) -> None:
    """A new deadline lies ahead: one already past would close the panel as it is set. Only a
    changed deadline is checked (see lifecycle), so a stored one that has passed never blocks
    saving the other settings."""
    if value is not None and value <= timezone.now():
        raise ValidationError({"deadline": ValidationError(_(ERROR_DEADLINE_PAST), code="past")})
