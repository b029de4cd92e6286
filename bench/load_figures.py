"""The load benchmarks' arithmetic, and the previous run's figures kept beside the new ones.

Each written section carries its figures as JSON in an HTML comment (invisible on the page):
the next run reads them back before it overwrites the section and shows every figure as
"now (before)". A section written before the comment existed (the first run with this code)
takes its "before" from the seed below, the figures of the 2026-12-03 run as BENCHMARKS.md
stated them.
"""

import json
import math
import re
from bisect import bisect_left

import numpy as np

SMALL = "50 experts × 12-indicator template"
LARGE = "1000 experts × 100-indicator hierarchy"

# The 2026-12-03 09:49 UTC run (BENCHMARKS.md, "Ballot submissions under load"): the tables,
# the "What limits it" CPU per POST, and the large panel's snapshot (7.7 MB of JSON text).
SEED = {
    SMALL: {
        "date": "2026-12-03", "rate": 130, "p50": 59, "p95": 86, "p99": 111,
        "current_p50": 0.80, "current_p95": 1.33, "current_max": 1.47,
        "web_cpu_ms": 11.0, "pg_cpu_ms": 2.6, "last_recompute": 0.09,
    },
    LARGE: {
        "date": "2026-12-03", "rate": 85, "p50": 81, "p95": 167, "p99": 369,
        "current_p50": 2.90, "current_p95": 4.95, "current_max": 6.92,
        "web_cpu_ms": 11.9, "pg_cpu_ms": 4.4, "last_recompute": 1.01,
        "snapshot_text": 7.7e6,
    },
}  # fmt: skip


# --- arithmetic -------------------------------------------------------------------------


def percentiles(values, points=(50, 95, 99)) -> list[float]:
    if not len(values):
        return [float("nan")] * len(points)
    return [float(np.percentile(values, p)) for p in points]


def linear_fit(points: list[tuple[int, float]]) -> tuple[float, float, float] | None:
    """Seconds ≈ a + b·ballots over (ballots, seconds) points: (a, b, R²)."""
    points = [(n, s) for n, s in points if s is not None and n > 0]
    if len(points) < 3:
        return None
    x, y = np.array(points, dtype=float).T
    b, a = np.polyfit(x, y, 1)
    residual = y - (a + b * x)
    r2 = 1 - residual.var() / y.var() if y.var() > 0 else 1.0
    return float(a), float(b), float(r2)


def submit_to_current(posts, polls: list[tuple[float, int, int]]) -> list[float]:
    """Seconds from each accepted POST's start to the first poll showing a snapshot with it.

    A ballot's own version is at most the input version seen at the first poll after its
    answer; the first poll whose latest snapshot reaches that version bounds the time from
    above (by the poll interval plus any later submission in the same bracket).
    """
    times = [t for t, _v, _s in polls]
    seconds = []
    for post in posts:
        if post.status != 302:
            continue
        first = bisect_left(times, post.finished)
        if first >= len(polls):
            continue
        version = polls[first][1]
        for t, _input, latest in polls[first:]:
            if latest >= version:
                seconds.append(t - post.started)
                break
    return seconds


def post_figures(posts, polls, seconds: float) -> dict:
    """Rate, latency and submit → current of a batch of ballot POSTs."""
    latency = [(p.finished - p.started) * 1000 for p in posts]
    current = submit_to_current(posts, polls)
    return {
        "posts": len(posts),
        "accepted": sum(1 for p in posts if p.status == 302),
        "errors": sorted({p.status for p in posts if p.status != 302}),
        "rate": len(posts) / seconds if seconds > 0 else float("nan"),
        "latency": percentiles(latency),
        "current": percentiles(current, (50, 95)) + [max(current) if current else float("nan")],
        "measured": len(current),
    }


# --- previous figures -------------------------------------------------------------------


def _comment_pattern(key: str) -> re.Pattern:
    return re.compile(rf"<!-- {re.escape(key)}-figures (\{{.*?\}}) -->", re.DOTALL)


def figures_comment(key: str, figures: dict) -> str:
    """The comment that carries a section's figures to the next run."""
    return f"<!-- {key}-figures {json.dumps(figures, ensure_ascii=False, sort_keys=True)} -->"


def previous_figures(text: str, key: str, seed: dict | None = None) -> dict:
    """{scenario name: figures} of the run that wrote section `key` of `text` (BENCHMARKS.md).

    The seed when the section has no figures comment (it was written before they were kept),
    nothing when there is no section at all.
    """
    start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    if start not in text or end not in text:
        return {}
    section = text.split(start, 1)[1].split(end, 1)[0]
    found = _comment_pattern(key).search(section)
    if found is None:
        return dict(seed or {})
    return json.loads(found.group(1))


def clean(figures: dict) -> dict:
    """Figures as JSON can keep them: NaN and infinities (nothing measured) become None, the
    others keep 5 significant digits (more than any table shows)."""
    return {name: _kept(value) for name, value in figures.items()}


def _kept(value):
    if not isinstance(value, float):
        return value
    return float(f"{value:.5g}") if math.isfinite(value) else None


def both(now, before, spec: str, scale: float = 1.0) -> str:
    """`now (before)` in format `spec`, or `now` alone when there is no previous figure."""
    if now is None or (isinstance(now, float) and math.isnan(now)):
        return "–"
    shown = format(now / scale, spec)
    if before is None:
        return shown
    return f"{shown} ({format(before / scale, spec)})"


def dates_of(previous: dict, names) -> str:
    """The dates of the previous figures shown, for the sentence under a table."""
    dates = sorted({previous[n].get("date", "?") for n in names if n in previous})
    return ", ".join(dates) if dates else ""
