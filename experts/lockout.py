"""Sign-in lockout by user name and IP address, with a cool-off (never permanent).

Failures are recorded from Django's user_login_failed signal (the sign-in form and the API
token login both go through authenticate()), so every way in counts. Passwords are never
logged: the signal's credentials are already cleansed, and only the user name and IP are kept.
"""

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import LoginFailure

logger = logging.getLogger("ahpanel.security")

ERROR_LOCKED_OUT = gettext_lazy(
    "Too many failed sign-ins for this user name from your address. Try again in "
    "%(minutes)s minutes, or reset your password."
)


def client_ip(request) -> str | None:
    """The address the request came from.

    Without proxies that is REMOTE_ADDR. Behind TRUSTED_PROXY_COUNT proxies, each appending
    the address it saw to X-Forwarded-For, it is that many entries from the right: entries
    further left were written by the client and are not trusted.
    """
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [a for a in hops if a]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_COOL_OFF_MINUTES)


def _recent(username: str, ip: str | None):
    return LoginFailure.objects.filter(
        username=username.lower()[:150], ip=ip, failed_at__gt=timezone.now() - _window()
    )


def lockout_remaining(*, username: str, request) -> int:
    """Minutes until this user name may try again from this address; 0 if not locked out."""
    failures = list(
        _recent(username or "", client_ip(request))
        .order_by("-failed_at")
        .values_list("failed_at", flat=True)[: settings.LOGIN_FAILURE_LIMIT]
    )
    if len(failures) < settings.LOGIN_FAILURE_LIMIT:
        return 0
    unlocked_at = failures[-1] + _window()  # when the oldest counted failure ages out
    return max(1, math.ceil((unlocked_at - timezone.now()).total_seconds() / 60))


@receiver(user_login_failed)
def record_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:150]
    ip = client_ip(request)
    LoginFailure.objects.create(username=username.lower(), ip=ip)
    logger.warning("failed sign-in for user name %r from %s", username, ip)
    # Old rows are of no use: drop them now and then, cheaply.
    LoginFailure.objects.filter(failed_at__lt=timezone.now() - 4 * _window()).delete()


@receiver(user_logged_in)
def clear_failures(sender, request, user, **kwargs):
    _recent(user.get_username(), client_ip(request)).delete()
