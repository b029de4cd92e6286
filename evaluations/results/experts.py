"""Each expert's own figures per matrix of a snapshot, from the ballots' shares
(models.BallotShare): stored once per submitted ballot, not in every snapshot.

Snapshots written before the shares existed still hold `per_expert` in their matrices; they
are read as stored.
"""

from django.db.models import Q

from ..models import BallotShare, ResultSnapshot

# The results page and the JSON export list each expert's own figures per matrix for a panel
# of at most this many experts (a thousand would make tens of thousands of rows, 16 MB of
# JSON); the CSV, XLSX, PDF and Word files, and the JSON export asked with ?experts=1, list
# every panel's.
LISTED_EXPERTS = 25


def snapshot_experts(
    snapshot: ResultSnapshot, limit: int | None = None
) -> dict[str, list[dict]] | None:
    """{parent code: the per-expert entries (matrices.matrix_result's layout), by membership}
    of the pairwise matrices of `snapshot`: the shares counted at its version. With `limit`,
    None when more than `limit` experts have own figures (a page lists a small panel's, the
    exports every panel's)."""
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
        ids = rows.order_by("membership_id").values_list("membership_id", flat=True).distinct()
        first = list(ids[: limit + 1])
        if len(first) > limit:
            return None
        rows = rows.filter(membership_id__in=first)
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
    figures count: a given node, or a matrix that could not be weighed). With `limit` and a
    panel of more experts than that, every list is empty and `per_expert_omitted` is true."""
    experts = snapshot_experts(snapshot, limit)
    omitted = {} if experts is not None else {"per_expert_omitted": True}
    experts = experts or {}
    return {
        **snapshot.data,
        **omitted,
        "matrices": [
            matrix
            if "per_expert" in matrix
            else {**matrix, "per_expert": experts.get(matrix["parent"], [])}
            for matrix in snapshot.data.get("matrices", [])
        ],
    }


def expert_row(figures: dict, membership: int, name: str, node_children: list[str]) -> dict:
    """The snapshot's per-expert entry of a matrix (matrices.matrix_result's layout)."""
    weights = figures["weights"]
    return {
        "membership": membership,
        "name": name,
        "weight": figures["weight"],
        "weights": weights,
        "lambda_max": figures["lambda_max"],
        "ci": figures["ci"],
        "cr": figures["cr"],
        "ri": figures["ri"],
        "zero_weights": [c for c, w in zip(node_children, weights, strict=True) if w == 0],
        "consistent": figures["consistent"],
        "included": figures["included"],
        "skipped": figures["skipped"],
    }
