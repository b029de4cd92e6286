"""Who may type in an evaluation's paper forms, and the entries waiting for a second typing."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import Http404

from evaluations.models import Evaluation
from experts.models import Invitation, PanelMembership

from .models import DataEntryAssistant, PaperEntry


@dataclass(frozen=True)
class DataEntryAccess:
    evaluation: Evaluation
    # The owner may also resolve differences, discard entries and manage assistants.
    is_coordinator: bool


def access_data_entry(*, user: AbstractBaseUser, evaluation_id: int) -> DataEntryAccess:
    """The evaluation if the user may type in its paper forms (its coordinator or one of its
    data-entry assistants); 404 for anyone else, as for "missing". The pages and the API
    both ask here."""
    if not user.is_authenticated:
        raise Http404
    assisted = DataEntryAssistant.objects.filter(evaluation=evaluation_id, user=user.pk)
    evaluation = (
        Evaluation.objects.filter(pk=evaluation_id)
        .filter(Q(owner=user.pk) | Q(pk__in=assisted.values("evaluation")))
        .first()
    )
    if evaluation is None:
        raise Http404
    return DataEntryAccess(evaluation=evaluation, is_coordinator=evaluation.owner_id == user.pk)


def assisted_evaluations(*, user: AbstractBaseUser) -> QuerySet[Evaluation]:
    """The evaluations whose paper forms the user types in as an assistant (their home page)."""
    return Evaluation.objects.filter(data_entry_assistants__user=user.pk).order_by("title")


def pending_entries(*, evaluation: Evaluation) -> QuerySet[PaperEntry]:
    return (
        PaperEntry.objects.filter(
            membership__evaluation=evaluation, status=PaperEntry.Status.PENDING
        )
        .select_related("membership", "parent", "subject", "entered_by")
        .order_by("membership_id", "parent_id", "subject_id", "created_at", "id")
    )


def form_entries(*, membership, parent=None, subject=None) -> QuerySet[PaperEntry]:
    """The pending typings of one expert's form, oldest first."""
    return PaperEntry.objects.filter(
        membership=membership,
        parent=parent,
        subject=subject,
        status=PaperEntry.Status.PENDING,
    ).select_related("entered_by")


def membership_revoked(*, membership: PanelMembership) -> bool:
    """Revoked from the panel (invited or name-only): nothing of theirs may be typed in."""
    revoked = Invitation.Status.REVOKED
    return Invitation.objects.filter(membership=membership, status=revoked).exists()
