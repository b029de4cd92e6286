"""Invitations for data-entry assistants who have no account yet.

Modelled on the expert invitation (experts.services): a random token is mailed after the
transaction commits, only its SHA-256 is stored, it expires, works once, can be declined,
resent (a new token, the old link dead) or cancelled. Accepting creates the account (or takes
the signed-in one) and makes it the evaluation's assistant (surveys.paper.models).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import AuditEntry, Evaluation
from evaluations.services.audit import audit_record
from experts.models import Profile
from experts.selectors import InvitationUnusable, hash_token
from experts.services import ERROR_USERNAME_TAKEN, TOKEN_BYTES

from .models import AssistantInvitation, DataEntryAssistant

# Open links per evaluation: a coordinator has a handful of typists; a script looping on the
# add form must not turn the application into a mail cannon.
MAX_OPEN_INVITATIONS = 20
ERROR_EMAIL_INVALID = gettext_noop("Enter a valid e-mail address.")
ERROR_ALREADY_INVITED = gettext_noop(
    "{email} is already invited and has not answered yet: resend the invitation instead."
)
ERROR_TOO_MANY_OPEN = gettext_noop(
    "At most {limit} assistant invitations can wait for an answer at once: cancel some first."
)
ERROR_NOT_OPEN = gettext_noop(
    "The invitation of {email} was {status}: it can no longer be resent or cancelled."
)
ERROR_OWNER_ACCEPTS = gettext_noop(
    "You coordinate this evaluation: you can already type in its paper forms. The invitation "
    "stays open for the assistant it was sent to."
)
ERROR_UNKNOWN = gettext_noop(
    "This invitation link is not valid — it may have been replaced by a newer one; ask the "
    "coordinator."
)
ERROR_GONE = {
    AssistantInvitation.Status.ACCEPTED: gettext_noop(
        "This invitation has already been accepted; the link works only once. Sign in to "
        "type in the paper forms."
    ),
    AssistantInvitation.Status.DECLINED: gettext_noop(
        "This invitation has been declined. If you changed your mind, ask the coordinator to "
        "invite you again."
    ),
    AssistantInvitation.Status.CANCELLED: gettext_noop(
        "This invitation has been withdrawn by the coordinator."
    ),
}
ERROR_EXPIRED = gettext_noop(
    "This invitation expired on {date}. Ask the coordinator to send you a new one."
)


def assistant_link(*, base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("assistant-invitation", kwargs={"token": token})


def email_clean(email) -> str:
    """The address, bounded before it is checked (254 is the longest a mailbox can be)."""
    text = str(email or "")[:300].strip()
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError({"email": _(ERROR_EMAIL_INVALID)}) from None
    return text


# --- The coordinator's side ----------------------------------------------------------------


@transaction.atomic
def assistant_invite(
    *, evaluation: Evaluation, actor: AbstractBaseUser, email: str, base_url: str
) -> AssistantInvitation:
    """Invite an address with no account to become a data-entry assistant; the mail leaves
    once the transaction commits (roster.assistant_add calls this when no account matches)."""
    email = email_clean(email)
    # Lock the evaluation: two tabs inviting the same address would both pass the check.
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    open_ones = AssistantInvitation.objects.filter(
        evaluation=evaluation, status__in=AssistantInvitation.OPEN
    )
    if open_ones.filter(email__iexact=email).exists():
        raise ValidationError({"email": _(ERROR_ALREADY_INVITED).format(email=email)})
    if open_ones.count() >= MAX_OPEN_INVITATIONS:
        message = _(ERROR_TOO_MANY_OPEN).format(limit=MAX_OPEN_INVITATIONS)
        raise ValidationError({"email": message})
    invitation = AssistantInvitation(evaluation=evaluation, email=email, invited_by=actor)
    _issue(invitation, base_url)
    _audit(invitation, actor, AuditEntry.Action.ADDED_ASSISTANT, "invited")
    return invitation


@transaction.atomic
def assistant_invitation_resend(
    *, invitation: AssistantInvitation, actor: AbstractBaseUser, base_url: str
) -> AssistantInvitation:
    """A new link with a new expiry; the old link stops working."""
    invitation = _locked_open(invitation)
    _issue(invitation, base_url)
    _audit(invitation, actor, AuditEntry.Action.ADDED_ASSISTANT, "resent")
    return invitation


@transaction.atomic
def assistant_invitation_cancel(
    *, invitation: AssistantInvitation, actor: AbstractBaseUser
) -> AssistantInvitation:
    """The link stops working (kept, marked cancelled, for the record)."""
    invitation = _locked_open(invitation)
    invitation.status = AssistantInvitation.Status.CANCELLED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _audit(invitation, actor, AuditEntry.Action.REMOVED_ASSISTANT, "cancelled")
    return invitation


def _locked_open(invitation: AssistantInvitation) -> AssistantInvitation:
    invitation = AssistantInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        status = invitation.get_status_display()
        message = _(ERROR_NOT_OPEN).format(email=invitation.email, status=status)
        raise ValidationError({"invitation": message})
    return invitation


def _issue(invitation: AssistantInvitation, base_url: str) -> None:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    invitation.token_hash = hash_token(token)
    invitation.status = AssistantInvitation.Status.PENDING
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=getattr(settings, "INVITATION_EXPIRY_DAYS", 30))
    invitation.opened_at = None
    invitation.save()
    _mail_after_commit(invitation, assistant_link(base_url=base_url, token=token))


def _mail_after_commit(invitation: AssistantInvitation, link: str) -> None:
    """Rendered now in the evaluation's language; sent once the transaction commits, so a
    rolled-back invitation sends nothing (as experts.services._mail_after_commit)."""
    evaluation = invitation.evaluation
    coordinator = evaluation.owner
    context = {
        "invitation": invitation,
        "evaluation": evaluation,
        "link": link,
        "coordinator_name": coordinator.get_full_name() or coordinator.get_username(),
        "coordinator_email": coordinator.email,
    }
    with translation.override(evaluation.language):
        subject = render_to_string("surveys/paper/email/invitation_subject.txt", context)
        body = render_to_string("surveys/paper/email/invitation_body.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[invitation.email],
        reply_to=[coordinator.email] if coordinator.email else None,
    )

    def send() -> None:  # a closure: a failed send's log must not carry the link
        message.send()

    transaction.on_commit(send, robust=True)


def _audit(invitation: AssistantInvitation, actor, action, what: str) -> None:
    audit_record(
        evaluation=invitation.evaluation,
        actor=actor,
        action=action,
        detail=f"{invitation.email} ({what})",
        params={"user": invitation.email, "invitation": what},
    )


# --- The assistant's side ------------------------------------------------------------------


def assistant_invitation_for_token(*, token: str, for_update: bool = False) -> AssistantInvitation:
    """The invitation a link names, if it can still be answered; else InvitationUnusable
    (404 unknown, 410 used up or expired), the expert invitation's exception."""
    invitations = AssistantInvitation.objects.select_related("evaluation__owner")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_hash=hash_token(str(token)[:200])).first()
    if invitation is None:
        raise InvitationUnusable(reason="unknown", message=_(ERROR_UNKNOWN), status=404)
    if invitation.status in ERROR_GONE:
        message = _(ERROR_GONE[invitation.status])
        raise InvitationUnusable(reason=invitation.status, message=message, status=410)
    if invitation.is_expired:
        message = _(ERROR_EXPIRED).format(date=f"{invitation.expires_at:%Y-%m-%d}")
        raise InvitationUnusable(reason="expired", message=message, status=410)
    return invitation


@transaction.atomic
def assistant_invitation_open(*, token: str) -> AssistantInvitation:
    """Record the opening without using the link up: mail scanners fetch links too."""
    invitation = assistant_invitation_for_token(token=token)
    if invitation.status == AssistantInvitation.Status.PENDING:
        now = timezone.now()
        AssistantInvitation.objects.filter(
            pk=invitation.pk, status=AssistantInvitation.Status.PENDING
        ).update(status=AssistantInvitation.Status.OPENED, opened_at=now)
        invitation.status, invitation.opened_at = AssistantInvitation.Status.OPENED, now
    return invitation


@transaction.atomic
def assistant_invitation_accept(*, token: str, user: AbstractBaseUser) -> DataEntryAssistant:
    """The signed-in account becomes the evaluation's assistant; the link is used up."""
    invitation = assistant_invitation_for_token(token=token, for_update=True)
    if user.pk == invitation.evaluation.owner_id:
        # Most likely the coordinator trying their own link: it stays for the typist.
        raise ValidationError(_(ERROR_OWNER_ACCEPTS))
    return _accept(invitation, user)


@transaction.atomic
def assistant_invitation_accept_with_account(
    *, token: str, username: str, password: str, name: str = ""
) -> AbstractBaseUser:
    """Create the assistant's account (the invited e-mail) and give it the role. The form
    has validated the password with the project's validators; returns the user."""
    invitation = assistant_invitation_for_token(token=token, for_update=True)
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _(ERROR_USERNAME_TAKEN).format(username=username)})
    user = user_model.objects.create_user(
        username=username, email=invitation.email, password=password, first_name=name
    )
    Profile.objects.create(user=user)
    _accept(invitation, user)
    return user


def _accept(invitation: AssistantInvitation, user: AbstractBaseUser) -> DataEntryAssistant:
    invitation.status = AssistantInvitation.Status.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["status", "responded_at", "user"])
    # Already an assistant (added by another address meanwhile): the role is simply kept.
    assistant, _created = DataEntryAssistant.objects.get_or_create(
        evaluation=invitation.evaluation, user=user, defaults={"added_by": invitation.invited_by}
    )
    audit_record(
        evaluation=invitation.evaluation,
        actor=user,
        action=AuditEntry.Action.ADDED_ASSISTANT,
        detail=f"{user.get_username()} (accepted the invitation of {invitation.email})",
        params={"user": user.get_username(), "invitation": "accepted"},
    )
    return assistant


@transaction.atomic
def assistant_invitation_decline(*, token: str) -> AssistantInvitation:
    invitation = assistant_invitation_for_token(token=token, for_update=True)
    invitation.status = AssistantInvitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _audit(invitation, None, AuditEntry.Action.REMOVED_ASSISTANT, "declined")
    return invitation
