"""Celery tasks. Thin: take ids, call services; safe to run twice."""

from celery import shared_task
from django.db import connection

from .models import Evaluation
from .services.results import results_recompute


@shared_task(name="evaluations.ping")
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


@shared_task(name="evaluations.recompute_results")
def recompute_results(evaluation_id: int) -> int | None:
    """Recompute an evaluation's results; returns the version written, None if none was newer."""
    snapshot = results_recompute(evaluation_id=evaluation_id)
    return snapshot.version if snapshot else None
