"""Compute from committed ballots and write a version-guarded snapshot, so a late or repeated
task never goes back; keep the newest RESULT_SNAPSHOTS_KEPT."""

import time
from contextlib import contextmanager

from django.conf import settings as django_settings
from django.db import IntegrityError, connection, transaction

from ..models import BallotShare, Evaluation, ResultSnapshot
from .running.recompute import recompute_locked
from .running.state import running_lock


def results_recompute(*, evaluation_id: int, full: bool = False) -> ResultSnapshot | None:
    """Compute from committed ballots and write a snapshot if it is newer than the latest.

    From the running sums, taking in the ballots changed since the last recompute
    (results/running), or with `full` (or when the sums no longer hold) from every ballot.
    Safe to run twice, late or in parallel: the version read first is a lower bound of what
    the ballots read after it contain; recomputes of one evaluation take turns on its running
    results' row lock, and a snapshot is written only for a version above the latest one
    (checked under the evaluation's row lock, and guarded by a unique constraint). Nothing the
    recompute changed stays when its snapshot is not written.
    """
    evaluation = Evaluation.objects.get(pk=evaluation_id)
    version = evaluation.input_version
    if _latest_version(evaluation_id) >= version and version > 0:
        return None
    started = time.perf_counter()
    with transaction.atomic():
        with _foreign_keys_checked_at_once():
            done = recompute_locked(evaluation, version, full=full)
        snapshot = snapshot_write(
            evaluation_id=evaluation_id,
            version=version,
            data=done.data,
            pairwise=done.pairwise,
            ratings=done.ratings,
            compute_seconds=time.perf_counter() - started,
        )
        if snapshot is None:
            transaction.set_rollback(True)
        return snapshot


@contextmanager
def _foreign_keys_checked_at_once():
    """On PostgreSQL, check the shares' foreign keys as they are written, while the recompute
    holds no row a ballot's transaction waits for, rather than at commit (Django declares
    them deferred); deferred again after it, for the rest of the caller's transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield  # an error rolls the transaction back, and the setting with it
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


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
    # The shares no kept snapshot counts any more (counted before the oldest one's version).
    oldest = (
        ResultSnapshot.objects.filter(evaluation_id=evaluation_id)
        .order_by("version")
        .values_list("version", flat=True)
        .first()
    )
    if oldest is not None:
        BallotShare.objects.filter(evaluation_id=evaluation_id, until__lte=oldest).delete()


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
            # Serialise writers of one evaluation: check and insert under the lock of its
            # running results. Not the evaluation's row: every ballot's transaction updates it
            # (the input version), and holding it here would make this transaction and a
            # ballot's wait for each other (the ballot holds its membership row, which the
            # shares' foreign keys must read).
            running_lock(evaluation_id)
            if _latest_version(evaluation_id) >= version:
                return None
            snapshot = ResultSnapshot.objects.create(
                evaluation_id=evaluation_id,
                version=version,
                data=_without_experts(data),
                pairwise_ballots=pairwise,
                rating_ballots=ratings,
                compute_seconds=compute_seconds,
            )
            _prune(evaluation_id)
            return snapshot
    except IntegrityError:
        return None  # another worker wrote this version first


def _without_experts(data: dict) -> dict:
    """The snapshot as stored: each expert's own figures per matrix stay in their ballot's
    share (models.BallotShare), once per ballot instead of once per snapshot; the readers
    get them back through results.experts."""
    matrices = [
        {key: value for key, value in matrix.items() if key != "per_expert"}
        for matrix in data.get("matrices", [])
    ]
    return {**data, "matrices": matrices}
