"""Panel pages (the coordinator's), the invitation landing page and the expert's home page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from evaluations.models import Evaluation
from evaluations.selectors import access_evaluation
from surveys.paper.selectors import assisted_evaluations
from surveys.screening.selectors import surveys_for_expert

from . import revocation, services
from .forms import AccountCreateForm, PanelAddForm, RevokeForm, WeightForm, suggested_username
from .models import Invitation, PanelMembership
from .selectors import (
    InvitationUnusable,
    PanelRow,
    access_membership,
    expert_panels,
    invitation_for_token,
    panel_overview,
    panel_requirements,
    revocation_effect,
)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- The coordinator's panel page ----------------------------------------------------------


@login_required
def panel(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    form = PanelAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            links = services.panel_add_experts(
                evaluation=evaluation,
                actor=request.user,
                text=form.cleaned_data["text"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Experts added and invited: %(count)s.") % {"count": len(links)}
            )
            return redirect("panel", evaluation_id=evaluation.pk)
    status = 400 if request.method == "POST" else 200  # a POST that got here was refused
    return _render_panel(request, evaluation, add_form=form, status=status)


def _render_panel(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    add_form: PanelAddForm | None = None,
    weight_form: WeightForm | None = None,
    weight_membership_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "evaluation": evaluation,
        "overview": panel_overview(evaluation=evaluation),
        "add_form": add_form or PanelAddForm(),
        "weight_form": weight_form,
        "weight_membership_id": weight_membership_id,
    }
    return render(request, "experts/panel.html", context, status=status)


def _panel_post(request: HttpRequest, evaluation_id: int, membership_id: int | None = None):
    """The evaluation (and membership) of a panel action, after access checks and only then
    the method check: an outsider learns nothing, not even which routes take POST."""
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    membership = None
    if membership_id is not None:
        membership = access_membership(evaluation=evaluation, membership_id=membership_id)
    not_allowed = None if request.method == "POST" else HttpResponseNotAllowed(["POST"])
    return evaluation, membership, not_allowed


@login_required
def panel_resend(request: HttpRequest, evaluation_id: int, membership_id: int) -> HttpResponse:
    evaluation, membership, not_allowed = _panel_post(request, evaluation_id, membership_id)
    if not_allowed:
        return not_allowed
    try:
        services.invitation_resend(
            membership=membership, actor=request.user, base_url=_base_url(request)
        )
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(
            request,
            _("A new invitation was sent to %(email)s; the previous link no longer works.")
            % {"email": membership.email},
        )
    return redirect("panel", evaluation_id=evaluation.pk)


@login_required
def panel_revoke(request: HttpRequest, evaluation_id: int, membership_id: int) -> HttpResponse:
    """GET: the confirmation, saying which ballots leave the results and how the figures
    change; POST: revoke (the answers leave unless the form keeps them)."""
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    membership = access_membership(evaluation=evaluation, membership_id=membership_id)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "GET":
        effect = revocation_effect(evaluation=evaluation, membership=membership)
        context = {
            "evaluation": evaluation,
            "effect": effect,
            "form": RevokeForm(),
            "back": _panel_row_url(membership),
            "refusal": _revoke_refusal(effect.row),
        }
        return render(request, "experts/panel_revoke.html", context)
    form = RevokeForm(request.POST)
    keep_answers = form.is_valid() and form.cleaned_data["keep_answers"]
    try:
        revoked = revocation.invitation_revoke(
            membership=membership, actor=request.user, keep_answers=keep_answers
        )
    except ValidationError as error:
        _message_errors(request, error)
        return redirect("panel", evaluation_id=evaluation.pk)
    if membership.email:
        done = _("The invitation of %(email)s is revoked; its link no longer works.") % {
            "email": membership.email
        }
    else:
        done = _("%(name)s is revoked: their paper forms can no longer be typed in.") % {
            "name": membership.name
        }
    if revoked.answers_kept:
        done += " " + _("Their submitted answers stay in the results.")
    elif revoked.results_changed:
        done += " " + _(
            "Their submitted answers left the results, which are being recomputed; "
            "undo the revocation to bring them back."
        )
    messages.success(request, done)
    return redirect("panel", evaluation_id=evaluation.pk)


def _revoke_refusal(row: PanelRow) -> str:
    """Why the row cannot be revoked (the service's own words), or "" if it can."""
    email = row.membership.email
    if row.invitation is None and not row.paper_only:
        return _(revocation.ERROR_NOT_INVITED).format(email=email)
    if not row.can_revoke:
        return _(revocation.ERROR_ALREADY_REVOKED).format(email=row.membership.display_name)
    return ""


@login_required
def panel_restore(request: HttpRequest, evaluation_id: int, membership_id: int) -> HttpResponse:
    evaluation, membership, not_allowed = _panel_post(request, evaluation_id, membership_id)
    if not_allowed:
        return not_allowed
    try:
        restoration = revocation.invitation_restore(membership=membership, actor=request.user)
    except ValidationError as error:
        _message_errors(request, error)
        return redirect("panel", evaluation_id=evaluation.pk)
    email = membership.display_name
    if restoration.needs_new_link:
        # The revoked link stays dead (revocation.invitation_restore says why).
        text = _(
            "The revocation of %(email)s is undone, but the revoked link stays dead: "
            "send them a new one with “Resend”."
        )
        if evaluation.status == Evaluation.Status.CLOSED:
            text = _(
                "The revocation of %(email)s is undone, but the revoked link stays dead: "
                "reopen the panel to send them a new one."
            )
        messages.warning(request, text % {"email": email})
    elif restoration.pairwise or restoration.ratings:
        messages.success(
            request,
            _(
                "The revocation of %(email)s is undone: their submitted answers count again "
                "and the results are being recomputed."
            )
            % {"email": email},
        )
    elif restoration.invitation is None:
        messages.success(
            request,
            _("The revocation of %(name)s is undone: they are back on the panel.")
            % {"name": email},
        )
    else:
        messages.success(
            request,
            _("The revocation of %(email)s is undone; the invitation is %(status)s again.")
            % {"email": email, "status": restoration.invitation.get_status_display()},
        )
    return redirect("panel", evaluation_id=evaluation.pk)


def _panel_row_url(membership: PanelMembership) -> str:
    """Back and Cancel return to the expert's row. Actions return to the top of the panel
    instead, where their message shows (the row's anchor would scroll it out of sight)."""
    return reverse("panel", kwargs={"evaluation_id": membership.evaluation_id}) + (
        f"#expert-{membership.pk}"
    )


@login_required
def panel_weight(request: HttpRequest, evaluation_id: int, membership_id: int) -> HttpResponse:
    evaluation, membership, not_allowed = _panel_post(request, evaluation_id, membership_id)
    if not_allowed:
        return not_allowed
    form = WeightForm(request.POST)
    if form.is_valid():
        try:
            services.membership_update_weight(
                membership=membership, actor=request.user, weight=form.cleaned_data["weight"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The weight of %(expert)s is now %(weight)s.")
                % {"expert": membership.display_name, "weight": f"{membership.weight:g}"},
            )
            return redirect("panel", evaluation_id=evaluation.pk)
    return _render_panel(
        request, evaluation, weight_form=form, weight_membership_id=membership.pk, status=400
    )


@login_required
def panel_remind(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation, _membership, not_allowed = _panel_post(request, evaluation_id)
    if not_allowed:
        return not_allowed
    try:
        count = services.panel_remind(
            evaluation=evaluation, actor=request.user, base_url=_base_url(request)
        )
    except ValidationError as error:
        _message_errors(request, error)
    else:
        if count:
            messages.success(request, _("Reminders sent: %(count)s.") % {"count": count})
        else:
            messages.info(request, _("Nobody to remind: every expert has finished or answered."))
    return redirect("panel", evaluation_id=evaluation.pk)


def _message_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- The invitation link -------------------------------------------------------------------


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation (and marks it opened); POST accepts or declines it.

    Unknown links answer 404, used-up ones 410, both with a page that says why.
    """
    try:
        if request.method == "POST":
            return _invitation_answer(request, token)
        found = services.invitation_open(token=token)
    except InvitationUnusable as error:
        return render(
            request, "experts/invitation_unusable.html", {"error": error}, status=error.status
        )
    return _render_invitation(request, found, token)


def _invitation_answer(request: HttpRequest, token: str) -> HttpResponse:
    action = request.POST.get("action")
    if action == "decline":
        declined = services.invitation_decline(token=token)
        return render(request, "experts/invitation_declined.html", {"invitation": declined})
    if action == "accept" and request.user.is_authenticated:
        try:
            services.invitation_accept(token=token, user=request.user)
        except ValidationError as error:
            found = invitation_for_token(token=token)
            refusal = error.messages[0]
            return _render_invitation(request, found, token, refusal=refusal, status=400)
        return _accepted(request)
    if action == "signup" and not request.user.is_authenticated:
        return _invitation_signup(request, token)
    # A stale form (signed in or out in another tab since): show the page again.
    return redirect("invitation", token=token)


def _invitation_signup(request: HttpRequest, token: str) -> HttpResponse:
    found = invitation_for_token(token=token)
    form = AccountCreateForm(request.POST, email=found.membership.email)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_accept_with_account(
                token=token,
                username=data["username"],
                password=data["password1"],
                name=data["name"],
                organisation=data["organisation"],
                field=data["field"],
                title=data["title"],
                years_experience=data["years_experience"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The backend that loads the user from the session (the first is the lockout's).
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _accepted(request)
    return _render_invitation(request, found, token, signup_form=form, status=400)


def _accepted(request: HttpRequest) -> HttpResponse:
    messages.success(request, _("Welcome to the panel. Your questionnaires are listed here."))
    return redirect("expert-home")


def _render_invitation(
    request: HttpRequest,
    found: Invitation,
    token: str,
    *,
    signup_form: AccountCreateForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    membership = found.membership
    evaluation = membership.evaluation
    if signup_form is None and not request.user.is_authenticated:
        signup_form = AccountCreateForm(
            email=membership.email,
            initial={
                "username": suggested_username(membership.email),
                "name": membership.name,
                "organisation": membership.organisation,
            },
        )
    context = {
        "invitation": found,
        "membership": membership,
        "evaluation": evaluation,
        "coordinator": evaluation.owner,
        "requirements": panel_requirements(evaluation_ids=[evaluation.pk])[evaluation.pk],
        "subjects": evaluation.subjects.all(),
        "signup_form": signup_form,
        "refusal": refusal,
    }
    return render(request, "experts/invitation.html", context, status=status)


# --- The expert's panels -------------------------------------------------------------------


@login_required
def expert_home(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": expert_panels(user=request.user),
        # The screening surveys with a round open on the expert's panels (surveys/screening/).
        "screening_surveys": surveys_for_expert(user=request.user),
        # Evaluations whose paper forms the user types in as an assistant (surveys/paper/).
        "paper_entry": assisted_evaluations(user=request.user),
    }
    return render(request, "experts/expert_home.html", context)
