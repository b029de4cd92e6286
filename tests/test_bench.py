"""The load benchmark's arithmetic and report file handling, and (with the services) a tiny run."""

import sys

import pytest

from bench.load_bench import Post, linear_fit, submit_to_current
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
