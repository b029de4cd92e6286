"""What pages and the API answer for an export: the file itself, or the job rendering it.

Both call `export_deliver`; the page then redirects to the progress page, the API answers 202
with the job's poll URL. The file's response is the same everywhere (`file_response`).
"""

from django.http import HttpResponse

from ..models import Evaluation, ExportJob, ResultSnapshot
from .formats import REGISTRY, ExportFormat, export_deferred, export_filename, export_render
from .jobs import export_job_content, export_job_error, export_job_request


def export_deliver(
    *,
    evaluation: Evaluation,
    snapshot: ResultSnapshot,
    user,
    fmt: ExportFormat,
    history: bool,
    experts: bool = False,
) -> HttpResponse | ExportJob:
    """The file as a response when it is small enough to render now, else its job.
    With `history`, the coordinator's file also holds every submission and withdrawal; with
    `experts`, the JSON export each expert's own figures however large the panel."""
    history = history and fmt.takes_history and evaluation.owner_id == user.pk
    if export_deferred(fmt=fmt, snapshot=snapshot):
        return export_job_request(
            evaluation=evaluation, snapshot=snapshot, user=user, fmt=fmt.name, history=history
        )
    body = export_render(
        fmt=fmt,
        evaluation=evaluation,
        snapshot=snapshot,
        user=user,
        history=history,
        experts=experts,
    )
    return file_response(body, fmt=fmt, evaluation_id=evaluation.pk, version=snapshot.version)


def file_response(body: bytes, *, fmt: ExportFormat, evaluation_id: int, version: int):
    response = HttpResponse(body, content_type=fmt.content_type)
    filename = export_filename(evaluation_id=evaluation_id, version=version, fmt=fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def job_file_response(job: ExportJob) -> HttpResponse:
    """A finished job's file, as the direct download would have answered it."""
    return file_response(
        export_job_content(job),
        fmt=REGISTRY[job.fmt],
        evaluation_id=job.evaluation_id,
        version=job.version,
    )


def job_status(job: ExportJob, *, poll: str, download: str) -> dict:
    """The job as the poll answers it (pages' JSON and the API): `download` only once done."""
    return {
        "job": job.pk,
        "status": job.status,
        "format": job.fmt,
        "version": job.version,
        "history": job.history,
        "poll": poll,
        "download": download if job.status == ExportJob.Status.DONE else None,
        "error": export_job_error(job),
        "queued_at": job.queued_at,
        "finished_at": job.finished_at,
    }
