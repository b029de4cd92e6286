"""Results pages, the SME management profile and the printable report (the exports are
evaluations/exports/views.py).

They only read: the latest snapshot (or the one asked for with ?version=) as the worker wrote
it. Access is `access_results`: the coordinator, or the panel's experts when shared.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from ..models import Evaluation, ResultSnapshot, Subject
from ..reports.charts import report_charts, subjects_radar
from ..reports.context import report_context, results_context
from ..results.experts import LISTED_EXPERTS
from ..results_selectors import (
    access_results,
    report_subject,
    snapshot_get,
    snapshot_latest,
)
from ..robustness.whatif import whatif_data

# Snapshot versions are a PositiveBigIntegerField: anything longer is no version at all.
MAX_VERSION = 2**63 - 1
ERROR_VERSION = gettext_noop("Give a snapshot version: a whole number from 0 to %(limit)s.")


def snapshot_asked(request: HttpRequest, evaluation: Evaluation) -> ResultSnapshot | None:
    """The snapshot asked for with ?version=N (404 if there is none), else the latest.
    Pages and the API (a DRF request reads ?version= the same way) both ask here.

    Text that is no version (1e400, "²", 10**400) is a ValidationError naming `version`,
    checked before int() so that its length is bounded first."""
    version = request.GET.get("version")
    if version is None:
        return snapshot_latest(evaluation=evaluation)
    digits = len(str(MAX_VERSION))
    if not (version.isascii() and version.isdigit() and len(version) <= digits) or (
        int(version) > MAX_VERSION
    ):
        message = _(ERROR_VERSION) % {"limit": MAX_VERSION}
        raise ValidationError({"version": ValidationError(message, code="invalid")})
    return snapshot_get(evaluation=evaluation, version=int(version))


def query_checked(view):
    """A page whose query string does not read (a ?version= that is no version) answers 400
    naming the parameter, instead of a 404 that would say the evaluation does not exist."""

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ValidationError as error:
            context = {"errors": sorted(error.message_dict.items())}
            return render(request, "bad_request.html", context, status=400)

    return checked


def _context(request: HttpRequest, evaluation_id: int) -> dict:
    evaluation = access_results(user=request.user, evaluation_id=evaluation_id)
    snapshot = snapshot_asked(request, evaluation)
    context = results_context(
        evaluation=evaluation, snapshot=snapshot, user=request.user, experts_limit=LISTED_EXPERTS
    )
    context["page_experts"] = LISTED_EXPERTS
    return context


@login_required
@require_GET
@query_checked
def results(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    context = _context(request, evaluation_id)
    if context["report"]:
        context["charts"] = report_charts(context["report"])
        # Moving weights in the browser: the snapshot's data as this reader may see it.
        context["whatif"] = whatif_data(data=context["results_data"])
    return render(request, "evaluations/results/results.html", context)


@login_required
@require_GET
@query_checked
def results_report_page(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    # The PDF renders the same template with the same context (evaluations/reports).
    evaluation = access_results(user=request.user, evaluation_id=evaluation_id)
    snapshot = snapshot_asked(request, evaluation)
    context = report_context(evaluation=evaluation, snapshot=snapshot, user=request.user)
    return render(request, "evaluations/results/report.html", context)


@login_required
@require_GET
@query_checked
def results_profile(request: HttpRequest, evaluation_id: int, subject_id: int) -> HttpResponse:
    context = _context(request, evaluation_id)
    # Scoped to the evaluation: another evaluation's subject is a 404.
    subject = get_object_or_404(Subject, pk=subject_id, evaluation=context["evaluation"])
    context["subject"] = subject
    report = context["report"]
    context["profile"] = report and report_subject(report=report, subject_id=subject.pk)
    if context["profile"]:
        context["radar"] = subjects_radar(report, [context["profile"]], f"radar-{subject.pk}")
    return render(request, "evaluations/results/profile.html", context)
