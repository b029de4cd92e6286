"""On demand: 10,000 experts × the 100-indicator hierarchy (`python -m bench.load_bench
--scenario huge --output BENCHMARKS.md`; not part of `make bench`).

POSTing 330,000 ballots over HTTP would take hours, so the ballots of all but a few experts
are written in bulk, in the shape the ballot services write (submitted copy and working copy,
CR, submitted_at, one BallotRevision each). Then, on the quiet machine: a full recompute
(the task's service, `results_recompute`) in a process of its own, whose time and memory
peak (VmHWM) are read; the snapshot's size; the results page and the JSON export through
gunicorn. Last, the remaining experts' ballots (about 200) are POSTed through the forms with
the workers running, and their submit → current measured.
"""

import json
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.load_bench import (
    REPO,
    Scenario,
    Watcher,
    ballot_posts,
    build_panel,
    consistent_tokens,
    panel_members,
    run_load,
    signed_in,
    start_processes,
    stop_processes,
    structure,
    warm_up,
)
from bench.load_figures import (
    both,
    clean,
    dates_of,
    figures_comment,
    post_figures,
    previous_figures,
)
from bench.load_reads import read_figures, snapshot_size

EXPERTS = 10_000
POOL = 64  # distinct consistent judgment sets per matrix, drawn from for each expert
CHUNK = 200  # experts per bulk insert
RECOMPUTE_TARGET_S = 2.0
PAGE_TARGET_MS = 500
MB = 1e6


# --- the panel's ballots, in bulk ---------------------------------------------------------


def judgment_pool(evaluation, children: list, rng: random.Random) -> list[tuple]:
    """POOL cleaned judgment sets for one matrix, each with its CR as the service computes it."""
    from surveys.scales import scale_value
    from surveys.services import pair_key, pairwise_consistency

    keys = [pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    pool = []
    for _ in range(POOL):
        tokens = consistent_tokens(len(children), rng)
        cleaned = {
            key: {"value": scale_value(t, evaluation.judgment_scale), "comment": ""}
            for key, t in zip(keys, tokens, strict=True)
        }
        check = pairwise_consistency(evaluation=evaluation, children=children, judgments=cleaned)
        pool.append((cleaned, check.cr, check.consistent))
    return pool


def _expert_rows(membership, pools, leaves, subjects, grades, rng, now) -> tuple[list, list, list]:
    """One expert's submitted pairwise and rating ballots and their revisions."""
    from surveys.models import BallotRevision, PairwiseBallot, RatingBallot

    pairwise, ratings, revisions = [], [], []
    common = {"membership_id": membership.pk, "created_at": now, "channel": "page"}
    common.update(user_id=membership.user_id, action=BallotRevision.Action.SUBMITTED)
    for parent_id, pool in pools.items():
        answers, cr, consistent = rng.choice(pool)
        pairwise.append(PairwiseBallot(
            membership_id=membership.pk, parent_id=parent_id, status="submitted",
            judgments=answers, cr=cr, consistent=consistent, submitted_at=now,
            submitted_judgments=answers, submitted_cr=cr, submitted_consistent=consistent,
        ))  # fmt: skip
        revisions.append(BallotRevision(parent_id=parent_id, answers=answers, cr=cr,
                                        consistent=consistent, **common))  # fmt: skip
    for subject in subjects:
        lean = rng.randrange(len(grades))  # each expert leans towards one grade
        answers = {
            str(leaf.pk): {
                "grade": grades[min(len(grades) - 1, max(0, lean + rng.randint(-1, 1)))],
                "comment": "",
            }
            for leaf in leaves
        }
        ratings.append(RatingBallot(
            membership_id=membership.pk, subject_id=subject, status="submitted",
            ratings=answers, submitted_at=now, submitted_ratings=answers,
        ))  # fmt: skip
        revisions.append(BallotRevision(subject_id=subject, answers=answers, **common))
    return pairwise, ratings, revisions


def insert_ballots(evaluation, memberships: list, seed: int) -> dict:
    """Every given expert's ballots as submitted through the forms, written in bulk; the
    evaluation's input version bumped once (no recompute queued: the benchmark runs it)."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from evaluations.models import Evaluation
    from experts.models import PanelMembership
    from surveys.models import BallotRevision, PairwiseBallot, RatingBallot

    rng = random.Random(seed)
    children, parents, leaves = structure(evaluation)
    pools = {p.pk: judgment_pool(evaluation, children[p.pk], rng) for p in parents}
    grades = list(evaluation.grades.values_list("pk", flat=True))
    subjects = list(evaluation.subjects.values_list("pk", flat=True))
    started, counts = time.monotonic(), {"pairwise": 0, "ratings": 0, "revisions": 0}
    for first in range(0, len(memberships), CHUNK):
        now = timezone.now()
        rows = [
            _expert_rows(m, pools, leaves, subjects, grades, rng, now)
            for m in memberships[first : first + CHUNK]
        ]
        with transaction.atomic():
            for model, name, index in ((PairwiseBallot, "pairwise", 0),
                                       (RatingBallot, "ratings", 1),
                                       (BallotRevision, "revisions", 2)):  # fmt: skip
                objects = [row for expert in rows for row in expert[index]]
                model.objects.bulk_create(objects, batch_size=2000)
                counts[name] += len(objects)
    PanelMembership.objects.filter(pk__in=[m.pk for m in memberships]).update(
        last_activity_at=timezone.now()
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(
        input_version=F("input_version") + 1, input_changed_at=timezone.now()
    )
    return {**counts, "seconds": time.monotonic() - started}


# --- the recompute in a process of its own -------------------------------------------------


def vm_hwm_kb() -> int:
    """This process's peak resident memory so far (kB), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def recompute_child(evaluation_id: int, full: bool) -> None:
    """In the child: set Django up, recompute once (from every ballot, or from the running
    sums), print what it took as one JSON line."""
    import django

    django.setup()
    from evaluations.services.results import results_recompute

    before = vm_hwm_kb()
    started = time.perf_counter()
    snapshot = results_recompute(evaluation_id=evaluation_id, full=full)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds, "setup_kb": before, "peak_kb": vm_hwm_kb(),
        "version": snapshot.version if snapshot else None,
        "ballots": snapshot.pairwise_ballots + snapshot.rating_ballots if snapshot else 0,
        "compute_seconds": snapshot.compute_seconds if snapshot else None,
    }), flush=True)  # fmt: skip


def recompute_in_process(evaluation_id: int, full: bool) -> dict:
    """A recompute in a fresh Python process (as a worker would run it): its figures. A full
    one gets a new input version first, so the service computes and writes."""
    from django.db.models import F

    from evaluations.models import Evaluation

    if full:
        Evaluation.objects.filter(pk=evaluation_id).update(input_version=F("input_version") + 1)
    mode = "full" if full else "running"
    run = subprocess.run(
        [sys.executable, "-m", "bench.load_huge", "recompute", str(evaluation_id), mode],
        cwd=REPO, capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"the recompute process failed:\n{run.stderr[-3000:]}")
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    if figures["version"] is None:
        raise SystemExit("the recompute process wrote no snapshot")
    return {**figures, "full": full}


def one_ballot_changed(memberships: list) -> None:
    """One expert submits another pairwise ballot (a second expert's answers for the same
    matrix) through the ballot service: what the recompute after it has to take in."""
    from surveys import services
    from surveys.models import PairwiseBallot

    first, second = memberships[0], memberships[1]
    theirs = PairwiseBallot.objects.filter(membership=second).order_by("parent_id").first()
    services.pairwise_ballot_save(
        membership=first,
        parent=theirs.parent,
        judgments=theirs.submitted_judgments,
        submit=True,
        channel="api",
    )


# --- the run --------------------------------------------------------------------------------


def wait_until_current(evaluation, timeout: float = 900) -> float:
    """Seconds until the latest snapshot reaches the input version (or the timeout)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        evaluation.refresh_from_db()
        latest = evaluation.snapshots.order_by("-version").first()
        if latest and latest.version >= evaluation.input_version:
            break
        time.sleep(0.1)
    return time.monotonic() - started


def http_part(args, evaluation, users, processes) -> dict:
    """The last experts' ballots through the forms, with the workers on: submit → current."""
    base_url = f"http://127.0.0.1:{args.port}"
    posts = ballot_posts(evaluation, signed_in(users), args.seed + 1)
    warm_up(base_url, posts, args.clients)
    versions_before = evaluation.snapshots.count()
    watcher = Watcher(evaluation.pk)
    watcher.start()
    started = time.monotonic()
    run_load(base_url, posts, args.clients)
    load_seconds = time.monotonic() - started
    settled = wait_until_current(evaluation)
    time.sleep(0.1)
    watcher.stopping.set()
    watcher.join()
    figures = post_figures(posts, watcher.polls, load_seconds)
    figures.update(
        settled=settled,
        recomputes=evaluation.snapshots.count() - versions_before,
        expected_pairwise=sum(1 for p in posts if p.kind == "pairwise"),
        expected_ratings=sum(1 for p in posts if p.kind == "rating"),
    )
    return figures


def run_huge(args) -> dict:
    experts = args.experts or EXPERTS
    http_experts = min(args.http_experts, experts - 1)
    scenario = Scenario(f"{experts:,} experts × 100-indicator hierarchy", experts, "generated",
                        "large")  # fmt: skip
    print(f"== {scenario.name}: building the panel", flush=True)
    evaluation = build_panel(scenario)
    users = panel_members(evaluation, experts)
    memberships = list(evaluation.memberships.order_by("pk"))
    bulk = memberships[: experts - http_experts]
    print(f"   inserting the ballots of {len(bulk):,} experts in bulk", flush=True)
    inserted = insert_ballots(evaluation, bulk, args.seed)
    print(f"   {inserted}; recomputing in a separate process", flush=True)
    # From every ballot (which builds the running sums), then after one changed ballot.
    recomputes = [recompute_in_process(evaluation.pk, full=True)]
    one_ballot_changed(bulk)
    recomputes.append(recompute_in_process(evaluation.pk, full=False))
    print(f"   {recomputes}", flush=True)
    latest = evaluation.snapshots.order_by("-version").first()
    sizes = snapshot_size(latest.pk)
    processes = start_processes(args.port, args.web_workers)
    try:
        print("   reading the results page and the JSON export", flush=True)
        reads = read_figures(f"http://127.0.0.1:{args.port}", evaluation, args.web_workers)
        by_user = {m.user_id: m for m in memberships}
        posting = [u for u in users if by_user[u.pk] not in bulk]
        print(f"   POSTing the ballots of {len(posting)} experts", flush=True)
        http = http_part(args, evaluation, posting, processes)
    finally:
        stop_processes(processes)
    final = evaluation.snapshots.order_by("-version").first()
    complete = (
        final.pairwise_ballots == inserted["pairwise"] + http["expected_pairwise"]
        and final.rating_ballots == inserted["ratings"] + http["expected_ratings"]
    )
    return {
        "scenario": scenario, "indicators": evaluation.indicators.count() - 1,
        "inserted": inserted, "recomputes": recomputes, "sizes": sizes, "reads": reads,
        "http": http, "complete": complete, "final_ballots": final.pairwise_ballots
        + final.rating_ballots, "final_compute": final.compute_seconds,
    }  # fmt: skip


# --- the section ----------------------------------------------------------------------------


def huge_figures(huge: dict) -> dict:
    http, reads = huge["http"], huge["reads"]
    return clean({
        "date": f"{datetime.now(UTC):%Y-%m-%d}",
        "recompute": huge["recomputes"][-1]["seconds"],
        "full_recompute": huge["recomputes"][0]["seconds"],
        "peak_mb": max(r["peak_kb"] for r in huge["recomputes"]) * 1024 / MB,
        **huge["sizes"],
        **{k: reads[k] for k in ("page_p50", "page_p95", "export_p50", "export_p95")},
        "rate": http["rate"], "p95": http["latency"][1],
        "current_p50": http["current"][0], "current_p95": http["current"][1],
        "current_max": http["current"][2], "last_recompute": huge["final_compute"],
    })  # fmt: skip


def render_huge(huge: dict, args, seconds: float, text: str = "") -> str:
    """The section between the huge markers; `text` is BENCHMARKS.md before this run."""
    name = huge["scenario"].name
    previous = previous_figures(text, "huge")
    now, was = huge_figures(huge), previous.get(name, {})

    def cell(key, spec, scale=1.0):
        return both(now.get(key), was.get(key), spec, scale)

    lines = _huge_head(huge, args, seconds, dates_of(previous, [name]))
    lines += _huge_tables(huge, cell)
    lines += _huge_targets(now)
    lines += ["", figures_comment("huge", {**previous, name: now})]
    return "\n".join(lines) + "\n"


def _huge_head(huge, args, seconds, dates) -> list[str]:
    from bench.report import machine

    inserted = huge["inserted"]
    before = f" Figures in brackets: the previous run ({dates})." if dates else ""
    return [
        f"## A {huge['scenario'].experts:,}-expert panel (on demand)",
        "",
        f"{huge['scenario'].name}: the ballots of all but {args.http_experts} experts are",
        "written in bulk in the shape the ballot services write (the submitted and working",
        "copies with their CR, submitted_at, one revision each; no activity-log entries), then",
        "on the quiet machine the task's service (`results_recompute`) runs twice, each time in",
        "a fresh Python process whose peak resident memory (VmHWM) is read: a full recompute",
        "from every ballot (which builds the running sums and every ballot's share), then the",
        "recompute after one expert submits a changed ballot (from the sums: it reads that",
        "ballot). The coordinator then reads the",
        "results page and the JSON export through gunicorn, and the last experts' ballots are",
        "POSTed through the forms with both workers running." + before,
        "",
        "- Command: `python -m bench.load_bench --scenario huge --output BENCHMARKS.md` (not in "
        "`make bench`)",
        f"- Machine: {machine()}; PostgreSQL {args.versions['postgres']}; "
        f"Redis {args.versions['redis']}",
        f"- gunicorn {args.web_workers} sync workers; {args.clients} client threads",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; run took {seconds:.0f} s",
        f"- Written in bulk: {inserted['pairwise']:,} pairwise and {inserted['ratings']:,} "
        f"rating ballots, {inserted['revisions']:,} revisions, in {inserted['seconds']:.0f} s",
        "",
    ]


def _huge_tables(huge, cell) -> list[str]:
    recomputes, http = huge["recomputes"], huge["http"]
    peaks = " / ".join(f"{r['peak_kb'] * 1024 / MB:,.0f}" for r in recomputes)
    setup = max(r["setup_kb"] for r in recomputes) * 1024 / MB
    return [
        "| ballots counted | full recompute (s) | after one ballot (s) "
        "| peak RSS, full / after one (MB) | RSS after Django set-up (MB) "
        "| snapshot JSON text (MB) | snapshot stored (MB) |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: |",
        f"| {recomputes[0]['ballots']:,} | {cell('full_recompute', '.2f')} | "
        f"{cell('recompute', '.2f')} | {peaks} ({cell('peak_mb', ',.0f')} max) | {setup:,.0f} | "
        f"{cell('snapshot_text', '.2f', MB)} | {cell('snapshot_stored', '.2f', MB)} |",
        "",
        f"Reading the results as the coordinator, {huge['reads']['reads']} requests each, one "
        "at a time:",
        "",
        "| results page p50 / p95 (ms) | JSON export p50 / p95 (ms) | page / export size (kB) |",
        "| --- | --- | --- |",
        f"| {cell('page_p50', '.0f')} / {cell('page_p95', '.0f')} | "
        f"{cell('export_p50', '.0f')} / {cell('export_p95', '.0f')} | "
        f"{huge['reads']['page_bytes'] / 1000:,.0f} / "
        f"{huge['reads']['export_bytes'] / 1000:,.0f} |",
        "",
        "Then the last experts' ballots through the forms:",
        "",
        "| ballot POSTs | accepted | POSTs/s | POST p50 / p95 (ms) "
        "| submit → current p50 / p95 / max (s) | recomputes | final snapshot has all "
        "| last recompute (s) |",
        "| ---: | ---: | ---: | --- | --- | ---: | --- | ---: |",
        f"| {http['posts']:,} | {http['accepted']:,} | {cell('rate', ',.0f')} | "
        f"{http['latency'][0]:.0f} / {cell('p95', '.0f')} | {cell('current_p50', '.2f')} / "
        f"{cell('current_p95', '.2f')} / {cell('current_max', '.2f')} | {http['recomputes']} | "
        f"{'yes' if huge['complete'] else 'NO'} | {cell('last_recompute', '.2f')} |",
    ]


def huge_checks(now: dict) -> list[tuple[str, bool | None, str]]:
    """The on-demand panel's targets: (target, met, figure); the memory peak is only noted."""

    def check(name, limit, value, spec, unit):
        if value is None:
            return name, None, "not measured"
        return name, value < limit, f"{format(value, spec)}{unit}"

    return [
        check(f"recompute after a ballot < {RECOMPUTE_TARGET_S:g} s", RECOMPUTE_TARGET_S,
              now.get("recompute"), ".2f", " s"),
        check(f"results page p95 < {PAGE_TARGET_MS} ms", PAGE_TARGET_MS, now.get("page_p95"),
              ".0f", " ms"),
    ]  # fmt: skip


def _huge_targets(now: dict) -> list[str]:
    from bench.load_render import verdicts

    peak = now.get("peak_mb")
    noted = "not measured" if peak is None else f"{peak:,.0f} MB"
    return ["", "### Targets", "", f"- {verdicts(huge_checks(now))}; worker memory peak: {noted}."]


if __name__ == "__main__":  # the recompute's own process (recompute_in_process)
    if sys.argv[1:2] == ["recompute"]:
        recompute_child(int(sys.argv[2]), full=sys.argv[3:4] == ["full"])
    else:
        raise SystemExit("usage: python -m bench.load_bench --scenario huge (see its --help)")
