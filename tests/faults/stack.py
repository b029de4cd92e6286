"""Where the fault tests send their ballots and run their recomputes.

"one host": pytest-django's live server in the test process and one worker, as on a laptop.
"two hosts": two gunicorn masters on two loopback ports (two web hosts behind a balancer),
two worker processes on the default queue and one on the analysis queue, as when the users
outgrow one machine (issue 17), against the same PostgreSQL and Redis.

The race and coalescing tests take a stack as a parameter: what they check of one process
(one recompute per burst, versions that only go up) must hold across processes, where only
the database's row locks and conditional updates keep the requests and workers in step.
"""

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app
from evaluations.models import RobustnessAnalysis
from evaluations.services.results import results_recompute
from evaluations.tasks import recompute_results
from tests.conftest import PASSWORD
from tests.faults.helpers import logged_in
from tests.services import Browser, celery_worker, default_queue_worker, gunicorn_server

# Every snapshot kept, so the tests can check the order they were written in.
KEEP_EVERY_SNAPSHOT = {"RESULT_SNAPSHOTS_KEPT": "1000000"}
# A task that runs this long has hung: the test fails instead of waiting.
TASK_TIMEOUT = 120

_RECEIVED = re.compile(r"Task evaluations\.recompute_results\[([0-9a-f-]+)\] received")
_SUCCEEDED = re.compile(
    r"Task evaluations\.recompute_results\[([0-9a-f-]+)\] succeeded in [^:]+: (\w+)"
)


@dataclass
class RecomputeTasks:
    """What the workers' logs say of the recompute tasks: which worker received which, and
    the versions written (a task that found nothing newer returns None)."""

    received: dict[str, set[str]] = field(default_factory=dict)  # worker log → task ids
    written: dict[str, list[int]] = field(default_factory=dict)  # worker log → versions

    @property
    def queued(self) -> int:
        """Distinct tasks: a retried task is received again under the same id."""
        return len(set().union(*self.received.values()))

    def summary(self) -> str:
        per_worker = ", ".join(
            f"{name}: {len(ids)} run, {len(self.written[name])} wrote"
            for name, ids in sorted(self.received.items())
        )
        return f"{self.queued} recompute tasks ({per_worker})"


def recompute_tasks(logs: list[Path]) -> RecomputeTasks:
    tasks = RecomputeTasks()
    for log in logs:
        text = log.read_text() if log.exists() else ""
        tasks.received[log.stem] = set(_RECEIVED.findall(text))
        tasks.written[log.stem] = [
            int(value) for _, value in _SUCCEEDED.findall(text) if value != "None"
        ]
    return tasks


class OneHost:
    name = "one host"

    def __init__(self, live_server, logs: Path):
        self.hosts = [live_server]
        self.logs = logs
        self.worker_logs = [logs / "worker-0.log"]

    def sign_in(self, user) -> list[Browser]:
        """A session made in the database, as the fault tests always had."""
        return [logged_in(self.hosts[0], user)]

    @contextmanager
    def workers(self) -> Iterator[None]:
        with default_queue_worker(logfile=self.worker_logs[0]):
            yield

    def recompute_in_parallel(self, evaluation_id: int, parallel: int) -> list[int | None]:
        """`parallel` recomputes at once, in threads of the test process."""

        def run(_):
            try:
                snapshot = results_recompute(evaluation_id=evaluation_id)
                return snapshot.version if snapshot else None
            finally:
                connection.close()  # each thread's own connection

        with ThreadPoolExecutor(parallel) as pool:
            return list(pool.map(run, range(parallel)))

    def analysis_settled(self, evaluation) -> bool:
        return True  # no analyses here (ROBUSTNESS_ANALYSIS off in the test worker)


class TwoHosts:
    name = "two hosts"

    def __init__(self, hosts: list, logs: Path):
        self.hosts = hosts
        self.logs = logs
        self.worker_logs = [logs / "worker-0.log", logs / "worker-1.log"]

    def sign_in(self, user) -> list[Browser]:
        """Signed in through the sign-in form of the first host; the same session cookie then
        goes to each host in turn (sessions live in the database, signed with SECRET_KEY).
        One browser per host: the hosts' CSRF cookies are their own."""
        first = Browser(self.hosts[0].url, session_key="")
        first.request("/accounts/login/")  # the CSRF cookie
        status = first.request(
            "/accounts/login/", {"username": user.get_username(), "password": PASSWORD}
        )
        assert status == 302, f"signing {user} in answered {status}"
        session = {c.name: c.value for c in first.jar}[settings.SESSION_COOKIE_NAME]
        browsers = [first]
        for host in self.hosts[1:]:
            browser = Browser(host.url, session_key=session)
            browser.request("/panels/")  # the CSRF cookie
            browsers.append(browser)
        return browsers

    @contextmanager
    def workers(self) -> Iterator[None]:
        """Two workers on the default queue and the analysis queue's worker; all stopped (and
        waited for) on exit, whatever happens in between."""
        app.control.purge()  # both queues: earlier runs' leftovers
        with ExitStack() as running:
            for log in self.worker_logs:
                running.enter_context(
                    celery_worker(
                        queue=app.conf.task_default_queue,
                        robustness=True,
                        logfile=log,
                        env=KEEP_EVERY_SNAPSHOT,
                    )
                )
            running.enter_context(
                celery_worker(
                    queue="analysis",
                    robustness=True,
                    logfile=self.logs / "analysis.log",
                    env=KEEP_EVERY_SNAPSHOT,
                )
            )
            yield

    def recompute_in_parallel(self, evaluation_id: int, parallel: int) -> list[int | None]:
        """`parallel` recompute tasks sent at once, for the two workers to race on."""
        sent = [
            recompute_results.apply_async((evaluation_id,), ignore_result=False)
            for _ in range(parallel)
        ]
        return [result.get(timeout=TASK_TIMEOUT) for result in sent]

    def analysis_settled(self, evaluation) -> bool:
        """Whether the analysis worker finished the latest snapshot's robustness analysis."""
        latest = evaluation.snapshots.latest()
        if not latest.data.get("ranking"):
            return True  # no subject rated: nothing to analyse (robustness/analysis.py)
        finished = (RobustnessAnalysis.Status.DONE, RobustnessAnalysis.Status.UNAVAILABLE)
        return RobustnessAnalysis.objects.filter(snapshot=latest, status__in=finished).exists()


@contextmanager
def two_hosts(logs: Path) -> Iterator[TwoHosts]:
    """Two gunicorn masters of two processes each; both stopped on exit, whatever happens."""
    with ExitStack() as running:
        hosts = [
            running.enter_context(gunicorn_server(workers=2, logfile=logs / f"gunicorn-{n}.log"))
            for n in range(2)
        ]
        yield TwoHosts(hosts, logs)
