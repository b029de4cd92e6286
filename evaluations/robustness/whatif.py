"""The what-if data of the results page (issue 14): what static/js/whatif.js needs to move one
indicator's local weight and recompute every subject in the browser, with no request per move.

Built from a snapshot's data as `results_data_for` gives it to the reader, so the what-if shows
nothing the results page does not: indicator names and local weights, the grades and their
scores, the composition operator, and per subject the membership rows the FCE tables print,
the snapshot's evaluation vector, grade, score and rank (what Reset goes back to). No expert
names, no comments.

Layout (all JSON):
  operator        the evaluation's composition operator, as the snapshot was computed with
  operator_label  its name in words, in the page's language
  grades          [{name, score}] best first
  indicators      [{code, name, parent, local_weight}] depth-first, root first; a single
                  child's local weight is 1
  nodes           the indicators with two or more children (the ones whose weights can move):
                  [{code, name, children: [{code, name, weight}]}] in hierarchy order
  subjects        the scored subjects in the snapshot's order (the order ties keep):
                  [{id, name, membership: {leaf code: row}, vector, grade, score, rank}]
"""

import math
from typing import Any

from ..models import Evaluation

# Operators the script composes with: the ones an evaluation can choose (the engine's fifth,
# the balanced sum, is not a setting).
OPERATORS = tuple(Evaluation.Operator.values)


def whatif_data(*, data: dict) -> dict | None:
    """The what-if data of a snapshot's (reader-filtered) data, or None when there is nothing
    to move or to recompute: no scored subject, a node without weights (results incomplete),
    no node with two or more children, or an operator the script does not know."""
    indicators = data.get("indicators") or []
    operator = data.get("settings", {}).get("operator")
    subjects = [s for s in data.get("subjects", []) if s.get("score") is not None]
    leaves = [row["code"] for row in indicators if row.get("is_leaf")]
    if operator not in OPERATORS or not indicators or not subjects:
        return None
    if any(_number(row["local_weight"]) is None for row in indicators):
        return None
    nodes = _movable_nodes(indicators)
    if not nodes:
        return None
    return {
        "operator": operator,
        "operator_label": str(Evaluation.Operator(operator).label),
        "grades": [{"name": g["name"], "score": float(g["score"])} for g in data["grades"]],
        "indicators": [
            {
                "code": row["code"],
                "name": row["name"],
                "parent": row["parent"],
                "local_weight": float(row["local_weight"]),
            }
            for row in indicators
        ],
        "nodes": nodes,
        "subjects": [_subject(subject, leaves) for subject in subjects],
    }


def _movable_nodes(indicators: list[dict]) -> list[dict]:
    children: dict[str, list[dict]] = {}
    for row in indicators:
        if row["parent"] is not None:
            children.setdefault(row["parent"], []).append(row)
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "children": [
                {"code": c["code"], "name": c["name"], "weight": float(c["local_weight"])}
                for c in children[row["code"]]
            ],
        }
        for row in indicators
        if len(children.get(row["code"], [])) >= 2
    ]


def _subject(subject: dict, leaves: list[str]) -> dict[str, Any]:
    # In hierarchy order: the stored object's key order is the database's (PostgreSQL's jsonb
    # orders keys by length, then bytes).
    rows = subject["membership"]
    return {
        "id": subject["id"],
        "name": subject["name"],
        "membership": {code: list(map(float, rows[code])) for code in leaves if code in rows},
        "vector": list(map(float, subject["vector"])),
        "grade": int(subject["grade"]),
        "score": float(subject["score"]),
        "rank": subject["rank"],
    }


def _number(value) -> float | None:
    """A finite float, or None (a weight the snapshot could not compute)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
