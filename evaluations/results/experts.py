"""Each expert's own figures per matrix of a snapshot, from the ballots' shares
(models.BallotShare): stored once per submitted ballot, not in every snapshot.

Snapshots written before the shares existed still hold `per_expert` in their matrices; they
are read as stored.
"""

from django.db.models import Q

from experts.models import PanelMembership

from ..models import BallotShare, ResultSnapshot
from .running.shares import expert_row


def snapshot_experts(snapshot: ResultSnapshot) -> dict[str, list[dict]]:
    """{parent code: the per-expert entries (matrices.matrix_result's layout), by membership}
    of the pairwise matrices of `snapshot`: the shares counted at its version."""
    matrices = {m["parent"]: m for m in snapshot.data.get("matrices", [])}
    weighed = {
        code
        for code, matrix in matrices.items()
        if matrix.get("source") != "given" and "per_expert" not in matrix
    }
    if not weighed:
        return {}
    version = snapshot.version
    rows = (
        BallotShare.objects.filter(
            evaluation_id=snapshot.evaluation_id, parent__isnull=False, since__lte=version
        )
        .filter(Q(until__isnull=True) | Q(until__gt=version))
        .order_by("membership_id", "parent_id")
        .values_list("membership_id", "parent__code", "figures")
    )
    found: dict[str, list[tuple[int, dict]]] = {}
    for membership, code, figures in rows:
        if code in weighed and figures.get("weights") is not None:
            found.setdefault(code, []).append((membership, figures))
    members = {membership for rows in found.values() for membership, _f in rows}
    names = {
        m.pk: m.display_name
        for m in PanelMembership.objects.filter(pk__in=members).only("name", "email")
    }
    return {
        code: [
            expert_row(figures, membership, names.get(membership, ""), matrices[code]["children"])
            for membership, figures in entries
        ]
        for code, entries in found.items()
    }


def with_experts(snapshot: ResultSnapshot) -> dict:
    """The snapshot's data with each matrix's `per_expert` list (empty where nobody's own
    figures count: a given node, or a matrix that could not be weighed)."""
    experts = snapshot_experts(snapshot)
    return {
        **snapshot.data,
        "matrices": [
            matrix
            if "per_expert" in matrix
            else {**matrix, "per_expert": experts.get(matrix["parent"], [])}
            for matrix in snapshot.data.get("matrices", [])
        ],
    }
