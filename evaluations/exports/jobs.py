"""Export jobs: a report too large to render within the request, rendered by a task on the
"analysis" queue for the user who asked, and fetched by polling.

`export_job_request` finds or starts the job for one file (evaluation, snapshot version,
format, history option, user): a queued, running or finished job is reused, so reloading the
progress page or asking twice costs one rendering; a failed, expired or lost one starts over.
The task (`export_job_run`) claims the job by conditional UPDATE, renders, and records the
file or the failure; polling reads the row and never renders. `export_jobs_expire` deletes
jobs older than JOB_TTL (the scheduler runs it).
"""

import logging
import time
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import Evaluation, ExportJob, ResultSnapshot
from ..results_selectors import access_results
from .formats import REGISTRY, export_render

logger = logging.getLogger(__name__)

Status = ExportJob.Status
ACTIVE = (Status.QUEUED, Status.RUNNING)
# A finished file is kept a day: long enough to come back for it, short enough that the
# table does not grow with every report ever asked for.
JOB_TTL = timedelta(hours=24)
# A report larger than this is refused rather than stored in a row (the demo's is well under
# 1 MB; 20 MB is hundreds of pages).
MAX_BYTES = 20 * 1024 * 1024
# A queued job not started within this long lost its task (broker down, worker restarted);
# a running one this long lost its worker: the task's hard limit (tasks.py) is 3 minutes.
LOST_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3

ERROR_SNAPSHOT_GONE = gettext_noop(
    "This version of the results is no longer kept; export the latest results instead."
)
ERROR_ACCESS = gettext_noop("You may no longer read these results.")
ERROR_TOO_LARGE = gettext_noop("The file would exceed %(limit)d MB; it was not kept.")
ERROR_TIME = gettext_noop("Rendering took too long and was stopped.")
ERROR_ATTEMPTS = gettext_noop("Rendering stopped %(count)d times; ask for the file again later.")
ERROR_QUEUE = gettext_noop("The file could not be queued for rendering; try again in a minute.")
ERROR_RENDER = gettext_noop("Rendering failed; the details are in the server log.")


def export_job_request(
    *, evaluation: Evaluation, snapshot: ResultSnapshot, user, fmt: str, history: bool
) -> ExportJob:
    """The job rendering this file for `user`: an existing one reused, else one queued (its
    task is sent after commit). The caller has checked the user may read the results."""
    now = timezone.now()
    key = {
        "evaluation": evaluation,
        "version": snapshot.version,
        "fmt": fmt,
        "history": history,
        "requested_by": user,
    }
    with transaction.atomic():
        # Two requests at once: the unique constraint lets one create the row, and
        # get_or_create's retry hands the other the same row; the lock orders the reset.
        job, created = (
            ExportJob.objects.select_for_update()
            .defer("content")
            .get_or_create(**key, defaults={"queued_at": now})
        )
        if not created and not _restart_due(job, now):
            return job
        if not created:
            ExportJob.objects.filter(pk=job.pk).update(
                status=Status.QUEUED, queued_at=now, started_at=None, finished_at=None,
                content=None, size=None, error="", attempts=0, render_seconds=None,
            )  # fmt: skip
            job.refresh_from_db(fields=["status", "queued_at", "error", "attempts", "size"])
        transaction.on_commit(lambda: _send(job.pk))
    return job


def _restart_due(job: ExportJob, now) -> bool:
    """Whether asking again starts the job over: it failed, expired, or its task was lost."""
    if job.status == Status.FAILED:
        return True
    if job.status == Status.DONE:
        return job.finished_at < now - JOB_TTL
    started = job.started_at or job.queued_at
    return started < now - LOST_AFTER


def _send(job_id: int) -> None:
    from ..tasks import export_render_job  # the task module imports this one

    try:
        export_render_job.delay(job_id)
    except Exception:
        # The broker is down: say so on the job rather than leave the page polling forever.
        logger.exception("could not queue export job %s", job_id)
        _finish(job_id, Status.FAILED, error=ERROR_QUEUE, only_from=ACTIVE)


def export_job_run(*, job_id: int) -> ExportJob | None:
    """The task's body: render the job's file and record it, or why not. None when there was
    nothing to do (done, failed, or another run has it)."""
    now = timezone.now()
    lost = Q(status=Status.RUNNING, started_at__lt=now - LOST_AFTER)
    claimed = (
        ExportJob.objects.filter(pk=job_id)
        .filter(Q(status=Status.QUEUED) | lost)
        .update(status=Status.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    job = ExportJob.objects.defer("content").select_related("evaluation", "requested_by")
    job = job.get(pk=job_id)
    if job.attempts > MAX_ATTEMPTS:
        return _fail(job, ERROR_ATTEMPTS)
    return _render(job)


def _render(job: ExportJob) -> ExportJob:
    started = time.perf_counter()
    try:
        # Read access again: an expert whose results were unshared since asking gets nothing.
        evaluation = access_results(user=job.requested_by, evaluation_id=job.evaluation_id)
        snapshot = evaluation.snapshots.filter(version=job.version).first()
        if snapshot is None:
            return _fail(job, ERROR_SNAPSHOT_GONE)
        body = export_render(
            fmt=REGISTRY[job.fmt],
            evaluation=evaluation,
            snapshot=snapshot,
            user=job.requested_by,
            history=job.history,
        )
    except Http404:
        return _fail(job, ERROR_ACCESS)
    except SoftTimeLimitExceeded:
        return _fail(job, ERROR_TIME)
    except (OperationalError, InterfaceError):
        # The database blinked: the task retries, so put the job back in the queue.
        _finish(job.pk, Status.QUEUED, started_at=job.started_at)
        raise
    except Exception:
        logger.exception("export job %s failed", job.pk)
        return _fail(job, ERROR_RENDER)
    if len(body) > MAX_BYTES:
        return _fail(job, ERROR_TOO_LARGE)
    _finish(
        job.pk,
        Status.DONE,
        started_at=job.started_at,
        content=body,
        size=len(body),
        render_seconds=time.perf_counter() - started,
    )
    return ExportJob.objects.get(pk=job.pk)


def _fail(job: ExportJob, message: str) -> ExportJob:
    """Record the failure. The message is stored untranslated and translated when read
    (`export_job_error`), so each reader sees it in their own language."""
    _finish(job.pk, Status.FAILED, started_at=job.started_at, error=message)
    return ExportJob.objects.defer("content").get(pk=job.pk)


def _finish(job_id: int, status: str, *, started_at=None, only_from=(Status.RUNNING,), **fields):
    rows = ExportJob.objects.filter(pk=job_id, status__in=only_from)
    if started_at is not None:
        rows = rows.filter(started_at=started_at)  # only the run that claimed it writes
    if status != Status.QUEUED:
        fields["finished_at"] = timezone.now()
    rows.update(status=status, **fields)


# --- reading ------------------------------------------------------------------------------


def export_job_get(*, evaluation: Evaluation, user, job_id: int) -> ExportJob:
    """A job of this evaluation that `user` may read: their own, or any for its coordinator.
    The caller has checked the user may read the evaluation's results. 404 otherwise, and
    for an expired job. The file itself is not loaded (`export_job_content`)."""
    mine = Q(requested_by=user) | Q(evaluation__owner=user)
    fresh = Q(finished_at__isnull=True) | Q(finished_at__gte=timezone.now() - JOB_TTL)
    job = (
        ExportJob.objects.defer("content")
        .filter(mine, fresh, pk=job_id, evaluation=evaluation)
        .first()
    )
    if job is None:
        raise Http404
    return job


def export_job_error(job: ExportJob) -> str:
    """The failure in the reader's language ("" unless the job failed)."""
    if not job.error:
        return ""
    return _(job.error) % {"limit": MAX_BYTES // (1024 * 1024), "count": MAX_ATTEMPTS}


def export_job_content(job: ExportJob) -> bytes:
    content = ExportJob.objects.filter(pk=job.pk).values_list("content", flat=True).first()
    return bytes(content or b"")


def export_jobs_expire(*, now=None) -> int:
    """Delete jobs finished more than JOB_TTL ago, and jobs lost that long ago; the scheduler
    runs it hourly. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - JOB_TTL
    old = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, queued_at__lt=cutoff)
    deleted, _by_model = ExportJob.objects.filter(old).delete()
    return deleted
