"""The batched core: a whole batch of draws of one evaluation at once, as array axes.

A draw is the evaluation recomputed with each expert's weight multiplied by a factor (how
often the bootstrap drew them; 0 leaves them out; 1 everywhere is the evaluation itself) and,
for judgment noise, other judgments. Per node with matrices the group weights follow the
settings (DESIGN §2.5) from the log judgments, which keeps every step a whole-array pass:
- AIJ: the weighted mean of the experts' log judgments is the log of the group matrix; the
  root method's weights are then a softmax of its row means (the paper's row products to the
  power 1/t, normalised), the eigenvector method takes the group matrix's Perron vector.
- AIP: each expert's own weights by the weighting method, then their weighted geometric mean
  (renormalised) or weighted arithmetic mean.
Then the membership rows from the weighted votes, the fuzzy evaluation bottom-up with the
operator, each subject's score, grade and rank (DESIGN §2.6), as the results compute them.
A draw in which a node has no judgment or a leaf of a subject no rating left (a bootstrap
sample without the experts who gave them) is incomplete: `valid` is False for it.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ... import ahp, fuzzy
from .problem import NO_RATING, Problem, fixed_mask


@dataclass(frozen=True, eq=False)
class Matrices:
    """One node's judgments, ready for the batch: log upper triangles and the experts' weights.

    logs (K, p): ln b_xy of the upper triangle, row-major; signs (p, t): +1 in column x and −1
    in column y for the pair (x, y), so logs @ signs are the rows' sums of ln b of the full
    matrix; individual (K, t): each expert's own weights (ahp.priorities of their matrix).
    """

    node: int
    children: np.ndarray
    experts: np.ndarray
    logs: np.ndarray
    signs: np.ndarray
    individual: np.ndarray

    @property
    def t(self) -> int:
        return self.children.size


@dataclass(frozen=True, eq=False)
class Prepared:
    """A Problem with what every batch reuses computed once.

    values (E, C): per node with matrices, the columns its group weights mix over the experts
    (AIJ: log judgments; AIP: the experts' own weights, or their logs for the geometric mean),
    0 in the rows of experts who did not judge it, so one product with the draws' expert
    weights mixes every node at once; columns: each node's slice of them. answered (E, J):
    1 where the expert judged the node. votes (E, S·L·m): 1 where the expert gave the grade.
    With the problem's node_weights, each expert's values, answered and votes are scaled by
    factors (nodes, E), the node's weight over the overall weight: the draws' weights are the
    overall ones times multipliers, and the products then weigh every node by its own weight.
    """

    problem: Problem
    matrices: tuple[Matrices, ...]
    leaf_position: dict[int, int]
    values: np.ndarray
    columns: tuple[slice, ...]
    answered: np.ndarray
    votes: np.ndarray
    factors: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Batch:
    """D draws: local and global weights (D, nodes), root vectors (D, S, m), scores (D, S),
    grades (D, S), ranks (D, S) from 0 (first), and which draws are complete (D,)."""

    local: np.ndarray
    global_: np.ndarray
    vectors: np.ndarray
    scores: np.ndarray
    grades: np.ndarray
    ranks: np.ndarray
    valid: np.ndarray


def prepare(problem: Problem) -> Prepared:
    matrices = tuple(_matrices(problem, node) for node in sorted(problem.judgments))
    experts = problem.expert_weights.size
    parts = [_mixed_values(problem, m) for m in matrices]
    values = np.zeros((experts, sum(part.shape[1] for part in parts)))
    answered = np.zeros((experts, len(matrices)))
    factors = None
    if problem.node_weights is not None:
        factors = problem.node_weights / problem.expert_weights[None, :]
    columns, start = [], 0
    for j, (m, part) in enumerate(zip(matrices, parts, strict=True)):
        columns.append(slice(start, start + part.shape[1]))
        factor = 1.0 if factors is None else factors[m.node, m.experts]
        values[m.experts, columns[-1]] = part * np.reshape(factor, (-1, 1))
        answered[m.experts, j] = factor
        start += part.shape[1]
    grades = np.arange(problem.grade_scores.size)
    votes = (problem.ratings[..., None] == grades).astype(float)
    if factors is not None:
        votes *= factors[problem.leaves].T[:, None, :, None]  # (E, 1, L, 1)
    votes = votes.reshape(experts, -1)
    return Prepared(
        problem=problem,
        matrices=matrices,
        leaf_position={int(node): n for n, node in enumerate(problem.leaves)},
        values=values,
        columns=tuple(columns),
        answered=answered,
        votes=votes,
        factors=factors,
    )


def _matrices(problem: Problem, node: int) -> Matrices:
    stack, experts = problem.judgments[node]
    t = stack.shape[-1]
    rows, cols = np.triu_indices(t, 1)
    signs = np.zeros((rows.size, t))
    signs[np.arange(rows.size), rows] = 1.0
    signs[np.arange(rows.size), cols] = -1.0
    return Matrices(
        node=node,
        children=problem.children[node],
        experts=experts,
        logs=np.log(stack[:, rows, cols]),
        signs=signs,
        individual=ahp.priorities(stack, method=problem.weighting).weights,
    )


def _mixed_values(problem: Problem, matrices: Matrices, logs: np.ndarray | None = None):
    """What the group weights average over the experts (Prepared), from logs when given."""
    if problem.method == "aij":
        return matrices.logs if logs is None else logs
    if logs is None:
        individual = matrices.individual
    else:
        individual = _weigh(logs, matrices, problem.weighting)
    return np.log(individual) if problem.mean == "geometric" else individual


def run(
    prepared: Prepared,
    multipliers: np.ndarray,
    noisy_logs: Callable[[Matrices], np.ndarray] | None = None,
    draws: int | None = None,
) -> Batch:
    """D draws: multipliers (D, E) scale the experts' weights (ratings and judgments alike);
    noisy_logs, when given, returns a node's log judgments (D, K, p) to use instead of its
    own; it is called once per node in node order, so only one node's draws are held at a
    time. Multipliers of shape (1, E) serve every one of `draws` draws (noise, same panel)."""
    problem = prepared.problem
    weights = multipliers * problem.expert_weights
    draws = weights.shape[0] if draws is None else draws
    local = np.ones((draws, problem.nodes))
    for node, given in problem.fixed.items():  # given weights: the same in every draw
        local[:, problem.children[node]] = given
    totals = weights @ prepared.answered
    valid = np.all(totals > 0, axis=1)
    mixed = weights @ prepared.values if noisy_logs is None else None
    for j, matrices in enumerate(prepared.matrices):
        if noisy_logs is None:
            values = mixed[:, prepared.columns[j]]
        else:
            noisy = _mixed_values(problem, matrices, noisy_logs(matrices))
            own = weights[:, matrices.experts]
            if prepared.factors is not None:
                own = own * prepared.factors[matrices.node, matrices.experts]
            values = np.matmul(own[:, None, :], noisy)[:, 0, :]
        local[:, matrices.children] = _group(problem, matrices, values, totals[:, j])
    membership, rated = _membership(prepared, weights)
    valid = valid & rated
    vectors = _evaluate(prepared, local, membership)
    scores = vectors @ problem.grade_scores
    order = np.argsort(-scores, axis=1, kind="stable")  # ties: the subjects' order, as results
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(order.shape[1])[None, :], axis=1)
    return Batch(
        local=local,
        global_=_global(problem.parents, local),
        vectors=vectors,
        scores=scores,
        grades=fuzzy.grade(vectors),
        ranks=ranks,
        valid=np.broadcast_to(valid, (draws,)),
    )


def _group(problem: Problem, matrices: Matrices, values: np.ndarray, total: np.ndarray):
    """A node's group weights (D, t) from the weighted sums of its experts' values (D, q) and
    the sum of their weights (D,). A draw without any of the node's experts gets equal weights
    here, so its numbers stay finite; run marks it not valid."""
    answered = total > 0
    mean = values / np.where(answered, total, 1.0)[:, None]
    if problem.method == "aij":
        weights = _weigh(mean, matrices, problem.weighting)
    elif problem.mean == "geometric":
        weights = _normalise_logs(mean)
    else:
        sums = mean.sum(axis=-1, keepdims=True)
        weights = mean / np.where(sums > 0, sums, 1.0)
    return np.where(answered[:, None], weights, 1.0 / matrices.t)


def _weigh(logs: np.ndarray, matrices: Matrices, weighting: str) -> np.ndarray:
    """Weights (…, t) of the matrices whose log upper triangles are logs (…, p)."""
    if weighting == "geometric":
        return _normalise_logs(logs @ matrices.signs / matrices.t)
    t = matrices.t
    rows, cols = np.triu_indices(t, 1)
    full = np.ones(logs.shape[:-1] + (t, t))
    full[..., rows, cols] = np.exp(logs)
    full[..., cols, rows] = np.exp(-logs)
    return _perron(full.reshape(-1, t, t)).reshape(logs.shape[:-1] + (t,))


# Squarings before the first check (A^64), and how little one more may move the vector.
SQUARINGS = 6
CONVERGED = 1e-14


def _perron(stack: np.ndarray) -> np.ndarray:
    """The eigenvector method's weights of positive matrices (k, t, t), by repeated squaring.

    A^n · 1 turns to the Perron vector as n grows, by the factor |λ2 / λmax|^n (Perron–
    Frobenius), and squaring gets there in log2 n small matrix products: on the noisy draws'
    nearly consistent matrices about four times faster than LAPACK's general eigensolver
    (the demo's 10,000 draws under AIP take 0.4 s instead of 1.7 s). A matrix whose vector
    still moves by more than 1e-14 between A^64 and A^128 goes to ahp.priorities (LAPACK)
    instead, so every result is the eigenvector method's to within about 1e-14.
    """
    power = stack
    for _ in range(SQUARINGS):
        power = _square(power)
    before = _row_sums(power)
    after = _row_sums(_square(power))
    slow = np.abs(after - before).max(axis=-1) > CONVERGED
    if slow.any():
        after[slow] = ahp.priorities(stack[slow], method="eigenvector").weights
    return after


def _square(power: np.ndarray) -> np.ndarray:
    # Scaled to sum 1 each time: the entries of A^128 would leave float range.
    squared = power @ power
    return squared / squared.sum(axis=(-2, -1), keepdims=True)


def _row_sums(power: np.ndarray) -> np.ndarray:
    sums = power.sum(axis=-1)
    return sums / sums.sum(axis=-1, keepdims=True)


def _normalise_logs(log_w: np.ndarray) -> np.ndarray:
    # Shifting by the largest log keeps exp inside float range; normalising undoes it.
    w = np.exp(log_w - log_w.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def _membership(prepared: Prepared, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Membership rows (D, S, L, m) from the weighted votes r_ijh = V_ijh / V_ij (one matrix
    product), and whether every leaf of every subject kept a vote (D,)."""
    problem = prepared.problem
    shape = (weights.shape[0], *problem.ratings.shape[1:], problem.grade_scores.size)
    counts = (weights @ prepared.votes).reshape(shape)
    totals = counts.sum(axis=-1, keepdims=True)
    membership = counts / np.where(totals > 0, totals, 1.0)
    if problem.fixed_rows is None:
        return membership, np.all(totals > 0, axis=(1, 2, 3))
    # Leaves given or measured keep their row in every draw, whoever the draw left out.
    fixed = fixed_mask(problem.fixed_rows, shape[1:3])[None, :, :, None]
    membership = np.where(fixed, np.nan_to_num(problem.fixed_rows)[None], membership)
    return membership, np.all((totals > 0) | fixed, axis=(1, 2, 3))


def _evaluate(prepared: Prepared, local: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """The root's evaluation vectors (D, S, m), bottom-up as fuzzy.evaluate_tree, normalised."""
    problem = prepared.problem
    compose = fuzzy.OPERATORS[problem.operator]
    vectors: dict[int, np.ndarray] = {}
    for node in range(problem.nodes - 1, -1, -1):  # children come after their parent
        children = problem.children[node]
        if children.size == 0:
            vectors[node] = membership[:, :, prepared.leaf_position[node], :]
            continue
        parts = np.broadcast_arrays(*(vectors.pop(int(child)) for child in children))
        stacked = np.stack(parts, axis=-2)
        vectors[node] = compose(local[:, None, children, None], stacked)
    root = vectors[0]
    total = root.sum(axis=-1, keepdims=True)
    # A draw in which nobody rated one of a subject's leaves (a bootstrap sample without its
    # raters) gives that subject all-zero vectors; the draw is not counted (`rated`), so its
    # zeros stay zeros here instead of becoming NaN with a warning.
    return np.divide(root, total, out=np.zeros_like(root), where=total > 0)


def _global(parents: np.ndarray, local: np.ndarray) -> np.ndarray:
    result = np.ones_like(local)
    for node in range(1, parents.size):
        result[:, node] = result[:, parents[node]] * local[:, node]
    return result


def bytes_per_draw(problem: Problem, noise: bool = False) -> int:
    """A generous estimate of one draw's working memory, to size the batches: the experts'
    weights and counts, the mixed judgments of all nodes, one node's noisy judgments (as full
    matrices, for the eigenvector method), the votes and membership rows, the tree's vectors."""
    subjects, leaves = problem.ratings.shape[1:]
    grades = problem.grade_scores.size
    sizes = [stack.shape[0] * stack.shape[1] ** 2 for stack, _ in problem.judgments.values()]
    mixed = sum(stack.shape[1] ** 2 for stack, _ in problem.judgments.values())
    judgments = max(sizes, default=0) if noise else 0
    votes = subjects * leaves * grades
    tree = problem.nodes * subjects * grades
    experts = problem.expert_weights.size
    return 8 * (4 * experts + 2 * mixed + 6 * judgments + 4 * votes + 3 * tree + 4 * problem.nodes)


__all__ = ["NO_RATING", "Batch", "Matrices", "Prepared", "bytes_per_draw", "prepare", "run"]
