"""One sign-in lockout for every way in: the sign-in page, the API's token login and the admin's
sign-in all call authenticate() with the request, where axes' backend (first in
AUTHENTICATION_BACKENDS) refuses a locked-out client before any password is checked, and its
signal handlers count the failures (in its AccessAttempt table).

Two counts, each over the cool-off (LOGIN_COOL_OFF_MINUTES since the last failure counted):
- one user name from one address: LOGIN_FAILURE_LIMIT failures lock that pair. Guessing one
  account's password stops, yet the expert signing in from elsewhere is not locked out.
- one address, whatever user names it tries: LOGIN_ADDRESS_FAILURE_LIMIT failures lock the
  address. One password sprayed over many accounts stops too.
A success clears neither (see AXES_RESET_ON_SUCCESS in the settings); the wait is never permanent.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from rest_framework.response import Response

ERROR_LOCKED_OUT = gettext_lazy(
    "Too many failed sign-ins for this user name or from your address. Try again in "
    "%(minutes)s minutes (each further attempt restarts the wait), or reset your password."
)


def lockout_message() -> str:
    return ERROR_LOCKED_OUT % {"minutes": settings.LOGIN_COOL_OFF_MINUTES}


def lockout_seconds() -> int:
    """How long a locked-out client waits: a refused attempt is counted too, so the cool-off
    starts again from now (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT)."""
    return settings.LOGIN_COOL_OFF_MINUTES * 60


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per address beside the limit per pair.

    Axes sums the failures matching each entry of AXES_LOCKOUT_PARAMETERS (here the pair, then
    the address) and measures the largest sum against the one AXES_FAILURE_LIMIT. Here the
    address's sum has its own, larger limit; reaching it counts as reaching the pair's.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): the sign-in page again with
    the wait and a way out (a password reset), for the sign-in page and the admin's alike.

    The API's token login answers for itself in the API's error shape (experts/api.py); should
    its answer come by here, it passes unchanged.
    """
    if isinstance(original_response, Response):
        return original_response
    username = get_client_username(request, credentials) or ""
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "lockout": lockout_message(),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    response = render(
        request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Retry-After"] = str(lockout_seconds())
    return response
