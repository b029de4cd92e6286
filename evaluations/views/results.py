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
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from .. import charts
from ..models import Evaluation, ResultSnapshot, Subject
from ..results_selectors import (
    access_results,
    report_subject,
    results_data_for,
    results_report,
    results_status,
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
    is_owner = evaluation.owner_id == request.user.pk
    data = report = None
    if snapshot is not None:
        data = results_data_for(evaluation=evaluation, snapshot=snapshot, user=request.user)
        report = results_report(data=data)
    return {
        "results_data": data,
        "evaluation": evaluation,
        "is_owner": is_owner,
        "snapshot": snapshot,
        "status": results_status(evaluation=evaluation, snapshot=snapshot, named=is_owner),
        "report": report,
    }


@login_required
@require_GET
@query_checked
def results(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    context = _context(request, evaluation_id)
    if context["report"]:
        context["charts"] = _charts(context["report"])
        # Moving weights in the browser: the snapshot's data as this reader may see it.
        context["whatif"] = whatif_data(data=context["results_data"])
    return render(request, "evaluations/results/results.html", context)


@login_required
@require_GET
@query_checked
def results_report_page(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    context = _context(request, evaluation_id)
    if context["report"]:
        context["charts"] = _charts(context["report"])
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
        context["radar"] = _radar(report, [context["profile"]], f"radar-{subject.pk}")
    return render(request, "evaluations/results/profile.html", context)


# --- charts -------------------------------------------------------------------------------


def _charts(report: dict) -> dict:
    """The SVG charts of a report, marked safe: charts.py escapes every text it places.
    A subject's heat map goes on the subject, where its section is rendered."""
    leaves = sorted(
        (row for row in report["leaves"] if row["global_weight"] is not None),
        key=lambda row: -row["global_weight"],
    )
    weights = charts.bar_chart(
        [(f"{row['code']} {row['name']}", row["global_weight"]) for row in leaves],
        chart_id="chart-weights",
        title=_("Global weights of the leaf indicators"),
        description=_("One bar per leaf indicator, largest first; the value is printed."),
    )
    for subject in report["subjects"]:
        subject["heat_map"] = _heat_map(report, subject)
    return {
        "weights": mark_safe(weights) if leaves else "",
        "radar": _radar(report, report["subjects"], "chart-radar"),
    }


def _heat_map(report: dict, subject: dict) -> str:
    rows = [row for group in subject["groups"] for row in group["rows"]]
    if not rows or rows[0]["cells"][0]["degree"] is None:
        return ""
    markup = charts.heat_map(
        [f"{row['code']} {row['name']}" for row in rows],
        [grade["name"] for grade in report["grades"]],
        [[cell["degree"] for cell in row["cells"]] for row in rows],
        chart_id=f"chart-heat-{subject['id']}",
        title=_("Membership degrees of {subject}").format(subject=subject["name"]),
        description=_(
            "Leaf indicators in rows, grades in columns; each cell prints the share of experts "
            "who chose that grade. Darker cells are larger."
        ),
    )
    return mark_safe(markup)


def _radar(report: dict, subjects: list[dict], chart_id: str) -> str:
    scored = [s for s in subjects if s["score"] is not None]
    scores = [grade["score"] for grade in report["grades"]]
    if not scored or len(scores) < 2:
        return ""
    markup = charts.radar(
        [(row["code"], row["name"]) for row in report["first_level"]],
        [(s["name"], [g["score"] for g in s["groups"]]) for s in scored],
        low=min(scores),
        high=max(scores),
        rings=sorted(set(scores)),
        chart_id=chart_id,
        title=_("Scores of the first-level indicators"),
        description=_(
            "One axis per first-level indicator, from the worst grade score at the centre to "
            "the best at the rim; one outline per subject, told apart by line pattern, marker "
            "and the legend."
        ),
    )
    return mark_safe(markup)
