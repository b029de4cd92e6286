"""The Robustness tab's reads, in a page-ready shape (DESIGN §2.9; issue 14).

Two sources, neither computed here: the flip points stored with every results snapshot
(snapshot.data["robustness"], see flips.py) and the analysis of that snapshot (simulations,
expert agreement, leave-one-out; analysis.data, see analysis.py). This module only turns codes
and subject ids into names, numbers into the texts the page prints ("none within [0, 1]" where
there is no change), and decides who is shown what: the agreement and the leave-one-out are
the coordinator's only, each expert named or "Expert n" as the evaluation says, numbered as
the results page numbers them.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ..models import Evaluation, ResultSnapshot, RobustnessAnalysis
from ..results.comments import expert_aliases

NO_CHANGE = gettext_lazy("none within [0, 1]")
# A code typed into the query string is echoed in the message, cut to this many characters.
ECHOED = 40
ERROR_NODE = gettext_noop(
    "There is no indicator “%(code)s” with criteria to move in these results."
)
ERROR_CRITERION = gettext_noop(
    "There is no criterion “%(code)s” to move in these results (under %(node)s)."
)
SOURCES = ("noise", "bootstrap")
Status = RobustnessAnalysis.Status
FLIP_KEYS = ("below", "above", "top_below", "top_above", "grade_below", "grade_above")


# --- small formats ----------------------------------------------------------------------------


def weight_cell(value: float | None, places: int = 4) -> dict:
    """A weight on the page: its value for charts and sorting, its text, whether it is none."""
    if value is None:
        return {"value": None, "text": str(NO_CHANGE), "none": True}
    return {"value": value, "text": f"{value:.{places}f}", "none": False}


def percent_cell(value: float | None, places: int = 1) -> dict:
    """A share as a percentage ("15.6 %"); none when there is no such change."""
    if value is None:
        return {"value": None, "text": str(NO_CHANGE), "none": True}
    return {"value": value, "text": f"{value * 100:.{places}f} %", "none": False}


def _names(data: dict) -> tuple[dict[str, dict], dict[str, str]]:
    """Indicator rows by code, subject names by id as text (JSON keys are text)."""
    indicators = {row["code"]: row for row in data.get("indicators", [])}
    subjects = {str(subject["id"]): subject["name"] for subject in data.get("subjects", [])}
    return indicators, subjects


def _ordered_subjects(data: dict, ids) -> list[str]:
    """Subject ids (text) in the snapshot's ranking order, any others after them by id."""
    ids = {str(i) for i in ids}
    ranked = [str(i) for i in data.get("ranking", []) if str(i) in ids]
    return ranked + sorted(ids - set(ranked), key=lambda i: (len(i), i))


# --- flip points ------------------------------------------------------------------------------


def flips_report(*, data: dict) -> dict | None:
    """The snapshot's flip points with names, or None for a snapshot computed before they
    were stored (they come with the next recompute)."""
    robustness = data.get("robustness")
    if robustness is None:
        return None
    indicators, _subjects = _names(data)
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
    indicators, subjects = _names(data)
    line = robustness["lines"][node][criterion]
    row = next(
        (r for r in robustness["flip_points"] if (r["node"], r["criterion"]) == (node, criterion)),
        {},
    )
    order = _ordered_subjects(data, line["totals"])
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
    indicators, _subjects = _names(data)
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


# --- the analysis: simulations ----------------------------------------------------------------


def analysis_state(*, analysis: RobustnessAnalysis | None, computing: bool) -> dict:
    """What the page says about the analysis of the latest snapshot: "computing" (queued or
    running), "failed", "done", or "none" (never queued: no subject was ranked, or the
    analysis is switched off)."""
    if analysis is None or analysis.status in (Status.QUEUED, Status.RUNNING):
        state = "computing" if computing or analysis is not None else "none"
        return {"state": state, "version": None, "error": "", "finished_at": None, "seconds": None}
    return {
        "state": "failed" if analysis.status == Status.FAILED else "done",
        "version": analysis.version,
        "error": analysis.error if analysis.status == Status.FAILED else "",
        "finished_at": analysis.finished_at,
        "seconds": analysis.compute_seconds,
    }


def simulations_report(*, analysis_data: Mapping, data: dict) -> list[dict]:
    """One block per source simulated (judgment noise first, then panel resampling)."""
    simulation = analysis_data.get("simulation") or {}
    return [
        _simulation(source, simulation[source], data)
        for source in SOURCES
        if simulation.get(source)
    ]


def _simulation(source: str, result: Mapping, data: dict) -> dict:
    indicators, subjects = _names(data)
    grades = [grade["name"] for grade in data.get("grades", [])]
    ranks = result.get("rank_probabilities") or {}
    order = _ordered_subjects(data, ranks)
    top = result.get("top", data["ranking"][0] if data.get("ranking") else None)
    top_id = None if top is None else str(top)
    return {
        "source": source,
        "draws": result.get("draws"),
        "complete": result.get("complete"),
        "seed": result.get("seed"),
        "k": result.get("k"),
        "top": {
            "name": subjects.get(top_id, ""),
            "probability": percent_cell(result.get("top_probability")),
        }
        if top_id is not None and result.get("top_probability") is not None
        else None,
        "ranks": _probabilities(order, subjects, ranks, [str(n) for n in range(1, len(order) + 1)]),
        "grades": _probabilities(order, subjects, result.get("grade_probabilities") or {}, grades),
        "weights": _percentile_rows(result.get("weight_percentiles") or {}, indicators),
    }


def _probabilities(order, subjects, table: Mapping, columns: list[str]) -> dict | None:
    rows = [
        {
            "id": sid,
            "name": subjects.get(sid, sid),
            "cells": [percent_cell(p) for p in table[sid]],
        }
        for sid in order
        if sid in table
    ]
    if not rows:
        return None
    return {"columns": columns[: len(rows[0]["cells"])], "rows": rows}


def _percentile_rows(percentiles: Mapping, indicators: dict) -> list[dict]:
    """Every indicator's simulated global weight, in hierarchy order, the goal left out (its
    weight is 1 in every draw)."""
    ordered = [code for code in indicators if code in percentiles]
    ordered += sorted(set(percentiles) - set(ordered))
    rows = []
    for code in ordered:
        row = indicators.get(code, {})
        if row.get("depth") == 0:
            continue
        p5, p50, p95 = percentiles[code]
        rows.append(
            {
                "code": code,
                "name": row.get("name", ""),
                "depth": row.get("depth", 1),
                "current": weight_cell(row.get("global_weight")),
                "p5": weight_cell(p5),
                "p50": weight_cell(p50),
                "p95": weight_cell(p95),
            }
        )
    return rows


# --- the analysis: experts (the coordinator's only) -------------------------------------------


def agreement_report(*, analysis_data: Mapping, data: dict, named: bool) -> dict | None:
    """The experts' agreement with the group and what leaving each out changes; flagged
    experts first. Names or "Expert n" (numbered as on the results page) as `named` says."""
    agreement = analysis_data.get("agreement")
    if not agreement:
        return None
    indicators, subjects = _names(data)
    label = _labeller(data, named)
    current = {str(s["id"]): s["rank"] for s in data.get("subjects", [])}
    left_out = {entry["membership"]: entry for entry in analysis_data.get("leave_one_out") or []}
    experts = [
        _expert(expert, left_out.get(expert["membership"]), label, indicators, subjects, current)
        for expert in agreement.get("experts", [])
    ]
    return {
        "threshold": agreement.get("threshold"),
        "named": named,
        "flagged": [e for e in experts if e["flagged"]],
        "experts": sorted(experts, key=lambda e: (not e["flagged"], -(e["overall"] or 0))),
    }


def _labeller(data: dict, named: bool):
    """An expert's label. Named: the name the analysis stored (it stores one only while the
    evaluation names experts; data computed before the setting changed has none, and the
    expert is "Expert n" until the next analysis). Otherwise "Expert n", numbered as the
    results page numbers the experts (comments.expert_aliases), never by the stored text."""
    aliases = expert_aliases(data)

    def label(entry: Mapping) -> str:
        if named and entry.get("named", True) and entry.get("name"):
            return entry["name"]
        if entry["membership"] not in aliases:
            aliases[entry["membership"]] = _("Expert {number}").format(number=len(aliases) + 1)
        return aliases[entry["membership"]]

    return label


def _expert(expert, loo, label, indicators, subjects, current) -> dict:
    overall = expert.get("overall")
    return {
        "membership": expert["membership"],
        "label": label(expert),
        "overall": overall,
        "overall_text": "–" if overall is None else f"{overall:.4f}",
        "flagged": bool(expert.get("flagged")),
        "matrices": [
            {
                "node": m["node"],
                "name": indicators.get(m["node"], {}).get("name", ""),
                "s": "–" if m.get("s") is None else f"{m['s']:.4f}",
                "r": "–" if m.get("r") is None else f"{m['r']:.3f}",
            }
            for m in expert.get("matrices", [])
        ],
        "left_out": _left_out(loo, subjects, current),
    }


def _left_out(loo: Mapping | None, subjects: dict, current: dict) -> dict | None:
    """What the ranking would be without the expert: the top subject, and every subject
    whose rank changes (from, to)."""
    if loo is None:
        return None
    top = loo.get("top")
    changes = [
        {"name": subjects.get(str(sid), str(sid)), "was": current.get(str(sid)), "now": rank}
        for sid, rank in sorted((loo.get("rank_changes") or {}).items(), key=lambda kv: kv[1])
    ]
    return {
        "complete": loo.get("complete", True),
        "top": subjects.get(str(top), "") if top is not None else "",
        "top_changes": bool(loo.get("top_changes")),
        "changes": changes,
    }


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
    data = snapshot.data
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
