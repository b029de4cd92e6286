"""Celery tasks. Thin: take ids, call services; safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

from .models import Evaluation
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
