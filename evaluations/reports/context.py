"""What the results pages and the report documents show: one context, built here.

The printable report page and its PDF both render templates/evaluations/results/report.html
with `report_context`, so the page and the PDF cannot differ; the Word file reads the same
report dict and charts.
"""

from django.utils import formats, timezone

from ..models import Evaluation, ResultSnapshot
from ..results_selectors import results_data_for, results_report, results_status
from .charts import report_charts


def results_context(
    *, evaluation: Evaluation, snapshot: ResultSnapshot | None, user, experts_limit=None
) -> dict:
    """The snapshot as `user` may read it, regrouped for templates (no charts); with
    `experts_limit`, each matrix's own figures of the first that many experts only."""
    is_owner = evaluation.owner_id == user.pk
    data = report = None
    if snapshot is not None:
        data = results_data_for(
            evaluation=evaluation, snapshot=snapshot, user=user, experts_limit=experts_limit
        )
        report = results_report(data=data)
    return {
        "results_data": data,
        "evaluation": evaluation,
        "is_owner": is_owner,
        "snapshot": snapshot,
        "status": results_status(evaluation=evaluation, snapshot=snapshot, named=is_owner),
        "report": report,
    }


def report_context(*, evaluation: Evaluation, snapshot: ResultSnapshot | None, user) -> dict:
    """The printable report's context, charts included: the page and the PDF render it."""
    context = results_context(evaluation=evaluation, snapshot=snapshot, user=user)
    if context["report"]:
        context["charts"] = report_charts(context["report"])
    return context


def snapshot_date(snapshot: ResultSnapshot) -> str:
    """The day the snapshot was computed, in the active language's date format."""
    return formats.date_format(timezone.localtime(snapshot.computed_at), "DATE_FORMAT")
