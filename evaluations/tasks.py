"""Celery tasks. Thin: take ids, call services; safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

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
