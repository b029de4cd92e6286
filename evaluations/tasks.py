"""Celery tasks. Thin: take ids, call services; safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

from .exports.jobs import export_job_run, export_jobs_expire
from .models import Evaluation
from .robustness.analysis import analysis_run, analysis_sweep
from .services.pipeline import recompute_run, recompute_sweep


@shared_task(name="evaluations.ping", ignore_result=False)
def ping() -> dict:
    """Round trip through broker, worker and database, for `manage.py check_worker`.

    Answers with what the worker sees, so a caller can tell the worker reaches the same
    database as the web process (a common misconfiguration in split deployments).
    """
    return {
        "database": connection.settings_dict["NAME"],
        "vendor": connection.vendor,
        "evaluations": Evaluation.objects.count(),
    }


@shared_task(
    name="evaluations.recompute_results",
    # The database or the network may blink (a restart, a failover): retry with growing
    # pauses. Other errors are bugs or poison data; they are recorded on the evaluation for
    # its coordinator and not retried here (the sweep retries a few times, then stops).
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
    # From the running sums a recompute takes a second even for 10,000 experts; a full one
    # (after a settings change, or the first after an upgrade) reads every ballot: about two
    # minutes for 330,000 (BENCHMARKS.md, "A 10,000-expert panel"). Below the broker's
    # visibility timeout (600 s), as every limit must be.
    soft_time_limit=420,
    time_limit=480,
)
def recompute_results(evaluation_id: int) -> int | None:
    """Recompute an evaluation's results; returns the version written, None if none was newer."""
    return recompute_run(evaluation_id=evaluation_id)


@shared_task(name="evaluations.sweep_stale")
def sweep_stale() -> dict:
    """Requeue evaluations whose results stayed stale (a lost task); run by the scheduler."""
    return recompute_sweep()


@shared_task(
    name="evaluations.analyse_robustness",
    # Routed to the "analysis" queue (config/celery.py), consumed in production by a worker of
    # its own: an analysis never waits in front of a results recompute.
    # As the recompute: retry a blink of the database; other errors are recorded on the
    # analysis (status failed) and not retried.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
    # Simulations of a large panel take up to about 30 s (BENCHMARKS.md); the limits stay
    # below Redis's visibility timeout (10 minutes), or a running analysis would be delivered
    # twice.
    soft_time_limit=300,
    time_limit=360,
)
def analyse_robustness(evaluation_id: int) -> int | None:
    """Analyse the latest snapshot's robustness; returns the version analysed, or None."""
    analysis = analysis_run(evaluation_id=evaluation_id)
    return analysis.version if analysis else None


@shared_task(name="evaluations.sweep_analyses")
def sweep_analyses() -> dict:
    """Requeue robustness analyses a lost task left queued or running; run by the scheduler."""
    return analysis_sweep()


@shared_task(
    name="evaluations.render_export",
    # Routed to the "analysis" queue (config/celery.py): a large report never waits in front
    # of a results recompute. A blink of the database is retried; any other error is recorded
    # on the job (status failed) for the page and the API to show.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
    # A report rendered in the background is one past about 2 s in a request; minutes mean
    # something is wrong. The soft limit records the failure on the job; both stay below
    # jobs.LOST_AFTER (5 minutes) so a killed run is claimed again only once it is dead.
    soft_time_limit=120,
    time_limit=180,
)
def export_render_job(job_id: int) -> int | None:
    """Render an export job's file; returns the job's id once recorded, or None."""
    job = export_job_run(job_id=job_id)
    return job.pk if job else None


@shared_task(name="evaluations.expire_exports")
def expire_exports() -> int:
    """Delete export jobs and their files a day old; run hourly by the scheduler."""
    return export_jobs_expire()
