"""Revoking an expert and undoing it: who leaves the results and the response figures, with
the choice to keep their submitted answers. The ballots are never deleted. An expert known by
name only (typed in from paper) is revoked through an Invitation row nobody holds a token for,
so Invitation.status stays the one place that says "revoked"."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import AuditEntry
from evaluations.services import audit_record
from evaluations.services.pipeline import results_mark_stale

from .models import Invitation, PanelMembership
from .selectors import (
    TOKEN_BYTES,
    PanelFigures,
    RevocationEffect,
    hash_token,
    panel_overview,
    revocation_effect,
)

ERROR_ALREADY_REVOKED = gettext_noop("The invitation of {email} is already revoked.")
ERROR_NOT_REVOKED = gettext_noop(
    "The invitation of {email} is not revoked; there is no revocation to undo."
)
ERROR_NOT_INVITED = gettext_noop("{email} has not been invited yet.")


@dataclass(frozen=True)
class Revocation:
    """A revocation done: the invitation, whether the answers stayed, and the effect."""

    invitation: Invitation
    answers_kept: bool
    effect: RevocationEffect

    @property
    def figures_after(self) -> PanelFigures:
        return self.effect.after(keep_answers=self.answers_kept)

    @property
    def results_changed(self) -> bool:
        return self.effect.has_answers and not self.answers_kept


@transaction.atomic
def invitation_revoke(
    *, membership: PanelMembership, actor: AbstractBaseUser, keep_answers: bool = False
) -> Revocation:
    """The link stops working and the expert leaves the panel's figures and the results,
    unless `keep_answers`: then their submitted ballots stay in both. Ballots are never
    deleted; invitation_restore undoes this. Allowed on a closed panel too: whose answers
    count stays the coordinator's decision there, like the experts' weights."""
    # Lock the membership as ballot saves do (surveys.services), so no ballot of this expert
    # is submitted between counting the ballots that leave and the revocation itself.
    membership = _membership_locked(membership)
    invitation = Invitation.objects.select_for_update().filter(membership=membership).first()
    if invitation is None and not membership.email:
        invitation = _paper_only_invitation(membership, actor)
    if invitation is None:
        raise ValidationError(_(ERROR_NOT_INVITED).format(email=membership.email))
    if invitation.status == Invitation.Status.REVOKED:
        raise ValidationError(_(ERROR_ALREADY_REVOKED).format(email=membership.display_name))
    effect = revocation_effect(evaluation=membership.evaluation, membership=membership)
    # Only submitted answers can be kept: a flag on an expert without any would keep nothing
    # and count a dead invitation in the figures.
    kept = keep_answers and effect.has_answers
    # A name-only expert's new row had no status before: undoing returns them to none.
    invitation.status_before_revocation = invitation.status if invitation.pk else ""
    invitation.status = Invitation.Status.REVOKED
    invitation.revoked_at = timezone.now()
    if invitation.pk:
        invitation.save(update_fields=["status", "status_before_revocation", "revoked_at"])
    else:
        invitation.save()
    membership.answers_kept_after_revocation = kept
    membership.save(update_fields=["answers_kept_after_revocation"])
    revocation = Revocation(invitation=invitation, answers_kept=kept, effect=effect)
    kept_text = "answers kept in the results" if kept else "answers left out of the results"
    expert = membership.email or membership.name
    audit_record(
        evaluation=membership.evaluation,
        actor=actor,
        action=AuditEntry.Action.REVOKED,
        detail=f"{expert}; {kept_text}" if effect.has_answers else expert,
        params={
            "email": expert,
            "answers_kept": kept,
            "pairwise": effect.pairwise,
            "ratings": effect.ratings,
        },
    )
    if revocation.results_changed:
        results_mark_stale(evaluation_id=membership.evaluation_id)
    return revocation


@dataclass(frozen=True)
class Restoration:
    """A revocation undone: the invitation as it was, and what came back."""

    invitation: Invitation | None  # None: a name-only expert, back to never invited
    pairwise: int  # submitted ballots back in the results (0 if they had been kept)
    ratings: int

    @property
    def needs_new_link(self) -> bool:
        """Not yet accepted or declined: the expert has to be sent a new link."""
        if self.invitation is None:
            return False
        return self.invitation.status in (Invitation.Status.PENDING, Invitation.Status.OPENED)


@transaction.atomic
def invitation_restore(*, membership: PanelMembership, actor: AbstractBaseUser) -> Restoration:
    """Undo a revocation: the invitation returns to the status it had and the expert's
    submitted ballots count again (results marked stale if they had left).

    The revoked link stays dead: it may have been revoked because it went to the wrong
    address or leaked, so an invitation not yet answered needs a new link (resend)."""
    membership = _membership_locked(membership)
    invitation = Invitation.objects.select_for_update().filter(membership=membership).first()
    if invitation is None or invitation.status != Invitation.Status.REVOKED:
        raise ValidationError(_(ERROR_NOT_REVOKED).format(email=membership.display_name))
    row = panel_overview(evaluation=membership.evaluation).row_of(membership)
    returned = not membership.answers_kept_after_revocation
    if not invitation.status_before_revocation and not membership.email:
        # A name-only expert's revocation row was the only invitation they had.
        invitation.delete()
        restoration = Restoration(
            invitation=None,
            pairwise=row.pairwise_submitted if returned else 0,
            ratings=row.ratings_submitted if returned else 0,
        )
        return _restored(membership, actor, restoration)
    invitation.status = invitation.status_before_revocation or Invitation.Status.PENDING
    invitation.status_before_revocation = ""
    invitation.revoked_at = None
    fields = ["status", "status_before_revocation", "revoked_at"]
    restoration = Restoration(
        invitation=invitation,
        pairwise=row.pairwise_submitted if returned else 0,
        ratings=row.ratings_submitted if returned else 0,
    )
    if restoration.needs_new_link:
        # A hash of a token nobody holds: the old link stays dead until a new one is sent.
        invitation.token_hash = hash_token(secrets.token_urlsafe(TOKEN_BYTES))
        fields.append("token_hash")
    invitation.save(update_fields=fields)
    return _restored(membership, actor, restoration)


def _restored(
    membership: PanelMembership, actor: AbstractBaseUser, restoration: Restoration
) -> Restoration:
    """The common end of a restoration: the flag cleared, the audit entry, the results."""
    invitation = restoration.invitation
    membership.answers_kept_after_revocation = False
    membership.save(update_fields=["answers_kept_after_revocation"])
    status = invitation.status if invitation else "paper only"
    expert = membership.email or membership.name
    audit_record(
        evaluation=membership.evaluation,
        actor=actor,
        action=AuditEntry.Action.RESTORED,
        detail=f"{expert} ({status})",
        params={
            "email": expert,
            "status": status,
            "pairwise": restoration.pairwise,
            "ratings": restoration.ratings,
        },
    )
    if restoration.pairwise or restoration.ratings:
        results_mark_stale(evaluation_id=membership.evaluation_id)
    return restoration


def _paper_only_invitation(membership: PanelMembership, actor: AbstractBaseUser) -> Invitation:
    """The row that records a name-only expert's revocation, so that "revoked" keeps one
    source (Invitation.status) for the results, the figures and the ballot saves. Its token
    is a hash nobody holds and it has already expired: it is never a link."""
    now = timezone.now()
    return Invitation(
        membership=membership,
        token_hash=hash_token(secrets.token_urlsafe(TOKEN_BYTES)),
        invited_by=actor,
        sent_at=now,
        expires_at=now,
    )


def _membership_locked(membership: PanelMembership) -> PanelMembership:
    return (
        PanelMembership.objects.select_related("evaluation")
        .select_for_update(of=("self",))
        .get(pk=membership.pk)
    )
