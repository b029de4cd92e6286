"""Ballot submissions under load: gunicorn, PostgreSQL, Redis and two Celery workers.

`make bench` runs it after the engine benchmark and writes its section of BENCHMARKS.md.
It creates its own database (dropped at the end), starts gunicorn and two workers on loopback
(one for the results recomputes, one for the robustness analyses, as in production),
opens an evaluation, signs experts in and has concurrent clients POST every expert's
pairwise and rating ballots through the same HTML forms a browser uses. It measures

- ballot POSTs per second and their latency (p50 / p95 / p99),
- the time from a submission to the first snapshot that includes it (p50 / p95),
- how many recomputes ran and how their time grows with the ballots they read,
- the robustness analysis (switched on): how many ran, and the final snapshot's analysis,
- after the load, on the quiet machine: the results page and the JSON export as the
  coordinator (p50 / p95), and the latest snapshot's size (bench/load_reads.py).

Scenarios: 50 experts × the 12-indicator template, and 1000 experts × a generated
100-indicator hierarchy; on demand only, 10,000 experts × that hierarchy
(`--scenario huge`, bench/load_huge.py). The section shows each figure beside the previous
run's (bench/load_figures.py) and issue 17's targets (bench/load_render.py).
"""

import argparse
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.load_render import render, summarise

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/ahpanel_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
CR_THRESHOLD = 0.1


@dataclass
class Scenario:
    name: str
    experts: int
    build: str  # "template" or "generated"
    targets: str  # whose targets apply: "small" or "large" (load_render.TARGETS)
    subjects: tuple[str, ...] = ("Enterprise A", "Enterprise B")


SCENARIOS = {
    "small": Scenario("50 experts × 12-indicator template", 50, "template", "small"),
    "large": Scenario("1000 experts × 100-indicator hierarchy", 1000, "generated", "large"),
}


@dataclass
class Post:
    path: str
    body: bytes
    cookie: str
    csrf: str
    kind: str  # "pairwise" or "rating"
    started: float = 0.0
    finished: float = 0.0
    status: int = 0


@dataclass
class Outcome:
    scenario: Scenario
    indicators: int
    matrices: int
    leaves: int
    posts: list[Post]
    polls: list[tuple[float, int, int]]  # (time, input version, latest snapshot version)
    snapshots: list[tuple[int, int, float]]  # (version, ballots read, compute seconds)
    final: dict
    settled_after: float
    extra: dict = field(default_factory=dict)


# --- environment ------------------------------------------------------------------------


def configure(database_url: str, broker_url: str) -> None:
    """Settings of the web, worker and this process: production-like, on loopback."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Keep every snapshot of the run, to count the recomputes.
        RESULT_SNAPSHOTS_KEPT="1000000",
        # The robustness analysis after each snapshot, on its own worker (the default, said
        # here so the benchmark measures it whatever the caller's environment says).
        ROBUSTNESS_ANALYSIS="1",
    )


def recreate_database(database_url: str) -> None:
    import psycopg

    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(database_url: str) -> None:
    import psycopg

    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_processes(port: int, web_workers: int) -> list[subprocess.Popen]:
    python = sys.executable
    web = subprocess.Popen(
        [python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(web_workers), "--log-level", "warning"],
        cwd=REPO,
    )  # fmt: skip
    # Production's layout (docker-compose.yml): the recomputes' worker consumes the default
    # queue, the analyses have a worker of their own.
    worker = subprocess.Popen(
        [python, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--loglevel=WARNING", "-Q", "celery", "-n", "bench@%h"],
        cwd=REPO,
    )  # fmt: skip
    analysis = subprocess.Popen(
        # At a lower CPU priority than the requests and the recomputes, as Compose gives it
        # (cpu_shares).
        ["nice", "-n", "10", python, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-Q", "analysis",
         "-n", "bench-analysis@%h"],
        cwd=REPO,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return [web, worker, analysis]
        except OSError:
            time.sleep(0.3)
    stop_processes([web, worker, analysis])
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_processes(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# --- the panel --------------------------------------------------------------------------


def generated_hierarchy(evaluation, owner) -> None:
    """U → 6 criteria → 4 sub-criteria each → 70 leaves (2 or 3 each): 100 indicators."""
    from evaluations.services import indicator_add

    root = evaluation.indicators.get(code="U")
    leaves_per_sub = _split(70, 24)  # 22 sub-criteria with 3 leaves, 2 with 2
    sub_index = 0
    for a in range(6):
        criterion = indicator_add(parent=root, actor=owner, name=f"Criterion {a + 1}")
        for b in range(4):
            name = f"Sub-criterion {a + 1}.{b + 1}"
            sub = indicator_add(parent=criterion, actor=owner, name=name)
            for c in range(leaves_per_sub[sub_index]):
                indicator_add(
                    parent=sub,
                    actor=owner,
                    name=f"Indicator {a + 1}.{b + 1}.{c + 1}",
                    recommendation=f"Strengthen indicator {a + 1}.{b + 1}.{c + 1}.",
                )
            sub_index += 1


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if n < extra else 0) for n in range(parts)]


def structure(evaluation) -> tuple[dict[int, list], list, list]:
    """The evaluation's children by parent id, its matrices' parents and its leaves."""
    indicators = list(evaluation.indicators.order_by("order", "pk"))
    children: dict[int, list] = {}
    for indicator in indicators:
        if indicator.parent_id:
            children.setdefault(indicator.parent_id, []).append(indicator)
    parents = [i for i in indicators if len(children.get(i.pk, [])) >= 2]
    leaves = [i for i in indicators if i.pk not in children]
    return children, parents, leaves


def build_panel(scenario: Scenario):
    from django.contrib.auth import get_user_model

    from evaluations.services import (
        evaluation_create_blank,
        evaluation_create_from_template,
        evaluation_transition,
    )

    owner = get_user_model().objects.create_user(f"coordinator-{scenario.experts}", password=None)
    if scenario.build == "template":
        evaluation = evaluation_create_from_template(
            owner=owner, template_key="sme-management-measures", subjects=list(scenario.subjects)
        )
    else:
        evaluation = evaluation_create_blank(
            owner=owner, title="Generated 100-indicator hierarchy", subjects=list(scenario.subjects)
        )
        generated_hierarchy(evaluation, owner)
    return evaluation_transition(evaluation=evaluation, actor=owner, action="open")


def panel_members(evaluation, count: int) -> list:
    """`count` new users on the evaluation's panel (bulk: the large panels have thousands)."""
    from django.contrib.auth import get_user_model

    from experts.models import PanelMembership

    User = get_user_model()
    prefix = f"bench{evaluation.pk}-"
    User.objects.bulk_create(User(username=f"{prefix}{n}", password="!") for n in range(count))
    users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    PanelMembership.objects.bulk_create(
        PanelMembership(evaluation=evaluation, email=f"{u.username}@example.com", user=u)
        for u in users
    )
    return users


def signed_in(users) -> list[tuple[str, str]]:
    """A session each: (session and CSRF cookie header, CSRF token)."""
    from django.conf import settings
    from django.utils.crypto import get_random_string

    from bench.load_reads import session_cookie

    identities = []
    for user in users:
        csrf = get_random_string(32)  # Django accepts an unmasked secret equal to the cookie
        cookie = f"{session_cookie(user)}; {settings.CSRF_COOKIE_NAME}={csrf}"
        identities.append((cookie, csrf))
    return identities


def consistent_tokens(children: int, rng: random.Random) -> list[str]:
    """One expert's judgments on the form's 1–9 tokens, from random weights, CR < 0.1."""
    from evaluations.engine import ahp
    from evaluations.engine.scale import snap_to_scale
    from surveys.wording import token

    while True:
        weights = [rng.uniform(1, 6) for _ in range(children)]
        values = [
            float(snap_to_scale(weights[x] / weights[y]))
            for x in range(children)
            for y in range(x + 1, children)
        ]
        matrix = np.ones((children, children))
        k = 0
        for x in range(children):
            for y in range(x + 1, children):
                matrix[x, y], matrix[y, x] = values[k], 1 / values[k]
                k += 1
        if ahp.priorities(matrix).cr < CR_THRESHOLD:
            return [token(v) for v in values]


def ballot_posts(evaluation, identities, seed: int) -> list[Post]:
    """Every expert's pairwise forms and rating ballots, in a random interleaved order."""
    from surveys.services import pair_key

    rng = random.Random(seed)
    children, parents, leaves = structure(evaluation)
    grades = list(evaluation.grades.values_list("pk", flat=True))
    subjects = list(evaluation.subjects.values_list("pk", flat=True))
    base = f"/panels/{evaluation.pk}"
    posts = []
    for cookie, csrf in identities:
        for parent in parents:
            kids = children[parent.pk]
            keys = [pair_key(r, c) for x, r in enumerate(kids) for c in kids[x + 1 :]]
            tokens = consistent_tokens(len(kids), rng)
            fields = {f"pair-{k}": t for k, t in zip(keys, tokens, strict=True)}
            body = urllib.parse.urlencode({**fields, "action": "submit"}).encode()
            posts.append(Post(f"{base}/pairwise/{parent.pk}/", body, cookie, csrf, "pairwise"))
        for subject in subjects:
            lean = rng.randrange(len(grades))  # each expert leans towards one grade
            fields = {
                f"grade-{leaf.pk}": grades[min(len(grades) - 1, max(0, lean + rng.randint(-1, 1)))]
                for leaf in leaves
            }
            body = urllib.parse.urlencode({**fields, "action": "submit"}).encode()
            posts.append(Post(f"{base}/ratings/{subject}/", body, cookie, csrf, "rating"))
    rng.shuffle(posts)
    return posts


# --- CPU use of each part ---------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, CPU seconds used, CPU seconds of its reaped children) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / TICKS
    reaped = (int(fields[13]) + int(fields[14])) / TICKS
    return int(fields[1]), own, reaped


def cpu_by_part(web_pid: int, worker_pid: int, analysis_pid: int) -> dict[str, float]:
    """CPU seconds used so far by gunicorn, the Celery workers, PostgreSQL and this process.

    Each part is a parent process and its children; a child that ended (a PostgreSQL backend
    whose connection closed) still counts, in its parent's reaped-children time.
    """
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = stat
    postmasters = set()
    for pid, (parent, _own, _reaped) in stats.items():
        try:
            command = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if command.startswith("postgres") and not (
            parent in stats
            and Path(f"/proc/{parent}/comm").exists()
            and Path(f"/proc/{parent}/comm").read_text().strip().startswith("postgres")
        ):
            postmasters.add(pid)
    roots = {
        "web": {web_pid},
        "worker": {worker_pid},
        "analysis": {analysis_pid},
        "postgres": postmasters,
    }
    parts = {}
    for part, parents in roots.items():
        parts[part] = sum(
            own + (reaped if pid in parents else 0.0)
            for pid, (parent, own, reaped) in stats.items()
            if pid in parents or parent in parents
        )
    parts["clients"] = time.process_time()  # this process: client threads and the watcher
    return parts


# --- load and observation ---------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a successful form post answers 302; that is the measured answer


def send(opener, base_url: str, post: Post) -> None:
    request = urllib.request.Request(
        base_url + post.path,
        data=post.body,
        headers={"Cookie": post.cookie, "X-CSRFToken": post.csrf, "Referer": base_url + "/"},
    )
    post.started = time.monotonic()
    try:
        with opener.open(request, timeout=60) as answer:
            post.status = answer.status
    except urllib.error.HTTPError as error:
        post.status = error.code
    except OSError:
        post.status = -1
    post.finished = time.monotonic()


def warm_up(base_url: str, posts: list[Post], clients: int) -> None:
    """GET the forms a few times per gunicorn worker, so imports and first-request set-up
    (URL conf, templates, translations) are not counted as ballot latency."""
    pages = [p.path for p in posts[: clients * 8]]

    def get(index: int) -> None:
        post = posts[index]
        request = urllib.request.Request(base_url + pages[index], headers={"Cookie": post.cookie})
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(get, range(len(pages))))


def run_load(base_url: str, posts: list[Post], clients: int) -> None:
    opener = urllib.request.build_opener(_NoRedirect())
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda p: send(opener, base_url, p), posts))


class Watcher(threading.Thread):
    """Polls the input version and the latest snapshot version every `interval` seconds."""

    def __init__(self, evaluation_id: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.evaluation_id = evaluation_id
        self.interval = interval
        self.polls: list[tuple[float, int, int]] = []
        self.stopping = threading.Event()

    def poll(self) -> tuple[float, int, int]:
        from django.db.models import Max

        from evaluations.models import Evaluation

        row = (
            Evaluation.objects.filter(pk=self.evaluation_id)
            .annotate(latest=Max("snapshots__version"))
            .values_list("input_version", "latest")
            .get()
        )
        return time.monotonic(), row[0], row[1] if row[1] is not None else -1

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stopping.is_set():
                self.polls.append(self.poll())
                time.sleep(self.interval)
        finally:
            connection.close()


def run_scenario(
    scenario: Scenario, base_url: str, clients: int, seed: int, processes: list, web_workers: int
) -> Outcome:
    from bench.load_reads import read_figures, snapshot_size
    from evaluations.models import Evaluation, ResultSnapshot

    print(f"== {scenario.name}: building the panel", flush=True)
    evaluation = build_panel(scenario)
    identities = signed_in(panel_members(evaluation, scenario.experts))
    posts = ballot_posts(evaluation, identities, seed)
    indicators = evaluation.indicators.count() - 1  # the goal U is not an indicator
    matrices = len({p.path for p in posts if p.kind == "pairwise"})
    leaves = evaluation.indicators.filter(children__isnull=True).count()
    print(f"   {len(posts)} ballots to post with {clients} clients", flush=True)

    warm_up(base_url, posts, clients)
    watcher = Watcher(evaluation.pk)
    watcher.start()
    pids = [process.pid for process in processes]
    cpu_before = cpu_by_part(*pids)
    started = time.monotonic()
    run_load(base_url, posts, clients)
    load_done = time.monotonic()
    cpu_after = cpu_by_part(*pids)
    cpu = {part: cpu_after[part] - cpu_before[part] for part in cpu_before}
    print(f"   posted in {load_done - started:.1f} s; waiting for the results", flush=True)
    deadline = load_done + 300
    while time.monotonic() < deadline:
        evaluation.refresh_from_db()
        latest = evaluation.snapshots.order_by("-version").first()
        if latest and latest.version >= evaluation.input_version:
            break
        time.sleep(0.1)
    settled = time.monotonic() - load_done
    time.sleep(0.1)
    watcher.stopping.set()
    watcher.join()
    latest = evaluation.snapshots.order_by("-version").first()
    analysis = wait_for_analysis(evaluation, latest, since=load_done)
    snapshots = list(
        ResultSnapshot.objects.filter(evaluation=evaluation)
        .order_by("version")
        .values_list("version", "pairwise_ballots", "rating_ballots", "compute_seconds")
    )
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    print("   reading the results page and the JSON export on the quiet machine", flush=True)
    reads = read_figures(base_url, evaluation, web_workers)
    sizes = snapshot_size(latest.pk) if latest else {}
    print("   measuring recompute time on the quiet machine", flush=True)
    scaling = recompute_scaling(evaluation)
    return Outcome(
        scenario=scenario,
        indicators=indicators,
        matrices=matrices,
        leaves=leaves,
        posts=posts,
        polls=watcher.polls,
        snapshots=[(v, p + r, s) for v, p, r, s in snapshots],
        final={
            "version": latest.version if latest else None,
            "input_version": evaluation.input_version,
            "pairwise": latest.pairwise_ballots if latest else 0,
            "ratings": latest.rating_ballots if latest else 0,
            **sizes,
        },
        settled_after=settled,
        extra={
            "load_seconds": load_done - started,
            "scaling": scaling,
            "cpu": cpu,
            "analysis": analysis,
            "reads": reads,
        },
    )


def wait_for_analysis(evaluation, latest, since: float, timeout: float = 300) -> dict:
    """Wait for the final snapshot's robustness analysis; what the analyses of the run did."""
    from evaluations.models import RobustnessAnalysis

    Status = RobustnessAnalysis.Status
    row = None
    deadline = time.monotonic() + timeout
    while latest is not None and time.monotonic() < deadline:
        row = RobustnessAnalysis.objects.filter(snapshot=latest).first()
        if row is not None and row.status in (Status.DONE, Status.FAILED):
            break
        time.sleep(0.2)
    done = RobustnessAnalysis.objects.filter(evaluation=evaluation, status=Status.DONE)
    return {
        "status": row.status if row else "none",
        "seconds": row.compute_seconds if row else None,
        "after_load": time.monotonic() - since,
        "done": done.count(),
    }


def recompute_scaling(evaluation, fractions=(0.125, 0.25, 0.5, 1.0), repeats=3) -> list:
    """Recompute time on a quiet machine for growing parts of the panel.

    The ballots of experts beyond the first part are set back to drafts inside a transaction
    that is rolled back, so the recompute reads exactly that part. Returns, per part:
    (experts, ballots read, seconds to read and compute, seconds to write the snapshot).
    """
    from django.db import transaction

    from evaluations.models import ResultSnapshot
    from evaluations.services.results import panel_input, results_compute
    from surveys.models import PairwiseBallot, RatingBallot

    memberships = list(evaluation.memberships.order_by("pk").values_list("pk", flat=True))
    rows = []
    for fraction in fractions:
        part = memberships[: max(1, round(len(memberships) * fraction))]
        with transaction.atomic():
            for model in (PairwiseBallot, RatingBallot):
                model.objects.filter(membership__evaluation=evaluation).exclude(
                    membership__in=part
                ).update(status="draft", submitted_at=None)
            best_compute = best_write = float("inf")
            for attempt in range(repeats):
                started = time.perf_counter()
                data = panel_input(evaluation=evaluation)
                results = results_compute(data)
                computed = time.perf_counter()
                ResultSnapshot.objects.create(
                    evaluation=evaluation, version=10**9 + attempt, data=results
                )
                best_compute = min(best_compute, computed - started)
                best_write = min(best_write, time.perf_counter() - computed)
            ballots = len(data.pairwise) + len(data.ratings)
            transaction.set_rollback(True)
        rows.append((len(part), ballots, best_compute, best_write))
    return rows


# --- versions and the command line -----------------------------------------------------


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def redis_version() -> str:
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.CELERY_BROKER_URL).info()["redis_version"]


def arguments(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario", choices=[*SCENARIOS, "all", "huge"], default="all",
        help="all = small and large (make bench); huge = 10,000 experts, on demand only",
    )  # fmt: skip
    parser.add_argument("--experts", type=int, help="override the scenario's panel size")
    parser.add_argument(
        "--http-experts", type=int, default=6,
        help="huge scenario: experts whose ballots are POSTed over HTTP after the bulk insert",
    )  # fmt: skip
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE,
        help="created at the start and dropped at the end: name one of the run's own",
    )  # fmt: skip
    parser.add_argument("--broker-url", default=DEFAULT_BROKER)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--output", type=Path)
    return parser.parse_args(argv)


def prepare(args) -> None:
    """A fresh database with the schema and static files, and an empty broker."""
    configure(args.database_url, args.broker_url)
    recreate_database(args.database_url)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    args.versions = {"postgres": postgres_version(), "redis": redis_version()}
    redis.Redis.from_url(args.broker_url).flushdb()


def scenarios_chosen(args) -> list[Scenario]:
    chosen = [SCENARIOS[key] for key in (SCENARIOS if args.scenario == "all" else [args.scenario])]
    if not args.experts:
        return chosen
    return [
        Scenario(
            f"{args.experts} experts × {s.name.split('× ')[1]}", args.experts, s.build, s.targets
        )
        for s in chosen
    ]


def run_load_scenarios(args) -> list[Outcome]:
    processes = start_processes(args.port, args.web_workers)
    outcomes = []
    try:
        for scenario in scenarios_chosen(args):
            base_url = f"http://127.0.0.1:{args.port}"
            outcome = run_scenario(
                scenario, base_url, args.clients, args.seed, processes, args.web_workers
            )
            print("  ", summarise(outcome), flush=True)
            outcomes.append(outcome)
    finally:
        stop_processes(processes)
    return outcomes


def write_report(args, key: str, report: str) -> None:
    if args.output:
        from bench.report import write_section

        write_section(args.output, key, report)
    sys.stdout.write(report)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    # The figures the section shows as "before": read before anything overwrites them.
    text = args.output.read_text(encoding="utf-8") if args.output and args.output.exists() else ""
    prepare(args)
    began = time.monotonic()
    try:
        if args.scenario == "huge":
            from bench.load_huge import render_huge, run_huge

            huge = run_huge(args)
        else:
            outcomes = run_load_scenarios(args)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)
    seconds = time.monotonic() - began
    if args.scenario == "huge":
        write_report(args, "huge", render_huge(huge, args, seconds, text))
        if huge["http"]["errors"] or not huge["complete"]:
            raise SystemExit("some ballots were refused or missing from the final snapshot")
        return
    write_report(args, "load", render(outcomes, args, seconds, text))
    summaries = [summarise(outcome) for outcome in outcomes]
    if not all(s["complete"] and not s["errors"] for s in summaries):
        raise SystemExit("some ballots were refused or missing from the final snapshot")


if __name__ == "__main__":
    main()
