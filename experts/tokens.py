"""API tokens: created and revoked by their owner (a page, a command, the API login)."""

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import ApiToken
from .selectors import hash_token

# "ahp_" then 43 URL-safe characters: 256 random bits. The prefix makes a leaked token easy
# to recognise (secret scanners, logs) and to tell apart from other services' tokens.
TOKEN_PREFIX = "ahp_"
TOKEN_BYTES = 32
MAX_EXPIRY_DAYS = 3650

ERROR_TOKEN_NAME = gettext_noop("Give the token a name (at most 100 characters).")
ERROR_TOKEN_EXPIRY = gettext_noop("Expiry must be a whole number of days from 1 to {limit}.")


def api_token_create(
    *, user: AbstractBaseUser, name: str, read_only: bool = True, expires_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _(ERROR_TOKEN_NAME)})
    if expires_days is not None and not (
        isinstance(expires_days, int) and 1 <= expires_days <= MAX_EXPIRY_DAYS
    ):
        raise ValidationError({"expires_days": _(ERROR_TOKEN_EXPIRY).format(limit=MAX_EXPIRY_DAYS)})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_token(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        read_only=read_only,
        expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens; it fails from the next request on."""
    token = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The usable token with this secret, or None (unknown, revoked or expired)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(secret)).first()
    if token is None or not token.usable or not token.user.is_active:
        return None
    return token
