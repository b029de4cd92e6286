"""The experts' comments in a snapshot, as the coordinator may read them.

The worker stores every comment with the commenter's name (evaluations.services.results);
whether the coordinator sees names or "Expert 1", "Expert 2" is the evaluation's
`comments_named` setting, applied when the snapshot is read so that changing it needs no
recompute. Experts never receive the comments (results_data_for drops them).
"""

from django.utils.translation import gettext as _

from surveys.wording import token


def expert_aliases(data: dict) -> dict[int, str]:
    """ "Expert n" per membership id, numbered as results_data_for numbers the experts of
    the matrices (first appearance), then the experts who only rated, by membership."""
    aliases: dict[int, str] = {}

    def alias(membership: int) -> None:
        if membership not in aliases:
            aliases[membership] = _("Expert {number}").format(number=len(aliases) + 1)

    for matrix in data.get("matrices", []):
        for expert in matrix.get("per_expert") or []:
            alias(expert["membership"])
    comments = data.get("comments") or {}
    for membership in sorted({c["membership"] for c in comments.get("ratings", [])}):
        alias(membership)
    for membership in sorted({c["membership"] for c in comments.get("pairwise", [])}):
        alias(membership)
    return aliases


def comments_labelled(data: dict, *, named: bool) -> dict:
    """`data` with each comment's "expert" label: the name when `named`, else "Expert n".
    The snapshot's own data is not changed (it is shared by every reader)."""
    comments = data.get("comments")
    if not comments:
        return data
    aliases = {} if named else expert_aliases(data)

    def labelled(comment: dict) -> dict:
        label = comment["name"] if named else aliases[comment["membership"]]
        hidden = {} if named else {"name": label}
        return {**comment, **hidden, "expert": label}

    return {
        **data,
        "comments": {kind: [labelled(c) for c in rows] for kind, rows in comments.items()},
    }


def comments_report(*, data: dict) -> dict:
    """Labelled comments grouped for the page: per matrix and pair, per subject and leaf.
    `data` comes through comments_labelled (results_data_for); unlabelled, no one is named."""
    comments = data.get("comments") or {}
    names = {row["code"]: row["name"] for row in data["indicators"]}
    grades = data["grades"]
    matrices: dict[str, dict] = {}
    for c in comments.get("pairwise", []):
        matrix = matrices.setdefault(
            c["parent"], {"code": c["parent"], "name": names.get(c["parent"], ""), "pairs": {}}
        )
        pair = matrix["pairs"].setdefault(
            (c["row"], c["col"]),
            {
                "row": c["row"],
                "row_name": names.get(c["row"], ""),
                "col": c["col"],
                "col_name": names.get(c["col"], ""),
                "comments": [],
            },
        )
        pair["comments"].append(
            {"expert": c.get("expert", ""), "answer": _judgment(c), "text": c["text"]}
        )
    subjects: dict[int, dict] = {}
    for c in comments.get("ratings", []):
        subject = subjects.setdefault(
            c["subject"],
            {"id": c["subject"], "name": c.get("subject_name", ""), "leaves": {}},
        )
        leaf = subject["leaves"].setdefault(
            c["leaf"], {"code": c["leaf"], "name": names.get(c["leaf"], ""), "comments": []}
        )
        grade = grades[c["grade"]]["name"] if c["grade"] is not None else ""
        if c.get("dont_know"):
            grade = _("Don't know")
        leaf["comments"].append({"expert": c.get("expert", ""), "answer": grade, "text": c["text"]})
    return {
        "count": len(comments.get("pairwise", [])) + len(comments.get("ratings", [])),
        "matrices": [{**m, "pairs": list(m["pairs"].values())} for m in matrices.values()],
        "subjects": [{**s, "leaves": list(s["leaves"].values())} for s in subjects.values()],
    }


def _judgment(comment: dict) -> str:
    """A judgment as the form shows it: "3" or "1/3", or that the expert skipped the pair."""
    if comment.get("skipped"):
        return _("cannot compare")
    value = comment["value"]
    return "" if value is None else token(value)
