"""Use-cases that write panels and invitations.

Each runs in one transaction. E-mails are rendered inside it but sent only after it commits
(transaction.on_commit), so a rolled-back action sends nothing. Raw tokens exist only in the
links returned and mailed; the database keeps their SHA-256.
"""

import math
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import AuditEntry, Evaluation
from evaluations.services import audit_record
from evaluations.services.pipeline import results_mark_stale

from .criterion_weights import pasted_criterion_weights
from .models import Invitation, PanelMembership, Profile
from .paste import ERROR_WEIGHT_TOO_LARGE, MAX_EXPERT_WEIGHT, expert_lines_parse
from .revocation import (  # noqa: F401 (the panel's use-cases, in one place)
    Restoration,
    Revocation,
    invitation_restore,
    invitation_revoke,
)
from .selectors import (
    TOKEN_BYTES,
    Requirements,
    Stage,
    hash_token,
    invitation_for_token,
    panel_emails,
    panel_overview,
    panel_requirements,
)

ERROR_PANEL_CLOSED = gettext_noop(
    "The panel is closed: reopen it before inviting or reminding experts."
)
ERROR_WEIGHT = gettext_noop("The expert weight must be a positive number.")
ERROR_RESEND_ACCEPTED = gettext_noop(
    "{email} has already accepted the invitation; there is no link to send again."
)
ERROR_RESEND_REVOKED_ACCEPTED = gettext_noop(
    "{email} had accepted the invitation before it was revoked: undo the revocation to bring "
    "them back with their account and answers."
)
ERROR_ALREADY_ON_PANEL = gettext_noop(
    "Your account is already on this panel (invited as {email}); one account can answer only once."
)
ERROR_NO_EMAIL = gettext_noop(
    "{name} has no e-mail address: their answers are typed in from paper, not invited."
)
ERROR_USERNAME_TAKEN = gettext_noop("The user name “{username}” is taken; choose another.")

# --- Adding experts ------------------------------------------------------------------------


@transaction.atomic
def panel_add_experts(
    *, evaluation: Evaluation, actor: AbstractBaseUser, text: str, base_url: str
) -> list[str]:
    """Add the pasted experts and invite each; returns their invitation links, in paste order.

    All or nothing: one bad line (or one e-mail already on the panel) and nobody is added.
    """
    # Lock the evaluation: two coordinators' tabs pasting the same address at once would
    # otherwise both pass the duplicate check and one would fail on the unique constraint.
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _check_not_closed(evaluation, field="text")
    experts = expert_lines_parse(text=text, existing_emails=panel_emails(evaluation=evaluation))
    by_criterion = pasted_criterion_weights(evaluation=evaluation, experts=experts)
    requirements = _requirements_of(evaluation)
    links = []
    for expert in experts:
        membership = PanelMembership.objects.create(
            evaluation=evaluation,
            email=expert.email,
            name=expert.name,
            organisation=expert.organisation,
            weight=expert.weight,
            criterion_weights=by_criterion[expert.line],
        )
        links.append(
            _invitation_issue(
                membership=membership, actor=actor, base_url=base_url, requirements=requirements
            )
        )
    emails = ", ".join(expert.email for expert in experts)
    audit_record(
        evaluation=evaluation,
        actor=actor,
        action=AuditEntry.Action.ADDED_EXPERTS,
        detail=f"{len(experts)} experts: {emails}",
        params={"emails": [expert.email for expert in experts]},
    )
    audit_record(
        evaluation=evaluation,
        actor=actor,
        action=AuditEntry.Action.INVITED,
        detail=f"{len(experts)} invitations",
        params={"count": len(experts)},
    )
    return links


def _check_not_closed(evaluation: Evaluation, field: str | None = None) -> None:
    if evaluation.status == Evaluation.Status.CLOSED:
        message = _(ERROR_PANEL_CLOSED)
        raise ValidationError({field: message} if field else message)


def _requirements_of(evaluation: Evaluation) -> Requirements:
    return panel_requirements(evaluation_ids=[evaluation.pk])[evaluation.pk]


# --- Invitations: sending, resending, revoking, reminding ----------------------------------


def invitation_link(*, base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("invitation", kwargs={"token": token})


def site_url() -> str:
    """The base for links when there is no request to take it from (management commands)."""
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000")


def _expiry_from(now: datetime) -> datetime:
    return now + timedelta(days=getattr(settings, "INVITATION_EXPIRY_DAYS", 30))


@transaction.atomic
def invitation_send(*, membership: PanelMembership, actor: AbstractBaseUser, base_url: str) -> str:
    """Issue a fresh link for the membership (replacing any earlier one) and mail it.

    Returns the link: only its hash is stored, so this is the one moment it can be read.
    Callers record the audit entry, which differs between a first invitation and a resend.
    """
    return _invitation_issue(
        membership=membership,
        actor=actor,
        base_url=base_url,
        requirements=_requirements_of(membership.evaluation),
    )


def _invitation_issue(
    *,
    membership: PanelMembership,
    actor: AbstractBaseUser,
    base_url: str,
    requirements: Requirements,
) -> str:
    if not membership.email:  # a name-only expert answers on paper (surveys/paper/)
        raise ValidationError(_(ERROR_NO_EMAIL).format(name=membership.display_name))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    invitation, _created = Invitation.objects.update_or_create(
        membership=membership,
        defaults={
            "token_hash": hash_token(token),
            "status": Invitation.Status.PENDING,
            "invited_by": actor,
            "sent_at": now,
            "expires_at": _expiry_from(now),
            # A new link starts the funnel again: earlier opening or answer no longer apply,
            # nor does an earlier revocation.
            "opened_at": None,
            "responded_at": None,
            "status_before_revocation": "",
            "revoked_at": None,
        },
    )
    link = invitation_link(base_url=base_url, token=token)
    _mail_after_commit(
        membership=membership,
        template="invitation",
        context={"link": link, "invitation": invitation, "requirements": requirements},
    )
    return link


@transaction.atomic
def invitation_resend(
    *, membership: PanelMembership, actor: AbstractBaseUser, base_url: str
) -> str:
    """A new link with a new expiry; the old link stops working. Returns the new link."""
    _check_not_closed(membership.evaluation)
    invitation = Invitation.objects.select_for_update().filter(membership=membership).first()
    if invitation is not None and invitation.status == Invitation.Status.ACCEPTED:
        raise ValidationError(_(ERROR_RESEND_ACCEPTED).format(email=membership.email))
    if (
        invitation is not None
        and invitation.status == Invitation.Status.REVOKED
        and invitation.status_before_revocation == Invitation.Status.ACCEPTED
    ):
        # A new link would put their account and ballots back on the panel behind the
        # results' back (nothing marks them stale): undoing the revocation does it properly.
        raise ValidationError(_(ERROR_RESEND_REVOKED_ACCEPTED).format(email=membership.email))
    link = invitation_send(membership=membership, actor=actor, base_url=base_url)
    audit_record(
        evaluation=membership.evaluation,
        actor=actor,
        action=AuditEntry.Action.RESENT,
        detail=membership.email,
        params={"email": membership.email},
    )
    return link


@transaction.atomic
def panel_remind(*, evaluation: Evaluation, actor: AbstractBaseUser, base_url: str) -> int:
    """E-mail every expert who can still answer and has not finished; returns how many.

    Experts who have not accepted yet get a fresh invitation link (only hashes are stored,
    so the earlier link cannot be repeated; it stops working, and the mail says so). Experts
    who accepted get a link to their panels page.
    """
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _check_not_closed(evaluation)
    overview = panel_overview(evaluation=evaluation)
    rows = [row for row in overview.rows if row.can_remind]
    if not rows:
        return 0
    now = timezone.now()
    for row in rows:
        link, new_link = _reminder_link(row.invitation, row.stage, base_url)
        _mail_after_commit(
            membership=row.membership,
            template="reminder",
            context={"link": link, "new_link": new_link, "row": row, "invitation": row.invitation},
        )
    Invitation.objects.filter(pk__in=[row.invitation.pk for row in rows]).update(
        reminder_count=F("reminder_count") + 1, last_reminded_at=now
    )
    audit_record(
        evaluation=evaluation,
        actor=actor,
        action=AuditEntry.Action.REMINDED,
        detail=f"{len(rows)} experts",
        params={"count": len(rows)},
    )
    return len(rows)


def _reminder_link(invitation: Invitation, stage: Stage, base_url: str) -> tuple[str, bool]:
    # By the invitation, not the stage: an expert whose paper forms were typed in may be "in
    # progress" without having accepted, and then has no account to open the panels page.
    if invitation.status in (Invitation.Status.PENDING, Invitation.Status.OPENED):
        token = secrets.token_urlsafe(TOKEN_BYTES)
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token(token))
        return invitation_link(base_url=base_url, token=token), True
    return base_url.rstrip("/") + reverse("expert-home"), False


def _mail_after_commit(*, membership: PanelMembership, template: str, context: dict) -> None:
    """Render the mail in the evaluation's language now; send it once the transaction commits."""
    evaluation = membership.evaluation
    coordinator = evaluation.owner
    context = {
        **context,
        "membership": membership,
        "evaluation": evaluation,
        "coordinator_name": coordinator.get_full_name() or coordinator.get_username(),
        "coordinator_email": coordinator.email,
    }
    with translation.override(evaluation.language):
        subject = render_to_string(f"experts/email/{template}_subject.txt", context)
        body = render_to_string(f"experts/email/{template}_body.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),  # headers must be one line
        body=body,
        to=[membership.email],
        reply_to=[coordinator.email] if coordinator.email else None,
    )

    # A closure, not functools.partial: a failed send is logged with the callable's repr, and
    # that must not carry the body (and its link) into the logs.
    def send() -> None:
        message.send()

    # robust: one failing mail server must not turn a saved panel into an error page; the
    # coordinator sees who has not opened the link and can resend.
    transaction.on_commit(send, robust=True)


@transaction.atomic
def membership_update_weight(
    *, membership: PanelMembership, actor: AbstractBaseUser, weight: float
) -> PanelMembership:
    if isinstance(weight, bool) or not math.isfinite(weight) or weight <= 0:
        raise ValidationError({"weight": _(ERROR_WEIGHT)})
    if weight > MAX_EXPERT_WEIGHT:  # the panel box and pasted lines say the same
        message = _(ERROR_WEIGHT_TOO_LARGE).format(limit=MAX_EXPERT_WEIGHT)
        raise ValidationError({"weight": message})
    previous = membership.weight
    membership.weight = weight
    membership.save(update_fields=["weight"])
    audit_record(
        evaluation=membership.evaluation,
        actor=actor,
        # The audit log has no action of its own for expert weights; they are a setting of the
        # panel that changes the results, so they are logged with the settings.
        action=AuditEntry.Action.EDITED_SETTINGS,
        detail=f"expert weight of {membership.email or membership.name}: {previous:g} → {weight:g}",
        params={"expert": membership.email or membership.name, "before": previous, "after": weight},
    )
    if previous != weight:
        results_mark_stale(evaluation_id=membership.evaluation_id)  # weights enter AIJ/AIP
    return membership


# --- The expert's side: open, accept, decline ----------------------------------------------


@transaction.atomic
def invitation_open(*, token: str) -> Invitation:
    """Record that the link was opened, without using it up: mail scanners fetch links too."""
    invitation = invitation_for_token(token=token)
    if invitation.status == Invitation.Status.PENDING:
        now = timezone.now()
        # Conditional UPDATE: of two simultaneous fetches, the first opening is the one kept.
        Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
            status=Invitation.Status.OPENED, opened_at=now
        )
        PanelMembership.objects.filter(pk=invitation.membership_id).update(last_activity_at=now)
        invitation.status, invitation.opened_at = Invitation.Status.OPENED, now
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: AbstractBaseUser) -> PanelMembership:
    """Join the panel with a signed-in account; the link is used up."""
    invitation = invitation_for_token(token=token, for_update=True)
    membership = invitation.membership
    other = (
        PanelMembership.objects.filter(evaluation_id=membership.evaluation_id, user=user)
        .exclude(pk=membership.pk)
        .first()
    )
    if other is not None:
        raise ValidationError(_(ERROR_ALREADY_ON_PANEL).format(email=other.email))
    return _accept(invitation, user)


@transaction.atomic
def invitation_accept_with_account(
    *,
    token: str,
    username: str,
    password: str,
    name: str = "",
    organisation: str = "",
    field: str = "",
    title: str = "",
    years_experience: int | None = None,
) -> AbstractBaseUser:
    """Create the expert's account and join the panel with it, in one go. Returns the user."""
    invitation = invitation_for_token(token=token, for_update=True)
    membership = invitation.membership
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _(ERROR_USERNAME_TAKEN).format(username=username)})
    user = user_model.objects.create_user(
        username=username, email=membership.email, password=password, first_name=name
    )
    Profile.objects.create(
        user=user,
        organisation=organisation or membership.organisation,
        field=field,
        title=title,
        years_experience=years_experience,
    )
    _accept(invitation, user)
    return user


def _accept(invitation: Invitation, user: AbstractBaseUser) -> PanelMembership:
    now = timezone.now()
    invitation.status = Invitation.Status.ACCEPTED
    invitation.responded_at = now
    invitation.save(update_fields=["status", "responded_at"])
    membership = invitation.membership
    membership.user = user
    membership.last_activity_at = now
    if not membership.name:
        membership.name = user.get_full_name()
    membership.save(update_fields=["user", "last_activity_at", "name"])
    audit_record(
        evaluation=membership.evaluation,
        actor=user,
        action=AuditEntry.Action.ACCEPTED,
        detail=membership.email,
        params={"email": membership.email},
    )
    return membership


@transaction.atomic
def invitation_decline(*, token: str) -> Invitation:
    invitation = invitation_for_token(token=token, for_update=True)
    now = timezone.now()
    invitation.status = Invitation.Status.DECLINED
    invitation.responded_at = now
    invitation.save(update_fields=["status", "responded_at"])
    PanelMembership.objects.filter(pk=invitation.membership_id).update(last_activity_at=now)
    membership = invitation.membership
    audit_record(
        evaluation=membership.evaluation,
        actor=None,  # declining needs no account
        action=AuditEntry.Action.DECLINED,
        detail=membership.email,
        params={"email": membership.email},
    )
    return invitation
