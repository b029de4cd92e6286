"""The robustness figures of one snapshot as a reader may see them: the REST API's results and
the exports read them here (DESIGN §4: `results.robustness`).

    robustness = {
        operator, exact, flip_points, most_critical, lines   the snapshot's own (flips.py)
        simulation: {
            status       "done" | "computing" | "failed" | "unavailable" | "none" (not
                         analysed: switched off, or a snapshot older than the analysis)
            reason       when unavailable: "fuzzy_weighting", and message, the same in
                         words (robustness/availability.py)
            source, draws, seed, k, top, top_probability, rank_probabilities, … of the first
                         selected source (judgment noise, else the bootstrap), once done
            sources      {"noise": {…}, "bootstrap": {…}}: every selected source
            error        why it failed (the coordinator only)
        }
        agreement, leave_one_out    the coordinator only (experts against the group)
    }

A snapshot written before flip points existed has none: its flip_points list is empty.
"""

from ..models import Evaluation, ResultSnapshot
from .analysis import analysis_latest
from .availability import reason_text

SOURCE_ORDER = ("noise", "bootstrap")
EMPTY_FLIPS = {"operator": None, "exact": None, "flip_points": [], "most_critical": None}


def robustness_read(*, evaluation: Evaluation, snapshot: ResultSnapshot, data: dict, user) -> dict:
    """`data`'s robustness (the snapshot's flip points) with the snapshot's analysis added,
    as `user` may see it. The caller has checked that `user` may read these results."""
    coordinator = evaluation.owner_id == user.pk
    result = {**EMPTY_FLIPS, **data.get("robustness", {})}
    latest = analysis_latest(evaluation, version=snapshot.version)
    result["simulation"] = _simulation(latest, coordinator=coordinator)
    if coordinator and latest.analysis is not None and latest.analysis.status == "done":
        result["agreement"] = latest.analysis.data.get("agreement")
        result["leave_one_out"] = latest.analysis.data.get("leave_one_out")
    return result


def with_robustness(*, evaluation: Evaluation, snapshot: ResultSnapshot, data: dict, user) -> dict:
    """A copy of `data` whose `robustness` is `robustness_read`'s."""
    read = robustness_read(evaluation=evaluation, snapshot=snapshot, data=data, user=user)
    return {**data, "robustness": read}


def _simulation(latest, *, coordinator: bool) -> dict:
    if latest.computing:
        return {"status": "computing"}
    analysis = latest.analysis
    if analysis is None:
        return {"status": "none"}
    if analysis.status == "unavailable":
        return {
            "status": "unavailable",
            "reason": analysis.error,
            "message": reason_text(analysis.error),
        }
    if analysis.status != "done":
        failed = {"status": "failed"}
        if coordinator:
            failed["error"] = analysis.error
        return failed
    sources = analysis.data.get("simulation", {})
    primary = next((sources[s] for s in SOURCE_ORDER if s in sources), {})
    return {"status": "done", **primary, "sources": sources}
