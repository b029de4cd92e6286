"""Keeping results current: mark stale, queue one recompute per burst, run it, heal what was lost.

The contract (DESIGN §3): the ballot write and the version bump commit together; a recompute
is queued only after commit; the worker recomputes from committed data and writes a snapshot
only if it is newer; a burst of submissions coalesces; a lost task (broker down, worker
killed) is healed by the periodic sweep of stale evaluations (`recompute_stale`).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Evaluation, ResultSnapshot
from .results import results_recompute

logger = logging.getLogger(__name__)

# Submissions within this many seconds of the first one share its recompute. A panel whose
# recompute takes longer waits that long instead (at most MAX_COALESCE_SECONDS), so under a
# steady stream of ballots recomputing takes at most about half a worker's time and leaves
# the machine to the requests; results then lag by about two recompute times.
COALESCE_SECONDS = 1.0
MAX_COALESCE_SECONDS = 30.0
# Failed or interrupted recomputes of one input before the evaluation is left alone.
MAX_ATTEMPTS = 5
# The sweep leaves evaluations alone this long after their last change: their task is
# probably just queued or running.
SWEEP_GRACE = timedelta(seconds=60)


def results_mark_stale(*, evaluation_id: int) -> None:
    """Call inside the transaction that changes what the results depend on."""
    Evaluation.objects.filter(pk=evaluation_id).update(
        input_version=F("input_version") + 1,
        input_changed_at=timezone.now(),
        recompute_attempts=0,  # new input deserves fresh tries
    )
    # A task queued before commit could run before the ballot is visible.
    transaction.on_commit(lambda: recompute_queue(evaluation_id=evaluation_id))


def results_mark_stale_if_shown(*, evaluation_id: int) -> None:
    """For edits of what the results name or group (texts, subjects, grades, structure): stale
    only once results exist. Before the first snapshot there is nothing to refresh, and the
    first ballot computes one anyway; draft editing then queues no tasks."""
    if ResultSnapshot.objects.filter(evaluation_id=evaluation_id).exists():
        results_mark_stale(evaluation_id=evaluation_id)


def recompute_queue(*, evaluation_id: int) -> bool:
    """Queue a recompute unless one is already waiting; True if this call queued it."""
    from ..tasks import recompute_results  # the task module imports this one

    # Claim with a conditional UPDATE: of a burst of submissions only the first queues a
    # task; the others' changes are read by that task, which starts after COALESCE_SECONDS.
    claimed = Evaluation.objects.filter(pk=evaluation_id, recompute_queued_at__isnull=True).update(
        recompute_queued_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        recompute_results.apply_async((evaluation_id,), countdown=_coalesce_seconds(evaluation_id))
    except Exception:
        # The ballot is committed; a broker outage must not turn its request into an error.
        # Release the claim so the next submission tries again; the sweep heals the rest.
        Evaluation.objects.filter(pk=evaluation_id).update(recompute_queued_at=None)
        logger.exception("could not queue the recompute of evaluation %s", evaluation_id)
        return False
    return True


def _coalesce_seconds(evaluation_id: int) -> float:
    last = (
        ResultSnapshot.objects.filter(evaluation_id=evaluation_id)
        .order_by("-version")
        .values_list("compute_seconds", flat=True)
        .first()
    )
    return min(max(COALESCE_SECONDS, last or 0.0), MAX_COALESCE_SECONDS)


def recompute_run(*, evaluation_id: int) -> int | None:
    """The task's body: recompute, record success or failure. Returns the version written."""
    # Release the claim first: a submission from now on queues a task of its own, so no
    # change can fall between this run's read and the next one.
    Evaluation.objects.filter(pk=evaluation_id).update(
        recompute_queued_at=None, recompute_attempts=F("recompute_attempts") + 1
    )
    attempts = (
        Evaluation.objects.filter(pk=evaluation_id)
        .values_list("recompute_attempts", flat=True)
        .first()
    )
    if attempts is None:
        return None  # deleted since
    if attempts > MAX_ATTEMPTS:
        _record_failure(evaluation_id, f"gave up after {MAX_ATTEMPTS} attempts")
        return None
    try:
        snapshot = results_recompute(evaluation_id=evaluation_id)
    except Exception as error:
        _record_failure(evaluation_id, f"{type(error).__name__}: {error}")
        raise
    Evaluation.objects.filter(pk=evaluation_id).update(recompute_attempts=0, recompute_error="")
    if snapshot is None:
        return None
    # The slower analyses of the snapshot go to their own queue once it is committed; this
    # task is done with the evaluation and takes the next recompute meanwhile.
    from ..robustness.analysis import analysis_queue  # it reads the results service

    version = snapshot.version
    transaction.on_commit(lambda: analysis_queue(evaluation_id=evaluation_id, version=version))
    return version


def _record_failure(evaluation_id: int, message: str) -> None:
    logger.error("recompute of evaluation %s failed: %s", evaluation_id, message)
    Evaluation.objects.filter(pk=evaluation_id).update(
        recompute_error=message[:2000], recompute_failed_at=timezone.now()
    )


def stale_evaluations(*, grace: timedelta = SWEEP_GRACE):
    """Evaluations whose latest snapshot is older than their input, for longer than `grace`."""
    latest = Subquery(
        ResultSnapshot.objects.filter(evaluation=OuterRef("pk"))
        .order_by("-version")
        .values("version")[:1]
    )
    cutoff = timezone.now() - grace
    return (
        Evaluation.objects.annotate(latest_version=Coalesce(latest, Value(-1)))
        .filter(input_version__gt=F("latest_version"), recompute_attempts__lt=MAX_ATTEMPTS)
        .filter(Q(input_changed_at__isnull=True) | Q(input_changed_at__lte=cutoff))
    )


def recompute_sweep(*, grace: timedelta = SWEEP_GRACE, direct: bool = False) -> dict:
    """Heal stale evaluations: requeue them (or, with `direct` or no broker, compute here)."""
    done = {"queued": 0, "computed": 0, "failed": 0}
    direct = direct or not settings.CELERY_BROKER_URL
    for evaluation_id in stale_evaluations(grace=grace).values_list("pk", flat=True):
        if not direct:
            # A claim left by a lost task would block the queue: clear it first.
            Evaluation.objects.filter(pk=evaluation_id).update(recompute_queued_at=None)
            if recompute_queue(evaluation_id=evaluation_id):
                done["queued"] += 1
                continue
        try:
            recompute_run(evaluation_id=evaluation_id)
            done["computed"] += 1
        except Exception:
            done["failed"] += 1  # recorded on the evaluation; the others go on
    return done


def recompute_full(*, evaluation_id: int | None = None) -> dict:
    """From every ballot, each evaluation with results (or the one given): a new input version
    (so the snapshot is written) and a full recompute, which builds the running sums again."""
    evaluations = Evaluation.objects.filter(snapshots__isnull=False).distinct()
    if evaluation_id is not None:
        evaluations = Evaluation.objects.filter(pk=evaluation_id)
    done = {"computed": 0}
    for pk in evaluations.values_list("pk", flat=True):
        with transaction.atomic():
            Evaluation.objects.filter(pk=pk).update(input_version=F("input_version") + 1)
        if results_recompute(evaluation_id=pk, full=True) is not None:
            done["computed"] += 1
    return done
