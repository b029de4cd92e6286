"""The coordinator's evaluation pages: list, create, overview, open/close, copy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from experts.selectors import figures_for_evaluations, joined_panel_count

from .. import services
from ..audit_wording import audit_entry_detail
from ..forms import EvaluationCreateForm, StatusForm
from ..selectors import (
    access_evaluation,
    evaluation_has_ballots,
    evaluation_list_for_user,
    indicator_tree,
)


def _form_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the field it names when the form has it."""
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    evaluations = list(evaluation_list_for_user(user=request.user))
    figures = figures_for_evaluations(evaluations=evaluations)
    rows = [(evaluation, figures[evaluation.pk]) for evaluation in evaluations]
    # An expert who coordinates nothing lands on My panels when signing in; here they are
    # pointed back to it, and may still start an evaluation of their own.
    panels = 0 if rows else joined_panel_count(user=request.user)
    return render(request, "evaluations/home.html", {"rows": rows, "panel_count": panels})


@login_required
def evaluation_create(request: HttpRequest) -> HttpResponse:
    form = EvaluationCreateForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = _create_from_form(request, form)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Evaluation created."))
            return redirect("evaluation-detail", evaluation_id=evaluation.pk)
    status = 400 if request.method == "POST" else 200  # a POST that got here was refused
    return render(request, "evaluations/create.html", {"form": form}, status=status)


def _create_from_form(request: HttpRequest, form: EvaluationCreateForm):
    data = form.cleaned_data
    if data["start"] == form.START_COPY:
        return services.evaluation_copy(
            owner=request.user, source=data["source"], title=data["title"]
        )
    if data["start"] == form.START_TEMPLATE:
        return services.evaluation_create_from_template(
            owner=request.user,
            template_key=data["template"],
            subjects=form.subject_names(),
            title=data["title"],
            language=data["language"],
        )
    return services.evaluation_create_blank(
        owner=request.user,
        title=data["title"],
        subjects=form.subject_names(),
        language=data["language"],
    )


@login_required
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    context = {
        "evaluation": evaluation,
        "tree": indicator_tree(evaluation=evaluation),
        "grades": evaluation.grades.all(),
        "subjects": evaluation.subjects.all(),
        "audit_entries": [
            (entry, audit_entry_detail(entry))
            for entry in evaluation.audit_entries.select_related("actor")[:50]
        ],
        "locked": evaluation_has_ballots(evaluation=evaluation),
    }
    return render(request, "evaluations/detail.html", context)


@login_required
@require_POST
def evaluation_status(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("evaluation-detail", evaluation_id=evaluation.pk)
    try:
        services.evaluation_transition(
            evaluation=evaluation, actor=request.user, action=form.cleaned_data["action"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        done = {
            "open": _("The panel is open: invited experts can answer."),
            "close": _("The panel is closed: ballots can no longer be changed."),
            "reopen": _("The panel is open again."),
        }
        messages.success(request, done[form.cleaned_data["action"]])
    return redirect("evaluation-detail", evaluation_id=evaluation.pk)


@login_required
@require_POST
def evaluation_copy(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    copy = services.evaluation_copy(owner=request.user, source=evaluation)
    messages.success(request, _("Copied into a new draft evaluation; edit it freely."))
    return redirect("evaluation-detail", evaluation_id=copy.pk)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker-compose: the app answers and the DB responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
