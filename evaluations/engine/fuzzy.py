"""Fuzzy comprehensive evaluation (DESIGN §2.6–2.7).

Membership matrices R are n indicators × m grades; a weight vector A over the n indicators is
composed with R into an evaluation vector B over the m grades. Every function broadcasts over
leading axes, so one call can evaluate several subjects (membership of shape (s, n, m)).
"""

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike

from .hierarchy import LocalWeights, Node, check_codes, local_weights

NEGATIVE_COUNTS = "rating counts must be non-negative"
NOT_FINITE = "values must be finite numbers"
ZERO_ROW = "every indicator needs at least one rating (a row's total is 0)"
NOT_A_MATRIX = "membership must be an n × m matrix (or a stack of them)"
WEIGHTS_SUM = "weights must sum to 1"
NEGATIVE_WEIGHTS = "weights must be non-negative"
NEGATIVE_MEMBERSHIP = "membership degrees must be non-negative"
SHAPES_DIFFER = "weights and membership do not fit"
UNKNOWN_OPERATOR = "unknown composition operator"
ALL_ZERO = "the evaluation vector is all 0, so it cannot be normalised"
SCORES_DIFFER = "give one grade score per grade"
FLAT_SCORES = "the best and worst grade scores must differ"
MISSING_MEMBERSHIP = "a leaf indicator has no membership row"
GRADE_COUNT = "every leaf's membership row must have the same number of grades"

# Weights from the AHP sum to 1 to within a few ulps; anything looser is a caller's mistake.
SUM_TOLERANCE = 1e-9
# Grades whose membership is this close to the largest count as tied for the maximum.
TIE_TOLERANCE = 1e-12


def membership(counts: ArrayLike) -> np.ndarray:
    """Row-normalise rating counts into a membership matrix: r_ijh = V_ijh / V_ij.

    counts[i, h] is the number of experts (or their summed weights) who gave indicator i grade
    h; rows may have different totals. A row with total 0 has no membership (ValueError naming
    the row).
    """
    v = np.asarray(counts, dtype=float)
    if v.ndim < 2:
        raise ValueError(f"{NOT_A_MATRIX}; got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{NOT_FINITE} (first at row {_first_row(~np.isfinite(v))})")
    if np.any(v < 0):
        raise ValueError(f"{NEGATIVE_COUNTS} (first at row {_first_row(v < 0)})")
    totals = v.sum(axis=-1, keepdims=True)
    if np.any(totals == 0):
        raise ValueError(f"{ZERO_ROW} (row {_first_row(totals == 0)})")
    return v / totals


def _first_row(mask: np.ndarray) -> int | tuple[int, ...]:
    """Index of the first row holding a True, as an int for a matrix, a tuple for a stack."""
    index = tuple(int(i) for i in np.argwhere(mask)[0][:-1])
    return index[0] if len(index) == 1 else index


def _product_sum(a: np.ndarray, r: np.ndarray) -> np.ndarray:
    return (a * r).sum(axis=-2)


def _min_max(a: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.minimum(a, r).max(axis=-2)


def _product_max(a: np.ndarray, r: np.ndarray) -> np.ndarray:
    return (a * r).max(axis=-2)


def _min_bounded_sum(a: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.minimum(1.0, np.minimum(a, r).sum(axis=-2))


def _min_balanced_sum(a: np.ndarray, r: np.ndarray) -> np.ndarray:
    # Each grade's column is scaled to sum 1 first; an all-zero column stays 0.
    column = r.sum(axis=-2, keepdims=True)
    balanced = np.divide(
        r, column, out=np.zeros(np.broadcast_shapes(r.shape, column.shape)), where=column > 0
    )
    return np.minimum(a, balanced).sum(axis=-2)


# name → (b_j from a_i and r_ij). The paper's ordinary product is the default.
OPERATORS: Mapping[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "product_sum": _product_sum,  # M(·,+): b_j = Σ_i a_i r_ij
    "min_max": _min_max,  # M(∧,∨): b_j = max_i min(a_i, r_ij)
    "product_max": _product_max,  # M(·,∨): b_j = max_i a_i r_ij
    "min_bounded_sum": _min_bounded_sum,  # M(∧,⊕): b_j = min(1, Σ_i min(a_i, r_ij))
    "min_balanced_sum": _min_balanced_sum,  # M(∧,+): b_j = Σ_i min(a_i, r_ij / Σ_k r_kj)
}
LABELS = {
    "product_sum": "M(·,+)",
    "min_max": "M(∧,∨)",
    "product_max": "M(·,∨)",
    "min_bounded_sum": "M(∧,⊕)",
    "min_balanced_sum": "M(∧,+) balanced",
}
DEFAULT_OPERATOR = "product_sum"


def compose(
    weights: ArrayLike, membership: ArrayLike, operator: str = DEFAULT_OPERATOR
) -> np.ndarray:
    """The raw (unnormalised) evaluation vector B = A ∘ R for the chosen operator.

    weights (…, n) must be non-negative and sum to 1; membership (…, n, m) non-negative.
    Leading axes broadcast, e.g. one weight vector against several subjects' matrices.
    """
    if operator not in OPERATORS:
        raise ValueError(f"{UNKNOWN_OPERATOR}: {operator!r} (choose from {', '.join(OPERATORS)})")
    a, r = _check_composition(weights, membership)
    return OPERATORS[operator](a[..., :, None], r)


def _check_composition(weights: ArrayLike, membership: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(weights, dtype=float)
    r = np.asarray(membership, dtype=float)
    if a.ndim < 1 or r.ndim < 2 or a.shape[-1] != r.shape[-2]:
        raise ValueError(f"{SHAPES_DIFFER}: weights {a.shape}, membership {r.shape}")
    try:
        np.broadcast_shapes(a.shape[:-1], r.shape[:-2])
    except ValueError:
        raise ValueError(f"{SHAPES_DIFFER}: weights {a.shape}, membership {r.shape}") from None
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(r))):
        raise ValueError(NOT_FINITE)
    if np.any(a < 0):
        raise ValueError(NEGATIVE_WEIGHTS)
    if np.any(np.abs(a.sum(axis=-1) - 1.0) > SUM_TOLERANCE):
        raise ValueError(WEIGHTS_SUM)
    if np.any(r < 0):
        raise ValueError(NEGATIVE_MEMBERSHIP)
    return a, r


def evaluate(
    weights: ArrayLike, membership: ArrayLike, operator: str = DEFAULT_OPERATOR
) -> np.ndarray:
    """The evaluation vector normalised to sum 1 (DESIGN §2.6: "normalise E to sum 1")."""
    return _normalise(compose(weights, membership, operator))


def _normalise(b: np.ndarray) -> np.ndarray:
    total = b.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError(ALL_ZERO)
    return b / total


def grade(vector: ArrayLike) -> int | np.ndarray:
    """Index (0-based) of the grade with the largest membership: the maximum-membership principle.

    Ties: grades within 1e-12 of the maximum count as tied and the first of them (the
    lowest index, i.e. the best-ranked grade when grades run from best to worst) wins.
    """
    e = np.asarray(vector, dtype=float)
    tied = e >= e.max(axis=-1, keepdims=True) - TIE_TOLERANCE
    index = np.argmax(tied, axis=-1)  # argmax of booleans = first True
    return int(index) if index.ndim == 0 else index


def score(vector: ArrayLike, grade_scores: ArrayLike) -> float | np.ndarray:
    """The weighted score E · s of an evaluation vector with the grades' scores."""
    e, s = _check_scores(vector, grade_scores)
    result = e @ s
    return float(result) if np.ndim(result) == 0 else result


def _check_scores(vector: ArrayLike, grade_scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    e = np.asarray(vector, dtype=float)
    s = np.asarray(grade_scores, dtype=float)
    if s.ndim != 1 or e.ndim < 1 or e.shape[-1] != s.shape[0]:
        raise ValueError(f"{SCORES_DIFFER}: vector {e.shape}, scores {s.shape}")
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(s))):
        raise ValueError(NOT_FINITE)
    return e, s


def shortfall(membership_rows: ArrayLike, grade_scores: ArrayLike) -> float | np.ndarray:
    """How far each indicator falls short of the best grade, from 0 (all best) to 1 (all worst).

    The indicator's score is its membership row · s; shortfall = (best − score) / (best − worst)
    with best and worst the largest and smallest grade score (DESIGN §2.7).
    """
    rows, s = _check_scores(membership_rows, grade_scores)
    best, worst = s.max(), s.min()
    if best == worst:
        raise ValueError(FLAT_SCORES)
    result = (best - rows @ s) / (best - worst)
    return float(result) if np.ndim(result) == 0 else result


def weak_points(
    global_weights: Mapping[str, float], shortfalls: Mapping[str, float]
) -> list[tuple[str, float]]:
    """Leaf indicators ranked by global weight × shortfall, largest first (DESIGN §2.7).

    Only codes present in both mappings are ranked; ties keep the order of `shortfalls`.
    """
    impact = [
        (code, float(global_weights[code]) * float(value))
        for code, value in shortfalls.items()
        if code in global_weights
    ]
    return sorted(impact, key=lambda item: -item[1])


def evaluate_tree(
    root: Node,
    local_weights_by_parent: LocalWeights,
    leaf_membership: Mapping[str, ArrayLike],
    operator: str = DEFAULT_OPERATOR,
) -> dict[str, np.ndarray]:
    """Evaluate a hierarchy of any depth bottom-up: G = D ∘ R at each parent, up to E at the root.

    leaf_membership maps each leaf code to its membership row (m grades), or to rows (s, m) for
    s subjects at once. Returns the vector of every node: leaves as given, intermediate nodes
    as the operator computes them (with product_sum they already sum to 1), the root normalised
    to sum 1 as `evaluate` does.
    """
    check_codes(root)
    vectors: dict[str, np.ndarray] = {}
    _evaluate_node(root, local_weights_by_parent, leaf_membership, operator, vectors)
    vectors[root.code] = _normalise(vectors[root.code])
    return vectors


def _evaluate_node(
    node: Node,
    local_weights_by_parent: LocalWeights,
    leaf_membership: Mapping[str, ArrayLike],
    operator: str,
    vectors: dict[str, np.ndarray],
) -> np.ndarray:
    if node.is_leaf:
        if node.code not in leaf_membership:
            raise ValueError(f"{MISSING_MEMBERSHIP} (node {node.code!r})")
        vectors[node.code] = np.asarray(leaf_membership[node.code], dtype=float)
        return vectors[node.code]
    children = [
        _evaluate_node(child, local_weights_by_parent, leaf_membership, operator, vectors)
        for child in node.children
    ]
    if len({child.shape for child in children}) > 1:
        raise ValueError(f"{GRADE_COUNT} (under node {node.code!r})")
    weights = local_weights(node, local_weights_by_parent)
    vectors[node.code] = compose(weights, np.stack(children, axis=-2), operator)
    return vectors[node.code]
