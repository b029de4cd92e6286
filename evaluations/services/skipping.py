"""The rule of the `allow_skipped_comparisons` setting (issue 15 §1), shared by the settings
form, the API and the ballots.

A skipped comparison leaves the expert's matrix incomplete. The crisp methods have an
incomplete form (geometric → logarithmic least squares, eigenvector → Harker's method; see
evaluations/engine/incomplete); the fuzzy weightings do not, so skipping is refused with them.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

FIELD = "allow_skipped_comparisons"
# The weighting methods that can weigh an incomplete matrix.
METHODS = ("geometric", "eigenvector")

ERROR_SKIPPING_METHOD = gettext_noop(
    "Skipped comparisons (allow_skipped_comparisons) need the geometric or the eigenvector "
    "weighting method: the chosen method cannot weigh a matrix with skipped pairs. Turn "
    "skipping off or choose one of those two methods."
)


def skipping_allowed_with(method: str) -> bool:
    return method in METHODS


def skipping_check(*, allowed: bool, method: str) -> None:
    """Refuse skipping together with a weighting method that cannot weigh skipped pairs."""
    if allowed and not skipping_allowed_with(method):
        raise ValidationError({FIELD: ValidationError(_(ERROR_SKIPPING_METHOD), code="method")})
