"""The results report as PDF and Word: time, pages and size by panel size.

`make bench` runs it and writes its section of BENCHMARKS.md. It builds each panel in a
throwaway SQLite database (the demo by seed_demo; the SME template and the load benchmark's
generated 100-indicator hierarchy with random ballots of three experts), computes the results
and times `render_pdf` and `render_docx` on the latest snapshot, as the export views call
them. Building the panels is not timed. Each case's estimated PDF milliseconds (export_cost)
are set against the measured CPU seconds, and each report is placed against
settings.EXPORT_SYNC_LIMIT, the estimate (times the format's relative cost) above which it is
rendered by a task on the analysis queue rather than within the request.
"""

import argparse
import io
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.report import machine, write_section

TEMPLATE = "sme-management-measures"


@dataclass(frozen=True)
class Case:
    key: str
    name: str
    build: str  # "demo", "template" or "generated"
    subjects: int


CASES = {
    case.key: case
    for case in (
        Case("demo", "demo (seed_demo)", "demo", 2),
        Case("template-5", "SME template", "template", 5),
        Case("template-20", "SME template", "template", 20),
        Case("generated-1", "100 indicators", "generated", 1),
        Case("generated-5", "100 indicators", "generated", 5),
        Case("template-50", "SME template", "template", 50),
        Case("generated-20", "100 indicators", "generated", 20),
    )
}
DEFAULT_CASES = ["demo", "template-5", "template-20", "generated-1", "generated-5"]
LARGE_CASES = ["template-50", "generated-20"]


@dataclass
class Row:
    case: Case
    subjects: int
    leaves: int
    experts: int
    entries: int  # judgment-matrix entries (group and every expert) and comment lines
    cost: int  # export_cost: the estimated PDF milliseconds
    repeats: int
    pdf_cpu: float
    pdf_wall: float
    pages: int
    pdf_bytes: int
    docx_cpu: float
    docx_wall: float
    docx_bytes: int


# --- environment ------------------------------------------------------------------------


def throwaway_database(folder: Path) -> None:
    """Django on a new SQLite file in `folder`, migrated; tasks run in-process (no broker).

    DEBUG on: a developer's settings (no SECRET_KEY needed, static files from the finders).
    The robustness analysis is off: the reports do not show it, and without a broker it would
    run in-process after every recompute.
    """
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        DEBUG="1",
        CELERY_BROKER_URL="",
        ROBUSTNESS_ANALYSIS="0",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)  # not a line per in-process task


# --- the panels -------------------------------------------------------------------------


def build_demo():
    from django.core.management import call_command
    from django.test import override_settings

    from evaluations.management.commands.seed_demo import DEMO_TITLE
    from evaluations.models import Evaluation

    # The invitations' e-mails go nowhere (the console backend would print them).
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        call_command("seed_demo", stdout=io.StringIO())
    return Evaluation.objects.get(title=DEMO_TITLE)


def build_panel(case: Case, experts: int, seed: int):
    """A panel of the case's shape, opened, where every expert answers everything."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from bench.load_bench import generated_hierarchy
    from evaluations.models import Evaluation
    from evaluations.services import evaluation_create_blank, evaluation_create_from_template
    from experts.models import PanelMembership

    owner = get_user_model().objects.create_user(f"coordinator-{case.key}", password=None)
    names = [f"Enterprise {n + 1}" for n in range(case.subjects)]
    # One transaction: the ballots' after-commit recompute runs once, not once per ballot.
    with transaction.atomic():
        if case.build == "template":
            evaluation = evaluation_create_from_template(
                owner=owner, template_key=TEMPLATE, subjects=names
            )
        else:
            title = f"Generated 100 indicators, {case.subjects} subjects"
            evaluation = evaluation_create_blank(owner=owner, title=title, subjects=names)
            generated_hierarchy(evaluation, owner)
        evaluation.status = Evaluation.Status.OPEN
        evaluation.cr_policy = Evaluation.CRPolicy.WARN  # random judgments may be inconsistent
        evaluation.save()
        memberships = [
            PanelMembership.objects.create(
                evaluation=evaluation, email=f"expert{k}@example.com", name=f"Expert {k + 1}"
            )
            for k in range(experts)
        ]
        answer_everything(evaluation, memberships, random.Random(seed))
    return evaluation


def answer_everything(evaluation, memberships, rng: random.Random) -> None:
    """Judgments from random weights snapped to the 1–9 scale; grades at random."""
    from evaluations.engine.scale import snap_to_scale
    from surveys import services

    indicators = list(evaluation.indicators.order_by("order", "pk").prefetch_related("children"))
    parents = [i for i in indicators if len(i.children.all()) >= 2]
    leaves = [i for i in indicators if not i.children.all()]
    grades = list(evaluation.grades.values_list("pk", flat=True))
    for membership in memberships:
        for parent in parents:
            kids = list(parent.children.all())
            keys = [services.pair_key(r, c) for x, r in enumerate(kids) for c in kids[x + 1 :]]
            w = [rng.uniform(1, 6) for _ in kids]
            values = [float(snap_to_scale(w[x] / w[y])) for x in range(len(kids))
                      for y in range(x + 1, len(kids))]  # fmt: skip
            judgments = {k: {"value": v, "comment": ""} for k, v in zip(keys, values, strict=True)}
            services.pairwise_ballot_save(
                membership=membership, parent=parent, judgments=judgments, submit=True
            )
        for subject in evaluation.subjects.all():
            ratings = {
                str(leaf.pk): {"grade": rng.choice(grades), "comment": ""} for leaf in leaves
            }
            services.rating_ballot_save(
                membership=membership, subject=subject, ratings=ratings, submit=True
            )


def latest_snapshot(evaluation):
    from evaluations.results_selectors import snapshot_latest
    from evaluations.services.results import results_recompute

    results_recompute(evaluation_id=evaluation.pk)  # None if the after-commit task wrote it
    return snapshot_latest(evaluation=evaluation)


# --- measuring --------------------------------------------------------------------------


def best_of(render, repeats: int) -> tuple[float, float, bytes]:
    """(least CPU seconds, least wall seconds, the output) over `repeats` renders."""
    cpu, wall = float("inf"), float("inf")
    for _ in range(repeats):
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        output = render()
        wall = min(wall, time.perf_counter() - started_wall)
        cpu = min(cpu, time.process_time() - started_cpu)
    return cpu, wall, output


def measure(case: Case, experts: int, repeats: int, seed: int) -> Row:
    from pypdf import PdfReader

    from evaluations.exports.formats import export_cost
    from evaluations.reports import render_docx, render_pdf

    evaluation = build_demo() if case.build == "demo" else build_panel(case, experts, seed)
    snapshot = latest_snapshot(evaluation)
    arguments = {"evaluation": evaluation, "snapshot": snapshot, "user": evaluation.owner}
    pdf_cpu, pdf_wall, pdf = best_of(lambda: render_pdf(**arguments), repeats)
    docx_cpu, docx_wall, docx = best_of(lambda: render_docx(**arguments), repeats)
    from evaluations.results.experts import with_experts

    data = with_experts(snapshot)
    leaves = sum(1 for i in data["indicators"] if i.get("is_leaf"))
    entries = sum(
        len(m["children"]) ** 2 * (1 + len(m.get("per_expert") or [])) for m in data["matrices"]
    )
    entries += len(data["comments"]["pairwise"]) + len(data["comments"]["ratings"])
    return Row(
        case=case,
        subjects=len(data["subjects"]),
        leaves=leaves,
        experts=max((len(m.get("per_expert") or []) for m in data["matrices"]), default=0),
        entries=entries,
        cost=export_cost(snapshot),
        repeats=repeats,
        pdf_cpu=pdf_cpu,
        pdf_wall=pdf_wall,
        pages=len(PdfReader(io.BytesIO(pdf)).pages),
        pdf_bytes=len(pdf),
        docx_cpu=docx_cpu,
        docx_wall=docx_wall,
        docx_bytes=len(docx),
    )


# --- the section ------------------------------------------------------------------------

COLUMNS = (
    "| case | subjects | leaves | experts | est. PDF ms | PDF rendered | Word rendered "
    "| PDF CPU s | PDF wall s | pages | PDF MB | DOCX CPU s | DOCX wall s | DOCX MB |"
)


def rendered(row: Row, share: float, limit: int) -> str:
    """Where the export views render this report (formats.export_deferred's rule)."""
    return "task" if row.cost * share > limit else "request"


def render(rows: list[Row], args, limit: int, shares: dict, seconds: float, loads: tuple) -> str:
    lines = [
        "## Reports: PDF and Word",
        "",
        "`render_pdf` (WeasyPrint) and `render_docx` (python-docx, charts drawn by CairoSVG) on",
        "the latest snapshot, as the export views call them; building the panel is not timed.",
        "Seconds are the least of the repeats (CPU and wall separately), one process, SQLite.",
        "Est. PDF ms: export_cost, the PDF's milliseconds estimated from the snapshot.",
        "Rendered: within the request if est. PDF ms × the format's relative cost (PDF "
        f"{shares['pdf']:g},",
        f"Word {shares['docx']:g}) ≤ EXPORT_SYNC_LIMIT ({limit}), else by a task on the "
        "analysis queue.",
        "",
        f"- Command: `make bench` (= `python -m bench.report_bench --output BENCHMARKS.md"
        f"{' --large' if args.large else ''}`)",
        f"- Machine: {machine()}",
        f"- Load average (1 min) at the start and the end: {loads[0]:.2f}, {loads[1]:.2f} "
        "(other processes were running; wall seconds include their share)",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; run took {seconds:.0f} s",
        "",
        COLUMNS,
        "| --- " + "| ---: " * 4 + "| --- " * 2 + "| ---: " * 7 + "|",
    ]
    for r in rows:
        lines.append(
            f"| {r.case.name} (best of {r.repeats}) | {r.subjects} | {r.leaves} | "
            f"{r.experts} | {r.cost:,} | {rendered(r, shares['pdf'], limit)} | "
            f"{rendered(r, shares['docx'], limit)} | {r.pdf_cpu:.2f} | {r.pdf_wall:.2f} | "
            f"{r.pages} | {r.pdf_bytes / 1e6:.2f} | {r.docx_cpu:.2f} | {r.docx_wall:.2f} | "
            f"{r.docx_bytes / 1e6:.2f} |"
        )
    lines += ["", "### Why", "", *why(rows, limit, shares), ""]
    return "\n".join(lines)


def why(rows: list[Row], limit: int, shares: dict) -> list[str]:
    """Sentences computed from the figures: cost per page, the estimate's fit, the threshold.

    The fits use CPU seconds: wall time also holds the other processes' share of the cores.
    """
    pages = sum(r.pages for r in rows)
    total, word = sum(r.pdf_cpu for r in rows), sum(r.docx_cpu for r in rows)
    lines = [
        f"- The PDF costs about {total / pages:.2f} CPU s per page over these cases "
        f"({total:.1f} s for {pages} pages); Word about {word / pages:.2f} s per PDF page. "
        "WeasyPrint lays out every table cell, chart and page in Python; python-docx appends "
        "XML and the charts as pictures (CairoSVG), with no layout."
    ]
    if len({r.pages for r in rows}) >= 2:
        a, b, r2 = fit([r.pages for r in rows], [r.pdf_cpu for r in rows])
        crossing = f"; 2 s falls at about {(2 - a) / b:.0f} pages" if b > 0 else ""
        lines.append(
            f"- Least squares: PDF CPU ≈ {a:.2f} s + {b:.2f} s per page (R² = {r2:.2f}{crossing})."
        )
    lines += estimate_fit(rows)
    lines += by_part(rows)
    demo = next((r for r in rows if r.case.build == "demo"), None)
    if demo is not None:
        lines.append(threshold(rows, demo, limit, shares))
    return lines


def estimate_fit(rows: list[Row]) -> list[str]:
    """How well export_cost, taken as it is (not refitted), predicts the PDF's CPU seconds;
    and Word's share of the PDF's time, which the docx format's relative cost stands for."""
    measured = np.array([r.pdf_cpu for r in rows])
    estimated = np.array([r.cost / 1000 for r in rows])
    residual = measured - estimated
    spread = np.sum((measured - measured.mean()) ** 2)
    r2 = 1 - np.sum(residual**2) / spread if spread > 0 else 1.0
    low, high = int(np.argmin(residual)), int(np.argmax(residual))

    ratios = [r.docx_cpu / r.pdf_cpu for r in rows if r.pdf_cpu > 0]
    return [
        f"- The estimate against the measured PDF CPU seconds: R² = {r2:.2f} over "
        f"{len(rows)} cases; residuals (measured − estimated) from {residual[low]:+.2f} s "
        f"({label(rows[low])}) to {residual[high]:+.2f} s ({label(rows[high])}). Word takes "
        f"{min(ratios):.2f}–{max(ratios):.2f} of the PDF's CPU seconds."
    ]


def label(row: Row) -> str:
    return f"{row.case.name} with {row.subjects} subject{'' if row.subjects == 1 else 's'}"


def threshold(rows: list[Row], demo: Row, limit: int, shares: dict) -> str:
    sent = [
        f"the {kind}s of {', '.join(label(r) for r in deferred)}"
        for name, kind in (("pdf", "PDF"), ("docx", "Word file"))
        if (deferred := [r for r in rows if rendered(r, shares[name], limit) == "task"])
    ]
    return (
        f"- The threshold: the demo (estimated {demo.cost:,} ms, {demo.pages} pages) renders "
        f"its PDF in {demo.pdf_wall:.2f} s ({demo.pdf_cpu:.2f} CPU s) and its Word file in "
        f"{demo.docx_wall:.2f} s within the request; EXPORT_SYNC_LIMIT = {limit} ms sends "
        f"{' and '.join(sent) or 'none of these reports'} to the analysis queue's task."
    )


def by_part(rows: list[Row]) -> list[str]:
    """The PDF's CPU time split over what the report holds: a fixed part, each subject (its
    section and charts), each subject × leaf cell, and each matrix entry (per expert) or
    comment: the terms of export_cost, refitted. Four parameters: said only with three cases
    to spare (the `--large` run); with fewer, one disturbed timing swings them."""
    design = np.array([[1, r.subjects, r.subjects * r.leaves, r.entries]
                       for r in rows], dtype=float)  # fmt: skip
    if len(rows) < 7 or np.linalg.matrix_rank(design) < 4:
        return []
    (fixed, subject, cell, entry), *_ = np.linalg.lstsq(
        design, [r.pdf_cpu for r in rows], rcond=None
    )
    return [
        f"- PDF CPU split over the report's parts (least squares, {len(rows)} cases, "
        f"{len(rows) - 4} to spare): {fixed:.2f} s fixed, {subject * 1000:.0f} ms per subject, "
        f"{cell * 1000:.1f} ms per subject × leaf cell and {entry * 1000:.1f} ms per matrix "
        "entry or comment (export_cost: none, 250, 24 and 2.5 ms)."
    ]


def fit(x: list[float], y: list[float]) -> tuple[float, float, float]:
    """Intercept, slope and R² of the least-squares line."""
    slope, intercept = np.polyfit(x, y, 1)
    residual = np.asarray(y) - (intercept + slope * np.asarray(x))
    spread = np.sum((np.asarray(y) - np.mean(y)) ** 2)
    r2 = 1 - np.sum(residual**2) / spread if spread > 0 else 1.0
    return float(intercept), float(slope), float(r2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", help=f"comma-separated, of {', '.join(CASES)}")
    parser.add_argument("--quick", action="store_true", help="the demo only, one render each")
    parser.add_argument("--large", action="store_true", help=f"add {', '.join(LARGE_CASES)}")
    parser.add_argument("--experts", type=int, default=3, help="experts on the built panels")
    parser.add_argument("--repeats", type=int, default=3, help="renders per small case")
    parser.add_argument("--large-repeats", type=int, default=1, help="renders per large case")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    keys = ["demo"] if args.quick else DEFAULT_CASES
    if args.cases:
        keys = args.cases.split(",")
        unknown = [k for k in keys if k not in CASES]
        if unknown:
            parser.error(f"--cases: unknown {', '.join(unknown)}; known: {', '.join(CASES)}")
    if args.large:
        keys += [k for k in LARGE_CASES if k not in keys]
    if args.quick:
        args.repeats = args.large_repeats = 1

    started, load_start = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="report-bench-") as folder:
        from django.apps import apps

        if not apps.ready:  # under pytest the test database is set up already
            throwaway_database(Path(folder))
        from django.conf import settings

        rows = []
        for key in keys:
            repeats = args.large_repeats if key in LARGE_CASES else args.repeats
            rows.append(measure(CASES[key], args.experts, repeats, args.seed))
            print("  ", rows[-1], file=sys.stderr, flush=True)
        limit = settings.EXPORT_SYNC_LIMIT
        from evaluations.exports.formats import REGISTRY

        shares = {name: REGISTRY[name].relative_cost for name in ("pdf", "docx")}
        from django.db import connections

        connections.close_all()  # before the folder with the database file goes
    loads = (load_start, os.getloadavg()[0])
    report = render(rows, args, limit, shares, time.perf_counter() - started, loads)
    if args.output:
        write_section(args.output, "reports", report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
