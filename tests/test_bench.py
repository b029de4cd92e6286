"""The load benchmark's arithmetic, its sections and their previous figures, the report file
handling, and (with the services) tiny runs of the load and of the on-demand huge panel."""

import sys
from types import SimpleNamespace

import pytest

from bench.load_bench import SCENARIOS, Outcome, Post
from bench.load_figures import (
    SEED,
    both,
    figures_comment,
    linear_fit,
    previous_figures,
    submit_to_current,
)
from bench.load_huge import huge_figures, render_huge
from bench.load_render import render, target_checks
from bench.report import write_section
from tests.conftest import REPO_ROOT


def post(started: float, finished: float, status: int = 302) -> Post:
    return Post("/", b"", "", "", "pairwise", started=started, finished=finished, status=status)


def test_submit_to_current_waits_for_the_first_snapshot_reaching_the_ballots_version():
    polls = [
        # (time, input version, latest snapshot version)
        (0.00, 0, -1),
        (0.10, 1, -1),  # first poll after the first POST's answer: its version is ≤ 1
        (0.20, 2, -1),
        (0.50, 2, 1),  # snapshot 1 includes the first POST
        (0.90, 3, 2),  # snapshot 2 includes the second
        (1.30, 3, 3),
    ]
    posts = [post(0.00, 0.05), post(0.12, 0.15), post(0.60, 0.70), post(0.2, 0.3, status=400)]

    seconds = submit_to_current(posts, polls)

    assert seconds == pytest.approx([0.50, 0.78, 0.70])  # the refused POST is not counted


def test_linear_fit_recovers_slope_and_intercept():
    points = [(n, 0.2 + 0.0001 * n) for n in [100, 1000, 5000, 20000]]

    a, b, r2 = linear_fit(points)

    assert (a, b, r2) == pytest.approx((0.2, 0.0001, 1.0))
    assert linear_fit(points[:2]) is None  # too few points to say anything


def test_each_benchmark_replaces_only_its_own_section(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    write_section(path, "engine", "## Engine\nfirst")
    write_section(path, "load", "## Load\nfirst")
    write_section(path, "engine", "## Engine\nsecond")

    text = path.read_text()
    assert text.startswith("# Benchmarks\n")
    assert "second" in text and text.count("## Engine") == 1
    assert "## Load\nfirst" in text
    assert text.index("## Engine") < text.index("## Load")  # order kept


def test_both_shows_the_previous_figure_in_brackets_when_there_is_one():
    assert both(130.4, 85, ".0f") == "130 (85)"
    assert both(0.25e6, 7.7e6, ".2f", 1e6) == "0.25 (7.70)"
    assert both(130.4, None, ".0f") == "130"
    assert both(None, 85, ".0f") == "–"  # nothing measured now: no comparison either
    assert both(float("nan"), 85, ".0f") == "–"


def _section(key: str, body: str) -> str:
    return f"# Benchmarks\n\n<!-- bench:{key} -->\n{body}\n<!-- /bench:{key} -->\n"


def test_previous_figures_come_from_the_sections_comment_or_else_the_seed():
    figures = {"50 experts × 12-indicator template": {"rate": 210.5, "date": "2026-12-08"}}
    with_comment = _section("load", "## Load\n| table |\n" + figures_comment("load", figures))
    without = _section("load", "## Load\n| table written before the figures were kept |")

    assert previous_figures(with_comment, "load", SEED) == figures
    assert previous_figures(without, "load", SEED) == SEED
    assert previous_figures("# Benchmarks\n", "load", SEED) == {}  # no section, no before
    assert previous_figures(with_comment, "huge") == {}  # another section's figures are not


def test_the_seed_holds_the_2026_12_03_figures_the_issue_names():
    small, large = (
        SEED["50 experts × 12-indicator template"],
        SEED["1000 experts × 100-indicator hierarchy"],
    )
    assert (small["rate"], small["p95"], small["web_cpu_ms"], small["pg_cpu_ms"]) == (
        130, 86, 11.0, 2.6,
    )  # fmt: skip
    assert (large["rate"], large["p95"], large["current_p95"]) == (85, 167, 4.95)
    assert (large["web_cpu_ms"], large["pg_cpu_ms"], large["snapshot_text"]) == (11.9, 4.4, 7.7e6)


def fake_outcome(scenario, *, seconds_per_post: float = 0.004, page_p95: float = 120.0):
    """An outcome of 100 accepted POSTs over one second, each 40 ms, current 0.5 s later."""
    posts = [
        Post("/", b"", "", "", "pairwise" if n % 2 else "rating", n / 100, n / 100 + 0.04, 302)
        for n in range(100)
    ]
    polls = [(n / 100 + 0.045, n + 1, n - 49) for n in range(200)]
    return Outcome(
        scenario=scenario, indicators=15, matrices=4, leaves=12, posts=posts, polls=polls,
        snapshots=[(1, 50, 0.05), (2, 100, 0.08)],
        final={"pairwise": 50, "ratings": 50, "snapshot_text": 400_000, "snapshot_stored": 90_000},
        settled_after=0.5,
        extra={
            "load_seconds": 1.0,
            "cpu": {"web": 100 * seconds_per_post, "worker": 0.2, "analysis": 0.1,
                    "postgres": 0.15, "clients": 0.05},
            "scaling": [(n, 10 * n, 0.001 * n, 0.0002 * n) for n in (10, 20, 40, 80)],
            "analysis": {"status": "done", "seconds": 0.2, "after_load": 1.0, "done": 2},
            "reads": {"page_p50": 80.0, "page_p95": page_p95, "page_bytes": 120_000,
                      "export_p50": 30.0, "export_p95": 45.0, "export_bytes": 60_000,
                      "reads": 20},
        },
    )  # fmt: skip


ARGS = SimpleNamespace(
    clients=8, web_workers=4, http_experts=6, versions={"postgres": "15.2", "redis": "7.0"}
)


def test_the_load_section_shows_now_beside_the_seeded_2026_12_03_figures():
    old = _section("load", "## Ballot submissions under load\n(the 2026-12-03 tables)")

    text = render([fake_outcome(SCENARIOS["small"])], ARGS, 60.0, old)

    row = next(line for line in text.splitlines() if line.startswith("| 50 experts"))
    assert "| 100 (130) | 40 (59) / 40 (86) / 40 (111) |" in row  # POSTs/s, p50 / p95 / p99
    assert "per ballot POST 4.0 (11.0) ms of gunicorn CPU and 1.5 (2.6) ms of PostgreSQL" in text
    reads = next(line for line in text.splitlines() if line.startswith("| 50 experts") and
                 "| 0.40 |" in line)  # fmt: skip
    assert "| 0.40 | 0.09 | 80 / 120 | 30 / 45 | 120 / 60 |" in reads  # no reads before: bare
    assert "previous run's (2026-12-03)" in text


def test_the_next_run_compares_itself_with_the_figures_the_last_one_wrote(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n")
    first = render([fake_outcome(SCENARIOS["small"], page_p95=120.0)], ARGS, 60.0, "")
    assert "(130)" not in first  # no section yet: nothing to compare with
    write_section(path, "load", first)

    second = render([fake_outcome(SCENARIOS["small"], page_p95=250.0)], ARGS, 60.0,
                    path.read_text())  # fmt: skip

    assert "| 80 (80) / 250 (120) |" in second  # the results page p50 / p95, now (before)


def test_a_scenario_not_run_keeps_its_previous_figures_for_the_run_after():
    old = _section("load", "## Ballot submissions under load\n(the 2026-12-03 tables)")

    text = render([fake_outcome(SCENARIOS["small"])], ARGS, 60.0, old)

    kept = previous_figures(_section("load", text), "load")
    assert (
        kept["1000 experts × 100-indicator hierarchy"]
        == SEED["1000 experts × 100-indicator hierarchy"]
    )
    assert kept["50 experts × 12-indicator template"]["rate"] == pytest.approx(100)


def test_the_targets_block_states_issue_17s_targets_for_each_panel_size():
    text = render([fake_outcome(SCENARIOS["small"]), fake_outcome(SCENARIOS["large"],
                   seconds_per_post=0.005, page_p95=350)], ARGS, 60.0, "")  # fmt: skip
    targets = text.split("### Targets", 1)[1].split("###", 1)[0]
    small, large = [line for line in targets.splitlines() if line.startswith("- ")]

    assert "≥ 200 POSTs/s: 100/s (NOT met)" in small
    assert "POST p95 < 60 ms: 40 ms (met)" in small
    assert "gunicorn CPU per POST ≤ 4 ms: 4.0 ms (met)" in small
    assert "snapshot ≤ 1 MB of JSON: 0.40 MB (met)" in small
    assert "results page p95 < 300 ms: 120 ms (met)" in small
    assert "JSON export p95 < 300 ms: 45 ms (met)" in small
    assert "≥ 150 POSTs/s: 100/s (NOT met)" in large
    assert "POST p95 < 100 ms: 40 ms (met)" in large
    assert "submit → current p95 < 2 s" in large
    assert "gunicorn CPU per POST ≤ 4 ms: 5.0 ms (NOT met)" in large
    assert "results page p95 < 300 ms: 350 ms (NOT met)" in large


def test_a_figure_not_measured_is_said_so_not_judged():
    now = {"rate": 250.0, "p95": 50.0, "current_p95": None, "web_cpu_ms": 3.0,
           "snapshot_text": 2e6, "page_p95": None, "export_p95": 10.0}  # fmt: skip

    checks = {name: ok for name, ok, _got in target_checks("small", now)}

    assert checks["submit → current p95 < 2 s"] is None
    assert checks["results page p95 < 300 ms"] is None
    assert checks["snapshot ≤ 1 MB of JSON"] is False
    assert checks["≥ 200 POSTs/s"] is True


def fake_huge(recompute_seconds=(30.5, 1.2), page_p95=600.0):
    """Figures of a run: a full recompute, then one after a ballot (recompute_seconds)."""
    return {
        "scenario": SimpleNamespace(name="10,000 experts × 100-indicator hierarchy",
                                    experts=10_000),
        "indicators": 100,
        "inserted": {"pairwise": 309_814, "ratings": 19_988, "revisions": 329_802,
                     "seconds": 120.0},
        "recomputes": [{"seconds": s, "setup_kb": 150_000, "peak_kb": 900_000 + n * 1000,
                        "ballots": 329_802, "version": n + 2, "compute_seconds": s}
                       for n, s in enumerate(recompute_seconds)],
        "sizes": {"snapshot_text": 3_000_000, "snapshot_stored": 800_000},
        "reads": {"page_p50": 400.0, "page_p95": page_p95, "page_bytes": 2_000_000,
                  "export_p50": 200.0, "export_p95": 250.0, "export_bytes": 3_000_000,
                  "reads": 20},
        "http": {"posts": 198, "accepted": 198, "errors": [], "rate": 50.0,
                 "latency": [40.0, 80.0, 90.0], "current": [5.0, 9.0, 10.0], "measured": 198,
                 "recomputes": 2, "settled": 9.0},
        "complete": True, "final_ballots": 330_000, "final_compute": 1.4,
    }  # fmt: skip


def test_the_huge_section_states_its_targets_and_notes_the_memory_peak():
    text = render_huge(fake_huge(), ARGS, 900.0, "")

    assert text.startswith("## A 10,000-expert panel (on demand)")
    # The target is the recompute after a ballot; the full one is stated beside it.
    assert "recompute after a ballot < 2 s: 1.20 s (met)" in text
    assert "results page p95 < 500 ms: 600 ms (NOT met)" in text
    assert "worker memory peak: 923 MB" in text  # 901,000 kB, as MB of 10^6 bytes
    assert "| 329,802 | 30.50 | 1.20 | 922 / 923 (923 max) | 154 | 3.00 | 0.80 |" in text
    assert "| 198 | 198 | 50 | 40 / 80 | 5.00 / 9.00 / 10.00 | 2 | yes | 1.40 |" in text


def test_the_huge_section_compares_itself_with_its_previous_run():
    old = _section("huge", render_huge(fake_huge(recompute_seconds=(40.0, 2.5)), ARGS, 900.0))

    text = render_huge(fake_huge(page_p95=450.0), ARGS, 900.0, old)

    assert "| 1.20 (2.50) |" in text
    assert "400 (400) / 450 (600)" in text
    assert huge_figures(fake_huge())["peak_mb"] == pytest.approx(901_000 * 1024 / 1e6, rel=1e-4)


@pytest.mark.services
def test_a_small_load_run_posts_every_ballot_and_reports_it(tmp_path):
    """Runs the real benchmark (own database, gunicorn, worker) with five experts."""
    import subprocess

    from tests.services import require_services

    require_services()
    output = tmp_path / "BENCHMARKS.md"
    run = subprocess.run(
        [sys.executable, "-m", "bench.load_bench", "--scenario", "small", "--experts", "5",
         "--database-url", "postgres://postgres@127.0.0.1:5432/ahpanel_bench_test",
         "--port", "8766", "--clients", "2", "--web-workers", "2", "--output", str(output)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    report = output.read_text()
    assert "| 5 experts × 12-indicator template | 15 / 4 / 12 | 30 | 30 |" in report
    assert "| yes |" in report  # the final snapshot holds all 30 ballots


@pytest.mark.services
def test_a_tiny_huge_run_inserts_in_bulk_recomputes_apart_and_posts_the_rest(tmp_path):
    """The on-demand scenario at 12 experts: 10 in bulk, 2 over HTTP (own database, port)."""
    import subprocess

    from tests.services import require_services

    require_services()
    output = tmp_path / "BENCHMARKS.md"
    run = subprocess.run(
        [sys.executable, "-m", "bench.load_bench", "--scenario", "huge", "--experts", "12",
         "--http-experts", "2",
         "--database-url", "postgres://postgres@127.0.0.1:5432/ahpanel_bench_huge_test",
         "--port", "8767", "--clients", "2", "--web-workers", "2", "--output", str(output)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip

    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    report = output.read_text()
    assert "<!-- bench:huge -->" in report
    assert "- Written in bulk: 310 pairwise and 20 rating ballots, 330 revisions" in report
    assert "| 66 | 66 |" in report  # the 2 HTTP experts' 31 matrices and 2 subjects each
    assert "| yes |" in report  # the final snapshot holds all 396 ballots
