"""The Robustness tab's reads of a snapshot's analysis (analysis.data, see compute.py): the
simulations' probabilities and weight percentiles per source, and the experts' agreement with
what leaving each out changes. The agreement is the coordinator's only (the caller decides);
each expert is named or "Expert n" as the evaluation says, numbered as the results page
numbers them.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from ..models import RobustnessAnalysis
from ..results.comments import expert_aliases
from .availability import reason_text
from .cells import names_of, ordered_subjects, percent_cell, weight_cell

SOURCES = ("noise", "bootstrap")
Status = RobustnessAnalysis.Status


# --- the analysis: simulations ----------------------------------------------------------------


def analysis_state(*, analysis: RobustnessAnalysis | None, computing: bool) -> dict:
    """What the page says about the analysis of the latest snapshot: "computing" (queued or
    running), "failed", "done", "unavailable" (the simulation cannot reproduce the results'
    method: `reason` says why), or "none" (never queued: no subject was ranked, or the
    analysis is switched off)."""
    if analysis is None or analysis.status in (Status.QUEUED, Status.RUNNING):
        state = "computing" if computing or analysis is not None else "none"
        return {"state": state, "version": None, "error": "", "finished_at": None, "seconds": None}
    if analysis.status == Status.UNAVAILABLE:
        return {
            "state": "unavailable",
            "version": analysis.version,
            "error": "",
            "reason": reason_text(analysis.error),
            "finished_at": analysis.finished_at,
            "seconds": None,
        }
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
    indicators, subjects = names_of(data)
    grades = [grade["name"] for grade in data.get("grades", [])]
    ranks = result.get("rank_probabilities") or {}
    order = ordered_subjects(data, ranks)
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
    indicators, subjects = names_of(data)
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
