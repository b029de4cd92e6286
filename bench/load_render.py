"""The "Ballot submissions under load" section of BENCHMARKS.md, from the scenarios' outcomes.

Every figure that the previous run also measured is shown as "now (before)"; the figures of
this run go into the section's figures comment for the next one (bench/load_figures.py).
"""

import os
from datetime import UTC, datetime

from bench.load_figures import (
    SEED,
    both,
    clean,
    dates_of,
    figures_comment,
    linear_fit,
    post_figures,
    previous_figures,
)

MB = 1e6

# Issue 17's targets. Per panel size: POSTs per second (at least), POST p95 and submit →
# current p95 (below). For both: gunicorn CPU per POST (at most), the snapshot's JSON text (at
# most) and the results page's and JSON export's p95 (below).
TARGETS = {
    "small": {"rate": 200, "p95": 60, "current_p95": 2.0},
    "large": {"rate": 150, "p95": 100, "current_p95": 2.0},
}
WEB_CPU_MS = 4.0
SNAPSHOT_BYTES = 1 * MB
READ_P95_MS = 300


def summarise(outcome) -> dict:
    s = post_figures(outcome.posts, outcome.polls, outcome.extra["load_seconds"])
    expected_pairwise = sum(1 for p in outcome.posts if p.kind == "pairwise")
    expected_ratings = len(outcome.posts) - expected_pairwise
    return {
        **s,
        "recomputes": len(outcome.snapshots),
        "complete": outcome.final["pairwise"] == expected_pairwise
        and outcome.final["ratings"] == expected_ratings,
        "fit": linear_fit([(n, c + w) for _e, n, c, w in outcome.extra["scaling"]]),
        "last_compute": outcome.snapshots[-1][2] if outcome.snapshots else None,
    }


def figures_of(outcome, s: dict) -> dict:
    """The figures of one scenario that the next run compares itself with."""
    cpu, posts = outcome.extra["cpu"], max(1, s["posts"])
    reads = outcome.extra.get("reads", {})
    p50, p95, p99 = s["latency"]
    c50, c95, cmax = s["current"]
    return clean({
        "date": f"{datetime.now(UTC):%Y-%m-%d}",
        "rate": s["rate"], "p50": p50, "p95": p95, "p99": p99,
        "current_p50": c50, "current_p95": c95, "current_max": cmax,
        "web_cpu_ms": cpu["web"] / posts * 1000, "pg_cpu_ms": cpu["postgres"] / posts * 1000,
        "last_recompute": s["last_compute"],
        "snapshot_text": outcome.final.get("snapshot_text"),
        "snapshot_stored": outcome.final.get("snapshot_stored"),
        **{k: reads.get(k) for k in ("page_p50", "page_p95", "export_p50", "export_p95")},
    })  # fmt: skip


def render(outcomes: list, args, seconds: float, text: str = "") -> str:
    """The section; `text` is BENCHMARKS.md as it was, whose figures become "before"."""
    previous = previous_figures(text, "load", SEED)
    summaries = [(o, summarise(o)) for o in outcomes]
    figures = {o.scenario.name: figures_of(o, s) for o, s in summaries}
    lines = _head(args, seconds, previous, figures)
    lines += _posts_table(summaries, figures, previous)
    lines += _reads_table(summaries, figures, previous)
    lines += _cpu_table(summaries)
    lines += _targets(summaries, figures)
    lines += _scaling(summaries)
    lines += _limits(summaries, figures, previous)
    lines += ["", figures_comment("load", {**previous, **figures})]
    return "\n".join(lines) + "\n"


def _head(args, seconds: float, previous: dict, figures: dict) -> list[str]:
    from bench.report import machine

    dates = dates_of(previous, figures)
    before = (
        f"Figures in brackets are the previous run's ({dates}) for the same scenario."
        if dates
        else "No previous run of these scenarios to compare with."
    )
    return [
        "## Ballot submissions under load",
        "",
        "Concurrent clients POST every expert's pairwise forms and rating ballots through the",
        "HTML forms (the same views, services and validation a browser gets) to gunicorn, with",
        "PostgreSQL, Redis and two Celery workers (solo pool) on the same machine: one for the",
        "recomputes, one for the robustness analyses (switched on). Each accepted POST saves the",
        "ballot and bumps the evaluation's input version in one transaction and queues one",
        "coalesced recompute after commit; each snapshot queues one coalesced analysis on its",
        "own queue. Submit → current is the time from a POST's start to the first snapshot",
        "that includes it (polled every 20 ms; an upper bound). After the load, on the quiet",
        "machine, the coordinator reads the results page and the JSON export.",
        "",
        before,
        "",
        f"- Command: `make bench` (= `python -m bench.load_bench --output BENCHMARKS.md "
        f"--clients {args.clients} --web-workers {args.web_workers}`)",
        f"- Machine: {machine()}; PostgreSQL {args.versions['postgres']}; "
        f"Redis {args.versions['redis']}",
        f"- gunicorn {args.web_workers} sync workers; 1 Celery worker for the recomputes and 1 "
        f"for the analyses; {args.clients} client threads in the benchmark process",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; run took {seconds:.0f} s",
        "",
    ]


def _posts_table(summaries, figures, previous) -> list[str]:
    lines = [
        "| scenario | indicators / matrices / leaves | ballot POSTs | accepted | POSTs/s "
        "| POST p50 / p95 / p99 (ms) | submit → current p50 / p95 / max (s) | recomputes "
        "| final snapshot has all | last recompute (s) |",
        "| --- | --- | ---: | ---: | ---: | --- | --- | ---: | --- | ---: |",
    ]
    for outcome, s in summaries:
        now, was = figures[outcome.scenario.name], previous.get(outcome.scenario.name, {})

        def cell(name, spec, now=now, was=was):
            return both(now.get(name), was.get(name), spec)

        lines.append(
            f"| {outcome.scenario.name} | {outcome.indicators} / {outcome.matrices} / "
            f"{outcome.leaves} | {s['posts']:,} | {s['accepted']:,} | {cell('rate', ',.0f')} | "
            f"{cell('p50', '.0f')} / {cell('p95', '.0f')} / {cell('p99', '.0f')} | "
            f"{cell('current_p50', '.2f')} / {cell('current_p95', '.2f')} / "
            f"{cell('current_max', '.2f')} | {s['recomputes']} | "
            f"{'yes' if s['complete'] else 'NO'} | {cell('last_recompute', '.2f')} |"
        )
    return lines


def _reads_table(summaries, figures, previous) -> list[str]:
    reads = next((o.extra.get("reads", {}).get("reads") for o, _s in summaries), None) or 20
    lines = [
        "",
        f"Reading the results after the load, as the coordinator, {reads} requests each, one at",
        "a time: the results page (HTML, the latest snapshot) and the JSON export",
        "(`/api/v1/evaluations/{id}/export/json/`). The latest snapshot's data as JSON text",
        "(`octet_length(data::text)`) and as PostgreSQL stores it (`pg_column_size(data)`,",
        "compressed):",
        "",
        "| scenario | snapshot JSON text (MB) | snapshot stored (MB) | results page p50 / p95 (ms) "
        "| JSON export p50 / p95 (ms) | page / export size (kB) |",
        "| --- | ---: | ---: | --- | --- | --- |",
    ]
    for outcome, _s in summaries:
        now, was = figures[outcome.scenario.name], previous.get(outcome.scenario.name, {})
        r = outcome.extra.get("reads", {})
        sizes = f"{r.get('page_bytes', 0) / 1000:,.0f} / {r.get('export_bytes', 0) / 1000:,.0f}"
        lines.append(
            f"| {outcome.scenario.name} | "
            f"{both(now['snapshot_text'], was.get('snapshot_text'), '.2f', MB)} | "
            f"{both(now['snapshot_stored'], was.get('snapshot_stored'), '.2f', MB)} | "
            f"{both(now['page_p50'], was.get('page_p50'), '.0f')} / "
            f"{both(now['page_p95'], was.get('page_p95'), '.0f')} | "
            f"{both(now['export_p50'], was.get('export_p50'), '.0f')} / "
            f"{both(now['export_p95'], was.get('export_p95'), '.0f')} | {sizes} |"
        )
    return lines


def _cpu_table(summaries) -> list[str]:
    lines = [
        "",
        "CPU used during the load, as a share of the machine's "
        f"{os.cpu_count()} cores (from /proc; PostgreSQL counts all its processes):",
        "",
        "| scenario | gunicorn | recompute worker | analysis worker | PostgreSQL "
        "| benchmark clients | idle |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for outcome, _s in summaries:
        cpu, seconds = outcome.extra["cpu"], outcome.extra["load_seconds"]
        share = {part: used / (seconds * os.cpu_count()) for part, used in cpu.items()}
        idle = max(0.0, 1 - sum(share.values()))
        lines.append(
            f"| {outcome.scenario.name} | {share['web']:.0%} | {share['worker']:.0%} | "
            f"{share['analysis']:.0%} | {share['postgres']:.0%} | {share['clients']:.0%} | "
            f"{idle:.0%} |"
        )
    return lines


def target_checks(kind: str, now: dict) -> list[tuple[str, bool | None, str]]:
    """(target, met — None when not measured, figure) for one scenario's figures."""
    t = TARGETS[kind]

    def check(name, ok, value, spec, unit):
        if value is None:
            return name, None, "not measured"
        return name, ok(value), f"{format(value, spec)}{unit}"

    return [
        check(f"≥ {t['rate']} POSTs/s", lambda v: v >= t["rate"], now["rate"], ".0f", "/s"),
        check(f"POST p95 < {t['p95']} ms", lambda v: v < t["p95"], now["p95"], ".0f", " ms"),
        check(f"submit → current p95 < {t['current_p95']:g} s",
              lambda v: v < t["current_p95"], now["current_p95"], ".2f", " s"),
        check(f"gunicorn CPU per POST ≤ {WEB_CPU_MS:g} ms", lambda v: v <= WEB_CPU_MS,
              now["web_cpu_ms"], ".1f", " ms"),
        check(f"snapshot ≤ {SNAPSHOT_BYTES / MB:g} MB of JSON", lambda v: v * MB <= SNAPSHOT_BYTES,
              None if now["snapshot_text"] is None else now["snapshot_text"] / MB, ".2f",
              " MB"),
        check(f"results page p95 < {READ_P95_MS} ms", lambda v: v < READ_P95_MS,
              now["page_p95"], ".0f", " ms"),
        check(f"JSON export p95 < {READ_P95_MS} ms", lambda v: v < READ_P95_MS,
              now["export_p95"], ".0f", " ms"),
    ]  # fmt: skip


def verdicts(checks) -> str:
    word = {True: "met", False: "NOT met", None: "not measured"}
    return "; ".join(
        f"{name}: {got} ({word[ok]})" if ok is not None else f"{name}: not measured"
        for name, ok, got in checks
    )


def _targets(summaries, figures) -> list[str]:
    lines = ["", "### Targets", ""]
    for outcome, _s in summaries:
        checks = target_checks(outcome.scenario.targets, figures[outcome.scenario.name])
        lines.append(f"- {outcome.scenario.name}: {verdicts(checks)}.")
    return lines


def _scaling(summaries) -> list[str]:
    lines = [
        "",
        "### Recompute time against ballots read",
        "",
        "After each load, on the quiet machine: the recompute (read the ballots, compute) and the",
        "snapshot write for the first 1/8, 1/4, 1/2 and all of the experts (best of 3).",
        "",
        "| scenario | experts | ballots read | read + compute (s) | write (s) "
        "| ms per 1,000 ballots |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for outcome, _s in summaries:
        for experts, ballots, compute, write in outcome.extra["scaling"]:
            lines.append(
                f"| {outcome.scenario.name} | {experts:,} | {ballots:,} | {compute:.3f} | "
                f"{write:.3f} | {(compute + write) / max(1, ballots) * 1e6:,.0f} |"
            )
    lines.append("")
    for outcome, s in summaries:
        if s["fit"] is not None:
            a, b, r2 = s["fit"]
            lines.append(
                f"- {outcome.scenario.name}: recompute + write ≈ {a * 1000:.0f} ms + "
                f"{b * 1e6:.1f} µs per ballot (least squares, R² = {r2:.4f})."
            )
    return lines


def _limits(summaries, figures, previous) -> list[str]:
    lines = ["", "### What limits it", ""]
    for outcome, s in summaries:
        now, was = figures[outcome.scenario.name], previous.get(outcome.scenario.name, {})
        lines.append(
            f"- {outcome.scenario.name}: per ballot POST "
            f"{both(now['web_cpu_ms'], was.get('web_cpu_ms'), '.1f')} ms of gunicorn CPU and "
            f"{both(now['pg_cpu_ms'], was.get('pg_cpu_ms'), '.1f')} ms of PostgreSQL CPU; the "
            f"worker used {outcome.extra['cpu']['worker']:.0f} s of CPU for {s['recomputes']} "
            "recomputes."
        )
    for outcome, _s in summaries:
        a = outcome.extra["analysis"]
        took = "" if a["seconds"] is None else f", computed in {a['seconds']:.2f} s"
        lines.append(
            f"- {outcome.scenario.name}: the analysis worker used "
            f"{outcome.extra['cpu']['analysis']:.0f} s of CPU during the load; {a['done']} "
            f"analyses were written (snapshots overtaken while analysed are not); the final "
            f"snapshot's analysis: {a['status']}{took}, {a['after_load']:.1f} s after the last "
            "POST."
        )
    return lines + NOTES.splitlines()


NOTES = """- The machine's two cores are the limit: gunicorn, PostgreSQL, the worker and the
  benchmark's own clients share them, and the CPU table shows them nearly saturated. Web
  processes share nothing but the database, so more cores or more web machines raise the
  POST rate; the worker can move to its own machine.
- A ballot POST is a full Django request: session and user look-up, the membership and the
  form's indicators, validation through the engine (the submitted matrix's CR), the ballot
  write, the membership's last activity and the version bump, about a dozen queries in one
  short transaction; the first submission of a burst also claims and queues the recompute.
- Results lag by one or two recompute cycles: a burst claims one task that starts after the
  coalescing window (1 s, or as long as the panel's last recompute took), reads every
  committed ballot and writes one snapshot; submissions meanwhile queue the next; the worker's
  CPU is not available to the web processes while ballots keep arriving.
- Recompute time grows linearly with the ballots read (the table above)."""
