"""What one ballot POST costs the web process: CPU milliseconds and database queries.

`python -m bench.post_profile` builds an opened panel (the SME template, two subjects) in a
throwaway SQLite database and sends, through Django's test client, every expert's first
submission and then a revision of four kinds of ballot:

- html-pairwise: the pairwise form (POST, action=submit, CSRF checked), a 302 to the next form;
- html-rating: the rating form, the same way;
- api-pairwise: PUT /api/v1/panels/{id}/pairwise/{parent}/ with an API token, submit true;
- api-ratings: PUT /api/v1/panels/{id}/ratings/{subject}/, the same way.

CPU is time.process_time around each POST (this process runs the client, Django and SQLite,
so SQLite's work counts too), reported as the mean and the median of the phase's POSTs (the
median is steadier on a busy machine; the mean includes the odd pause: the garbage collector,
a neighbour's burst).
The queries are counted with CaptureQueriesContext, and the Python function calls with
cProfile (a measure of the work that a busy machine does not blur), on other experts of the
same panel, so the counting does not slow the timed POSTs.

Settings are production's (DEBUG off, tasks queued after commit) minus the broker: the
recompute is switched off as tests/evaluations/test_pipeline.py does it, by replacing the
task's apply_async. The claim (the conditional UPDATE that coalesces a burst's
recomputes) still runs on every submission; the first claims and "queues" (the call is
recorded, nothing runs), the later ones find the claim taken, as in a burst under load. The
robustness analysis is off (it follows a recompute only).

`--profile KIND` runs cProfile over that kind's first submissions and prints where the time
goes; `--queries` prints one POST's queries of each kind and phase.

The test client leaves out what gunicorn and PostgreSQL add (HTTP parsing, psycopg, the
database's own CPU, connection health checks): bench/load_bench.py measures those, under load.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

KINDS = ["html-pairwise", "html-rating", "api-pairwise", "api-ratings"]
COUNTED = 5  # experts whose POSTs are counted (queries), apart from the timed ones
WARM_UP = 3  # experts whose POSTs load templates, URL patterns and translations first


def configure(folder: Path) -> None:
    """Django on a new SQLite file in `folder`, migrated, with production's switches."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{folder / 'post.sqlite3'}",
        DEBUG="0",
        SECRET_KEY="post-profile-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        CELERY_BROKER_URL="",
        ROBUSTNESS_ANALYSIS="0",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def recompute_switched_off() -> list:
    """Replace the recompute task's queueing by a recorder; returns the recorded calls."""
    from evaluations import tasks

    queued: list = []
    tasks.recompute_results.apply_async = lambda args, countdown: queued.append(args)
    return queued


@dataclass
class Expert:
    user: object
    csrf: str
    session: str
    token: str


@dataclass
class Panel:
    evaluation: object
    html_parent: object  # the pairwise form's parent
    api_parent: object  # another parent of the same size, for the API
    leaves: list
    grades: list
    subjects: list
    experts: list


def build_panel(experts: int) -> Panel:
    """An opened SME-template panel with `experts` signed-in experts, each with an API token."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.crypto import get_random_string

    from evaluations.services import evaluation_create_from_template, evaluation_transition
    from experts.models import PanelMembership
    from experts.tokens import api_token_create

    User = get_user_model()
    owner = User.objects.create_user("coordinator", password=None)
    evaluation = evaluation_create_from_template(
        owner=owner,
        template_key="sme-management-measures",
        subjects=["Enterprise A", "Enterprise B"],
    )
    evaluation = evaluation_transition(evaluation=evaluation, actor=owner, action="open")
    indicators = list(evaluation.indicators.order_by("order", "pk").prefetch_related("children"))
    parents = [i for i in indicators if len(i.children.all()) >= 2]
    by_size = sorted(parents, key=lambda p: -len(p.children.all()))
    html_parent, api_parent = by_size[0], by_size[1]
    leaves = [i for i in indicators if not i.children.all()]
    crowd = []
    for n in range(experts):
        user = User.objects.create_user(f"expert{n}", password=None)
        PanelMembership.objects.create(evaluation=evaluation, email=f"e{n}@example.com", user=user)
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        _token, secret = api_token_create(user=user, name="bench", read_only=False)
        crowd.append(Expert(user, get_random_string(32), session.session_key, secret))
    return Panel(
        evaluation=evaluation,
        html_parent=html_parent,
        api_parent=api_parent,
        leaves=leaves,
        grades=list(evaluation.grades.values_list("pk", flat=True)),
        subjects=list(evaluation.subjects.values_list("pk", flat=True)),
        experts=crowd,
    )


def judgments(parent, rng: random.Random) -> list[tuple[str, str, str]]:
    """(row code, col code, token) of consistent judgments (CR < 0.1) of the parent's children."""
    from bench.load_bench import consistent_tokens

    kids = list(parent.children.all())
    tokens = iter(consistent_tokens(len(kids), rng))
    return [(row, col, next(tokens)) for x, row in enumerate(kids) for col in kids[x + 1 :]]


class Poster:
    """The four kinds of POST of one panel, each a function of (expert, rng)."""

    def __init__(self, panel: Panel):
        from django.conf import settings
        from django.test import Client

        self.panel = panel
        self.csrf_cookie = settings.CSRF_COOKIE_NAME
        self.session_cookie = settings.SESSION_COOKIE_NAME
        # One client for the pages, one for the API: each POST comes with its expert's
        # cookies or token only, and the middleware is loaded once (a new client loads it).
        self.pages = Client(enforce_csrf_checks=True)
        self.api_client = Client()
        self.base = f"/panels/{panel.evaluation.pk}"
        self.api = f"/api/v1/panels/{panel.evaluation.pk}"

    def browser(self, expert: Expert):
        """The pages' client with this expert's cookies only (as their own browser)."""
        self.pages.cookies.clear()
        self.pages.cookies[self.session_cookie] = expert.session
        self.pages.cookies[self.csrf_cookie] = expert.csrf
        return self.pages

    def _form(self, expert: Expert, path: str, fields: dict):
        body = urlencode({**fields, "action": "submit", "csrfmiddlewaretoken": expert.csrf})
        response = self.browser(expert).post(
            path, body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 302, (path, response.status_code, response.content[:500])

    def _put(self, expert: Expert, path: str, data: dict):
        response = self.api_client.put(
            path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {expert.token}"
        )
        assert response.status_code == 200, (path, response.status_code, response.content[:500])

    def html_pairwise(self, expert: Expert, rng: random.Random) -> None:
        parent = self.panel.html_parent
        fields = {f"pair-{r.pk}-{c.pk}": t for r, c, t in judgments(parent, rng)}
        self._form(expert, f"{self.base}/pairwise/{parent.pk}/", fields)

    def html_rating(self, expert: Expert, rng: random.Random) -> None:
        grades = self.panel.grades
        fields = {f"grade-{leaf.pk}": rng.choice(grades) for leaf in self.panel.leaves}
        self._form(expert, f"{self.base}/ratings/{self.panel.subjects[0]}/", fields)

    def api_pairwise(self, expert: Expert, rng: random.Random) -> None:
        parent = self.panel.api_parent
        items = [{"row": r.code, "col": c.code, "value": t} for r, c, t in judgments(parent, rng)]
        self._put(expert, f"{self.api}/pairwise/{parent.pk}/", {"judgments": items, "submit": True})

    def api_ratings(self, expert: Expert, rng: random.Random) -> None:
        grades = self.panel.grades
        items = [
            {"indicator": leaf.code, "grade": rng.choice(grades)} for leaf in self.panel.leaves
        ]
        path = f"{self.api}/ratings/{self.panel.subjects[1]}/"
        self._put(expert, path, {"ratings": items, "submit": True})

    def post(self, kind: str):
        return getattr(self, kind.replace("-", "_"))


@dataclass
class Figure:
    kind: str
    phase: str  # "first" submission or "revision"
    cpu_ms: float  # mean
    median_ms: float
    queries: int
    calls: int  # Python function calls
    posts: int


def timed(post, experts, rng, profiler=None) -> list[float]:
    """CPU milliseconds of each POST over these experts."""
    if profiler is not None:
        profiler.enable()
    times = []
    for expert in experts:
        started = time.process_time()
        post(expert, rng)
        times.append((time.process_time() - started) * 1000)
    if profiler is not None:
        profiler.disable()
    return times


def counted(post, experts, rng, show: str = "") -> tuple[int, int]:
    """The median numbers of queries and of Python function calls per POST over these experts
    (`show`: print the last one's queries). The calls, counted by cProfile, are a measure of
    the work that a busy machine does not blur."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, calls = [], []
    for expert in experts:
        profiler = cProfile.Profile()
        with CaptureQueriesContext(connection) as queries:
            profiler.enable()
            post(expert, rng)
            profiler.disable()
        counts.append(len(queries))
        calls.append(pstats.Stats(profiler).total_calls)
    if show:
        print(f"--- queries of one {show} ---", file=sys.stderr)
        for query in queries.captured_queries:
            print(f"  {query['sql'][:300]}", file=sys.stderr)
    return int(statistics.median(counts)), int(statistics.median(calls))


def measure(poster: Poster, posts: int, profile: str | None, show: bool) -> list[Figure]:
    experts = poster.panel.experts
    warm, timed_set = experts[:WARM_UP], experts[WARM_UP : WARM_UP + posts]
    counted_set = experts[WARM_UP + posts :]
    figures = []
    for kind in KINDS:
        post = poster.post(kind)
        rng = random.Random(kind)
        for expert in warm:  # first submission and revision, not measured
            post(expert, rng)
            post(expert, rng)
        for phase in ("first", "revision"):
            profiler = cProfile.Profile() if profile == kind and phase == "first" else None
            cpu = timed(post, timed_set, rng, profiler)
            queries, calls = counted(post, counted_set, rng, f"{kind} {phase}" if show else "")
            mean, median = statistics.fmean(cpu), statistics.median(cpu)
            figures.append(Figure(kind, phase, mean, median, queries, calls, len(timed_set)))
            if profiler is not None:
                show_profile(profiler, kind)
    return figures


def show_profile(profiler: cProfile.Profile, kind: str) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    print(f"--- cProfile of {kind}, first submissions ---\n{out.getvalue()}", file=sys.stderr)


def report(figures: list[Figure]) -> str:
    lines = [
        "| POST | phase | CPU ms / POST, mean | median | queries / POST | Python calls / POST |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for f in figures:
        lines.append(
            f"| {f.kind} | {f.phase} | {f.cpu_ms:.2f} | {f.median_ms:.2f} | {f.queries} "
            f"| {f.calls:,} |"
        )
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=60, help="timed POSTs per kind and phase")
    parser.add_argument("--profile", choices=KINDS, help="cProfile this kind's first POSTs")
    parser.add_argument("--queries", action="store_true", help="print one POST's queries")
    args = parser.parse_args(argv)
    # DEBUG off reads static files from STATIC_ROOT, which a checkout has not collected.
    warnings.filterwarnings("ignore", message="No directory at")
    with tempfile.TemporaryDirectory(prefix="post-profile-") as folder:
        configure(Path(folder))
        queued = recompute_switched_off()
        panel = build_panel(WARM_UP + args.posts + COUNTED)
        figures = measure(Poster(panel), args.posts, args.profile, args.queries)
        print(report(figures))
        print(
            f"\n{len(queued)} recompute(s) queued (recorded, not run); "
            f"Python {sys.version.split()[0]}"
        )


if __name__ == "__main__":
    main()
