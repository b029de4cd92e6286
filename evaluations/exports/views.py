"""Export pages: the download links' target, and the progress page of a deferred report.

The file comes back directly when it is small; a large report redirects to its job's progress
page, which polls the job's status (static/js/export_progress.js) and then offers the file.
Access is `access_results`, and a job is its requester's (or the coordinator's) only.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..models import ExportJob
from ..results_selectors import access_results
from ..views.results import query_checked, snapshot_asked
from .delivery import export_deliver, job_file_response, job_status
from .formats import export_format
from .jobs import export_job_error, export_job_get


@login_required
@require_GET
@query_checked
def results_export(request: HttpRequest, evaluation_id: int, fmt: str) -> HttpResponse:
    chosen = export_format(fmt)
    if chosen is None:
        raise Http404
    evaluation = access_results(user=request.user, evaluation_id=evaluation_id)
    snapshot = snapshot_asked(request, evaluation)
    if snapshot is None:
        raise Http404
    answer = export_deliver(
        evaluation=evaluation,
        snapshot=snapshot,
        user=request.user,
        fmt=chosen,
        history=request.GET.get("history") == "1",
        experts=request.GET.get("experts") == "1",
    )
    if isinstance(answer, ExportJob):
        return redirect("results-export-job", evaluation.pk, answer.pk)
    return answer


def _job(request: HttpRequest, evaluation_id: int, job_id: int) -> ExportJob:
    evaluation = access_results(user=request.user, evaluation_id=evaluation_id)
    return export_job_get(evaluation=evaluation, user=request.user, job_id=job_id)


def _status(request: HttpRequest, job: ExportJob) -> dict:
    args = [job.evaluation_id, job.pk]
    return job_status(
        job,
        poll=request.build_absolute_uri(reverse("results-export-job-status", args=args)),
        download=request.build_absolute_uri(reverse("results-export-job-file", args=args)),
    )


@login_required
@require_GET
def export_job_page(request: HttpRequest, evaluation_id: int, job_id: int) -> HttpResponse:
    job = _job(request, evaluation_id, job_id)
    context = {
        "evaluation": job.evaluation,
        "job": job,
        "status": _status(request, job),
        "error": export_job_error(job),
        "pending": job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
    }
    return render(request, "evaluations/results/export_job.html", context)


@login_required
@require_GET
def export_job_status(request: HttpRequest, evaluation_id: int, job_id: int) -> JsonResponse:
    job = _job(request, evaluation_id, job_id)
    return JsonResponse(_status(request, job))


@login_required
@require_GET
def export_job_file(request: HttpRequest, evaluation_id: int, job_id: int) -> HttpResponse:
    job = _job(request, evaluation_id, job_id)
    if job.status != ExportJob.Status.DONE:
        return redirect("results-export-job", evaluation_id, job.pk)
    return job_file_response(job)
