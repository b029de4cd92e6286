"""Each expert's own figures per matrix of a snapshot, from the ballots' shares
(models.BallotShare): stored once per submitted ballot, not in every snapshot.

Snapshots written before the shares existed still hold `per_expert` in their matrices; they
are read as stored.
"""

from django.db.models import Q

from ..models import BallotShare, ResultSnapshot
from .running.shares import expert_row


def snapshot_experts(snapshot: ResultSnapshot, limit: int | None = None) -> dict[str, list[dict]]:
    """{parent code: the per-expert entries (matrices.matrix_result's layout), by membership}
    of the pairwise matrices of `snapshot`: the shares counted at its version. With `limit`,
    those of the first `limit` experts (by membership) only, in one query: a page
    shows a large panel's first experts and the exports every one."""
    matrices = {m["parent"]: m for m in snapshot.data.get("matrices", [])}
    weighed = {
        code
        for code, matrix in matrices.items()
        if matrix.get("source") != "given" and "per_expert" not in matrix
    }
    if not weighed:
        return {}
    version = snapshot.version
    rows = BallotShare.objects.filter(
        evaluation_id=snapshot.evaluation_id, parent__isnull=False, since__lte=version
    ).filter(Q(until__isnull=True) | Q(until__gt=version))
    if limit is not None:
        first = rows.order_by("membership_id").values_list("membership_id", flat=True).distinct()
        rows = rows.filter(membership_id__in=first[:limit])  # one query, the ids a subquery
    found: dict[str, list[dict]] = {}
    for membership, code, name, email, figures in rows.order_by(
        "membership_id", "parent_id"
    ).values_list(
        "membership_id", "parent__code", "membership__name", "membership__email", "figures"
    ):
        if code in weighed and figures.get("weights") is not None:
            children = matrices[code]["children"]
            row = expert_row(figures, membership, name or email, children)
            found.setdefault(code, []).append(row)
    return found


def with_experts(snapshot: ResultSnapshot, limit: int | None = None) -> dict:
    """The snapshot's data with each matrix's `per_expert` list (empty where nobody's own
    figures count: a given node, or a matrix that could not be weighed); with `limit`, the
    first `limit` experts' only."""
    experts = snapshot_experts(snapshot, limit)
    return {
        **snapshot.data,
        "matrices": [
            matrix
            if "per_expert" in matrix
            else {**matrix, "per_expert": experts.get(matrix["parent"], [])}
            for matrix in snapshot.data.get("matrices", [])
        ],
    }
