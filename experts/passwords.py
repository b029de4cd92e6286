"""Password reset by e-mail and password change: Django's views in the site's look.

A reset request gets the same answer whether or not an account has the address (Django's
default: the mail goes only to an active account that has it). Requests are limited per client
address and per e-mail address so the form cannot be used to flood an inbox or to send mail at
the site's expense; the limit counts every request, known address or not, so it tells nothing
either.
"""

import hashlib

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy

from .addresses import client_ip
from .throttle import count_in_window

# Reset requests per hour: from one client address (a few people behind one office address may
# each forget theirs), and for one e-mail address (a mail that did not arrive, asked again).
RESET_LIMIT_PER_ADDRESS = 10
RESET_LIMIT_PER_EMAIL = 3
RESET_WINDOW_SECONDS = 3600

ERROR_RESET_THROTTLED = gettext_lazy(
    "Too many password reset requests from your address or for this e-mail address. "
    "Try again in an hour."
)


def _count(key: str) -> int:
    """This request's number in the current window (a fixed window, started by the first)."""
    return count_in_window(key, seconds=RESET_WINDOW_SECONDS).number


def password_reset_allowed(*, address: str | None, email: str) -> bool:
    """Counts this request against both limits; False once either is passed. The e-mail
    address is kept as a hash only."""
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_address = _count(f"password-reset:address:{address}")
    by_email = _count(f"password-reset:email:{email_key}")
    return by_address <= RESET_LIMIT_PER_ADDRESS and by_email <= RESET_LIMIT_PER_EMAIL


class InvalidFormAnswers400:
    """A refused form answers 400, as the site's other forms do (Django's views answer 200)."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetView(InvalidFormAnswers400, auth_views.PasswordResetView):
    def form_valid(self, form):
        allowed = password_reset_allowed(
            address=client_ip(self.request), email=form.cleaned_data["email"]
        )
        if not allowed:
            form.add_error(None, ERROR_RESET_THROTTLED)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(InvalidFormAnswers400, auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        """The new password, and the user name's sign-in lockout lifted: the lockout message
        offers the reset as the way out, and the mailbox proved who is asking."""
        response = super().form_valid(form)
        AxesProxyHandler.reset_attempts(username=form.user.get_username())
        return response


class PasswordChangeView(InvalidFormAnswers400, auth_views.PasswordChangeView):
    """Needs the old password; the session stays signed in (Django updates its hash), other
    sessions of the account end."""
