"""Outages of the real services: Redis stopped while ballots arrive, PostgreSQL restarted.

These stop and start the machine's own Redis and PostgreSQL (as .ci/run starts them), and
always start them again, whatever happens in the test.
"""

import os
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections

from evaluations.services.pipeline import recompute_sweep
from tests.faults.helpers import (
    CONSISTENT,
    add_experts,
    form_fields,
    logged_in,
    results_current,
    wait_for,
)
from tests.services import default_queue_worker, require_services

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
               "--save", "", "--appendonly", "no"]  # fmt: skip
OUTAGE_SECONDS = float(os.environ.get("AHPANEL_REDIS_OUTAGE_SECONDS", "60"))


def redis_up() -> bool:
    ping = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"],
                          capture_output=True, text=True)  # fmt: skip
    return ping.stdout.strip() == "PONG"


def test_ballots_arriving_while_redis_is_down_are_all_saved_and_results_catch_up(
    open_panel,
    make_user,
    live_server,  # noqa: F811
):
    require_services()
    experts = add_experts(open_panel, make_user, 20)
    parents = [open_panel.indicators.get(code=code) for code in ("U", "U1", "U2", "U3")]
    browsers = {m.pk: logged_in(live_server, m.user) for m in experts}
    fields = {p.pk: form_fields(p, CONSISTENT[p.children.count()]) for p in parents}
    jobs = [(m, p) for m in experts for p in parents]  # 80 ballots
    pause = OUTAGE_SECONDS / len(jobs)

    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"],
                   capture_output=True)  # fmt: skip
    try:
        assert not redis_up()
        started = time.monotonic()
        statuses, seconds = [], []
        for n, (membership, parent) in enumerate(jobs, 1):  # spread over the outage
            url = f"/panels/{open_panel.pk}/pairwise/{parent.pk}/"
            posted = time.monotonic()
            statuses.append(browsers[membership.pk].request(url, fields[parent.pk]))
            seconds.append(time.monotonic() - posted)
            time.sleep(max(0.0, started + n * pause - time.monotonic()))
        outage = time.monotonic() - started
    finally:
        subprocess.run(REDIS_START, check=True, capture_output=True)
        wait_for(redis_up, timeout=30)

    back = time.monotonic()
    with default_queue_worker():
        recompute_sweep(grace=timedelta(0))  # what the scheduler does within a minute
        wait_for(lambda: results_current(open_panel), timeout=60)
    caught_up = time.monotonic() - back

    accepted = statuses.count(302)
    print(
        f"\nRedis down {outage:.0f} s: {accepted}/{len(jobs)} ballot POSTs accepted, slowest "
        f"{max(seconds):.2f} s; results current {caught_up:.1f} s after Redis returned"
    )
    assert accepted == len(jobs)
    assert max(seconds) < 5  # queueing gives up quickly; the request is not held
    assert open_panel.snapshots.latest().pairwise_ballots == len(jobs)


def postgres_cluster(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        capture_output=True,
    )


def status_of(url: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def test_a_postgresql_restart_gives_clear_503s_and_the_app_recovers_by_itself(live_server):
    require_services()
    health = f"{live_server.url}/healthz"
    assert status_of(health)[0] == 200

    postgres_cluster("stop")
    try:
        with ThreadPoolExecutor(4) as pool:
            during = list(pool.map(status_of, [health] * 8))
    finally:
        postgres_cluster("start")
    recovered = wait_for(lambda: status_of(health)[0] == 200, timeout=60)
    connections.close_all()  # this thread's connection died with the server too

    slowest = max(seconds for _status, seconds in during)
    print(
        f"\nwhile PostgreSQL was down: statuses {sorted({s for s, _ in during})}, slowest "
        f"answer {slowest:.2f} s; healthy again {recovered:.1f} s after the restart"
    )
    assert {status for status, _seconds in during} == {503}
    assert slowest < 10  # fails fast (connect timeout 5 s), no hanging requests
