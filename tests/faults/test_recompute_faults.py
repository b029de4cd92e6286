"""Fault tests of the recompute pipeline on real PostgreSQL, Redis and worker processes.

The race and coalescing tests run twice (the `stack` fixture, tests/faults/stack.py): on
one host (the live server, one worker) and on two (two gunicorn masters, two workers on the
default queue and the analysis queue's worker). Each prints its figures (run pytest with -s
to see them) and is bounded in time: a hang fails the test (pytest-timeout), whose processes
are stopped all the same.
"""

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from evaluations.models import Evaluation, ResultSnapshot
from evaluations.results.experts import with_experts
from evaluations.services.pipeline import COALESCE_SECONDS, recompute_sweep
from evaluations.services.results import panel_input, results_compute
from surveys.models import PairwiseBallot
from surveys.services import pairwise_ballot_save
from tests.faults.helpers import (
    CONSISTENT,
    add_experts,
    form_fields,
    logged_in,
    results_current,
    wait_for,
    written_versions,
)
from tests.faults.stack import recompute_tasks
from tests.results_equal import assert_same
from tests.services import default_queue_worker

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(900),
]


def test_parallel_submissions_of_the_same_ballot_leave_one_current_ballot_and_no_500(
    open_panel, make_user, stack
):
    (membership,) = add_experts(open_panel, make_user, 1)
    u1 = open_panel.indicators.get(code="U1")
    browsers = stack.sign_in(membership.user)
    url = f"/panels/{open_panel.pk}/pairwise/{u1.pk}/"
    rounds, parallel = 50, 20
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(round_number: int, request_number: int) -> None:
        tokens = CONSISTENT[4] if round_number % 2 else ["3", "4", "8", "2", "4", "2"]
        browser = browsers[request_number % len(browsers)]  # the hosts in turn
        status = browser.request(url, form_fields(u1, tokens))
        with lock:
            statuses.append(status)

    started = time.monotonic()
    with stack.workers(), ThreadPoolExecutor(parallel) as pool:
        for round_number in range(rounds):
            list(pool.map(submit, [round_number] * parallel, range(parallel)))
    seconds = time.monotonic() - started

    print(
        f"\n{stack.name}: {len(statuses)} submissions in {seconds:.1f} s; "
        f"statuses {sorted(set(statuses))}"
    )
    assert len(statuses) == rounds * parallel
    assert set(statuses) <= {302, 400}  # 400: the inconsistent variant under the block policy
    assert 500 not in statuses
    assert PairwiseBallot.objects.filter(membership=membership, parent=u1).count() == 1


def test_two_hundred_ballots_within_ten_seconds_all_reach_the_final_snapshot(
    open_panel, make_user, stack
):
    experts = add_experts(open_panel, make_user, 50)
    parents = [open_panel.indicators.get(code=code) for code in ("U", "U1", "U2", "U3")]
    browsers = {m.pk: stack.sign_in(m.user) for m in experts}
    jobs = list(enumerate((m, parent) for m in experts for parent in parents))  # 200 ballots

    fields = {
        parent.pk: form_fields(parent, CONSISTENT[parent.children.count()]) for parent in parents
    }

    def submit(job) -> int:
        number, (membership, parent) = job
        url = f"/panels/{open_panel.pk}/pairwise/{parent.pk}/"
        browser = browsers[membership.pk][number % len(stack.hosts)]  # the hosts in turn
        return browser.request(url, fields[parent.pk])

    latest_seen: list[int] = []

    def final_snapshot_has_all():
        latest = ResultSnapshot.objects.filter(evaluation=open_panel).order_by("-version")
        if latest.exists():
            latest_seen.append(latest.first().version)
        return latest.exists() and latest.first().pairwise_ballots == 200

    with stack.workers():
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(submit, jobs))
        posting = time.monotonic() - started
        waited = wait_for(final_snapshot_has_all, timeout=120)
        wait_for(lambda: stack.analysis_settled(open_panel), timeout=180)

    tasks = recompute_tasks(stack.worker_logs)
    versions = written_versions(open_panel)
    print(
        f"\n{stack.name}: 200 ballots posted in {posting:.1f} s; final snapshot {waited:.1f} s "
        f"later; {len(versions)} snapshots; {tasks.summary()}"
    )
    assert statuses == [302] * 200
    open_panel.refresh_from_db()
    assert open_panel.snapshots.latest().version == open_panel.input_version == 200
    # One recompute per burst: a task is queued only once the previous one has started,
    # at least COALESCE_SECONDS after it was queued (its countdown), whichever host or
    # worker the submissions and the tasks went to.
    assert tasks.queued <= posting / COALESCE_SECONDS + 2, tasks.summary()
    assert len(versions) < 200 / 4  # bursts coalesce
    # Versions only go up: as polled, and in the order the snapshots were written.
    assert latest_seen == sorted(latest_seen)
    assert versions == sorted(set(versions)), versions
    assert sorted(sum(tasks.written.values(), [])) == versions  # each by one task


def test_recomputes_run_in_parallel_and_out_of_order_give_one_snapshot_per_version(
    open_panel, make_user, stack
):
    experts = add_experts(open_panel, make_user, 6)
    u1 = open_panel.indicators.get(code="U1")
    for membership in experts:
        fields = form_fields(u1, CONSISTENT[4])
        judgments = {
            k.removeprefix("pair-"): {"value": float(v)}
            for k, v in fields.items()
            if k.startswith("pair-")
        }
        pairwise_ballot_save(membership=membership, parent=u1, judgments=judgments, submit=True)
    expected = results_compute(panel_input(evaluation=open_panel))
    versions_seen = []

    # Starting the workers empties the queues: the ballots' own recompute is dropped, and the
    # runs below race only with each other.
    with stack.workers():
        for parallel in (1, 2, 5):
            Evaluation.objects.filter(pk=open_panel.pk).update(input_version=100 + parallel)
            ran = stack.recompute_in_parallel(open_panel.pk, parallel)
            written = [version for version in ran if version is not None]
            assert written == [100 + parallel]  # exactly one of the parallel runs writes
            versions_seen.append(open_panel.snapshots.latest().version)

        # A late run of an older version changes nothing.
        Evaluation.objects.filter(pk=open_panel.pk).update(input_version=50)
        assert stack.recompute_in_parallel(open_panel.pk, 1) == [None]

    tasks = recompute_tasks(stack.worker_logs)
    print(
        f"\n{stack.name}: latest versions after 1, 2 and 5 parallel runs: {versions_seen}; "
        f"{tasks.summary()}"
    )
    assert versions_seen == sorted(versions_seen)
    for snapshot in open_panel.snapshots.all():
        # As stored, with each expert's own figures read back from the ballots' shares.
        assert_same(with_experts(snapshot), expected)
    versions = written_versions(open_panel)
    assert versions == sorted(set(versions)), versions
    assert versions == [101, 102, 105]


def test_a_worker_killed_mid_burst_is_healed_by_the_sweep_without_partial_snapshots(
    open_panel, make_user, live_server
):
    experts = add_experts(open_panel, make_user, 30)
    parents = [open_panel.indicators.get(code=code) for code in ("U", "U1", "U2", "U3")]
    browsers = {m.pk: logged_in(live_server, m.user) for m in experts}
    fields = {p.pk: form_fields(p, CONSISTENT[p.children.count()]) for p in parents}
    jobs = [(m, p) for m in experts for p in parents]  # 120 ballots

    def submit(job) -> int:
        membership, parent = job
        url = f"/panels/{open_panel.pk}/pairwise/{parent.pk}/"
        return browsers[membership.pk].request(url, fields[parent.pk])

    with default_queue_worker() as (worker, _queue):
        with ThreadPoolExecutor(4) as pool:
            results = pool.map(submit, jobs)
            time.sleep(1.0)
            worker.send_signal(signal.SIGKILL)  # in the middle of the burst
            statuses = list(results)
    assert statuses == [302] * len(jobs)  # every ballot was accepted

    killed_at = time.monotonic()
    with default_queue_worker():
        # What the scheduler's sweep does every minute (grace 0: no waiting here).
        recompute_sweep(grace=timedelta(0))
        wait_for(lambda: results_current(open_panel), timeout=90)
        healed = time.monotonic() - killed_at

    latest = open_panel.snapshots.latest()
    versions = list(open_panel.snapshots.values_list("version", flat=True))
    print(f"\nworker killed mid-burst; results current {healed:.1f} s later; versions {versions}")
    assert latest.pairwise_ballots == len(jobs)  # complete, not partial
    assert len(versions) == len(set(versions))
