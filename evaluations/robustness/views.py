"""The Robustness tab of the results (issue 14; DESIGN §2.9): the flip points of the latest
snapshot with the score-line chart of one criterion, the simulations' probabilities and weight
percentiles, and, for the coordinator, the experts' agreement and what leaving each out
changes.

Only reads, like the results pages: the access is theirs (`access_results`: the coordinator,
or the panel's experts when results are shared), the snapshot the latest, the analysis that
snapshot's (`analysis_latest`). Nothing is computed here but the drawing.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..charts import heat_map
from ..results_selectors import access_results, results_status, snapshot_latest
from . import charts
from .analysis import analysis_latest
from .selectors import robustness_page

TEMPLATE = "evaluations/results/robustness.html"


@login_required
@require_GET
def results_robustness(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_results(user=request.user, evaluation_id=evaluation_id)
    snapshot = snapshot_latest(evaluation=evaluation)
    # The analysis of the snapshot shown, not of whatever is latest a moment later.
    latest = analysis_latest(evaluation, version=snapshot.version if snapshot else None)
    page = robustness_page(
        evaluation=evaluation,
        snapshot=snapshot,
        analysis=latest.analysis,
        computing=latest.computing,
        user=request.user,
        node=request.GET.get("node") or None,
        criterion=request.GET.get("criterion") or None,
    )
    context = {
        **page,
        "evaluation": evaluation,
        "status": results_status(evaluation=evaluation, snapshot=snapshot, named=page["is_owner"]),
        "charts": page_charts(page),
        # Judgment noise steps along the verbal scale's 17 values (DESIGN §2.9): a finer
        # judgment snaps to the nearest first, and the page says so.
        "finer_scale": _finer_scale(snapshot),
    }
    # A code in the query string that is not in these results: the page says so beside the
    # chart's choice and draws the default chart, with a 400 for what was asked.
    return render(request, TEMPLATE, context, status=400 if page["line_errors"] else 200)


def _finer_scale(snapshot) -> bool:
    settings = snapshot.data.get("settings", {}) if snapshot else {}
    return settings.get("judgment_scale", "verbal") != "verbal"


# --- charts -------------------------------------------------------------------------------


def page_charts(page: dict) -> dict:
    """The page's SVG charts, marked safe: the chart functions escape every text they place.
    A simulation's heat maps and interval chart go on its block, where it is rendered."""
    for block in page["simulations"]:
        block["charts"] = _simulation_charts(block)
    return {"lines": _score_lines(page["lines"]) if page["lines"] else ""}


def _score_lines(lines: dict) -> str:
    criterion = f"{lines['criterion']} {lines['criterion_name']}"
    markup = charts.score_lines(
        lines["x"],
        lines["series"],
        weight=lines["weight"] if lines["weight"] is not None else 0.0,
        marks=lines["marks"],
        chart_id="chart-score-lines",
        title=_("Scores as the weight of {criterion} changes").format(criterion=criterion),
        description=_(
            "One line per subject: its comprehensive score as the local weight of {criterion} "
            "under {node} moves from 0 to 1, the other criteria under {node} sharing the rest "
            "in proportion. The solid vertical line is the current weight, dashed lines the "
            "nearest weights at which the order or the top subject changes; circles mark where "
            "two subjects' lines cross."
        ).format(criterion=criterion, node=lines["node"]),
        weight_label=_("current"),
        axis_label=_("Local weight of {criterion}").format(criterion=criterion),
        score_label=_("Score"),
        crossing_label=_("{first} and {second} cross at {weight}"),
    )
    return mark_safe(markup)


def _simulation_charts(block: dict) -> dict:
    source = block["source"]
    return {
        "ranks": _heat(block["ranks"], f"chart-{source}-ranks", _rank_texts(block)),
        "grades": _heat(block["grades"], f"chart-{source}-grades", _grade_texts()),
        "weights": _intervals(block["weights"], f"chart-{source}-weights"),
    }


def _rank_texts(block: dict) -> tuple[str, str, list[str]]:
    columns = block["ranks"]["columns"] if block["ranks"] else []
    return (
        _("Probability of each rank"),
        _(
            "Subjects in rows, ranks in columns (1 is the best); each cell prints the share of "
            "the draws in which the subject took that rank. Darker cells are larger."
        ),
        [_("Rank {rank}").format(rank=rank) for rank in columns],
    )


def _grade_texts() -> tuple[str, str, None]:
    return (
        _("Probability of each grade"),
        _(
            "Subjects in rows, grades in columns (best first); each cell prints the share of "
            "the draws in which the subject received that grade. Darker cells are larger."
        ),
        None,
    )


def _heat(table: dict | None, chart_id: str, texts) -> str:
    if not table:
        return ""
    title, description, columns = texts
    markup = heat_map(
        [row["name"] for row in table["rows"]],
        columns or table["columns"],
        [[cell["value"] for cell in row["cells"]] for row in table["rows"]],
        chart_id=chart_id,
        title=title,
        description=description,
    )
    return mark_safe(markup)


def _intervals(rows: list[dict], chart_id: str) -> str:
    markup = charts.interval_chart(
        [
            (
                f"{row['code']} {row['name']}",
                row["current"]["value"],
                (row["p5"]["value"], row["p50"]["value"], row["p95"]["value"]),
            )
            for row in rows
            if None not in (row["p5"]["value"], row["p50"]["value"], row["p95"]["value"])
        ],
        chart_id=chart_id,
        title=_("Global weights: 5, 50 and 95 % percentiles"),
        description=_(
            "One row per indicator: the bar runs from the 5 % to the 95 % percentile of its "
            "global weight over the draws, the tick is the median, the diamond the current "
            "weight; the median and the range are printed after the bar."
        ),
        legend=(_("from 5 % to 95 %"), _("median (50 %)"), _("current weight")),
    )
    return mark_safe(markup)
