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

from evaluations.models import Evaluation, Indicator, Subject
from evaluations.selectors import depth_first

from . import flow, services, wording
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


def _posted_judgments(post) -> dict:
    """Every "pair-<row>-<col>" field (with its comment); unknown pairs reach the service,
    which refuses them, so a tampered form cannot slip in judgments about other indicators."""
    judgments = {}
    for name, value in post.items():
        if name.startswith("pair-"):
            key = name.removeprefix("pair-")
            comment = post.get(f"comment-{key}", "")
            # "I cannot compare these two": a radio beside the scale's values, or on the
            # continuous scale a checkbox beside the number box (whose value it overrides).
            if value == SKIP_TOKEN or post.get(f"skip-{key}") == SKIP_TOKEN:
                judgments[key] = {"value": None, "skipped": True}
            else:
                judgments[key] = {"value": wording.parse_token(value) if value else None}
            judgments[key]["comment"] = comment
    for name, comment in post.items():
        key = name.removeprefix("comment-")
        if name.startswith("comment-") and key not in judgments and comment.strip():
            judgments[key] = {"value": None, "comment": comment}
    return judgments


def _pairs(children, judgments: dict, errors: dict, flags: dict) -> list[dict]:
    """The form's rows; `flags` are the judgments to revise by pair key (see _flags)."""
    pairs = []
    for x, row in enumerate(children):
        for col in children[x + 1 :]:
            key = services.pair_key(row, col)
            answer = judgments.get(key) or {}
            value = answer.get("value")
            pairs.append(
                {
                    "key": key,
                    "row": row,
                    "col": col,
                    "token": wording.token(value) if isinstance(value, float) else "",
                    "skipped": answer.get("skipped") is True,
                    "comment": answer.get("comment", ""),
                    "errors": errors.get(key, []),
                    "flag": flags.get(key),
                }
            )
    return pairs


def _flags(revisions: list[dict]) -> dict:
    """The judgments the engine's diagnosis names, by pair key, each with its rank (1 = worst)."""
    return {
        revision["key"]: {**revision, "rank": rank, "count": len(revisions)}
        for rank, revision in enumerate(revisions, start=1)
    }


def _consistency_context(evaluation: Evaluation, children, judgments: dict) -> dict:
    # A refused form may hold values off the scale: check only the valid ones.
    valid = {
        key: {
            "value": services.scale_value(answer.get("value"), evaluation.judgment_scale),
            "skipped": answer.get("skipped") is True,
        }
        for key, answer in judgments.items()
    }
    check = services.pairwise_consistency(evaluation=evaluation, children=children, judgments=valid)
    by_index = dict(enumerate(children))
    revisions = [
        {
            "row": by_index[r.row],
            "col": by_index[r.col],
            "current": wording.describe(by_index[r.row].name, by_index[r.col].name, r.current),
            "suggested": wording.describe(by_index[r.row].name, by_index[r.col].name, r.suggested),
            "token": wording.token(r.suggested),
            "key": services.pair_key(by_index[r.row], by_index[r.col]),
        }
        for r in check.revisions[:3]
    ]
    weights = list(zip(children, check.weights, strict=True)) if check.weights else []
    summary = wording.consistency_summary(check.cr, check.consistent)
    if check.disconnected:  # pairs skipped: no CR until the named pair links the rest
        summary = _("CR not known: the pairs answered do not link every indicator")
    return {
        "summary": summary,
        "check": check,
        "weights": weights,
        "revisions": revisions,
        "threshold": check.threshold,
        "blocking": evaluation.cr_policy == Evaluation.CRPolicy.BLOCK,
    }


def _pairwise_page(
    request, membership, parent, judgments, errors, status=200, kept=False
) -> HttpResponse:
    """The form; `kept` says a refused submission was saved as a draft all the same."""
    evaluation = membership.evaluation
    children = list(parent.children.all())
    ballot = PairwiseBallot.objects.filter(membership=membership, parent=parent).first()
    consistency = _consistency_context(evaluation, children, judgments)
    context = {
        "membership": membership,
        "evaluation": evaluation,
        "parent": parent,
        "children": children,
        "pairs": _pairs(children, judgments, errors, _flags(consistency["revisions"])),
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
    membership = access_membership(user=request.user, evaluation_id=evaluation_id)
    parent = access_parent(membership=membership, parent_id=parent_id)
    if request.method != "POST":
        ballot = PairwiseBallot.objects.filter(membership=membership, parent=parent).first()
        return _pairwise_page(request, membership, parent, ballot.judgments if ballot else {}, {})
    judgments = _posted_judgments(request.POST)
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
    judgments = _posted_judgments(request.POST)
    try:
        ballot = services.pairwise_ballot_save(
            membership=membership, parent=parent, judgments=judgments, submit=False
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "errors": error.message_dict}, status=400)
    context = _consistency_context(membership.evaluation, list(parent.children.all()), judgments)
    context["evaluation"] = membership.evaluation  # names marked in its language
    html = render_to_string("surveys/_consistency.html", context, request=request)
    flags = {
        key: render_to_string("surveys/_pair_flag.html", {"flag": flag}, request=request)
        for key, flag in _flags(context["revisions"]).items()
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


# The radio of the "don't know" column (where the evaluation allows it) in each leaf's row.
DONT_KNOW = "dont_know"


def _posted_ratings(post) -> dict:
    ratings = {}
    for name, value in post.items():
        if name.startswith("grade-"):
            key = name.removeprefix("grade-")
            ratings[key] = {"grade": value or None, "comment": post.get(f"note-{key}", "")}
            if value == DONT_KNOW:
                ratings[key].update(grade=None, dont_know=True)
    for name, comment in post.items():
        key = name.removeprefix("note-")
        if name.startswith("note-") and key not in ratings and comment.strip():
            ratings[key] = {"grade": None, "comment": comment}
    return ratings


def _rating_groups(evaluation: Evaluation, ratings: dict, errors: dict) -> list[dict]:
    """Leaf indicators grouped under their first-level indicator, as the paper's table."""
    tree = depth_first(evaluation.indicators.all())
    groups: list[dict] = []
    leaves = {i.pk for i, _d in tree} - {i.parent_id for i, _d in tree if i.parent_id}
    # A leaf whose membership the coordinator gives or measures is not asked for (issue 15 §2).
    leaves -= {i.pk for i, _d in tree if i.membership_source != Indicator.MembershipSource.VOTES}
    for indicator, depth in tree:
        if depth == 1:
            groups.append({"indicator": indicator, "leaves": []})
        if indicator.pk in leaves and groups:
            answer = ratings.get(str(indicator.pk)) or {}
            groups[-1]["leaves"].append(
                {
                    "indicator": indicator,
                    "depth": depth,
                    "grade": DONT_KNOW
                    if answer.get("dont_know")
                    else str(answer.get("grade") or ""),
                    "comment": answer.get("comment", ""),
                    "errors": errors.get(str(indicator.pk), []),
                }
            )
    return [group for group in groups if group["leaves"]]


def _rating_page(
    request, membership, subject, ratings, errors, status=200, kept=False
) -> HttpResponse:
    evaluation = membership.evaluation
    groups = _rating_groups(evaluation, ratings, errors)
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
    membership = access_membership(user=request.user, evaluation_id=evaluation_id)
    subject = get_object_or_404(Subject, pk=subject_id, evaluation_id=evaluation_id)
    if request.method != "POST":
        ballot = RatingBallot.objects.filter(membership=membership, subject=subject).first()
        return _rating_page(request, membership, subject, ballot.ratings if ballot else {}, {})
    ratings = _posted_ratings(request.POST)
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
            ratings=_posted_ratings(request.POST),
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
