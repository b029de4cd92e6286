"""The Robustness tab's reads, in a page-ready shape (DESIGN §2.9; issue 14).

Two sources, neither computed here: the flip points stored with every results snapshot
(snapshot.data["robustness"], see flips.py) and the analysis of that snapshot (simulations,
expert agreement, leave-one-out; analysis.data, see analysis.py). These modules only turn
codes and subject ids into names, numbers into the texts the page prints ("none within [0, 1]"
where there is no change; cells.py), and decide who is shown what: the agreement and the
leave-one-out are the coordinator's only (selectors_analysis.py reads the analysis). Here: the
flip table, the score-line chart's choice and the page as a whole.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import Evaluation, ResultSnapshot, RobustnessAnalysis
from ..results.experts import with_experts
from .cells import names_of, ordered_subjects, percent_cell, weight_cell
from .selectors_analysis import agreement_report, analysis_state, simulations_report

# A code typed into the query string is echoed in the message, cut to this many characters.
ECHOED = 40
ERROR_NODE = gettext_noop(
    "There is no indicator “%(code)s” with criteria to move in these results."
)
ERROR_CRITERION = gettext_noop(
    "There is no criterion “%(code)s” to move in these results (under %(node)s)."
)
FLIP_KEYS = ("below", "above", "top_below", "top_above", "grade_below", "grade_above")


# --- flip points ------------------------------------------------------------------------------


def flips_report(*, data: dict) -> dict | None:
    """The snapshot's flip points with names, or None for a snapshot computed before they
    were stored (they come with the next recompute)."""
    robustness = data.get("robustness")
    if robustness is None:
        return None
    indicators, _subjects = names_of(data)
    critical = robustness.get("most_critical")
    lines = robustness.get("lines") or {}
    rows = [_flip_row(row, indicators, critical, lines) for row in robustness["flip_points"]]
    nodes: dict[str, dict] = {}
    for row in rows:
        nodes.setdefault(row["node"], {"code": row["node"], "name": row["node_name"], "rows": []})[
            "rows"
        ].append(row)
    return {
        "exact": robustness.get("exact", True),
        "operator": _operator_label(robustness.get("operator", "")),
        "rows": rows,
        "nodes": list(nodes.values()),
        "most_critical": _critical(critical, indicators),
    }


def _flip_row(row: dict, indicators: dict, critical: dict | None, lines: dict) -> dict:
    node = indicators.get(row["node"], {})
    criterion = indicators.get(row["criterion"], {})
    cells = {key: weight_cell(row.get(key)) for key in FLIP_KEYS}
    cells["relative_change"] = percent_cell(row.get("relative_change"))
    cells["top_relative_change"] = percent_cell(row.get("top_relative_change"))
    return {
        "node": row["node"],
        "node_name": node.get("name", ""),
        "criterion": row["criterion"],
        "criterion_name": criterion.get("name", ""),
        "weight": weight_cell(row["weight"]),
        "global_weight": weight_cell(criterion.get("global_weight")),
        **cells,
        # The table's columns after the weights, in order.
        "cells": [cells[key] for key in (*FLIP_KEYS, "relative_change", "top_relative_change")],
        "critical": bool(critical)
        and (critical["node"], critical["criterion"]) == (row["node"], row["criterion"]),
        "charted": row["criterion"] in lines.get(row["node"], {}),
    }


def _critical(critical: dict | None, indicators: dict) -> dict | None:
    if not critical:
        return None
    return {
        "node": critical["node"],
        "node_name": indicators.get(critical["node"], {}).get("name", ""),
        "criterion": critical["criterion"],
        "criterion_name": indicators.get(critical["criterion"], {}).get("name", ""),
        "weight": weight_cell(critical["weight"]),
        "point": weight_cell(critical["point"]),
        "relative_change": percent_cell(critical["relative_change"]),
    }


def _operator_label(key: str) -> str:
    try:
        return str(Evaluation.Operator(key).label)
    except ValueError:
        return key


# --- the score-line chart's choice --------------------------------------------------------------


def line_choice(*, data: dict, node: str | None, criterion: str | None) -> tuple[dict | None, dict]:
    """Which criterion's score lines to draw: the one asked for (?node=, ?criterion=; the
    criterion alone names its node) or else the most critical one, else the first.

    Returns (the chart's data or None when there is nothing to draw, errors by field). A code
    that is not in these results is an error naming the field and the page draws the default,
    so a stale bookmark still shows a chart."""
    robustness = data.get("robustness") or {}
    lines = robustness.get("lines") or {}
    if not lines:
        return None, {}
    errors: dict[str, str] = {}
    chosen = _asked(lines, node, criterion, errors) or _default(robustness, lines)
    return _line_data(data, robustness, *chosen), errors


def _asked(lines: dict, node, criterion, errors: dict) -> tuple[str, str] | None:
    if node is not None and node not in lines:
        errors["node"] = _(ERROR_NODE) % {"code": node[:ECHOED]}
        return None
    if criterion is None:
        return (node, next(iter(lines[node]))) if node is not None else None
    parents = [parent for parent, children in lines.items() if criterion in children]
    if node is not None and node not in parents or not parents:
        where = node if node is not None else _("any indicator")
        errors["criterion"] = _(ERROR_CRITERION) % {"code": criterion[:ECHOED], "node": where}
        return None
    return node if node is not None else parents[0], criterion


def _default(robustness: dict, lines: dict) -> tuple[str, str]:
    critical = robustness.get("most_critical")
    if critical and critical["criterion"] in lines.get(critical["node"], {}):
        return critical["node"], critical["criterion"]
    node = next(iter(lines))
    return node, next(iter(lines[node]))


def _line_data(data: dict, robustness: dict, node: str, criterion: str) -> dict:
    indicators, subjects = names_of(data)
    line = robustness["lines"][node][criterion]
    row = next(
        (r for r in robustness["flip_points"] if (r["node"], r["criterion"]) == (node, criterion)),
        {},
    )
    order = ordered_subjects(data, line["totals"])
    return {
        "node": node,
        "node_name": indicators.get(node, {}).get("name", ""),
        "criterion": criterion,
        "criterion_name": indicators.get(criterion, {}).get("name", ""),
        "x": line["x"],
        "series": [(subjects.get(sid, sid), line["totals"][sid]) for sid in order],
        "weight": row.get("weight"),
        "marks": _marks(row),
        "exact": robustness.get("exact", True),
    }


def _marks(row: dict) -> list[tuple[str, float]]:
    """The flip points to draw, each once: where the order changes and, where that differs,
    where the top subject changes."""
    marks: list[tuple[str, float]] = []
    for key, label in (
        ("below", _("order changes")),
        ("above", _("order changes")),
        ("top_below", _("top changes")),
        ("top_above", _("top changes")),
    ):
        value = row.get(key)
        if value is None:
            continue
        if any(abs(value - seen) < 1e-9 for _label, seen in marks):
            marks = [
                (f"{text}, {label}" if abs(seen - value) < 1e-9 else text, seen)
                for text, seen in marks
            ]
            continue
        marks.append((label, value))
    return marks


def line_options(*, data: dict, chosen: dict | None) -> list[dict]:
    """The chart's <select>: one group per node, one option per criterion charted."""
    lines = (data.get("robustness") or {}).get("lines") or {}
    indicators, _subjects = names_of(data)
    picked = (chosen["node"], chosen["criterion"]) if chosen else None
    return [
        {
            "code": node,
            "name": indicators.get(node, {}).get("name", ""),
            "options": [
                {
                    "value": criterion,
                    "node": node,
                    "name": indicators.get(criterion, {}).get("name", ""),
                    "selected": (node, criterion) == picked,
                }
                for criterion in children
            ],
        }
        for node, children in lines.items()
    ]


# --- the page -----------------------------------------------------------------------------------


def robustness_page(
    *,
    evaluation: Evaluation,
    snapshot: ResultSnapshot | None,
    analysis: RobustnessAnalysis | None,
    computing: bool,
    user,
    node: str | None = None,
    criterion: str | None = None,
) -> dict:
    """Everything the Robustness tab shows, as `user` may see it. `analysis` is the analysis
    row of the latest snapshot (or None), `computing` whether one is queued or running."""
    is_owner = evaluation.owner_id == user.pk
    page: dict[str, Any] = {
        "is_owner": is_owner,
        "snapshot": snapshot,
        "analysis": analysis_state(analysis=analysis, computing=computing),
        "flips": None,
        "lines": None,
        "line_errors": {},
        "line_options": [],
        "simulations": [],
        "agreement": None,
    }
    if snapshot is None:
        return page
    # With each expert's own figures: the experts are numbered as the results page numbers
    # them (comments.expert_aliases).
    data = with_experts(snapshot)
    page["flips"] = flips_report(data=data)
    page["lines"], page["line_errors"] = line_choice(data=data, node=node, criterion=criterion)
    page["line_options"] = line_options(data=data, chosen=page["lines"])
    if page["analysis"]["state"] == "done":
        page["simulations"] = simulations_report(analysis_data=analysis.data, data=data)
        if is_owner:
            page["agreement"] = agreement_report(
                analysis_data=analysis.data, data=data, named=evaluation.flagged_experts_named
            )
    return page
