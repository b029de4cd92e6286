"""Who may download questionnaires and upload filled ones: the evaluation's coordinator.
Pages and the API both ask here, so widening it (a data-entry assistant) is one change."""

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404

from evaluations.models import Evaluation
from evaluations.selectors import access_evaluation
from experts.models import PanelMembership

from .models import SpreadsheetUpload


def access_spreadsheets(*, user: AbstractBaseUser, evaluation_id: int) -> Evaluation:
    """The evaluation if the user may handle its spreadsheet questionnaires; 404 otherwise."""
    return access_evaluation(user=user, evaluation_id=evaluation_id)


def access_member(*, evaluation: Evaluation, membership_id: int) -> PanelMembership:
    try:
        return evaluation.memberships.get(pk=membership_id)
    except PanelMembership.DoesNotExist:
        raise Http404 from None


def access_upload(
    *, evaluation: Evaluation, user: AbstractBaseUser, token: str
) -> SpreadsheetUpload:
    """An upload of this evaluation made by this user (a preview is its uploader's)."""
    upload = SpreadsheetUpload.objects.filter(
        evaluation=evaluation, user=user, token=str(token)[:40]
    ).first()
    if upload is None:
        raise Http404
    return upload
