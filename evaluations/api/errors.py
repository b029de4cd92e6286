"""One error shape for every API failure:

    {"errors": [{"field": "title", "rule": "required", "message": "This field is required."}]}

`field` is the request field (dotted for nested ones; null when the error is about the
request as a whole), `rule` a stable machine-readable code, `message` a sentence in the
caller's language. The services' ValidationErrors (the same ones the HTML forms show) come out
the same way.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = {"non_field_errors", "__all__"}
ERROR_TOO_LARGE = gettext_lazy("The request body is too large: at most %(limit)s bytes.")


class BodyTooLarge(exceptions.APIException):
    """Django refuses a body beyond DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it; its
    own answer is an HTML page, which a client of this API cannot read."""

    status_code = 413
    default_code = "too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(ERROR_TOO_LARGE % {"limit": f"{limit:,}"})


def _from_django(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        detail = {
            field: [ErrorDetail(message, code=e.code or "invalid") for e in errors for message in e]
            for field, errors in error.error_dict.items()
        }
    else:
        detail = [ErrorDetail(message, code=e.code or "invalid") for e in error.error_list
                  for message in e]  # fmt: skip
    return exceptions.ValidationError(detail)


def _flatten(details, field: str | None) -> list[dict]:
    if isinstance(details, dict) and set(details) == {"message", "code"}:
        return [{"field": field, "rule": details["code"], "message": str(details["message"])}]
    if isinstance(details, dict):
        errors = []
        for key, value in details.items():
            name = None if key in NON_FIELD else (f"{field}.{key}" if field else str(key))
            errors += _flatten(value, name if key not in NON_FIELD else field)
        return errors
    if isinstance(details, list):
        errors = []
        for position, value in enumerate(details):
            nested = isinstance(value, dict) and set(value) != {"message", "code"}
            errors += _flatten(value, f"{field}.{position}" if nested and field else field)
        return errors
    return [{"field": field, "rule": "invalid", "message": str(details)}]


def errors_of(exc: exceptions.APIException) -> list[dict]:
    if isinstance(exc, exceptions.ValidationError):
        return _flatten(exc.get_full_details(), None)
    detail = exc.detail
    if isinstance(detail, dict | list):
        return _flatten(exc.get_full_details(), None)
    return [{"field": None, "rule": detail.code, "message": str(detail)}]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    elif isinstance(exc, Http404 | OverflowError):  # an id beyond any database integer
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": errors_of(exc)}
    return response
