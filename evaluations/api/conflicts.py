"""409 Conflict: a well-formed request that the object's present state refuses.

Opening a panel that is already open, withdrawing a ballot that was never submitted, restoring
an invitation that is not revoked: the body is valid, so 400 (invalid input) would be wrong,
and a client's retry logic should know that asking again will not help until the state
changes. The services raise the same ValidationErrors as for the HTML pages; the API views
that change a state wrap the call in `state_conflicts()`.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ErrorDetail

CONFLICT_RESPONSE = OpenApiResponse(
    description="The object's present state does not allow this (the message says why); "
    "the request itself is well formed."
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


@contextmanager
def state_conflicts(only: type[ValidationError] = ValidationError):
    """Answer the service's refusal with 409, its messages and fields unchanged; with `only`,
    just refusals of that kind (the others stay 400s of the input)."""
    try:
        yield
    except only as error:
        fields = error.error_dict if hasattr(error, "error_dict") else {"__all__": error.error_list}
        raise Conflict(
            {
                field: [ErrorDetail(message, code="conflict") for e in errors for message in e]
                for field, errors in fields.items()
            }
        ) from None
