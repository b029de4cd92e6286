"""The assistant invitation: its public page (by token) and the coordinator's resend/cancel
on the Paper forms tab. The pages call surveys.paper.invitations, as the API does."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from experts.forms import AccountCreateForm, suggested_username
from experts.selectors import InvitationUnusable

from . import invitations
from .models import AssistantInvitation
from .views import _access


class AssistantAccountForm(AccountCreateForm):
    """An assistant's new account: user name, name and password (the project's validators);
    the expert's profile questions do not apply."""

    organisation = None
    field = None
    title = None
    years_experience = None


@never_cache
def assistant_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation (and marks it opened); POST accepts or declines it. Unknown
    links answer 404, used-up or expired ones 410, with a page that says why."""
    try:
        if request.method == "POST":
            return _answer(request, token)
        found = invitations.assistant_invitation_open(token=token)
    except InvitationUnusable as error:
        return render(
            request, "experts/invitation_unusable.html", {"error": error}, status=error.status
        )
    return _render(request, found)


def _answer(request: HttpRequest, token: str) -> HttpResponse:
    action = request.POST.get("action")
    if action == "decline":
        declined = invitations.assistant_invitation_decline(token=token)
        context = {"invitation": declined, "evaluation": declined.evaluation}
        return render(request, "surveys/paper/invitation_declined.html", context)
    if action == "accept" and request.user.is_authenticated:
        try:
            assistant = invitations.assistant_invitation_accept(token=token, user=request.user)
        except ValidationError as error:
            found = invitations.assistant_invitation_for_token(token=token)
            return _render(request, found, refusal=error.messages[0], status=400)
        return _accepted(request, assistant.evaluation_id)
    if action == "signup" and not request.user.is_authenticated:
        return _signup(request, token)
    return redirect("assistant-invitation", token=token)  # a stale form: show it again


def _signup(request: HttpRequest, token: str) -> HttpResponse:
    found = invitations.assistant_invitation_for_token(token=token)
    form = AssistantAccountForm(request.POST, email=found.email)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = invitations.assistant_invitation_accept_with_account(
                token=token,
                username=data["username"],
                password=data["password1"],
                name=data["name"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _accepted(request, found.evaluation_id)
    return _render(request, found, signup_form=form, status=400)


def _accepted(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    messages.success(request, _("Welcome. You can now type in this evaluation's paper forms."))
    return redirect("paper-home", evaluation_id)


def _render(
    request: HttpRequest,
    found: AssistantInvitation,
    *,
    signup_form: AssistantAccountForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    if signup_form is None and not request.user.is_authenticated:
        signup_form = AssistantAccountForm(
            email=found.email, initial={"username": suggested_username(found.email)}
        )
    evaluation = found.evaluation
    context = {
        "invitation": found,
        "evaluation": evaluation,
        "coordinator": evaluation.owner,
        "signup_form": signup_form,
        "refusal": refusal,
    }
    return render(request, "surveys/paper/invitation.html", context, status=status)


# --- The coordinator's side ----------------------------------------------------------------


def _invitation(request: HttpRequest, evaluation_id: int, invitation_id: int):
    access = _access(request, evaluation_id, coordinator=True)
    return get_object_or_404(
        AssistantInvitation.objects.select_related("evaluation__owner"),
        pk=invitation_id,
        evaluation=access.evaluation,
    )


@login_required
@require_POST
def paper_invitation_resend(
    request: HttpRequest, evaluation_id: int, invitation_id: int
) -> HttpResponse:
    invitation = _invitation(request, evaluation_id, invitation_id)
    try:
        invitations.assistant_invitation_resend(
            invitation=invitation, actor=request.user, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        text = _("A new invitation was sent to %(email)s; the previous link no longer works.")
        messages.success(request, text % {"email": invitation.email})
    return redirect("paper-home", evaluation_id)


@login_required
@require_POST
def paper_invitation_cancel(
    request: HttpRequest, evaluation_id: int, invitation_id: int
) -> HttpResponse:
    invitation = _invitation(request, evaluation_id, invitation_id)
    try:
        invitations.assistant_invitation_cancel(invitation=invitation, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        text = _("The invitation of %(email)s is cancelled; its link no longer works.")
        messages.success(request, text % {"email": invitation.email})
    return redirect("paper-home", evaluation_id)
