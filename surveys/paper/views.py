"""Pages to type in paper ballots: the coordinator's and their data-entry assistants'.

The entry forms are the expert's forms (their pairs and rating tables, surveys/_pairs.html and
_rating_tables.html) with a form-number field, posted to the same services (paper_ballot_enter
calls the expert's ballot services). Resolving two typings that differ, discarding a typing
and managing assistants are the coordinator's only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluations.models import Subject
from experts.selectors import access_membership

from .. import form_parts, wording
from .. import services as ballots
from ..selectors import access_parent
from ..skipped import SKIP_TOKEN
from . import roster, services
from .models import AssistantInvitation, DataEntryAssistant, PaperEntry
from .pages import compare_context, home_context, member_context
from .selectors import DataEntryAccess, access_data_entry, membership_revoked


def _access(request: HttpRequest, evaluation_id: int, *, coordinator=False) -> DataEntryAccess:
    access = access_data_entry(user=request.user, evaluation_id=evaluation_id)
    if coordinator and not access.is_coordinator:
        raise PermissionDenied  # an assistant types in forms and does nothing else
    return access


@login_required
def paper_home(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    access = _access(request, evaluation_id)
    return render(request, "surveys/paper/home.html", home_context(access))


@login_required
def paper_member(request: HttpRequest, evaluation_id: int, membership_id: int) -> HttpResponse:
    access = _access(request, evaluation_id)
    membership = access_membership(evaluation=access.evaluation, membership_id=membership_id)
    context = member_context(access, membership)
    return render(request, "surveys/paper/member.html", context)


def _refuse_revoked(request: HttpRequest, membership) -> HttpResponse:
    """A revoked expert's form is not offered (a POST reaches the service, which refuses it
    and shows the typed answers again)."""
    name = membership.display_name
    messages.error(request, _(services.ERROR_REVOKED_MEMBER).format(name=name))
    return redirect("paper-member", membership.evaluation_id, membership.pk)


def _entered(request: HttpRequest, outcome: services.PaperOutcome, membership) -> HttpResponse:
    if outcome.status == services.MISMATCH:
        messages.warning(
            request,
            _(
                "This typing differs from the first one: nothing counts until the differences "
                "are resolved."
            ),
        )
        return redirect("paper-compare", membership.evaluation_id, outcome.entry.pk)
    if outcome.status == services.PENDING:
        messages.success(
            request,
            _("First entry kept. The form counts once someone else types it in again identically."),
        )
    else:
        messages.success(request, _("Paper form entered: it counts in the results."))
    return redirect("paper-member", membership.evaluation_id, membership.pk)


@login_required
def paper_pairwise(
    request: HttpRequest, evaluation_id: int, membership_id: int, parent_id: int
) -> HttpResponse:
    access = _access(request, evaluation_id)
    membership = access_membership(evaluation=access.evaluation, membership_id=membership_id)
    parent = access_parent(membership=membership, parent_id=parent_id)
    if request.method != "POST" and membership_revoked(membership=membership):
        return _refuse_revoked(request, membership)
    if request.method != "POST":
        return _pairwise_page(request, access, membership, parent, {}, {}, "")
    judgments = form_parts.posted_judgments(request.POST)
    number = request.POST.get("form_number", "")
    form = services.PaperForm(membership=membership, parent=parent)
    try:
        outcome = services.paper_ballot_enter(
            form=form, answers=judgments, form_number=number, actor=request.user
        )
    except ValidationError as error:
        errors = error.message_dict
        return _pairwise_page(request, access, membership, parent, judgments, errors, number, 400)
    return _entered(request, outcome, membership)


def _pairwise_page(
    request, access, membership, parent, judgments, errors, number, status=200
) -> HttpResponse:
    evaluation = membership.evaluation
    children = list(parent.children.all())
    consistency = form_parts.consistency_context(evaluation, children, judgments)
    flags = form_parts.revision_flags(consistency["revisions"])
    context = {
        "access": access,
        "membership": membership,
        "evaluation": evaluation,
        "parent": parent,
        "children": children,
        "pairs": form_parts.pair_rows(children, judgments, errors, flags),
        "options": wording.scale_options(evaluation.judgment_scale),
        "judgment_scale": evaluation.judgment_scale,
        "errors": errors,
        "comment_limit": ballots.COMMENT_LIMIT,
        "skip_token": SKIP_TOKEN,
        "skipping": evaluation.allow_skipped_comparisons,
        "form_number": number,
        "form_number_limit": services.FORM_NUMBER_LIMIT,
    }
    context.update(consistency)
    return render(request, "surveys/paper/pairwise.html", context, status=status)


@login_required
def paper_rating(
    request: HttpRequest, evaluation_id: int, membership_id: int, subject_id: int
) -> HttpResponse:
    access = _access(request, evaluation_id)
    membership = access_membership(evaluation=access.evaluation, membership_id=membership_id)
    subject = get_object_or_404(Subject, pk=subject_id, evaluation=access.evaluation)
    if request.method != "POST" and membership_revoked(membership=membership):
        return _refuse_revoked(request, membership)
    if request.method != "POST":
        return _rating_page(request, access, membership, subject, {}, {}, "")
    ratings = form_parts.posted_ratings(request.POST)
    number = request.POST.get("form_number", "")
    form = services.PaperForm(membership=membership, subject=subject)
    try:
        outcome = services.paper_ballot_enter(
            form=form, answers=ratings, form_number=number, actor=request.user
        )
    except ValidationError as error:
        errors = error.message_dict
        return _rating_page(request, access, membership, subject, ratings, errors, number, 400)
    return _entered(request, outcome, membership)


def _rating_page(
    request, access, membership, subject, ratings, errors, number, status=200
) -> HttpResponse:
    evaluation = membership.evaluation
    groups = form_parts.rating_groups(evaluation, ratings, errors)
    dont_know = form_parts.DONT_KNOW
    context = {
        "access": access,
        "membership": membership,
        "evaluation": evaluation,
        "subject": subject,
        "grades": list(evaluation.grades.all()),
        "dont_know": dont_know,
        "leaves_dont_know": any(
            leaf["grade"] == dont_know for group in groups for leaf in group["leaves"]
        ),
        "groups": groups,
        "errors": errors,
        "comment_limit": ballots.COMMENT_LIMIT,
        "form_number": number,
        "form_number_limit": services.FORM_NUMBER_LIMIT,
    }
    return render(request, "surveys/paper/rating.html", context, status=status)


def _pending(access: DataEntryAccess, entry_id: int) -> PaperEntry:
    return get_object_or_404(
        PaperEntry.objects.select_related("membership__evaluation", "parent", "subject"),
        pk=entry_id,
        membership__evaluation=access.evaluation,
    )


@login_required
def paper_compare(request: HttpRequest, evaluation_id: int, entry_id: int) -> HttpResponse:
    """Two typings of one form side by side, the cells that differ listed; the coordinator
    picks the right value of each and the form counts."""
    access = _access(request, evaluation_id)
    entry = _pending(access, entry_id)
    context = compare_context(access, entry)
    if request.method == "POST":
        if not access.is_coordinator:
            raise PermissionDenied
        if context["second"] is None or entry.status != PaperEntry.Status.PENDING:
            # Nothing to choose between: one typing only, or the form already counted.
            context["errors"] = {"entry": [_("There are no two typings of this form to resolve.")]}
            return render(request, "surveys/paper/compare.html", context, status=409)
        choices = {
            key.removeprefix("choice-"): value
            for key, value in request.POST.items()
            if key.startswith("choice-")
        }
        try:
            services.paper_entries_resolve(
                first=context["first"], second=context["second"], choices=choices,
                actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            context["errors"] = error.message_dict
            for cell in context["mismatches"]:  # what was chosen stays chosen
                cell["chosen"] = choices.get(cell["key"], "")
            return render(request, "surveys/paper/compare.html", context, status=400)
        messages.success(request, _("Differences resolved: the form counts in the results."))
        return redirect("paper-member", evaluation_id, entry.membership_id)
    return render(request, "surveys/paper/compare.html", context)


@login_required
def paper_discard(request: HttpRequest, evaluation_id: int, entry_id: int) -> HttpResponse:
    access = _access(request, evaluation_id, coordinator=True)
    entry = _pending(access, entry_id)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    try:
        services.paper_entry_discard(entry=entry, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The typing was discarded (it stays in the activity log)."))
    return redirect("paper-member", evaluation_id, entry.membership_id)


@login_required
@require_POST
def paper_assistant_add(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    access = _access(request, evaluation_id, coordinator=True)
    try:
        added = roster.assistant_add(
            evaluation=access.evaluation,
            actor=request.user,
            email=request.POST.get("email", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, _("Assistant's e-mail: %(error)s") % {"error": message})
    else:
        if isinstance(added, AssistantInvitation):
            text = _(
                "No account has the e-mail %(email)s: an invitation was sent to it. The "
                "assistant creates their account from its link and can then type in paper forms."
            )
            messages.success(request, text % {"email": added.email})
        else:
            name = added.user.get_username()
            text = _("%(user)s can now type in paper forms here.")
            messages.success(request, text % {"user": name})
    return redirect("paper-home", evaluation_id)


@login_required
@require_POST
def paper_assistant_remove(
    request: HttpRequest, evaluation_id: int, assistant_id: int
) -> HttpResponse:
    access = _access(request, evaluation_id, coordinator=True)
    assistant = get_object_or_404(
        DataEntryAssistant.objects.select_related("user", "evaluation"),
        pk=assistant_id,
        evaluation=access.evaluation,
    )
    roster.assistant_remove(assistant=assistant, actor=request.user)
    messages.success(
        request,
        _("%(user)s can no longer type in paper forms here.")
        % {"user": assistant.user.get_username()},
    )
    return redirect("paper-home", evaluation_id)


@login_required
@require_POST
def panel_add_named(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    """From the panel page: an expert known by name only, who answers on paper."""
    access = _access(request, evaluation_id, coordinator=True)
    try:
        membership = roster.panel_add_named_expert(
            evaluation=access.evaluation,
            actor=request.user,
            name=request.POST.get("name", ""),
            organisation=request.POST.get("organisation", ""),
        )
    except ValidationError as error:
        labels = {"name": _("Name"), "organisation": _("Organisation")}
        for field, field_messages in error.message_dict.items():
            for message in field_messages:
                label = labels.get(field, field)
                messages.error(
                    request, _("%(field)s: %(error)s") % {"field": label, "error": message}
                )
        return redirect("panel", evaluation_id)
    messages.success(
        request,
        _("%(name)s added: type in their paper forms with “Enter a paper form”.")
        % {"name": membership.name},
    )
    return redirect("panel", evaluation_id)
