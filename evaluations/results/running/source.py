"""The matrices and votes of a snapshot from the running sums: compute.results_compute's
source, as compute.BallotStack is from every ballot. Each matrix entry has the keys and the
missing-reasons matrix_result gives; the per-expert figures stay in the shares."""

import numpy as np

from ...engine import ahp, consensus, incomplete, running
from ...engine.hierarchy import Node
from ...models import Evaluation
from ...services.limits import settings_cr_limit
from .. import skipped
from ..matrices import group_figures, no_figures
from ..panel import PanelInput
from .state import Tally


class RunningSums:
    def __init__(self, tally: Tally, data: PanelInput):
        self.tally, self.data = tally, data

    def matrix(self, node: Node, missing: list[str]) -> dict:
        settings = self.data.settings
        method, ri = settings["weighting_method"], settings["ri_table"]
        threshold = settings_cr_limit(settings, len(node.children))
        entry = self.tally.matrices[node.code]
        result = no_figures(node, source="pairwise", experts_submitted=entry["submitted"])
        if not entry["submitted"]:
            missing.append(f"no submitted judgments for {node.code}")
            return result
        if entry["with_gaps"] and method not in ahp.METHODS:
            missing.append(skipped.unweighable(node.code, method))
            return result
        result["skipped"] = entry["skipped"]
        if entry["unlinked"]:
            first = min(entry["unlinked"], key=int)  # the stack's order: by membership
            missing.append(entry["unlinked"][first])
            return result
        experts = self.data.experts
        result["inconsistent_experts"] = [experts[m]["name"] for m in entry["inconsistent"]]
        sums = entry["sums"]
        if sums.experts == 0:
            missing.append(f"no consistent judgments for {node.code}")
            return result
        aip = settings["aggregation"] == Evaluation.Aggregation.AIP
        try:
            group = running.group(
                sums,
                method=settings["aggregation"],
                weighting=method,
                ri=ri,
                threshold=threshold,
                mean=settings.get("aip_mean", "geometric") if aip else "geometric",
            )
        except incomplete.DisconnectedError as error:
            missing.append(skipped.unlinked(node, error))
            return result
        matrix = sums.matrix()
        result.update(group_figures(node, group, matrix, sums.experts))
        if sums.with_gaps:
            result["unanswered"] = skipped.unanswered(node, matrix)
        if sums.experts >= 2:
            value = running.consensus_of(sums)
            result.update(consensus=value, consensus_word=consensus.describe(value))
        return result

    def tallies(self, subject_id: int, leaves: list[str], grade_count: int) -> tuple:
        stored = self.tally.subjects[str(subject_id)]
        direct = self.data.direct
        counts = {
            code: np.zeros(grade_count) if code in direct else np.array(stored[code]["votes"])
            for code in leaves
        }
        rated = {code: 0 if code in direct else stored[code]["rated"] for code in leaves}
        unsure = {code: stored[code]["dont_know"] for code in leaves}
        return counts, rated, unsure
