"""The input of the simulations: one evaluation's hierarchy, ballots, ratings and settings.

A Problem holds what the results are computed from (DESIGN §2.4–2.6), by index:
- parents (nodes,): each node's parent index, -1 for the root, which is node 0; every other
  node comes after its parent (depth-first order, as the results list the indicators). A
  node's children are the nodes naming it, in index order; that is the order of its matrices'
  rows and of its local weights.
- fixed {node: weights (t,)}: nodes whose local weights are given, not judged (the
  coordinator's direct weights): positive, summing to 1, the same in every draw.
- judgments {node: (matrices, experts)} for every other node with two or more children: the
  matrices that enter the group weights (experts × t × t, complete and reciprocal) and, one
  per matrix, the index of the expert who gave it. A node with one child has local weight 1.
- expert_weights (E,): positive; each expert's weight in the aggregation and in the votes.
- node_weights (nodes, E), optional: each expert's weight for the matrix of node n (a parent)
  and for the ratings of leaf n, where it differs from expert_weights (weights per first-level
  criterion, which hold in the criterion's subtree); None: expert_weights everywhere.
- ratings (E, S, L): the grade index (0 = best) each expert gave each subject on each leaf,
  -1 for none; leaves in node order.
- fixed_rows (S, L, m), optional: membership rows that do not come from votes (a leaf given or
  measured by the coordinator, issue 15 §2), NaN for the leaves that are voted. A fixed row
  stays as it is in every draw; its leaf's votes (if any) are not used.
- grade_scores (m,), and the settings: method "aij" | "aip", weighting "geometric" |
  "eigenvector", mean "geometric" | "arithmetic" (how AIP averages the experts' weights),
  operator (a key of fuzzy.OPERATORS).
- codes, subjects, experts: the caller's labels for nodes, subjects and experts (optional).

from_panel builds one from the results service's panel input, the same plain lists and
dicts results_compute reads, applying the ballot inclusion setting the same way.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ... import ahp, fuzzy, judgments
from ...ri import size_threshold

NO_RATING = -1
MEANS = ("geometric", "arithmetic")

PARENTS = (
    "parents must give one parent index per node: -1 for the root, which is node 0, and an "
    "earlier node for every other node"
)
JUDGMENTS_MISSING = "judgments must give the matrices of at least one expert for every node "
JUDGMENTS_MISSING += "with two or more children"
JUDGMENTS_EXTRA = "judgments are taken only for nodes with two or more children"
JUDGMENTS_FIXED = "a node with fixed weights takes no judgments"
FIXED = "fixed weights must give a node with two or more children one positive weight per "
FIXED += "child, summing to 1"
JUDGMENTS_SHAPE = "judgments: a node's matrices must be a stack (experts × t × t), t its children"
JUDGMENT_EXPERTS = "judgments: a node's experts must be distinct expert indices, one per matrix"
EXPERT_WEIGHTS = "expert_weights must be positive finite numbers, one per expert (at least one)"
NODE_WEIGHTS = "node_weights must be positive finite numbers shaped nodes × experts"
RATINGS_SHAPE = "ratings must be grade indices shaped experts × subjects × leaves"
RATINGS_VALUES = "ratings must be whole grade indices from 0 to m − 1, or -1 for none"
UNRATED = "ratings must give every leaf of every subject at least one rating"
GRADE_SCORES = "grade_scores must be finite numbers, one per grade (at least two grades)"
UNKNOWN_MEAN = "unknown AIP mean (choose 'geometric' or 'arithmetic')"
# The draws are batched for the crisp methods only; the fuzzy ones (Buckley, Chang) are not.
CRISP_ONLY = "the simulation weighs by 'geometric' or 'eigenvector' only (not the fuzzy methods)"
FIXED_ROWS_SHAPE = (
    "fixed_rows must be membership rows shaped subjects × leaves × grades, NaN for voted leaves"
)
FIXED_ROWS = "fixed_rows: each row must be all NaN, or non-negative numbers summing to 1"
# Fixed rows come from the engine's own mapping (measured.py), which sums them to 1 in float.
FIXED_TOLERANCE = 1e-9
LABELS = "{field} must give one label per {what}"
PANEL_PARENT = "indicators must list each parent before its children"


@dataclass(frozen=True, eq=False)
class Problem:
    """One evaluation's inputs by index (module doc). Checked on construction: a ValueError
    names the field and the rule. Arrays are copied and read-only."""

    parents: np.ndarray
    judgments: Mapping[int, tuple[ArrayLike, ArrayLike]]
    expert_weights: np.ndarray
    ratings: np.ndarray
    grade_scores: np.ndarray
    method: str = "aij"
    weighting: str = "geometric"
    mean: str = "geometric"
    operator: str = fuzzy.DEFAULT_OPERATOR
    codes: tuple[Any, ...] | None = None
    subjects: tuple[Any, ...] | None = None
    experts: tuple[Any, ...] | None = None
    fixed: Mapping[int, ArrayLike] = field(default_factory=dict)
    fixed_rows: np.ndarray | None = None
    node_weights: np.ndarray | None = None
    children: tuple[np.ndarray, ...] = field(init=False, repr=False)
    leaves: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_settings(self.method, self.weighting, self.mean, self.operator)
        parents = _parents(self.parents)
        children = tuple(np.flatnonzero(parents == node) for node in range(parents.size))
        weights = _expert_weights(self.expert_weights)
        scores = _grade_scores(self.grade_scores)
        leaves = np.array([node for node, kids in enumerate(children) if kids.size == 0])
        fixed_rows = _fixed_rows(self.fixed_rows, np.shape(self.ratings), leaves.size, scores.size)
        ratings = _ratings(self.ratings, weights.size, leaves.size, scores.size, fixed_rows)
        fixed = _fixed(self.fixed, children)
        given = _judgments(self.judgments, children, weights.size, fixed)
        for name, value in (
            ("fixed", fixed),
            ("fixed_rows", fixed_rows),
            ("parents", parents),
            ("expert_weights", weights),
            ("grade_scores", scores),
            ("ratings", ratings),
            ("children", children),
            ("leaves", leaves),
            ("judgments", given),
            ("node_weights", _node_weights(self.node_weights, parents.size, weights.size)),
        ):
            object.__setattr__(self, name, value)
        self._check_labels()

    @property
    def nodes(self) -> int:
        return self.parents.size

    @property
    def subject_count(self) -> int:
        return self.ratings.shape[1]

    def _check_labels(self) -> None:
        for name, count, what in (
            ("codes", self.nodes, "node"),
            ("subjects", self.subject_count, "subject"),
            ("experts", self.expert_weights.size, "expert"),
        ):
            labels = getattr(self, name)
            if labels is not None:
                if len(labels) != count:
                    raise ValueError(LABELS.format(field=name, what=what))
                object.__setattr__(self, name, tuple(labels))


def _check_settings(method: str, weighting: str, mean: str, operator: str) -> None:
    if method not in ahp.AGGREGATIONS:
        raise ValueError(f"method: {ahp.UNKNOWN_AGGREGATION}: {method!r}")
    if weighting not in ahp.METHODS:
        raise ValueError(f"weighting: {CRISP_ONLY}: {weighting!r}")
    if mean not in MEANS:
        raise ValueError(f"mean: {UNKNOWN_MEAN}: {mean!r}")
    if operator not in fuzzy.OPERATORS:
        raise ValueError(f"operator: {fuzzy.UNKNOWN_OPERATOR}: {operator!r}")


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array)  # a copy: the caller may go on changing theirs
    array.flags.writeable = False
    return array


def _whole(value: ArrayLike, message: str) -> np.ndarray:
    """An integer array from whole numbers (ints or integral floats), else ValueError."""
    try:
        array = np.asarray(value)
        numbers = array.astype(float)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if array.dtype == bool or not np.all(np.isfinite(numbers) & (numbers == np.round(numbers))):
        raise ValueError(message)
    return numbers.astype(np.int64)


def _parents(value: ArrayLike) -> np.ndarray:
    parents = _whole(value, PARENTS)
    index = np.arange(parents.size)
    well_formed = (
        parents.ndim == 1
        and parents.size >= 2
        and parents[0] == -1
        and np.all((parents[1:] >= 0) & (parents[1:] < index[1:]))
    )
    if not well_formed:
        raise ValueError(f"{PARENTS}; got {parents.tolist()}")
    return _frozen(parents)


def _expert_weights(value: ArrayLike) -> np.ndarray:
    try:
        weights = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(EXPERT_WEIGHTS) from None
    if weights.ndim != 1 or weights.size == 0 or not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(EXPERT_WEIGHTS)
    return _frozen(weights)


def _node_weights(value: ArrayLike | None, nodes: int, experts: int) -> np.ndarray | None:
    if value is None:
        return None
    try:
        weights = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(NODE_WEIGHTS) from None
    if weights.shape != (nodes, experts) or not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(f"{NODE_WEIGHTS} ({nodes} × {experts})")
    return _frozen(weights)


def _grade_scores(value: ArrayLike) -> np.ndarray:
    try:
        scores = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(GRADE_SCORES) from None
    if scores.ndim != 1 or scores.size < 2 or not np.all(np.isfinite(scores)):
        raise ValueError(GRADE_SCORES)
    return _frozen(scores)


def fixed_mask(fixed: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray:
    """(S, L): True where a leaf's row is fixed rather than voted."""
    if fixed is None:
        return np.zeros(shape, dtype=bool)
    return ~np.isnan(fixed[..., 0])


def _fixed_rows(value, ratings_shape: tuple, leaves: int, grades: int) -> np.ndarray | None:
    if value is None:
        return None
    try:
        fixed = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(FIXED_ROWS_SHAPE) from None
    subjects = ratings_shape[1] if len(ratings_shape) == 3 else -1
    if fixed.shape != (subjects, leaves, grades):
        raise ValueError(f"{FIXED_ROWS_SHAPE}; got {fixed.shape}")
    voted = np.all(np.isnan(fixed), axis=-1)
    rows = fixed[~voted]
    if not (
        np.all(np.isfinite(rows))
        and np.all(rows >= 0)
        and np.all(np.abs(rows.sum(axis=-1) - 1) <= FIXED_TOLERANCE)
    ):
        raise ValueError(FIXED_ROWS)
    return _frozen(fixed)


def _ratings(
    value: ArrayLike, experts: int, leaves: int, grades: int, fixed: np.ndarray | None = None
) -> np.ndarray:
    ratings = _whole(value, RATINGS_VALUES)
    if ratings.ndim != 3 or ratings.shape[0] != experts or ratings.shape[2] != leaves:
        raise ValueError(
            f"{RATINGS_SHAPE}; got {ratings.shape} for {experts} experts and {leaves} leaves"
        )
    if ratings.shape[1] == 0:
        raise ValueError(f"{RATINGS_SHAPE}; there are no subjects")
    if np.any((ratings < NO_RATING) | (ratings >= grades)):
        raise ValueError(f"{RATINGS_VALUES} (m = {grades})")
    unrated = np.argwhere(
        np.all(ratings == NO_RATING, axis=0) & ~fixed_mask(fixed, ratings.shape[1:])
    )
    if unrated.size:
        subject, leaf = unrated[0]
        raise ValueError(f"{UNRATED} (first: subject {subject}, leaf {leaf})")
    return _frozen(ratings)


def _fixed(value, children: tuple[np.ndarray, ...]) -> dict:
    if not isinstance(value, Mapping):
        raise ValueError(f"{FIXED}; give a mapping node → weights")
    result = {}
    for node, weights in value.items():
        valid_node = isinstance(node, int | np.integer) and 0 <= node < len(children)
        if not valid_node or children[node].size < 2:
            raise ValueError(f"{FIXED} (node {node!r})")
        array = np.asarray(weights, dtype=float)
        valid = (
            array.shape == (children[node].size,)
            and np.all(np.isfinite(array))
            and np.all(array > 0)
            and abs(array.sum() - 1.0) <= 1e-9
        )
        if not valid:
            raise ValueError(f"{FIXED} (node {node})")
        result[int(node)] = _frozen(array)
    return result


def _judgments(given, children: tuple[np.ndarray, ...], experts: int, fixed: dict) -> dict:
    if not isinstance(given, Mapping):
        raise ValueError(f"{JUDGMENTS_MISSING}; give a mapping node → (matrices, experts)")
    taken = sorted(set(given) & set(fixed), key=str)
    if taken:
        raise ValueError(f"{JUDGMENTS_FIXED} (node {taken[0]!r})")
    result = {}
    for node, kids in enumerate(children):
        if kids.size < 2 or node in fixed:
            continue
        if node not in given:
            raise ValueError(f"{JUDGMENTS_MISSING} (node {node})")
        result[node] = _node_judgments(node, given[node], kids.size, experts)
    extra = sorted(set(given) - set(result), key=str)
    if extra:
        raise ValueError(f"{JUDGMENTS_EXTRA} (node {extra[0]!r})")
    return result


def _node_judgments(node: int, given, t: int, experts: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        matrices, who = given
    except (TypeError, ValueError):
        raise ValueError(f"{JUDGMENTS_SHAPE} (node {node}; give (matrices, experts))") from None
    try:
        stack, batched = judgments.as_matrices(matrices)
    except ValueError as error:
        raise ValueError(f"judgments of node {node}: {error}") from None
    if not batched or stack.shape[-1] != t:
        raise ValueError(f"{JUDGMENTS_SHAPE} (node {node}: {t} children, got {stack.shape})")
    who = _whole(who, JUDGMENT_EXPERTS)
    valid = (
        who.shape == (stack.shape[0],)
        and np.all((who >= 0) & (who < experts))
        and np.unique(who).size == who.size
    )
    if not valid:
        raise ValueError(f"{JUDGMENT_EXPERTS} (node {node})")
    return _frozen(stack), _frozen(who)


def from_panel(
    *,
    settings: Mapping[str, Any],
    indicators: Sequence[Mapping[str, Any]],
    grades: Sequence[Mapping[str, Any]],
    subjects: Sequence[Mapping[str, Any]],
    experts: Mapping[Any, Mapping[str, Any]],
    pairwise: Sequence[Mapping[str, Any]],
    ratings: Sequence[Mapping[str, Any]],
    mean: str | None = None,
    fixed_rows: Mapping[Any, Mapping[str, ArrayLike]] | None = None,
) -> Problem:
    """A Problem from the results service's panel input (its PanelInput fields, as plain data).

    indicators: [{code, parent_code}] parents first; grades: [{score}] best first; subjects:
    [{id}]; experts: {id: {weight, criterion_weights (optional) {first-level code: weight}}},
    a criterion's weight holding for every matrix and rating in its subtree; pairwise:
    [{membership, parent_code, matrix}]; ratings: [{membership, subject, grades: {leaf code:
    grade index}}]; settings: aggregation, weighting_method, operator, ballot_inclusion
    ("consistent" keeps only the matrices with CR below their limit by the ri_table, as the
    results do: cr_threshold, or by the matrix's size when cr_threshold_rule is "by_size"),
    and aip_mean (used with AIP) unless `mean` is given. fixed_rows: {subject id: {leaf code:
    membership row, or None when the subject has none yet}} for the leaves given or measured
    rather than voted (results.direct); votes for such a leaf are not used. Labels: codes,
    subject ids, expert ids. Ratings of unknown leaves or subjects are left out, and so are
    the subjects with a leaf nobody rated and no fixed row: the results give them no score
    and no rank.
    """
    codes = [row["code"] for row in indicators]
    position = {code: n for n, code in enumerate(codes)}
    parents = [-1 if row["parent_code"] is None else position.get(row["parent_code"], n)
               for n, row in enumerate(indicators)]  # fmt: skip
    if any(parent >= n for n, parent in enumerate(parents)):
        raise ValueError(PANEL_PARENT)
    expert_ids = list(experts)
    expert_index = {expert: n for n, expert in enumerate(expert_ids)}
    children = [[m for m, p in enumerate(parents) if p == n] for n in range(len(codes))]
    leaves = [n for n, kids in enumerate(children) if not kids]
    votes = _panel_ratings(ratings, subjects, codes, leaves, expert_index)
    rows, direct = _panel_fixed_rows(fixed_rows, subjects, codes, leaves, len(grades))
    votes[:, direct] = NO_RATING  # a leaf not voted: its votes, if any, do not count
    # Nodes whose weights the coordinator gave (their rows' given_weights, children's order).
    fixed = {n: row["given_weights"] for n, row in enumerate(indicators)
             if row.get("given_weights") is not None}  # fmt: skip
    # A subject with an unrated leaf has no score and no rank in the results: leave it out.
    covered = np.any(votes != NO_RATING, axis=0) | fixed_mask(rows, votes.shape[1:])
    rated = np.all(covered, axis=1)
    return Problem(
        parents=np.array(parents),
        judgments=_panel_judgments(settings, pairwise, position, children, expert_index, fixed),
        expert_weights=np.array([float(experts[e]["weight"]) for e in expert_ids]),
        ratings=votes[:, rated],
        grade_scores=np.array([float(g["score"]) for g in grades]),
        method=settings["aggregation"],
        weighting=settings["weighting_method"],
        mean=mean or _panel_mean(settings),
        operator=settings["operator"],
        codes=tuple(codes),
        subjects=tuple(s["id"] for s, kept in zip(subjects, rated, strict=True) if kept),
        experts=tuple(expert_ids),
        fixed=fixed,
        fixed_rows=None if rows is None else rows[rated],
        node_weights=_panel_node_weights(codes, parents, experts, expert_ids),
    )


def _panel_node_weights(codes, parents, experts, expert_ids) -> np.ndarray | None:
    """(nodes, E): each node takes its first-level criterion's weight where the expert has
    one; None when no expert has a weight per criterion that differs from their overall."""
    overall = np.array([float(experts[e]["weight"]) for e in expert_ids])
    weights = np.tile(overall, (len(codes), 1))
    criterion = list(range(len(codes)))  # node → its first-level ancestor (root: itself)
    for n in range(1, len(codes)):
        criterion[n] = n if parents[n] == 0 else criterion[parents[n]]
    for e, expert in enumerate(expert_ids):
        by_code = experts[expert].get("criterion_weights") or {}
        for n in range(1, len(codes)):
            if codes[criterion[n]] in by_code:
                weights[n, e] = float(by_code[codes[criterion[n]]])
    return None if np.array_equal(weights, np.tile(overall, (len(codes), 1))) else weights


def _panel_mean(settings: Mapping[str, Any]) -> str:
    # AIJ takes the geometric mean of the judgments whatever the AIP mean is set to.
    if settings["aggregation"] == "aip":
        return settings.get("aip_mean", "geometric")
    return "geometric"


def _cr_limit(settings: Mapping[str, Any], order: int) -> float:
    if settings.get("cr_threshold_rule") == "by_size":
        return size_threshold(order)
    return settings["cr_threshold"]


def _panel_judgments(settings, pairwise, position, children, expert_index, fixed) -> dict:
    by_node: dict[int, list] = {}
    for ballot in pairwise:
        node = position.get(ballot["parent_code"])
        if node is not None and len(children[node]) >= 2 and node not in fixed:
            by_node.setdefault(node, []).append(ballot)
    result = {}
    for node, ballots in by_node.items():
        stack = np.array([ballot["matrix"] for ballot in ballots], dtype=float)
        who = np.array([expert_index[ballot["membership"]] for ballot in ballots])
        if settings.get("ballot_inclusion") == "consistent":
            limit = _cr_limit(settings, len(children[node]))
            own = ahp.priorities(
                stack, method=settings["weighting_method"], ri=settings["ri_table"], threshold=limit
            )
            keep = own.cr < limit
            stack, who = stack[keep], who[keep]
        if who.size:
            result[node] = (stack, who)
    return result


def _panel_fixed_rows(fixed, subjects, codes, leaves, grades: int):
    """The fixed rows (S, L, m) or None, and (S, L) True where a leaf is not voted: listed for
    the subject with its row, or with None when the subject lacks one (then it has no score)."""
    direct = np.zeros((len(subjects), len(leaves)), dtype=bool)
    if not fixed:
        return None, direct
    leaf_index = {codes[node]: n for n, node in enumerate(leaves)}
    result = np.full((len(subjects), len(leaves), grades), np.nan)
    for n, subject in enumerate(subjects):
        for code, row in fixed.get(subject["id"], {}).items():
            if code in leaf_index:
                direct[n, leaf_index[code]] = True
                if row is not None:
                    result[n, leaf_index[code]] = row
    return result, direct


def _panel_ratings(ratings, subjects, codes, leaves, expert_index) -> np.ndarray:
    subject_index = {subject["id"]: n for n, subject in enumerate(subjects)}
    leaf_index = {codes[node]: n for n, node in enumerate(leaves)}
    result = np.full((len(expert_index), len(subjects), len(leaves)), NO_RATING)
    for ballot in ratings:
        subject = subject_index.get(ballot["subject"])
        if subject is None:
            continue
        for code, grade in ballot["grades"].items():
            if code in leaf_index:
                result[expert_index[ballot["membership"]], subject, leaf_index[code]] = grade
    return result
