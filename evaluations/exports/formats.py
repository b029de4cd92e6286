"""The export formats: media type, extension, renderer, and what a large one costs.

Every renderer takes the same keywords and returns the file's bytes, as `user` may see the
snapshot. The PDF and Word reports come from evaluations/reports, looked up by name when a
report is rendered, so this registry (and everything that only lists formats) never imports
WeasyPrint or python-docx.

A report is rendered by a task (jobs.py) when its estimated time, `export_cost` (the PDF's
milliseconds) times the format's relative cost, is over settings.EXPORT_SYNC_LIMIT; the
tables' formats take milliseconds at any size this project accepts (relative cost 0), so they
always answer within the request.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from surveys.history import history_export

from ..models import Evaluation, ResultSnapshot
from ..results.experts import LISTED_EXPERTS
from ..results_selectors import results_data_for, results_report
from ..robustness.reading import with_robustness
from ..robustness.tables import robustness_tables
from . import writers
from .tables import history_table, results_tables

REPORTS_MODULE = "evaluations.reports"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    extension: str
    render: Callable[..., bytes]
    # The file's rendering time as a share of the PDF's (BENCHMARKS.md, "Reports": Word takes
    # 0.15-0.22 of the PDF's CPU seconds); 0 for the tables, never deferred.
    relative_cost: float

    @property
    def deferrable(self) -> bool:
        return self.relative_cost > 0

    @property
    def takes_history(self) -> bool:
        """Whether `history` changes the file: the tables' formats add the ballots' history;
        the reports have none, so a report asked for with it is the same file."""
        return self.name in writers.FORMATS


def _tables_file(*, evaluation, snapshot, user, history: bool, fmt: str, experts: bool) -> bytes:
    # Files are documents about this evaluation: their headings use its language, matching
    # the indicator and grade names inside them.
    limit = LISTED_EXPERTS if fmt == "json" and not experts else None
    with translation.override(evaluation.language):
        data = results_data_for(
            evaluation=evaluation, snapshot=snapshot, user=user, experts_limit=limit
        )
        data = with_robustness(evaluation=evaluation, snapshot=snapshot, data=data, user=user)
        revisions = None
        if history and evaluation.owner_id == user.pk:
            revisions = history_export(evaluation=evaluation, data=data)
        if fmt == "json":
            return writers.export_json(snapshot=snapshot, data=data, history=revisions)
        tables = results_tables(report=results_report(data=data))
        tables += robustness_tables(robustness=data["robustness"], data=data)
        if revisions is not None:
            tables.append(history_table(history=revisions))
        writer = writers.export_csv if fmt == "csv" else writers.export_xlsx
        return writer(tables=tables)


def _tables_renderer(fmt: str) -> Callable[..., bytes]:
    def render(*, evaluation, snapshot, user, history: bool = False, experts: bool = False):
        return _tables_file(
            evaluation=evaluation,
            snapshot=snapshot,
            user=user,
            history=history,
            fmt=fmt,
            experts=experts,
        )

    return render


def _report_renderer(function: str) -> Callable[..., bytes]:
    """A report renderer of evaluations/reports, imported when first called. The reports
    have no history option (the ballots' history is a table of the CSV and the workbook)."""

    def render(*, evaluation, snapshot, user, history: bool = False) -> bytes:
        module = importlib.import_module(REPORTS_MODULE)
        return getattr(module, function)(evaluation=evaluation, snapshot=snapshot, user=user)

    return render


REGISTRY: dict[str, ExportFormat] = {
    format.name: format
    for format in (
        ExportFormat("csv", writers.CONTENT_TYPES["csv"], "csv", _tables_renderer("csv"), 0.0),
        ExportFormat("xlsx", writers.CONTENT_TYPES["xlsx"], "xlsx", _tables_renderer("xlsx"), 0.0),
        ExportFormat("json", writers.CONTENT_TYPES["json"], "json", _tables_renderer("json"), 0.0),
        ExportFormat("pdf", "application/pdf", "pdf", _report_renderer("render_pdf"), 1.0),
        ExportFormat(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            _report_renderer("render_docx"),
            0.25,
        ),
    )
}
NAMES = tuple(REGISTRY)


def export_format(name: str) -> ExportFormat | None:
    return REGISTRY.get(name)


# The PDF's CPU milliseconds on the benchmark's machine, by what the report lays out: a
# least-squares fit over the report benchmark's seven cases (the demo; the SME template with
# 5, 20 and 50 subjects; 100 indicators with 1, 5 and 20 subjects; three experts), residuals
# within ±0.5 s (BENCHMARKS.md, "Reports: PDF and Word"). A subject brings its own section
# (first-level table, radar chart, weak points), hence a term of its own.
MS_PER_SUBJECT = 250
MS_PER_MEMBERSHIP_CELL = 24  # a subject × leaf indicator cell of the membership tables
MS_PER_MATRIX_ENTRY = 2.5  # a judgment-matrix entry, for the group and for every expert
MS_PER_COMMENT = 5  # a line of the comments' tables


def export_cost(snapshot: ResultSnapshot) -> int:
    """The estimated milliseconds of a PDF report of this snapshot, counted from its data
    without rendering (see the constants above); other formats scale it by their
    relative_cost."""
    data = snapshot.data or {}
    leaves = sum(1 for indicator in data.get("indicators", []) if indicator.get("is_leaf"))
    subjects = len(data.get("subjects", []))
    entries = 0
    for matrix in data.get("matrices", []):
        order = len(matrix.get("children") or [])
        # Each submitted expert's own table (their figures are read with the report).
        experts = len(matrix.get("per_expert") or []) or matrix.get("experts_submitted", 0)
        entries += order * order * (1 + experts)
    comments = data.get("comments") or {}
    lines = len(comments.get("pairwise", [])) + len(comments.get("ratings", []))
    return round(
        MS_PER_SUBJECT * subjects
        + MS_PER_MEMBERSHIP_CELL * subjects * leaves
        + MS_PER_MATRIX_ENTRY * entries
        + MS_PER_COMMENT * lines
    )


def export_deferred(*, fmt: ExportFormat, snapshot: ResultSnapshot) -> bool:
    """Whether this file is rendered by a task rather than within the request: its
    estimated milliseconds are over settings.EXPORT_SYNC_LIMIT."""
    return fmt.deferrable and export_cost(snapshot) * fmt.relative_cost > settings.EXPORT_SYNC_LIMIT


def export_render(
    *,
    fmt: ExportFormat,
    evaluation: Evaluation,
    snapshot: ResultSnapshot,
    user,
    history: bool,
    experts: bool = False,
) -> bytes:
    """The file's bytes. `experts`: the JSON export lists every panel's own figures (the
    other formats always do, and take no such option)."""
    options = {"experts": experts} if fmt.name == "json" else {}
    return fmt.render(
        evaluation=evaluation, snapshot=snapshot, user=user, history=history, **options
    )


def export_filename(*, evaluation_id: int, version: int, fmt: ExportFormat) -> str:
    return writers.export_filename(evaluation_id=evaluation_id, version=version, fmt=fmt.extension)
