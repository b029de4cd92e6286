"""A survey's open link: a public questionnaire anyone with the link may answer (DESIGN §2.8's
238 respondents), switched on and off by the coordinator.

Like an API token (experts/tokens.py) the link's token is shown once, when it is made, and
only its hash is stored (ScreeningSurvey.open_token_hash, hashed with experts.selectors.
hash_token as responses.response_for_open_link checks it): a leaked database opens no
questionnaire. Since the token cannot be shown again, switching the link on always makes a new
one, which is also how a link that went too far is replaced; switching it off forgets the hash,
so a link once switched off never works again.
"""

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from experts.selectors import hash_token

from .checks import survey_lock
from .models import ScreeningSurvey

# 32 random bytes, 43 URL-safe characters: as unguessable as an API token, and far below the
# OPEN_TOKEN_LIMIT (responses.py) past which a token is not even hashed.
OPEN_TOKEN_BYTES = 32


@transaction.atomic
def open_link_enable(*, survey: ScreeningSurvey, actor: AbstractBaseUser) -> str:
    """Switch the open link on with a new token and return the token (not stored; it cannot be
    shown again). A link made before stops working."""
    token = secrets.token_urlsafe(OPEN_TOKEN_BYTES)
    # Locked like every other write to the survey: two tabs making a link get one after the
    # other, and the link shown last is the one that works.
    locked = survey_lock(survey)
    locked.open_link_enabled = True
    locked.open_token_hash = hash_token(token)
    locked.save(update_fields=["open_link_enabled", "open_token_hash"])
    survey.open_link_enabled, survey.open_token_hash = True, locked.open_token_hash
    return token


@transaction.atomic
def open_link_disable(*, survey: ScreeningSurvey, actor: AbstractBaseUser) -> ScreeningSurvey:
    """Switch the open link off and forget its hash. Responses already given stay; the link
    answers as an unknown one from now on."""
    locked = survey_lock(survey)
    locked.open_link_enabled = False
    locked.open_token_hash = ""
    locked.save(update_fields=["open_link_enabled", "open_token_hash"])
    survey.open_link_enabled, survey.open_token_hash = False, ""
    return survey
