"""The recompute pipeline: stale marking, coalescing, failures, and the healing sweep."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluations import tasks
from evaluations.models import Evaluation, ResultSnapshot
from evaluations.services import pipeline
from evaluations.services.results import snapshot_write


@pytest.fixture
def queued(monkeypatch):
    """Stand in for the broker: record what would be queued, run nothing."""
    calls = []
    monkeypatch.setattr(
        tasks.recompute_results, "apply_async", lambda args, countdown: calls.append(args)
    )
    return calls


def bump(evaluation, django_capture_on_commit_callbacks, times=1):
    for _ in range(times):
        with django_capture_on_commit_callbacks(execute=True):
            pipeline.results_mark_stale(evaluation_id=evaluation.pk)
    evaluation.refresh_from_db()


def test_a_burst_of_changes_queues_one_recompute_that_reads_them_all(
    evaluation, queued, django_capture_on_commit_callbacks
):
    bump(evaluation, django_capture_on_commit_callbacks, times=5)

    assert queued == [(evaluation.pk,)]
    assert evaluation.input_version == 5
    assert pipeline.recompute_run(evaluation_id=evaluation.pk) == 5
    snapshot = ResultSnapshot.objects.get(evaluation=evaluation)
    assert snapshot.version == 5
    assert 0 < snapshot.compute_seconds < 60  # recorded for operators and the benchmark


def test_a_change_after_the_task_started_queues_another(
    evaluation, queued, django_capture_on_commit_callbacks
):
    bump(evaluation, django_capture_on_commit_callbacks)
    pipeline.recompute_run(evaluation_id=evaluation.pk)
    bump(evaluation, django_capture_on_commit_callbacks)

    assert queued == [(evaluation.pk,), (evaluation.pk,)]


def test_nothing_is_queued_before_the_transaction_commits(
    evaluation, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pipeline.results_mark_stale(evaluation_id=evaluation.pk)

    assert queued == []
    assert len(callbacks) == 1


def test_a_broker_outage_loses_no_change_and_the_sweep_heals_it(
    evaluation, monkeypatch, django_capture_on_commit_callbacks, settings
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.recompute_results, "apply_async", broker_down)
    bump(evaluation, django_capture_on_commit_callbacks)  # no exception reaches the caller
    assert evaluation.recompute_queued_at is None  # the claim was released
    assert not ResultSnapshot.objects.exists()

    Evaluation.objects.filter(pk=evaluation.pk).update(
        input_changed_at=timezone.now() - timedelta(minutes=5)
    )
    settings.CELERY_BROKER_URL = ""
    call_command("recompute_stale")

    assert ResultSnapshot.objects.get(evaluation=evaluation).version == 1


def test_the_sweep_leaves_fresh_changes_to_their_own_task(evaluation, queued):
    Evaluation.objects.filter(pk=evaluation.pk).update(
        input_version=3, input_changed_at=timezone.now()
    )

    assert pipeline.recompute_sweep(direct=True) == {"queued": 0, "computed": 0, "failed": 0}


def test_the_sweep_skips_what_is_current(evaluation):
    snapshot_write(evaluation_id=evaluation.pk, version=0, data={}, pairwise=0, ratings=0)

    assert not pipeline.stale_evaluations(grace=timedelta(0)).exists()


def test_a_failure_is_recorded_for_the_coordinator_and_others_go_on(
    evaluation, coordinator, monkeypatch
):
    from evaluations.services import evaluation_create_from_template

    healthy = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["B"]
    )
    Evaluation.objects.update(input_version=1, input_changed_at=timezone.now() - timedelta(hours=1))
    real = pipeline.results_recompute

    def poison(*, evaluation_id):
        if evaluation_id == evaluation.pk:
            raise ValueError("a poisoned evaluation")
        return real(evaluation_id=evaluation_id)

    monkeypatch.setattr(pipeline, "results_recompute", poison)

    done = pipeline.recompute_sweep(direct=True)

    assert done == {"queued": 0, "computed": 1, "failed": 1}
    evaluation.refresh_from_db()
    assert evaluation.recompute_error == "ValueError: a poisoned evaluation"
    assert ResultSnapshot.objects.filter(evaluation=healthy).exists()


def test_after_too_many_attempts_a_poison_evaluation_is_left_until_its_input_changes(
    evaluation, monkeypatch, django_capture_on_commit_callbacks, queued
):
    Evaluation.objects.filter(pk=evaluation.pk).update(
        input_version=1, recompute_attempts=pipeline.MAX_ATTEMPTS
    )

    assert pipeline.recompute_run(evaluation_id=evaluation.pk) is None
    evaluation.refresh_from_db()
    assert evaluation.recompute_error.startswith("gave up after")
    assert not pipeline.stale_evaluations(grace=timedelta(0)).exists()

    bump(evaluation, django_capture_on_commit_callbacks)  # new input: tries again
    assert evaluation.recompute_attempts == 0
    assert pipeline.stale_evaluations(grace=timedelta(0)).exists()


def test_an_older_version_never_replaces_a_newer_snapshot(evaluation):
    snapshot_write(evaluation_id=evaluation.pk, version=7, data={"v": 7}, pairwise=0, ratings=0)

    late = snapshot_write(
        evaluation_id=evaluation.pk, version=5, data={"v": 5}, pairwise=0, ratings=0
    )

    assert late is None
    assert list(evaluation.snapshots.values_list("version", flat=True)) == [7]


def test_only_the_newest_snapshots_are_kept(evaluation, settings):
    settings.RESULT_SNAPSHOTS_KEPT = 3
    for version in range(1, 7):
        snapshot_write(evaluation_id=evaluation.pk, version=version, data={}, pairwise=0, ratings=0)

    assert list(evaluation.snapshots.values_list("version", flat=True)) == [6, 5, 4]


@pytest.mark.parametrize(
    ("last_compute", "countdown"), [(None, 1.0), (0.2, 1.0), (4.0, 4.0), (90, 30)]
)
def test_a_slow_panel_waits_as_long_as_its_last_recompute_took(
    evaluation, monkeypatch, django_capture_on_commit_callbacks, last_compute, countdown
):
    waits = []
    monkeypatch.setattr(
        tasks.recompute_results, "apply_async", lambda args, countdown: waits.append(countdown)
    )
    if last_compute is not None:
        ResultSnapshot.objects.create(
            evaluation=evaluation, version=0, data={}, compute_seconds=last_compute
        )

    bump(evaluation, django_capture_on_commit_callbacks)

    assert waits == [countdown]
