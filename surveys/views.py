"""The expert's questionnaire: pairwise forms with live consistency, and rating ballots.

Every form works as a plain HTML form (save draft / submit). With JavaScript, each change is
also autosaved as a draft and the consistency panel is redrawn from the server's answer, which
the engine computes (static/js/questionnaire.js).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluations.models import Evaluation, Subject

from . import flow, services, wording
from .form_parts import (
    DONT_KNOW,
    consistency_context,
    pair_rows,
    posted_judgments,
    posted_ratings,
    rating_groups,
    revision_flags,
)
from .models import BallotStatus, PairwiseBallot, RatingBallot
from .selectors import access_membership, access_parent, questionnaire
from .skipped import SKIP_TOKEN


@login_required
def questionnaire_home(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    membership = access_membership(user=request.user, evaluation_id=evaluation_id)
    context = {"membership": membership, "evaluation": membership.evaluation}
    context.update(questionnaire(membership=membership))
    ballots = [ballot for _form, ballot in context["matrices"] + context["subjects"] if ballot]
    context["drafts"] = sum(1 for ballot in ballots if ballot.status == BallotStatus.DRAFT)
    return render(request, "surveys/questionnaire.html", context)


# --- pairwise -----------------------------------------------------------------------------


def _pairwise_page(
    request, membership, parent, judgments, errors, status=200, kept=False
) -> HttpResponse:
    """The form; `kept` says a refused submission was saved as a draft all the same."""
    evaluation = membership.evaluation
    children = list(parent.children.all())
    ballot = PairwiseBallot.objects.filter(membership=membership, parent=parent).first()
    consistency = consistency_context(evaluation, children, judgments)
    context = {
        "membership": membership,
        "evaluation": evaluation,
        "parent": parent,
        "children": children,
        "pairs": pair_rows(children, judgments, errors, revision_flags(consistency["revisions"])),
        "kept_as_draft": kept,
        "options": wording.scale_options(evaluation.judgment_scale),
        "judgment_scale": evaluation.judgment_scale,
        "ballot": ballot,
        "errors": errors,
        "readonly": evaluation.status != Evaluation.Status.OPEN,
        "withdraw_url": reverse("pairwise-withdraw", args=[evaluation.pk, parent.pk]),
        "comment_limit": services.COMMENT_LIMIT,
        "skip_token": SKIP_TOKEN,
        "skipping": evaluation.allow_skipped_comparisons,
    }
    context.update(consistency)
    return render(request, "surveys/pairwise.html", context, status=status)


@login_required
def pairwise_form(request: HttpRequest, evaluation_id: int, parent_id: int) -> HttpResponse:
    saving = request.method == "POST"
    membership = access_membership(
        user=request.user, evaluation_id=evaluation_id, with_evaluation=not saving
    )
    parent = access_parent(membership=membership, parent_id=parent_id)
    if not saving:
        ballot = PairwiseBallot.objects.filter(membership=membership, parent=parent).first()
        return _pairwise_page(request, membership, parent, ballot.judgments if ballot else {}, {})
    judgments = posted_judgments(request.POST)
    submit = request.POST.get("action") == "submit"
    try:
        ballot = services.pairwise_ballot_save(
            membership=membership, parent=parent, judgments=judgments, submit=submit
        )
    except ValidationError as error:
        kept = submit and _kept_as_draft(
            lambda: services.pairwise_ballot_save(
                membership=membership, parent=parent, judgments=judgments, submit=False
            )
        )
        errors = error.message_dict
        return _pairwise_page(request, membership, parent, judgments, errors, 400, kept)
    if submit:
        return _after_submit(request, membership, parent)
    messages.success(request, _saved_message(ballot))
    return redirect("pairwise-form", evaluation_id=evaluation_id, parent_id=parent_id)


def _kept_as_draft(save_draft) -> bool:
    """After a refused submission, keep the answers as a draft if they can be one (a draft may
    be incomplete or inconsistent, not off the scale), as autosave would have: the page then
    says so rather than "nothing was saved"."""
    try:
        save_draft()
    except ValidationError:
        return False
    return True


def _after_submit(request: HttpRequest, membership, form) -> HttpResponse:
    """On to the next form still to answer, or back to the panel's forms when all are in."""
    following = flow.next_form(membership=membership)
    messages.success(request, flow.submitted_message(form=form, following=following))
    if following is None:
        return redirect("questionnaire", evaluation_id=membership.evaluation_id)
    return redirect(following.url)


@login_required
@require_POST
def pairwise_autosave(request: HttpRequest, evaluation_id: int, parent_id: int) -> JsonResponse:
    """Save the draft and answer with the redrawn consistency panel."""
    membership = access_membership(user=request.user, evaluation_id=evaluation_id)
    parent = access_parent(membership=membership, parent_id=parent_id)
    judgments = posted_judgments(request.POST)
    try:
        ballot = services.pairwise_ballot_save(
            membership=membership, parent=parent, judgments=judgments, submit=False
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "errors": error.message_dict}, status=400)
    context = consistency_context(membership.evaluation, list(parent.children.all()), judgments)
    context["evaluation"] = membership.evaluation  # names marked in its language
    html = render_to_string("surveys/_consistency.html", context, request=request)
    flags = {
        key: render_to_string("surveys/_pair_flag.html", {"flag": flag}, request=request)
        for key, flag in revision_flags(context["revisions"]).items()
    }
    return JsonResponse(
        {
            "saved": True,
            "status": ballot.status,
            "html": html,
            "summary": context["summary"],
            "flags": flags,
            "state": _state(request, ballot),
        }
    )


def _saved_message(ballot) -> str:
    """After a draft save (a submit goes on to the next form with its own message)."""
    if ballot.submitted_at is not None and ballot.status != BallotStatus.SUBMITTED:
        return _("Draft saved. Your submitted answers still count until you submit the changes.")
    return _("Draft saved.")


def _state(request: HttpRequest, ballot) -> str:
    """The line saying whether the submitted answers count as they are, for the autosave."""
    return render_to_string("surveys/_ballot_state.html", {"ballot": ballot}, request=request)


def _withdrawn(request: HttpRequest, withdraw) -> None:
    """Run a withdrawal service and say how it went (the form page shows the message)."""
    try:
        withdraw()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return
    messages.success(
        request,
        _("Withdrawn: your answers no longer count in the results. They stay here as a draft."),
    )


@login_required
@require_POST
def pairwise_withdraw(request: HttpRequest, evaluation_id: int, parent_id: int) -> HttpResponse:
    membership = access_membership(user=request.user, evaluation_id=evaluation_id)
    parent = access_parent(membership=membership, parent_id=parent_id)
    _withdrawn(
        request, lambda: services.pairwise_ballot_withdraw(membership=membership, parent=parent)
    )
    return redirect("pairwise-form", evaluation_id=evaluation_id, parent_id=parent_id)


# --- ratings ------------------------------------------------------------------------------


def _rating_page(
    request, membership, subject, ratings, errors, status=200, kept=False
) -> HttpResponse:
    evaluation = membership.evaluation
    groups = rating_groups(evaluation, ratings, errors)
    context = {
        "membership": membership,
        "evaluation": evaluation,
        "subject": subject,
        "grades": list(evaluation.grades.all()),
        "dont_know": DONT_KNOW,
        # A don't-know given before the coordinator turned the setting off stays visible.
        "leaves_dont_know": any(
            leaf["grade"] == DONT_KNOW for group in groups for leaf in group["leaves"]
        ),
        "groups": groups,
        "kept_as_draft": kept,
        "ballot": RatingBallot.objects.filter(membership=membership, subject=subject).first(),
        "errors": errors,
        "readonly": evaluation.status != Evaluation.Status.OPEN,
        "withdraw_url": reverse("rating-withdraw", args=[evaluation.pk, subject.pk]),
        "comment_limit": services.COMMENT_LIMIT,
    }
    return render(request, "surveys/rating.html", context, status=status)


@login_required
def rating_form(request: HttpRequest, evaluation_id: int, subject_id: int) -> HttpResponse:
    saving = request.method == "POST"
    membership = access_membership(
        user=request.user, evaluation_id=evaluation_id, with_evaluation=not saving
    )
    subject = get_object_or_404(Subject, pk=subject_id, evaluation_id=evaluation_id)
    if not saving:
        ballot = RatingBallot.objects.filter(membership=membership, subject=subject).first()
        return _rating_page(request, membership, subject, ballot.ratings if ballot else {}, {})
    ratings = posted_ratings(request.POST)
    submit = request.POST.get("action") == "submit"
    try:
        ballot = services.rating_ballot_save(
            membership=membership, subject=subject, ratings=ratings, submit=submit
        )
    except ValidationError as error:
        kept = submit and _kept_as_draft(
            lambda: services.rating_ballot_save(
                membership=membership, subject=subject, ratings=ratings, submit=False
            )
        )
        errors = error.message_dict
        return _rating_page(request, membership, subject, ratings, errors, 400, kept)
    if submit:
        return _after_submit(request, membership, subject)
    messages.success(request, _saved_message(ballot))
    return redirect("rating-form", evaluation_id=evaluation_id, subject_id=subject_id)


@login_required
@require_POST
def rating_autosave(request: HttpRequest, evaluation_id: int, subject_id: int) -> JsonResponse:
    membership = access_membership(user=request.user, evaluation_id=evaluation_id)
    subject = get_object_or_404(Subject, pk=subject_id, evaluation_id=evaluation_id)
    try:
        ballot = services.rating_ballot_save(
            membership=membership,
            subject=subject,
            ratings=posted_ratings(request.POST),
            submit=False,
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "errors": error.message_dict}, status=400)
    return JsonResponse({"saved": True, "status": ballot.status, "state": _state(request, ballot)})


@login_required
@require_POST
def rating_withdraw(request: HttpRequest, evaluation_id: int, subject_id: int) -> HttpResponse:
    membership = access_membership(user=request.user, evaluation_id=evaluation_id)
    subject = get_object_or_404(Subject, pk=subject_id, evaluation_id=evaluation_id)
    _withdrawn(
        request, lambda: services.rating_ballot_withdraw(membership=membership, subject=subject)
    )
    return redirect("rating-form", evaluation_id=evaluation_id, subject_id=subject_id)
