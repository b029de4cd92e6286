"""Compute from committed ballots and write a version-guarded snapshot, so a late or repeated
task never goes back; keep the newest RESULT_SNAPSHOTS_KEPT."""

import time

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction

from ..models import Evaluation, ResultSnapshot
from .compute import results_compute
from .panel import panel_input


def results_recompute(*, evaluation_id: int) -> ResultSnapshot | None:
    """Compute from committed ballots and write a snapshot if it is newer than the latest.

    Safe to run twice, late or in parallel: the version read first is a lower bound of what
    the ballots read after it contain, and a snapshot is written only for a version above the
    latest one (checked under a row lock, and guarded by a unique constraint).
    """
    evaluation = Evaluation.objects.get(pk=evaluation_id)
    version = evaluation.input_version
    if _latest_version(evaluation_id) >= version and version > 0:
        return None
    started = time.perf_counter()
    data = panel_input(evaluation=evaluation)
    results = results_compute(data)
    return snapshot_write(
        evaluation_id=evaluation_id,
        version=version,
        data=results,
        pairwise=len(data.pairwise),
        ratings=len(data.ratings),
        compute_seconds=time.perf_counter() - started,
    )


def _latest_version(evaluation_id: int) -> int:
    latest = (
        ResultSnapshot.objects.filter(evaluation_id=evaluation_id)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return -1 if latest is None else latest


def _prune(evaluation_id: int) -> None:
    """Keep the newest RESULT_SNAPSHOTS_KEPT snapshots of the evaluation."""
    older = (
        ResultSnapshot.objects.filter(evaluation_id=evaluation_id)
        .order_by("-version")
        .values_list("pk", flat=True)[django_settings.RESULT_SNAPSHOTS_KEPT :]
    )
    ResultSnapshot.objects.filter(pk__in=list(older)).delete()


def snapshot_write(
    *,
    evaluation_id: int,
    version: int,
    data: dict,
    pairwise: int,
    ratings: int,
    compute_seconds: float | None = None,
) -> ResultSnapshot | None:
    try:
        with transaction.atomic():
            # Serialise writers of one evaluation: check and insert under the row lock.
            Evaluation.objects.select_for_update().filter(pk=evaluation_id).first()
            if _latest_version(evaluation_id) >= version:
                return None
            snapshot = ResultSnapshot.objects.create(
                evaluation_id=evaluation_id,
                version=version,
                data=data,
                pairwise_ballots=pairwise,
                rating_ballots=ratings,
                compute_seconds=compute_seconds,
            )
            _prune(evaluation_id)
            return snapshot
    except IntegrityError:
        return None  # another worker wrote this version first
