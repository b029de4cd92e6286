"""The robustness analysis task: figures, latest version only, coalescing, its own queue,
status, failures and the sweep (evaluations/robustness/analysis.py).

Panels are answered through the survey services with the analysis paused, then analysed on
purpose, so each test controls when an analysis runs.
"""

import json
from datetime import timedelta

import numpy as np
import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from config.celery import app as celery_app
from evaluations import tasks
from evaluations.engine.robustness import simulation
from evaluations.models import Evaluation, ResultSnapshot, RobustnessAnalysis
from evaluations.robustness import analysis as service
from evaluations.robustness import compute
from evaluations.services import evaluation_update_settings, pipeline
from evaluations.services.results import panel_input, results_recompute
from tests.evaluations.test_results_pages import (
    EXPERTS,
    add_experts,
    open_for_ballots,
    panel_results,
    submit_judgments,
    submit_ratings,
)

pytestmark = pytest.mark.robustness_analysis

Status = RobustnessAnalysis.Status
SEED = 20260415


@pytest.fixture
def sent(monkeypatch):
    """Stand in for the broker: record the analysis tasks queued, run nothing."""
    calls = []
    monkeypatch.setattr(
        tasks.analyse_robustness,
        "apply_async",
        lambda args, countdown: calls.append((args, countdown)),
    )
    return calls


@pytest.fixture
def broker():
    """Tasks are sent, not run in-process (as with a broker configured)."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True  # tests/conftest.py's in-process tasks


@pytest.fixture
def answered(evaluation) -> ResultSnapshot:
    """Three experts answered everything; the latest snapshot, not yet analysed."""
    with service.analyses_paused():
        snapshot = panel_results(evaluation)
    snapshot = snapshot or ResultSnapshot.objects.filter(evaluation=evaluation).first()
    evaluation.refresh_from_db()
    assert snapshot.version == evaluation.input_version
    assert not RobustnessAnalysis.objects.exists()
    return snapshot


def seeded(evaluation, seed=SEED, **changes) -> Evaluation:
    Evaluation.objects.filter(pk=evaluation.pk).update(robustness_seed=seed, **changes)
    evaluation.refresh_from_db()
    return evaluation


def analyse(evaluation) -> RobustnessAnalysis | None:
    """Queue the latest snapshot's analysis and run it here (tasks run in-process)."""
    service.analysis_queue_latest(evaluation_id=evaluation.pk, rerun=True)
    return RobustnessAnalysis.objects.filter(evaluation=evaluation).order_by("-version").first()


def new_snapshot(evaluation) -> ResultSnapshot:
    """Another input change and its snapshot, without analysing it."""
    with service.analyses_paused():
        Evaluation.objects.filter(pk=evaluation.pk).update(
            input_version=evaluation.input_version + 1
        )
        evaluation.refresh_from_db()
        return results_recompute(evaluation_id=evaluation.pk)


# --- the figures ------------------------------------------------------------------------


def test_the_same_panel_and_seed_give_the_same_figures_as_the_engine(evaluation, answered):
    seeded(evaluation)

    first = analyse(evaluation)
    second = analyse(evaluation)

    assert first.status == second.status == Status.DONE
    assert first.data == second.data
    assert first.settings["robustness_seed"] == SEED
    data = panel_input(evaluation=evaluation)
    problem = simulation.from_panel(**{f: getattr(data, f) for f in PANEL_FIELDS})
    expected = simulation.simulate(problem, "noise", draws=10_000, k=1, seed=SEED)
    noise = first.data["simulation"]["noise"]
    assert (noise["draws"], noise["seed"], noise["k"]) == (10_000, SEED, 1)
    for row, subject in enumerate(problem.subjects):
        assert noise["rank_probabilities"][str(subject)] == pytest.approx(
            expected.rank_probabilities[row].tolist(), abs=1e-15
        )
    assert noise["top_probability"] == pytest.approx(expected.top_stays)


PANEL_FIELDS = ("settings", "indicators", "grades", "subjects", "experts", "pairwise", "ratings")


def test_probabilities_sum_to_one_for_every_subject_and_every_rank(evaluation, answered):
    seeded(evaluation)

    data = analyse(evaluation).data

    assert set(data["simulation"]) == {"noise", "bootstrap"}
    for result in data["simulation"].values():
        ranks = np.array(list(result["rank_probabilities"].values()))
        grades = np.array(list(result["grade_probabilities"].values()))
        assert ranks.shape == (2, 2) and grades.shape == (2, 4)
        assert np.allclose(ranks.sum(axis=1), 1) and np.allclose(ranks.sum(axis=0), 1)
        assert np.allclose(grades.sum(axis=1), 1)
        assert 0 <= result["top_probability"] <= 1
        assert set(result["weight_percentiles"]) == {i.code for i in evaluation.indicators.all()}
        for p5, p50, p95 in result["weight_percentiles"].values():
            assert 0 <= p5 <= p50 <= p95 <= 1
    assert data["simulation"]["bootstrap"]["k"] is None
    assert data["simulation"]["bootstrap"]["draws"] == 2_000


def test_the_data_is_json_without_nan_and_follows_the_contract(evaluation, answered):
    analysis = analyse(seeded(evaluation))

    json.dumps(analysis.data, allow_nan=False)
    assert set(analysis.data) >= {"simulation", "agreement", "leave_one_out"}
    agreement = analysis.data["agreement"]
    assert agreement["threshold"] == pytest.approx(1.1)
    assert len(agreement["experts"]) == len(EXPERTS)
    for expert in agreement["experts"]:
        assert expert["overall"] >= 1  # Saaty's S is never below 1
        assert expert["flagged"] == (expert["overall"] > 1.1)
        assert {m["node"] for m in expert["matrices"]} == {"U", "U1", "U2", "U3"}
    subjects = set(evaluation.subjects.values_list("pk", flat=True))
    for row in analysis.data["leave_one_out"]:
        assert set(row["ranking"]) == subjects and row["top"] in subjects
        assert row["top_changes"] == (row["top"] != analysis.data["baseline"]["top"])
    assert analysis.compute_seconds > 0 and analysis.finished_at is not None


def test_experts_are_numbered_not_named_unless_the_evaluation_names_them(evaluation, answered):
    anonymous = analyse(seeded(evaluation)).data
    named = analyse(seeded(evaluation, flagged_experts_named=True)).data

    stored = json.dumps(anonymous)
    assert not any(name in stored for name in EXPERTS)
    assert [e["name"] for e in anonymous["agreement"]["experts"]] == [
        "Expert 1",
        "Expert 2",
        "Expert 3",
    ]
    assert [e["name"] for e in named["agreement"]["experts"]] == EXPERTS
    assert [e["named"] for e in named["leave_one_out"]] == [True] * 3


def test_a_lower_threshold_flags_more_experts(evaluation, answered):
    strict = analyse(seeded(evaluation, agreement_threshold=1.000001)).data["agreement"]

    assert strict["threshold"] == pytest.approx(1.000001)
    assert all(expert["flagged"] for expert in strict["experts"])


def test_without_a_seed_each_analysis_draws_a_fresh_one_and_records_it(evaluation, answered):
    first, second = analyse(evaluation), analyse(evaluation)

    seeds = {first.settings["robustness_seed"], second.settings["robustness_seed"]}
    assert len(seeds) == 2 and all(0 <= seed < 2**63 for seed in seeds)
    assert second.data["simulation"]["noise"]["seed"] == second.settings["robustness_seed"]


def test_only_the_selected_source_is_simulated(evaluation, answered):
    seeded(evaluation, robustness_sources="bootstrap", robustness_bootstrap_draws=300)

    data = analyse(evaluation).data

    assert list(data["simulation"]) == ["bootstrap"]
    assert data["simulation"]["bootstrap"]["draws"] == 300


# --- latest version only ----------------------------------------------------------------


def test_an_analysis_queued_for_an_older_snapshot_writes_nothing_for_it(evaluation, answered, sent):
    older = answered.version
    service.analysis_queue(evaluation_id=evaluation.pk, version=older)
    newer = new_snapshot(evaluation)

    result = service.analysis_run(evaluation_id=evaluation.pk)

    assert not RobustnessAnalysis.objects.filter(version=older).exists()
    assert result.version == newer.version == older + 1  # the latest, whose queueing coalesced
    assert result.status == Status.DONE


def test_an_analysis_overtaken_by_a_newer_snapshot_while_it_runs_is_not_written(
    evaluation, answered, monkeypatch, sent
):
    real = compute.analysis_compute

    def overtaken(data, chosen):
        figures = real(data, chosen)
        new_snapshot(evaluation)  # written while this analysis computes
        return figures

    monkeypatch.setattr(service, "analysis_compute", overtaken)
    service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)

    assert service.analysis_run(evaluation_id=evaluation.pk) is None
    assert not RobustnessAnalysis.objects.exists()  # the newer snapshot queues its own


def test_an_input_that_moved_past_the_snapshot_is_left_to_the_next_snapshot(
    evaluation, answered, sent
):
    service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)
    Evaluation.objects.filter(pk=evaluation.pk).update(input_version=answered.version + 1)

    assert service.analysis_run(evaluation_id=evaluation.pk) is None
    assert not RobustnessAnalysis.objects.exists()


def test_the_analysis_goes_with_its_snapshot_when_snapshots_are_pruned(
    evaluation, answered, settings
):
    analysed = analyse(evaluation)
    settings.RESULT_SNAPSHOTS_KEPT = 1

    new_snapshot(evaluation)

    assert not RobustnessAnalysis.objects.filter(pk=analysed.pk).exists()


# --- queueing: coalesced, after commit, on its own queue --------------------------------


def test_a_burst_of_snapshots_queues_one_analysis(evaluation, answered, sent):
    for _ in range(4):
        snapshot = new_snapshot(evaluation)
        service.analysis_queue(evaluation_id=evaluation.pk, version=snapshot.version)

    assert [args for args, _countdown in sent] == [(evaluation.pk,)]
    assert sent[0][1] >= service.COALESCE_SECONDS
    service.analysis_run(evaluation_id=evaluation.pk)
    analyses = RobustnessAnalysis.objects.filter(evaluation=evaluation)
    assert list(analyses.values_list("version", "status")) == [(snapshot.version, Status.DONE)]


def test_a_snapshot_after_the_task_started_queues_another(evaluation, answered, sent):
    service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)
    service.analysis_run(evaluation_id=evaluation.pk)
    snapshot = new_snapshot(evaluation)
    service.analysis_queue(evaluation_id=evaluation.pk, version=snapshot.version)

    assert [args for args, _countdown in sent] == [(evaluation.pk,), (evaluation.pk,)]


def test_with_a_broker_the_recompute_only_queues_the_analysis_on_its_own_queue(
    evaluation, answered, sent, broker, monkeypatch, django_capture_on_commit_callbacks
):
    """The recompute task never runs the analysis inline: it queues it, after commit, to the
    'analysis' queue, while the recompute itself is routed to the default queue."""
    monkeypatch.setattr(
        service, "analysis_compute", lambda *a: pytest.fail("the recompute ran the analysis")
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(input_version=answered.version + 1)

    with django_capture_on_commit_callbacks(execute=True):
        version = pipeline.recompute_run(evaluation_id=evaluation.pk)

    assert version == answered.version + 1
    assert [args for args, _countdown in sent] == [(evaluation.pk,)]
    assert RobustnessAnalysis.objects.get().status == Status.QUEUED
    route = celery_app.amqp.router.route
    assert route({}, tasks.analyse_robustness.name)["queue"].name == service.QUEUE == "analysis"
    assert route({}, tasks.recompute_results.name)["queue"].name == "celery"


def test_nothing_is_queued_before_the_recompute_commits(
    evaluation, answered, sent, django_capture_on_commit_callbacks
):
    Evaluation.objects.filter(pk=evaluation.pk).update(input_version=answered.version + 1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            pipeline.recompute_run(evaluation_id=evaluation.pk)

    assert sent == [] and len(callbacks) == 1


def test_a_broker_outage_leaves_the_analysis_queued_for_the_sweep(
    evaluation, answered, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.analyse_robustness, "apply_async", down)

    assert service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version) is False
    assert RobustnessAnalysis.objects.get().status == Status.QUEUED
    evaluation.refresh_from_db()
    assert evaluation.analysis_queued_at is None  # released: the next snapshot tries again


def test_switched_off_no_analysis_is_queued(evaluation, answered, sent):
    with override_settings(ROBUSTNESS_ANALYSIS=False):
        queued = service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)

    assert queued is False and sent == []
    assert not RobustnessAnalysis.objects.exists()


def test_a_snapshot_ranking_no_subject_is_not_analysed(evaluation, sent):
    with service.analyses_paused():
        snapshot = results_recompute(evaluation_id=evaluation.pk)  # no ballots at all

    assert snapshot.data["ranking"] == []
    assert not service.analysis_queue(evaluation_id=evaluation.pk, version=snapshot.version)
    assert not RobustnessAnalysis.objects.exists()


def test_in_process_a_submission_ends_with_the_analysis_of_its_snapshot(
    evaluation, answered, django_capture_on_commit_callbacks
):
    """Without a broker every task runs in-process after commit: the submission's recompute
    writes a snapshot, and that snapshot is analysed before the submitting call returns."""
    memberships = list(evaluation.memberships.all())

    with django_capture_on_commit_callbacks(execute=True):
        # The second subject rated as the first was: a change, so a new snapshot.
        submit_ratings(evaluation, memberships[:1], subjects=evaluation.subjects.all()[1:])

    latest = ResultSnapshot.objects.filter(evaluation=evaluation).first()
    assert latest.version > answered.version
    assert latest.robustness_analysis.status == Status.DONE


# --- status, failures and the sweep -----------------------------------------------------


def test_the_status_reads_queued_then_running_then_done(evaluation, answered, sent, monkeypatch):
    seen = []
    real = compute.analysis_compute

    def watched(data, chosen):
        seen.append(service.analysis_latest(evaluation))
        seen.append(RobustnessAnalysis.objects.get().status)
        return real(data, chosen)

    monkeypatch.setattr(service, "analysis_compute", watched)
    assert service.analysis_latest(evaluation) == service.LatestAnalysis(None, False)
    service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)
    queued = service.analysis_latest(evaluation)

    service.analysis_run(evaluation_id=evaluation.pk)

    assert queued == service.LatestAnalysis(analysis=None, computing=True)
    assert seen == [service.LatestAnalysis(analysis=None, computing=True), Status.RUNNING]
    done = service.analysis_latest(evaluation)
    assert done.computing is False and done.analysis.status == Status.DONE
    assert done.analysis.version == answered.version


def test_the_selector_reads_one_snapshots_analysis_in_one_query(
    evaluation, answered, django_assert_num_queries
):
    analyse(evaluation)
    new_snapshot(evaluation)

    with django_assert_num_queries(1):
        latest = service.analysis_latest(evaluation)
    with django_assert_num_queries(1):
        older = service.analysis_latest(evaluation, version=answered.version)

    assert latest == service.LatestAnalysis(analysis=None, computing=False)
    assert older.analysis.version == answered.version


def test_a_failure_is_recorded_and_not_retried(evaluation, answered, sent, monkeypatch):
    def broken(data, chosen):
        raise ValueError("the engine refused")

    monkeypatch.setattr(service, "analysis_compute", broken)
    service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)

    failed = service.analysis_run(evaluation_id=evaluation.pk)

    assert failed.status == Status.FAILED
    assert failed.error == "ValueError: the engine refused"
    assert failed.finished_at is not None and failed.data == {}
    assert service.analysis_latest(evaluation).analysis == failed
    # Neither the task running again nor the queue nor the sweep tries it again.
    assert service.analysis_run(evaluation_id=evaluation.pk) is None
    assert not service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)
    assert service.analysis_sweep(grace=timedelta(0)) == {"queued": 0, "analysed": 0}
    assert RobustnessAnalysis.objects.get().status == Status.FAILED


def test_the_task_records_a_failure_instead_of_raising(evaluation, answered, monkeypatch):
    monkeypatch.setattr(service, "analysis_compute", lambda *a: 1 / 0)

    assert tasks.analyse_robustness.delay(evaluation.pk).get() == answered.version
    assert RobustnessAnalysis.objects.get().error.startswith("ZeroDivisionError")


def test_the_sweep_heals_a_lost_task_and_a_killed_run(evaluation, answered, settings, sent):
    settings.CELERY_BROKER_URL = "redis://broker.invalid"  # the sweep queues (`sent` records)
    service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)
    Evaluation.objects.filter(pk=evaluation.pk).update(analysis_queued_at=timezone.now())
    # The task was lost: the row waits, and the claim would block the queue.
    assert service.analysis_sweep(grace=timedelta(hours=1))["queued"] == 0
    RobustnessAnalysis.objects.update(queued_at=timezone.now() - timedelta(minutes=5))

    assert service.analysis_sweep() == {"queued": 1, "analysed": 0}
    assert len(sent) == 2

    # A run whose worker was killed stays "running" until it is older than the time limits.
    started = timezone.now() - service.STUCK_AFTER - timedelta(seconds=1)
    RobustnessAnalysis.objects.update(status=Status.RUNNING, started_at=started)
    assert service.analysis_sweep(direct=True) == {"queued": 0, "analysed": 1}
    assert RobustnessAnalysis.objects.get().status == Status.DONE


def test_the_scheduler_runs_the_analysis_sweep_every_minute():
    tasks_scheduled = {e["task"]: e["schedule"] for e in celery_app.conf.beat_schedule.values()}

    assert tasks_scheduled[tasks.sweep_analyses.name] == 60.0
    assert tasks.sweep_analyses.name == "evaluations.sweep_analyses"


def test_a_run_still_going_is_left_alone(evaluation, answered, sent):
    service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)
    RobustnessAnalysis.objects.update(status=Status.RUNNING, started_at=timezone.now())

    assert service.analysis_run(evaluation_id=evaluation.pk) is None
    assert service.analysis_sweep(direct=True) == {"queued": 0, "analysed": 0}
    assert RobustnessAnalysis.objects.get().status == Status.RUNNING


def test_an_analysis_killed_again_and_again_is_given_up(evaluation, answered, sent):
    service.analysis_queue(evaluation_id=evaluation.pk, version=answered.version)
    RobustnessAnalysis.objects.update(attempts=service.MAX_ATTEMPTS)

    gave_up = service.analysis_run(evaluation_id=evaluation.pk)

    assert gave_up.status == Status.FAILED
    assert gave_up.error == f"gave up after {service.MAX_ATTEMPTS} attempts"


# --- settings changes -------------------------------------------------------------------


def test_a_change_of_the_robustness_settings_analyses_the_latest_snapshot_again(
    evaluation, answered, coordinator, django_capture_on_commit_callbacks
):
    first = analyse(seeded(evaluation))

    with django_capture_on_commit_callbacks(execute=True):
        evaluation_update_settings(
            evaluation=evaluation, actor=coordinator, robustness_seed=7, robustness_noise_steps=2
        )

    again = RobustnessAnalysis.objects.get(pk=first.pk)
    assert again.status == Status.DONE
    assert again.settings["robustness_seed"] == 7
    assert again.data["simulation"]["noise"]["k"] == 2
    assert again.data != first.data


def test_a_change_of_a_result_setting_leaves_the_analysis_to_the_new_snapshot(
    evaluation, answered, coordinator, django_capture_on_commit_callbacks
):
    analyse(seeded(evaluation))

    with django_capture_on_commit_callbacks(execute=True):
        evaluation_update_settings(
            evaluation=evaluation, actor=coordinator, aggregation="aip", robustness_seed=8
        )

    latest = ResultSnapshot.objects.filter(evaluation=evaluation).first()
    assert latest.version == answered.version + 1
    assert latest.robustness_analysis.settings["robustness_seed"] == 8
    assert latest.robustness_analysis.status == Status.DONE


# --- real workers -----------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_analysis_worker_analyses_the_snapshot_after_the_submissions(evaluation):
    """PostgreSQL, Redis and two worker processes laid out as in production: one consuming
    the default queue (the recomputes), one the analysis queue. The ballots are submitted
    here; the recompute worker writes the snapshots and queues their analyses, which only the
    analysis worker can run."""
    from tests.faults.helpers import wait_for
    from tests.services import celery_worker, default_queue_worker

    with (
        default_queue_worker(robustness=True),
        celery_worker(queue=service.QUEUE, robustness=True),
    ):
        open_for_ballots(evaluation)
        memberships = add_experts(evaluation)
        submit_judgments(evaluation, memberships)
        submit_ratings(evaluation, memberships)

        def analysed() -> bool:
            evaluation.refresh_from_db()
            latest = ResultSnapshot.objects.filter(evaluation=evaluation).first()
            current = latest is not None and latest.version == evaluation.input_version
            row = RobustnessAnalysis.objects.filter(snapshot=latest).first() if current else None
            return row is not None and row.status == Status.DONE

        wait_for(analysed, timeout=120)

    analysis = service.analysis_latest(evaluation).analysis
    assert set(analysis.data["simulation"]) == {"noise", "bootstrap"}
    assert len(analysis.data["agreement"]["experts"]) == len(EXPERTS)
    assert analysis.compute_seconds > 0
    evaluation.refresh_from_db()
    assert evaluation.analysis_queued_at is None and evaluation.recompute_queued_at is None
