"""The respondents' side of a screening round: the response an invited expert or an open-link
visitor answers in, and saving it. Each write is one transaction.

Every round keeps its own responses: a response belongs to one round and is written only while
that round is open, so answering round 2 never overwrites round 1.

A submitted response may be changed and submitted again while its round is open, as a ballot
may. Unlike a ballot it holds one copy of its answers (the model has no submitted copy), so
a change to a submitted response must itself be a submission, complete and checked again: a
draft on top of it is refused, unless it changes nothing (an autosave of the page as loaded).
"""

import hmac

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from experts.models import Invitation, PanelMembership
from experts.selectors import hash_token
from experts.throttle import count_in_window
from surveys.models import Channel
from surveys.services import ERROR_REVOKED

from .answers import (
    Answers,
    Questionnaire,
    answers_clean,
    attention_missed,
    changed_items,
    questionnaire,
)
from .limits import OPEN_LINK_RESPONSES_PER_ADDRESS_HOUR
from .models import ScreeningResponse, ScreeningRound, ScreeningSurvey
from .selectors import round_items

ERROR_NOT_ON_PANEL = gettext_noop(
    "Only the panel's experts who accepted their invitation answer this survey."
)
ERROR_ROUND_CLOSED = gettext_noop("This round is closed, so its answers cannot be changed.")
ERROR_SUBMITTED_DRAFT = gettext_noop(
    "These answers were submitted, so a draft of them is not saved: to change them, submit "
    "them again."
)
ERROR_REASON_REQUIRED = gettext_noop("Your answer changed since the last round: say why.")
ERROR_LINK_UNKNOWN = gettext_noop("This questionnaire link is not valid. Ask whoever sent it.")
ERROR_LINK_CLOSED = gettext_noop("This questionnaire is not open at the moment.")
ERROR_LINK_FLOODED = gettext_noop(
    "Too many questionnaires were started from your address. Try again later."
)

# Why a submitted response does not count (ScreeningResponse.invalid_reason).
INVALID_TOO_FAST = "too_fast"
INVALID_ATTENTION = "attention"

# An open link's token is a few dozen characters (secrets.token_urlsafe); longer text names no
# link and is not even hashed.
OPEN_TOKEN_LIMIT = 200
OPEN_LINK_WINDOW_SECONDS = 3600
RESPONDENT_KEY_LIMIT = 64  # ScreeningResponse.respondent_key's length: a sha256 in hex


class OpenLinkUnusable(Exception):
    """The open link leads nowhere: `status` 404 for a wrong token or a link switched off,
    409 while no round is open."""

    def __init__(self, *, reason: str, message: str, status: int):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status = status


class OpenLinkFlooded(Exception):
    """More new responses from one client address than an hour allows (no CAPTCHA: this is the
    open link's only guard against a script). The view answers 429 with a Retry-After of
    `retry_after` seconds, when the address's window ends."""

    def __init__(self, *, retry_after: int):
        self.message = _(ERROR_LINK_FLOODED)
        super().__init__(self.message)
        self.retry_after = retry_after


@transaction.atomic
def response_for_expert(*, round: ScreeningRound, membership: PanelMembership) -> ScreeningResponse:
    """The expert's response in `round`, created as a draft (its clock started) on first call.

    Only a member of the survey's evaluation whose invitation was accepted, and not revoked
    since, answers. The evaluation's own status does not matter: screening comes before the
    AHP stage, often while the evaluation is a draft. A new response needs the round open."""
    survey = ScreeningSurvey.objects.get(pk=round.survey_id)
    membership = _lock_membership(membership.pk, evaluation_id=survey.evaluation_id)
    response = ScreeningResponse.objects.filter(round=round, membership=membership).first()
    if response is not None:
        return response
    round = ScreeningRound.objects.get(pk=round.pk)
    if round.status != ScreeningRound.Status.OPEN:
        raise ValidationError({"round": _(ERROR_ROUND_CLOSED)})
    return ScreeningResponse.objects.create(round=round, membership=membership)


def response_for_open_link(
    *, survey: ScreeningSurvey, token: str, respondent_key: str, address: str | None
) -> ScreeningResponse:
    """The open-link visitor's response in the survey's open round, created on first call.

    `token` is the link's raw token, checked against the survey's stored hash.
    `respondent_key` names the browser without anything about it: the view passes the sha256
    hex of the session key (after making sure the session exists), so one browser gets one
    response per round and the database holds no session key to replay. `address` is the
    client's (experts.addresses.client_ip), used for the rate limit and never stored.

    Raises OpenLinkUnusable, or OpenLinkFlooded once the address has started
    OPEN_LINK_RESPONSES_PER_ADDRESS_HOUR responses to this survey within the hour (a
    response already started comes back whatever the count)."""
    _check_open_token(survey, token)
    if not isinstance(respondent_key, str) or not 0 < len(respondent_key) <= RESPONDENT_KEY_LIMIT:
        raise ValueError("respondent_key must be 1 to 64 characters: a hash of the session key")
    round = survey.rounds.filter(status=ScreeningRound.Status.OPEN).first()
    if round is None:
        raise OpenLinkUnusable(reason="closed", message=_(ERROR_LINK_CLOSED), status=409)
    existing = ScreeningResponse.objects.filter(round=round, respondent_key=respondent_key)
    if existing.exists():
        return existing.get()
    count = count_in_window(
        f"screening-open-link:{survey.pk}:{address}", seconds=OPEN_LINK_WINDOW_SECONDS
    )
    if count.number > OPEN_LINK_RESPONSES_PER_ADDRESS_HOUR:
        raise OpenLinkFlooded(retry_after=count.retry_after)
    try:
        with transaction.atomic():
            return ScreeningResponse.objects.create(round=round, respondent_key=respondent_key)
    except IntegrityError:  # the same browser in two tabs: the other one created it first
        return existing.get()


def _check_open_token(survey: ScreeningSurvey, token: str) -> None:
    given = hash_token(token) if isinstance(token, str) and len(token) <= OPEN_TOKEN_LIMIT else ""
    stored = survey.open_token_hash
    # Compared in constant time: how long a wrong guess takes tells nothing about the hash.
    matches = bool(given and stored) and hmac.compare_digest(given, stored)
    if not (survey.open_link_enabled and matches):
        raise OpenLinkUnusable(reason="unknown", message=_(ERROR_LINK_UNKNOWN), status=404)


@transaction.atomic
def response_save(
    *,
    response: ScreeningResponse,
    answers: dict,
    reasons: dict | None = None,
    authority: dict | None = None,
    submit: bool = False,
    channel: Channel | str,
) -> ScreeningResponse:
    """Save a draft of the response's answers, or submit them.

    The answers are the layout of surveys.screening.answers, checked there (from a form, read
    first with answers_from_form). A submission must be complete; it is then judged valid or
    not (answered too fast, an attention question missed), and in rounds after the first,
    when the survey asks for reasons, every answer that changed since the expert's previous
    round needs one ("reasons.<item id>")."""
    round = _lock_round(response.round_id)
    survey = round.survey
    membership = None
    if response.membership_id is not None:
        membership = _lock_membership(response.membership_id, evaluation_id=survey.evaluation_id)
    # Serialises one respondent's saves (a double click, an autosave racing a submit).
    response = ScreeningResponse.objects.select_for_update().get(pk=response.pk)
    form = _questionnaire(survey, round, expert=membership is not None)
    cleaned = answers_clean(
        answers=answers, reasons=reasons, authority=authority, form=form, submit=submit
    )
    stored = (response.answers, response.reasons, response.authority)
    if response.status == ScreeningResponse.Status.SUBMITTED:
        if stored == (cleaned.answers, cleaned.reasons, cleaned.authority):
            return response  # a repeated submit, or an autosave of what already counts
        if not submit:
            raise ValidationError({"status": _(ERROR_SUBMITTED_DRAFT)})
    if submit and membership is not None:
        _check_reasons(response, round, form, cleaned)
    response.answers = cleaned.answers
    response.reasons = cleaned.reasons
    response.authority = cleaned.authority
    response.channel = str(channel)
    if submit:
        _judge(response, survey, form)
    response.save()
    if membership is not None:
        membership.last_activity_at = timezone.now()
        membership.save(update_fields=["last_activity_at"])
    return response


def previous_answers(*, response: ScreeningResponse) -> dict | None:
    """The same expert's submitted answers of the round before this response's, for the
    next round's form ("your previous answer"); None in round 1, for an expert who did not
    submit then, and for open-link respondents, who are not followed across rounds."""
    previous = _previous_response(response.membership_id, response.round)
    return previous.answers if previous is not None else None


def _lock_round(round_id: int) -> ScreeningRound:
    # The race: a save that found the round open while the coordinator closes it. Closing
    # updates this row, so it waits for the saves in flight, and a save that comes after it
    # reads the round closed. Saves of one round therefore take turns on this row (each is a
    # few milliseconds); no_key leaves the responses' inserts, which share-lock the round for
    # their foreign key, unblocked. Lock order: round, membership, response.
    round = ScreeningRound.objects.select_for_update(no_key=True).get(pk=round_id)
    if round.status != ScreeningRound.Status.OPEN:
        raise ValidationError({"round": _(ERROR_ROUND_CLOSED)})
    round.survey = ScreeningSurvey.objects.get(pk=round.survey_id)
    return round


def _lock_membership(membership_id: int, *, evaluation_id: int) -> PanelMembership:
    # Locks the row a revocation locks (experts.services), so a save that passed the page's
    # access check just before a revocation does not land after it.
    locked = PanelMembership.objects.select_for_update().filter(pk=membership_id).first()
    invitation = Invitation.objects.filter(membership_id=membership_id)
    status = invitation.values_list("status", flat=True).first()
    if status == Invitation.Status.REVOKED:
        raise ValidationError({"membership": _(ERROR_REVOKED)})
    answering = status == Invitation.Status.ACCEPTED
    if locked is None or locked.evaluation_id != evaluation_id or not answering:
        raise ValidationError({"membership": _(ERROR_NOT_ON_PANEL)})
    return locked


def _questionnaire(
    survey: ScreeningSurvey, round: ScreeningRound, *, expert: bool
) -> Questionnaire:
    """What the respondent is asked in the round; the self-rating only of invited experts
    (an anonymous visitor's judgment basis weighs nothing)."""
    return questionnaire(
        list(survey.questions.all()),
        list(round_items(round=round)),
        round_number=round.number,
        authority=survey.ask_authority and expert,
    )


def _previous_response(membership_id: int | None, round: ScreeningRound):
    if membership_id is None:
        return None
    return ScreeningResponse.objects.filter(
        round__survey_id=round.survey_id,
        round__number=round.number - 1,
        membership_id=membership_id,
        status=ScreeningResponse.Status.SUBMITTED,
    ).first()


def _check_reasons(
    response: ScreeningResponse, round: ScreeningRound, form: Questionnaire, cleaned: Answers
) -> None:
    if round.number == 1 or not round.survey.reason_required:
        return
    previous = _previous_response(response.membership_id, round)
    if previous is None:
        return
    changed = changed_items(previous.answers, cleaned.answers, form)
    missing = [item for item in changed if str(item) not in cleaned.reasons]
    if missing:
        raise ValidationError({f"reasons.{item}": _(ERROR_REASON_REQUIRED) for item in missing})


def _judge(response: ScreeningResponse, survey: ScreeningSurvey, form: Questionnaire) -> None:
    """Mark the response submitted, and valid or not: complete it is (answers_clean saw to
    that); too fast when submitted less than the survey's least answering time after the form
    was first opened; or an attention question answered wrong."""
    now = timezone.now()
    response.status = ScreeningResponse.Status.SUBMITTED
    response.submitted_at = now
    reason = ""
    if (now - response.started_at).total_seconds() < survey.min_seconds:
        reason = INVALID_TOO_FAST
    elif attention_missed(response.answers, form):
        reason = INVALID_ATTENTION
    response.valid = not reason
    response.invalid_reason = reason
