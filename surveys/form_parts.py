"""The pieces of the expert's forms that other pages reuse (the coordinator's paper entry,
surveys/paper/): reading the posted answers, the rows of the pairwise and rating tables, and
the live consistency panel. Pure functions of the evaluation and the answers."""

from django.utils.translation import gettext as _

from evaluations.models import Evaluation, Indicator
from evaluations.selectors import depth_first

from . import services, wording
from .skipped import SKIP_TOKEN


def posted_judgments(post) -> dict:
    """Every "pair-<row>-<col>" field (with its comment); unknown pairs reach the service,
    which refuses them, so a tampered form cannot slip in judgments about other indicators."""
    judgments = {}
    for name, value in post.items():
        if name.startswith("pair-"):
            key = name.removeprefix("pair-")
            comment = post.get(f"comment-{key}", "")
            # "I cannot compare these two": a radio beside the scale's values, or on the
            # continuous scale a checkbox beside the number box (whose value it overrides).
            if value == SKIP_TOKEN or post.get(f"skip-{key}") == SKIP_TOKEN:
                judgments[key] = {"value": None, "skipped": True}
            else:
                judgments[key] = {"value": wording.parse_token(value) if value else None}
            judgments[key]["comment"] = comment
    for name, comment in post.items():
        key = name.removeprefix("comment-")
        if name.startswith("comment-") and key not in judgments and comment.strip():
            judgments[key] = {"value": None, "comment": comment}
    return judgments


def pair_rows(children, judgments: dict, errors: dict, flags: dict) -> list[dict]:
    """The form's rows; `flags` are the judgments to revise by pair key (see revision_flags)."""
    pairs = []
    for x, row in enumerate(children):
        for col in children[x + 1 :]:
            key = services.pair_key(row, col)
            answer = judgments.get(key) or {}
            value = answer.get("value")
            pairs.append(
                {
                    "key": key,
                    "row": row,
                    "col": col,
                    "token": wording.token(value) if isinstance(value, float) else "",
                    "skipped": answer.get("skipped") is True,
                    "comment": answer.get("comment", ""),
                    "errors": errors.get(key, []),
                    "flag": flags.get(key),
                }
            )
    return pairs


def revision_flags(revisions: list[dict]) -> dict:
    """The judgments the engine's diagnosis names, by pair key, each with its rank (1 = worst)."""
    return {
        revision["key"]: {**revision, "rank": rank, "count": len(revisions)}
        for rank, revision in enumerate(revisions, start=1)
    }


def consistency_context(evaluation: Evaluation, children, judgments: dict) -> dict:
    # A refused form may hold values off the scale: check only the valid ones.
    valid = {
        key: {
            "value": services.scale_value(answer.get("value"), evaluation.judgment_scale),
            "skipped": answer.get("skipped") is True,
        }
        for key, answer in judgments.items()
    }
    check = services.pairwise_consistency(evaluation=evaluation, children=children, judgments=valid)
    by_index = dict(enumerate(children))
    revisions = [
        {
            "row": by_index[r.row],
            "col": by_index[r.col],
            "current": wording.describe(by_index[r.row].name, by_index[r.col].name, r.current),
            "suggested": wording.describe(by_index[r.row].name, by_index[r.col].name, r.suggested),
            "token": wording.token(r.suggested),
            "key": services.pair_key(by_index[r.row], by_index[r.col]),
        }
        for r in check.revisions[:3]
    ]
    weights = list(zip(children, check.weights, strict=True)) if check.weights else []
    summary = wording.consistency_summary(check.cr, check.consistent)
    if check.disconnected:  # pairs skipped: no CR until the named pair links the rest
        summary = _("CR not known: the pairs answered do not link every indicator")
    return {
        "summary": summary,
        "check": check,
        "weights": weights,
        "revisions": revisions,
        "threshold": check.threshold,
        "blocking": evaluation.cr_policy == Evaluation.CRPolicy.BLOCK,
    }


# The radio of the "don't know" column (where the evaluation allows it) in each leaf's row.
DONT_KNOW = "dont_know"


def posted_ratings(post) -> dict:
    ratings = {}
    for name, value in post.items():
        if name.startswith("grade-"):
            key = name.removeprefix("grade-")
            ratings[key] = {"grade": value or None, "comment": post.get(f"note-{key}", "")}
            if value == DONT_KNOW:
                ratings[key].update(grade=None, dont_know=True)
    for name, comment in post.items():
        key = name.removeprefix("note-")
        if name.startswith("note-") and key not in ratings and comment.strip():
            ratings[key] = {"grade": None, "comment": comment}
    return ratings


def rating_groups(evaluation: Evaluation, ratings: dict, errors: dict) -> list[dict]:
    """Leaf indicators grouped under their first-level indicator, as the paper's table."""
    tree = depth_first(evaluation.indicators.all())
    groups: list[dict] = []
    leaves = {i.pk for i, _d in tree} - {i.parent_id for i, _d in tree if i.parent_id}
    # A leaf whose membership the coordinator gives or measures is not asked for (issue 15 §2).
    leaves -= {i.pk for i, _d in tree if i.membership_source != Indicator.MembershipSource.VOTES}
    for indicator, depth in tree:
        if depth == 1:
            groups.append({"indicator": indicator, "leaves": []})
        if indicator.pk in leaves and groups:
            answer = ratings.get(str(indicator.pk)) or {}
            groups[-1]["leaves"].append(
                {
                    "indicator": indicator,
                    "depth": depth,
                    "grade": DONT_KNOW
                    if answer.get("dont_know")
                    else str(answer.get("grade") or ""),
                    "comment": answer.get("comment", ""),
                    "errors": errors.get(str(indicator.pk), []),
                }
            )
    return [group for group in groups if group["leaves"]]
