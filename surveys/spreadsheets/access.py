"""Who may download questionnaires and upload filled ones: whoever may type in the
evaluation's paper forms (its coordinator and its data-entry assistants, surveys/paper/).
Pages and the API both ask here."""

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404

from evaluations.models import Evaluation
from experts.models import PanelMembership

from ..paper.selectors import access_data_entry
from .models import SpreadsheetUpload


def access_spreadsheets(*, user: AbstractBaseUser, evaluation_id: int) -> Evaluation:
    """The evaluation if the user may handle its spreadsheet questionnaires; 404 otherwise."""
    return access_data_entry(user=user, evaluation_id=evaluation_id).evaluation


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
