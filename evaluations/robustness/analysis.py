"""The robustness analysis of the latest snapshot, as a task of its own (DESIGN §3).

After a snapshot is written, `analysis_queue` marks its analysis queued and queues one task
on the "analysis" queue unless one is already waiting (a claim by conditional UPDATE, on a
field of its own: the recompute's claim is never touched). The task, `analysis_run`, takes
the latest snapshot only: the queued rows of older snapshots are dropped, an analysis whose
snapshot was overtaken while it ran is not written, and a panel whose input moved on since
its snapshot is left to the next snapshot, which queues its own analysis. It reads the same
panel input the results are computed from, runs the selected simulations, the expert
agreement and the leave-one-out (compute.py), and records the figures, or the failure, on the
snapshot's RobustnessAnalysis row. A failure is final for that snapshot and those settings;
the next snapshot or a change of the settings tries again. `analysis_sweep` requeues what a
lost task (broker down, worker killed) left queued or running.

The analysis never delays a recompute: it runs on its own queue, consumed in production by a
worker of its own (docker-compose.yml), and a recompute only queues it, after commit.
"""

import json
import logging
import secrets
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from ..models import Evaluation, ResultSnapshot, RobustnessAnalysis
from ..services.results import panel_input
from . import rules
from .availability import unavailable_reason
from .compute import analysis_compute

logger = logging.getLogger(__name__)

Status = RobustnessAnalysis.Status
QUEUE = "analysis"
# Snapshots written within this many seconds share one analysis: under a stream of ballots a
# snapshot comes about every recompute, and an analysis of one that is overtaken before it
# finishes is thrown away. A slower analysis waits its own last duration instead (at most
# MAX_COALESCE_SECONDS), so at most about half of the analysis worker's time is spent on
# analyses that may be overtaken.
COALESCE_SECONDS = 2.0
MAX_COALESCE_SECONDS = 60.0
# Runs of one snapshot's analysis (lost or killed ones included) before it is recorded failed.
MAX_ATTEMPTS = 3
# The sweep leaves a queued analysis alone this long: its task is probably just waiting.
SWEEP_GRACE = timedelta(minutes=2)
# A run older than this is dead: the analysis task's hard time limit (tasks.py) is 6 minutes,
# and Redis redelivers an unacknowledged task after its 10-minute visibility timeout.
STUCK_AFTER = timedelta(minutes=12)
ACTIVE = (Status.QUEUED, Status.RUNNING)

ERROR_INPUT_MOVED = "the panel's input changed since this snapshot; the next snapshot is analysed"


# Set inside `analyses_paused`: a bulk load queues no analysis per snapshot.
_paused: ContextVar[bool] = ContextVar("robustness_analyses_paused", default=False)


@contextmanager
def analyses_paused():
    """Queue no analysis inside the block. For bulk loads (seed_demo answers forty ballots,
    each a snapshot): without a broker every analysis would run in-process, and the caller
    queues the last snapshot's analysis once after the block."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def analysis_queue(*, evaluation_id: int, version: int, rerun: bool = False) -> bool:
    """Mark the analysis of snapshot `version` queued and queue a task unless one is waiting.
    `rerun` starts it over (new settings). True if this call queued a task. Call after
    commit; does nothing with ROBUSTNESS_ANALYSIS off or for a snapshot ranking no subject."""
    if not settings.ROBUSTNESS_ANALYSIS or _paused.get():
        return False
    snapshot = (
        ResultSnapshot.objects.filter(evaluation_id=evaluation_id, version=version)
        .values_list("pk", "data__ranking")
        .first()
    )
    if snapshot is None or not snapshot[1]:
        return False  # pruned meanwhile, or no subject has a score yet: nothing to analyse
    now = timezone.now()
    row, created = RobustnessAnalysis.objects.get_or_create(
        snapshot_id=snapshot[0],
        defaults={"evaluation_id": evaluation_id, "version": version, "queued_at": now},
    )
    if not created and rerun:
        RobustnessAnalysis.objects.filter(pk=row.pk).update(
            status=Status.QUEUED, queued_at=now, started_at=None, attempts=0, error=""
        )
    elif not created and row.status != Status.QUEUED:
        return False  # already running or analysed with these settings
    return _send(evaluation_id)


def analysis_queue_latest(*, evaluation_id: int, rerun: bool = False) -> bool:
    """analysis_queue for the latest snapshot, if there is one (a change of the robustness
    settings, the end of a bulk load)."""
    latest = _latest_snapshot(evaluation_id)
    if latest is None:
        return False
    return analysis_queue(evaluation_id=evaluation_id, version=latest.version, rerun=rerun)


def _send(evaluation_id: int) -> bool:
    from ..tasks import analyse_robustness  # the task module imports this one

    # Claim with a conditional UPDATE: of a burst of snapshots only the first queues a task,
    # which analyses whichever snapshot is the latest when it starts.
    claimed = Evaluation.objects.filter(pk=evaluation_id, analysis_queued_at__isnull=True).update(
        analysis_queued_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        analyse_robustness.apply_async((evaluation_id,), countdown=_coalesce_seconds(evaluation_id))
    except Exception:
        # The snapshot is written; a broker outage must not fail the recompute or request
        # that got here. The row stays queued and the sweep queues it again.
        Evaluation.objects.filter(pk=evaluation_id).update(analysis_queued_at=None)
        logger.exception("could not queue the robustness analysis of evaluation %s", evaluation_id)
        return False
    return True


def _coalesce_seconds(evaluation_id: int) -> float:
    last = (
        RobustnessAnalysis.objects.filter(evaluation_id=evaluation_id, status=Status.DONE)
        .order_by("-version")
        .values_list("compute_seconds", flat=True)
        .first()
    )
    return min(max(COALESCE_SECONDS, last or 0.0), MAX_COALESCE_SECONDS)


def analysis_run(*, evaluation_id: int) -> RobustnessAnalysis | None:
    """The task's body: analyse the latest snapshot. Returns its analysis (done or failed),
    or None when there was nothing to do (no snapshot, analysed already or by another run,
    or overtaken by a newer snapshot)."""
    # Release the claim first: a snapshot written from now on queues a task of its own.
    Evaluation.objects.filter(pk=evaluation_id).update(analysis_queued_at=None)
    latest = _latest_snapshot(evaluation_id)
    if latest is None:
        return None
    # Older snapshots' analyses that never finished are superseded: nothing is written for
    # them (a run still busy with one finds its row gone).
    RobustnessAnalysis.objects.filter(
        evaluation_id=evaluation_id, version__lt=latest.version, status__in=ACTIVE
    ).delete()
    row = _claim(evaluation_id, latest)
    if row is None:
        return None
    if row.attempts > MAX_ATTEMPTS:
        return _fail(row, f"gave up after {MAX_ATTEMPTS} attempts", settings_used={})
    return _analyse(row)


def _latest_snapshot(evaluation_id: int) -> ResultSnapshot | None:
    return (
        ResultSnapshot.objects.filter(evaluation_id=evaluation_id)
        .order_by("-version")
        .only("pk", "version")
        .first()
    )


def _claim(evaluation_id: int, snapshot: ResultSnapshot) -> RobustnessAnalysis | None:
    """Take the snapshot's analysis: queued, or running so long its worker must be dead.
    The conditional UPDATE lets one run in; started_at identifies it at the write."""
    row, _created = RobustnessAnalysis.objects.get_or_create(
        snapshot_id=snapshot.pk,
        defaults={
            "evaluation_id": evaluation_id,
            "version": snapshot.version,
            "queued_at": timezone.now(),
        },
    )
    now = timezone.now()
    stuck = Q(status=Status.RUNNING, started_at__lt=now - STUCK_AFTER)
    claimed = (
        RobustnessAnalysis.objects.filter(pk=row.pk)
        .filter(Q(status=Status.QUEUED) | stuck)
        .update(status=Status.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None  # done, failed, or another run has it
    row.refresh_from_db()
    return row


def _analyse(row: RobustnessAnalysis) -> RobustnessAnalysis | None:
    evaluation = Evaluation.objects.get(pk=row.evaluation_id)
    chosen = analysis_settings(evaluation)
    started = time.perf_counter()
    try:
        data = panel_input(evaluation=evaluation)
        current = Evaluation.objects.filter(pk=row.evaluation_id).values_list(
            "input_version", flat=True
        )
        if current.first() != row.version:
            # The input read may hold changes the snapshot lacks: its figures would not be
            # this snapshot's. The newer snapshot queues its own analysis.
            logger.info("analysis of %s skipped: %s", row, ERROR_INPUT_MOVED)
            RobustnessAnalysis.objects.filter(pk=row.pk, started_at=row.started_at).delete()
            return None
        reason = unavailable_reason(data)
        if reason is not None:
            return _unavailable(row, reason, chosen)
        figures = analysis_compute(data, chosen)
        json.dumps(figures, allow_nan=False)  # the contract: JSON numbers, never NaN
    except (OperationalError, InterfaceError):
        # The database blinked: the task retries, so put the row back in the queue.
        RobustnessAnalysis.objects.filter(pk=row.pk, started_at=row.started_at).update(
            status=Status.QUEUED
        )
        raise
    except Exception as error:
        logger.exception("robustness analysis of %s failed", row)
        return _fail(row, f"{type(error).__name__}: {error}", chosen, started)
    return _write(row, figures, chosen, time.perf_counter() - started)


def analysis_settings(evaluation: Evaluation) -> dict:
    """The evaluation's robustness settings with the seed to use: its own, or a fresh one."""
    chosen = rules.settings_of(evaluation)
    if chosen["robustness_seed"] is None:
        chosen["robustness_seed"] = secrets.randbelow(rules.MAX_SEED + 1)
    return chosen


def _write(row: RobustnessAnalysis, figures: dict, chosen: dict, seconds: float):
    with transaction.atomic():
        # Serialise with snapshot_write, which holds the same lock: no snapshot can appear
        # between the check and the write.
        Evaluation.objects.select_for_update().filter(pk=row.evaluation_id).first()
        latest = _latest_snapshot(row.evaluation_id)
        mine = RobustnessAnalysis.objects.filter(
            pk=row.pk, status=Status.RUNNING, started_at=row.started_at
        )
        if latest is None or latest.version != row.version:
            mine.delete()  # overtaken: nothing is written for an older snapshot
            return None
        written = mine.update(
            status=Status.DONE,
            data=figures,
            settings=chosen,
            error="",
            finished_at=timezone.now(),
            compute_seconds=seconds,
        )
    if not written:
        return None  # started over (new settings) or taken by another run meanwhile
    row.refresh_from_db()
    return row


def _unavailable(row, reason: str, settings_used: dict):
    """Record that this snapshot's analysis cannot run (availability.py), final like a
    failure: the reason is a code the pages word; data says it too, for the API."""
    RobustnessAnalysis.objects.filter(
        pk=row.pk, status=Status.RUNNING, started_at=row.started_at
    ).update(
        status=Status.UNAVAILABLE,
        error=reason,
        settings=settings_used,
        data={"unavailable": reason},
        finished_at=timezone.now(),
        compute_seconds=None,
    )
    row.refresh_from_db()
    return row


def _fail(row, message: str, settings_used: dict, started: float | None = None):
    seconds = None if started is None else time.perf_counter() - started
    RobustnessAnalysis.objects.filter(
        pk=row.pk, status=Status.RUNNING, started_at=row.started_at
    ).update(
        status=Status.FAILED,
        error=message[:2000],
        settings=settings_used,
        data={},
        finished_at=timezone.now(),
        compute_seconds=seconds,
    )
    row.refresh_from_db()
    return row


def analysis_sweep(*, grace: timedelta = SWEEP_GRACE, direct: bool = False) -> dict:
    """Queue again the latest snapshots' analyses a lost task left queued (longer than
    `grace`) or running (longer than STUCK_AFTER); with `direct` or no broker, run them here."""
    done = {"queued": 0, "analysed": 0}
    if not settings.ROBUSTNESS_ANALYSIS:
        return done
    direct = direct or not settings.CELERY_BROKER_URL
    now = timezone.now()
    latest = Subquery(
        ResultSnapshot.objects.filter(evaluation=OuterRef("evaluation"))
        .order_by("-version")
        .values("version")[:1]
    )
    lost = (
        RobustnessAnalysis.objects.annotate(latest=latest)
        .filter(version=F("latest"))
        .filter(
            Q(status=Status.QUEUED, queued_at__lt=now - grace)
            | Q(status=Status.RUNNING, started_at__lt=now - STUCK_AFTER)
        )
    )
    for evaluation_id in lost.values_list("evaluation_id", flat=True):
        if direct:
            analysis_run(evaluation_id=evaluation_id)
            done["analysed"] += 1
            continue
        # A claim left by a lost task would block the queue: clear it first.
        Evaluation.objects.filter(pk=evaluation_id).update(analysis_queued_at=None)
        done["queued"] += _send(evaluation_id)
    return done


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LatestAnalysis:
    """What the pages show: `analysis`, the snapshot's analysis once it is done or failed
    (None before, and when there is none); `computing`, whether one is queued or running."""

    analysis: RobustnessAnalysis | None
    computing: bool


def analysis_latest(evaluation: Evaluation, version: int | None = None) -> LatestAnalysis:
    """The analysis of the evaluation's latest snapshot (or of snapshot `version`), in one
    query. The caller has checked the user may see the evaluation's results."""
    if version is None:
        snapshot = Subquery(
            ResultSnapshot.objects.filter(evaluation=evaluation)
            .order_by("-version")
            .values("pk")[:1]
        )
        rows = RobustnessAnalysis.objects.filter(snapshot_id=snapshot)
    else:
        rows = RobustnessAnalysis.objects.filter(evaluation=evaluation, version=version)
    row = rows.first()
    if row is None:
        return LatestAnalysis(analysis=None, computing=False)
    if row.status in ACTIVE:
        return LatestAnalysis(analysis=None, computing=True)
    return LatestAnalysis(analysis=row, computing=False)
