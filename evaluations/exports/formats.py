"""The export formats: media type, extension, renderer, and whether a large one is deferred.

Every renderer takes the same keywords and returns the file's bytes, as `user` may see the
snapshot. The PDF and Word reports come from evaluations/reports, looked up by name when a
report is rendered, so this registry (and everything that only lists formats) never imports
WeasyPrint or python-docx.

A deferrable format is rendered by a task (jobs.py) when the snapshot is larger than
settings.EXPORT_SYNC_LIMIT (`export_size`); the tables' formats take milliseconds at any
size this project accepts, so they always answer within the request.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from surveys.history import history_export

from ..models import Evaluation, ResultSnapshot
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
    deferrable: bool

    @property
    def takes_history(self) -> bool:
        """Whether `history` changes the file: the tables' formats add the ballots' history;
        the reports have none, so a report asked for with it is the same file."""
        return self.name in writers.FORMATS


def _tables_file(*, evaluation, snapshot, user, history: bool, fmt: str) -> bytes:
    # Files are documents about this evaluation: their headings use its language, matching
    # the indicator and grade names inside them.
    with translation.override(evaluation.language):
        data = results_data_for(evaluation=evaluation, snapshot=snapshot, user=user)
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
    def render(*, evaluation, snapshot, user, history: bool = False) -> bytes:
        return _tables_file(
            evaluation=evaluation, snapshot=snapshot, user=user, history=history, fmt=fmt
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
        ExportFormat("csv", writers.CONTENT_TYPES["csv"], "csv", _tables_renderer("csv"), False),
        ExportFormat(
            "xlsx", writers.CONTENT_TYPES["xlsx"], "xlsx", _tables_renderer("xlsx"), False
        ),
        ExportFormat(
            "json", writers.CONTENT_TYPES["json"], "json", _tables_renderer("json"), False
        ),
        ExportFormat("pdf", "application/pdf", "pdf", _report_renderer("render_pdf"), True),
        ExportFormat(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            _report_renderer("render_docx"),
            True,
        ),
    )
}
NAMES = tuple(REGISTRY)


def export_format(name: str) -> ExportFormat | None:
    return REGISTRY.get(name)


def export_size(snapshot: ResultSnapshot) -> int:
    """How much a report of this snapshot has to lay out, counted from its data without
    rendering: a cell per subject and leaf indicator (the membership tables), a cell per
    judgment-matrix entry for the group and for every expert (the matrix tables), and a line
    per comment. Report time grows with it about linearly (BENCHMARKS.md)."""
    data = snapshot.data or {}
    leaves = sum(1 for indicator in data.get("indicators", []) if indicator.get("is_leaf"))
    subjects = len(data.get("subjects", []))
    matrices = 0
    for matrix in data.get("matrices", []):
        order = len(matrix.get("children") or [])
        matrices += order * order * (1 + len(matrix.get("per_expert") or []))
    comments = data.get("comments") or {}
    lines = len(comments.get("pairwise", [])) + len(comments.get("ratings", []))
    return subjects * leaves + matrices + lines


def export_deferred(*, fmt: ExportFormat, snapshot: ResultSnapshot) -> bool:
    """Whether this file is rendered by a task rather than within the request."""
    return fmt.deferrable and export_size(snapshot) > settings.EXPORT_SYNC_LIMIT


def export_render(
    *, fmt: ExportFormat, evaluation: Evaluation, snapshot: ResultSnapshot, user, history: bool
) -> bytes:
    return fmt.render(evaluation=evaluation, snapshot=snapshot, user=user, history=history)


def export_filename(*, evaluation_id: int, version: int, fmt: ExportFormat) -> str:
    return writers.export_filename(evaluation_id=evaluation_id, version=version, fmt=fmt.extension)
