"""An evaluation's running sums (models.RunningResults): building them from every counted
ballot, and changing them by the ballots whose revisions they have not taken in yet.

Layout of RunningResults.sums:
  matrices  {parent code: {ballots (submitted, counted experts), submitted (those with every
            pair answered or skipped), with_gaps (of those, with a skipped pair), skipped
            (pairs skipped over them), inconsistent [membership ids], unlinked {membership id:
            reason}, sums (engine.running.Sums of the included ones)}}, every node with ≥ 2
            children (a given node's ballots are counted, not weighed)
  subjects  {subject id: {leaf code: {votes [weighted votes per grade], rated, dont_know}}}
  ratings   the rating ballots counted
"""

import hashlib
import json
from itertools import groupby

from django.db import connection
from django.db.models import Q
from psycopg.types.json import Jsonb

from experts.models import Invitation
from surveys.consistency import upper_values
from surveys.models import BallotRevision, PairwiseBallot, RatingBallot

from ...engine import ahp, running
from ...engine.hierarchy import Node
from ...models import BallotShare, Evaluation, RunningResults
from ..panel import (
    Layout,
    PanelInput,
    expert_weight,
    order_comments,
    pairwise_comments,
    rating_comments,
    rating_votes,
)
from .shares import matrix_of, pairwise_figures_many

REVOKED = {
    "membership__invitation__status": Invitation.Status.REVOKED,
    "membership__answers_kept_after_revocation": False,
}


def fingerprint(data: PanelInput, layout: Layout) -> str:
    """A digest of everything every share depends on besides its own ballot: the settings,
    the hierarchy (ids, codes, parents), the grades, the subjects, and the counted experts with
    their weights. Given weights and measured leaves are not in it: the sums count those
    ballots all the same and the computation leaves them out."""
    basis = [
        data.settings,
        [(i.pk, i.code, i.parent_id) for i, _depth in layout.tree],
        [(g["id"], g["score"]) for g in data.grades],
        [s["id"] for s in data.subjects],
        sorted(
            (m, e["weight"], sorted(e["criterion_weights"].items()))
            for m, e in data.experts.items()
        ),
    ]
    return hashlib.sha256(json.dumps(basis, default=str).encode()).hexdigest()


def counted(model, evaluation: Evaluation):
    """The submitted ballots of the evaluation's counted experts (panel.panel_input's rule)."""
    return model.objects.filter(
        submitted_at__isnull=False, membership__evaluation=evaluation
    ).exclude(**REVOKED)


class Tally:
    """The sums being changed, with what the changes need: the panel input and layout, the
    nodes by code, and the shares to write."""

    def __init__(self, sums: dict, data: PanelInput, layout: Layout, root: Node):
        self.data, self.layout = data, layout
        self.nodes = {node.code: node for node in root.walk() if len(node.children) >= 2}
        self.matrices = {
            code: _matrix_entry(sums.get("matrices", {}).get(code), len(node.children))
            for code, node in self.nodes.items()
        }
        leaves = [node.code for node in root.leaves()]
        grades = len(data.grades)
        stored = sums.get("subjects", {})
        self.subjects = {
            str(s["id"]): {
                code: stored.get(str(s["id"]), {}).get(code)
                or {"votes": [0.0] * grades, "rated": 0, "dont_know": 0}
                for code in leaves
            }
            for s in data.subjects
        }
        self.ratings = sums.get("ratings", 0)  # rating ballots counted

    def as_json(self) -> dict:
        return {
            "matrices": {
                code: {**entry, "sums": entry["sums"].as_json()}
                for code, entry in self.matrices.items()
            },
            "subjects": self.subjects,
            "ratings": self.ratings,
        }

    # --- one ballot in or out ----------------------------------------------------------

    def pairwise(self, membership: int, code: str, figures: dict, sign: int) -> None:
        self.pairwise_many(code, [(membership, figures)], sign)

    def pairwise_many(self, code: str, ballots: list[tuple[int, dict]], sign: int) -> None:
        """Ballots of one matrix in (+1) or out (−1): (membership, figures) each."""
        entry = self.matrices[code]
        included = []
        for membership, figures in ballots:
            entry["ballots"] += sign
            if figures.get("upper") is None:
                continue  # a ballot with an unanswered pair: counted as kept, not weighed
            entry["submitted"] += sign
            entry["with_gaps"] += sign * int(figures["skipped"] > 0)
            entry["skipped"] += sign * figures["skipped"]
            if figures["consistent"] is False:
                _toggle(entry["inconsistent"], membership, sign)
            if figures.get("unlinked"):
                if sign > 0:
                    entry["unlinked"][str(membership)] = figures["unlinked"]
                else:
                    entry["unlinked"].pop(str(membership), None)
            if figures["included"]:
                included.append(figures)
        entry["inconsistent"].sort()
        if included:
            t = entry["sums"].t
            entry["sums"].add_many(
                ahp.from_upper([f["upper"] for f in included], t).reshape(-1, t, t),
                [f["weight"] for f in included],
                [f["weights"] for f in included],
                [f["eigen"] for f in included],
                sign,
            )

    def rating(self, membership: int, subject: int, figures: dict, sign: int) -> None:
        leaves = self.subjects.get(str(subject))
        if leaves is None:
            return
        self.ratings += sign
        for code, grade in figures["grades"].items():
            if code in leaves:
                weight = expert_weight(self.data, membership, code)
                leaves[code]["votes"][grade] += sign * weight
                leaves[code]["rated"] += sign
                if leaves[code]["rated"] == 0:  # nobody's vote left: no rounding residue
                    leaves[code]["votes"] = [0.0] * len(leaves[code]["votes"])
        for code in figures["dont_know"]:
            if code in leaves:
                leaves[code]["dont_know"] += sign


def _matrix_entry(stored: dict | None, t: int) -> dict:
    if stored:
        return {**stored, "sums": running.Sums.from_json(stored["sums"])}
    return {
        "ballots": 0,
        "submitted": 0,
        "with_gaps": 0,
        "skipped": 0,
        "inconsistent": [],
        "unlinked": {},
        "sums": running.Sums(t=t),
    }


def _toggle(members: list[int], membership: int, sign: int) -> None:
    if sign > 0:
        members.append(membership)
    elif membership in members:
        members.remove(membership)


# --- reading ballots into shares ----------------------------------------------------------


def rating_share_row(tally: Tally, membership: int, subject: int, answers) -> tuple:
    """(figures, comments) of a submitted rating ballot."""
    layout = tally.layout
    scratch = PanelInput(settings={}, indicators=[], grades=[], subjects=[], experts={})
    rating_comments(scratch, membership, subject, answers, layout.by_id, layout.grade_index)
    chosen, unsure = rating_votes(answers, layout)
    return {"grades": chosen, "dont_know": unsure}, scratch.comments["ratings"]


def rebuild(evaluation: Evaluation, tally: Tally, version: int) -> None:
    """Every counted ballot's share, from scratch: the open shares close at `version` and new
    ones count from it; every revision so far is taken in. The ballots read are also put into
    tally.data as panel.panel_input would (pairwise, ratings, comments, ignored_pairwise), so
    the full computation (compute.BallotStack) reads the very ballots the sums took in."""
    BallotShare.objects.filter(evaluation=evaluation, until__isnull=True).update(until=version)
    data, layout = tally.data, tally.layout
    # The revisions taken in: those committed before the ballots are read. One committing
    # meanwhile stays unapplied and the next recompute takes it in (again, if its ballot was
    # read here: out and in, the same share).
    taken = list(unapplied(evaluation).values_list("pk", flat=True))
    shares = []
    rows = counted(PairwiseBallot, evaluation).order_by("parent_id", "membership_id")
    for parent_id, ballots in groupby(
        rows.values_list("parent_id", "membership_id", "submitted_judgments").iterator(2000),
        key=lambda row: row[0],
    ):
        made = _pairwise_of_one_matrix(tally, parent_id, [row[1:] for row in ballots])
        for membership, _code, figures, comments, matrix in made:
            shares.append(_share(evaluation, version, membership, figures, comments, parent_id))
            _into_panel_input(data, layout, shares[-1], matrix)
        by_code = [(membership, figures) for membership, _code, figures, _c, _m in made]
        if made:
            tally.pairwise_many(made[0][1], by_code, +1)
    rows = counted(RatingBallot, evaluation).order_by("membership_id", "subject_id")
    for membership, subject, answers in rows.values_list(
        "membership_id", "subject_id", "submitted_ratings"
    ):
        share = _rating_in(tally, evaluation, version, membership, subject, answers)
        shares.append(share)
        _into_panel_input(data, layout, share)
    data.pairwise.sort(key=lambda ballot: ballot["membership"])
    order_comments(data, layout.tree)
    insert_shares(shares)
    mark_applied(taken)


def _pairwise_of_one_matrix(tally: Tally, parent_id: int, ballots: list) -> list[tuple]:
    """(membership, code, figures, comments, matrix or None) of one matrix's submitted
    ballots, weighed as one stack; none for a parent that is no matrix any more."""
    layout = tally.layout
    parent = layout.by_id.get(parent_id)
    node = tally.nodes.get(parent.code) if parent else None
    if node is None:
        return []
    children = layout.children.get(parent_id, [])
    made, weighed = [], []
    for membership, judgments in ballots:
        scratch = PanelInput(settings={}, indicators=[], grades=[], subjects=[], experts={})
        pairwise_comments(scratch, membership, parent_id, judgments, layout.by_id)
        values = upper_values(judgments, children)
        made.append([membership, node.code, {"upper": None}, scratch.comments["pairwise"], None])
        if values is not None:
            weighed.append((len(made) - 1, membership, values))
    if weighed:
        t = len(node.children)
        values = [v for _k, _m, v in weighed]
        stack = ahp.from_upper(values, t).reshape(len(values), t, t)
        figures = pairwise_figures_many(
            node, values, [m for _k, m, _v in weighed], tally.data, stack=stack
        )
        for position, (k, _membership, _values) in enumerate(weighed):
            made[k][2], made[k][4] = figures[position], stack[position]
    return [tuple(row) for row in made]


def _share(evaluation, version, membership, figures, comments, parent_id=None, subject_id=None):
    return BallotShare(
        evaluation=evaluation,
        membership_id=membership,
        parent_id=parent_id,
        subject_id=subject_id,
        since=version,
        figures={key: value for key, value in figures.items() if key != "upper"},
        judgments=figures.get("upper"),
        comments=comments,
    )


def _into_panel_input(data: PanelInput, layout: Layout, share: BallotShare, matrix=None) -> None:
    figures = share.figures
    if share.subject_id:
        data.comments["ratings"].extend(share.comments)
        grades = {c: g for c, g in figures["grades"].items() if c not in data.direct}
        data.ratings.append(
            {
                "membership": share.membership_id,
                "subject": share.subject_id,
                "grades": grades,
                "dont_know": figures["dont_know"],
            }
        )
        return
    code = layout.by_id[share.parent_id].code
    if share.parent_id in layout.given:
        data.ignored_pairwise[code] = data.ignored_pairwise.get(code, 0) + 1
        return
    data.comments["pairwise"].extend(share.comments)
    if share.judgments is not None:
        matrix = matrix_of(share.judgments) if matrix is None else matrix
        data.pairwise.append(
            {"membership": share.membership_id, "parent_code": code, "matrix": matrix}
        )


SHARE_COLUMNS = (
    "evaluation_id",
    "membership_id",
    "parent_id",
    "subject_id",
    "since",
    "figures",
    "judgments",
    "comments",
)


def insert_shares(shares: list[BallotShare]) -> None:
    """Write a full recompute's shares: on PostgreSQL through COPY (psycopg's copy), a few
    times faster than INSERTs for the tens of thousands of a large panel."""
    if connection.vendor != "postgresql":
        BallotShare.objects.bulk_create(shares, batch_size=2000)
        return
    table = BallotShare._meta.db_table
    statement = f"COPY {table} ({', '.join(SHARE_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for share in shares:
            copy.write_row(
                (
                    share.evaluation_id,
                    share.membership_id,
                    share.parent_id,
                    share.subject_id,
                    share.since,
                    Jsonb(share.figures),
                    None if share.judgments is None else Jsonb(share.judgments),
                    Jsonb(share.comments),
                )
            )


def mark_applied(ids: list[int], batch: int = 5000) -> None:
    """In batches: a full recompute of a large panel takes in hundreds of thousands."""
    for start in range(0, len(ids), batch):
        BallotRevision.objects.filter(pk__in=ids[start : start + batch]).update(applied=True)


def unapplied(evaluation: Evaluation):
    return BallotRevision.objects.filter(applied=False, membership__evaluation=evaluation)


def apply_changes(evaluation: Evaluation, tally: Tally, version: int) -> int:
    """Take in the revisions not applied yet: each changed ballot's old share out, its
    current one in. Reads only the changed ballots. Returns how many ballots changed."""
    changes = list(
        unapplied(evaluation).values_list("pk", "membership_id", "parent_id", "subject_id")
    )
    if not changes:
        return 0
    pairs = {(m, p) for _pk, m, p, s in changes if p}
    rated = {(m, s) for _pk, m, p, s in changes if s}
    members = {m for _pk, m, _p, _s in changes}
    _take_out(evaluation, tally, version, members, pairs, rated)
    rows = counted(PairwiseBallot, evaluation).filter(
        membership_id__in=members, parent_id__in={p for _m, p in pairs}
    )
    shares = []
    for membership, parent_id, judgments in rows.order_by("membership_id").values_list(
        "membership_id", "parent_id", "submitted_judgments"
    ):
        if (membership, parent_id) in pairs and membership in tally.data.experts:
            shares.append(
                _pairwise_in(tally, evaluation, version, membership, parent_id, judgments)
            )
    rows = counted(RatingBallot, evaluation).filter(
        membership_id__in=members, subject_id__in={s for _m, s in rated}
    )
    for membership, subject, answers in rows.order_by("membership_id").values_list(
        "membership_id", "subject_id", "submitted_ratings"
    ):
        if (membership, subject) in rated and membership in tally.data.experts:
            shares.append(_rating_in(tally, evaluation, version, membership, subject, answers))
    BallotShare.objects.bulk_create([share for share in shares if share])
    mark_applied([pk for pk, *_rest in changes])
    return len(pairs) + len(rated)


def _take_out(evaluation, tally: Tally, version: int, members, pairs, rated) -> None:
    open_shares = BallotShare.objects.filter(
        evaluation=evaluation, until__isnull=True, membership_id__in=members
    ).filter(Q(parent__isnull=False) | Q(subject__isnull=False))
    closing = []
    codes = {i.pk: i.code for i, _depth in tally.layout.tree}
    for pk, membership, parent_id, subject_id, figures, upper in open_shares.values_list(
        "pk", "membership_id", "parent_id", "subject_id", "figures", "judgments"
    ):
        if parent_id and (membership, parent_id) in pairs:
            figures = {**figures, "upper": upper}
            code = codes.get(parent_id)
            if code in tally.matrices:
                tally.pairwise(membership, code, figures, -1)
            closing.append(pk)
        elif subject_id and (membership, subject_id) in rated:
            tally.rating(membership, subject_id, figures, -1)
            closing.append(pk)
    BallotShare.objects.filter(pk__in=closing).update(until=version)


def _pairwise_in(tally, evaluation, version, membership, parent_id, judgments):
    made = _pairwise_of_one_matrix(tally, parent_id, [(membership, judgments)])
    if not made:
        return None
    _membership, code, figures, comments, _matrix = made[0]
    tally.pairwise(membership, code, figures, +1)
    return _share(evaluation, version, membership, figures, comments, parent_id)


def _rating_in(tally, evaluation, version, membership, subject, answers):
    figures, comments = rating_share_row(tally, membership, subject, answers)
    tally.rating(membership, subject, figures, +1)
    return _share(evaluation, version, membership, figures, comments, subject_id=subject)


def running_lock(evaluation_id: int) -> RunningResults:
    """The evaluation's running results, locked until the transaction ends: recomputes and
    snapshot writes of one evaluation take turns (a ballot's transaction never touches it)."""
    RunningResults.objects.get_or_create(evaluation_id=evaluation_id)
    return RunningResults.objects.select_for_update().get(evaluation_id=evaluation_id)
