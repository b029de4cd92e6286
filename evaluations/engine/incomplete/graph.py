"""The comparison graph of an incomplete matrix: elements are nodes, answered pairs are edges.

Weights and consistency of an incomplete matrix exist (and are unique) exactly when this graph
is connected (Harker 1987; Bozóki, Fülöp & Rónyai 2010), so a ballot may skip pairs only while
the pairs it answers still link every element to every other. When they do not, the error
names the groups of elements that are linked among themselves and the pairs that would join
them, so a form can say which comparison to answer.
"""

import numpy as np
from numpy.typing import ArrayLike

from ..judgments import NOT_CONNECTED, as_matrices

__all__ = [
    "NOT_CONNECTED",
    "DisconnectedError",
    "as_incomplete",
    "components",
    "connected",
    "connecting_pairs",
]


class DisconnectedError(ValueError):
    """The answered comparisons leave the elements in separate groups.

    index: the matrix's index in the stack (None for a single matrix); groups: the elements of
    each group, in order of their smallest element; pairs: one comparison per group after the
    first, between its smallest element and element groups[0][0], which together connect all.
    """

    def __init__(self, message: str, index: int | None, groups: list, pairs: list) -> None:
        super().__init__(message)
        self.index = index
        self.groups = groups
        self.pairs = pairs


def connected(answered: np.ndarray) -> np.ndarray:
    """Whether each graph of a stack (k, t, t) of answered-pair masks is connected.

    Squaring the reachability matrix doubles the path length it covers, so ceil(log2 t)
    squarings reach every element a path can reach, for the whole stack at once.
    """
    t = answered.shape[-1]
    reach = (answered | np.eye(t, dtype=bool)).astype(np.int64)
    for _ in range(int(np.ceil(np.log2(max(t, 2))))):
        reach = np.minimum(reach @ reach, 1)
    return reach.all(axis=(-2, -1))


def components(matrix: ArrayLike) -> list[tuple[int, ...]]:
    """The groups of elements linked by answered comparisons (NaN or None = not answered) of
    one t × t matrix, each sorted, in order of their smallest element. One group = connected."""
    answered = ~np.isnan(np.asarray(matrix, dtype=float))
    unseen = set(range(len(answered)))
    groups = []
    while unseen:
        frontier = [min(unseen)]
        group = set(frontier)
        while frontier:
            x = frontier.pop()
            linked = {int(y) for y in np.flatnonzero(answered[x] | answered[:, x])}
            frontier += sorted(linked - group)
            group |= linked
        groups.append(tuple(sorted(group)))
        unseen -= group
    return groups


def connecting_pairs(groups: list[tuple[int, ...]]) -> list[tuple[int, int]]:
    """Comparisons that would connect the groups: the first group's first element with the
    first element of every other group (k groups need k − 1 new comparisons)."""
    return [(groups[0][0], group[0]) for group in groups[1:]]


def as_incomplete(matrix: ArrayLike) -> tuple[np.ndarray, bool]:
    """Validate a matrix or stack whose missing comparisons are NaN (or None).

    The rules of judgments.as_matrices(allow_missing=True) (positive, reciprocal, unit
    diagonal, missing pairs symmetric, comparisons connecting all elements); a disconnected
    matrix raises DisconnectedError naming the groups and the pairs that would join them.
    Returns the float stack (k, t, t) and whether a stack was given.
    """
    try:
        return as_matrices(matrix, allow_missing=True)
    except ValueError as error:
        if not str(error).startswith(NOT_CONNECTED):
            raise
    # Only a matrix that passed every other check reaches here, so it converts cleanly.
    raise _disconnected(np.asarray(matrix, dtype=float)) from None


def _disconnected(b: np.ndarray) -> DisconnectedError:
    batched = b.ndim == 3
    stack = b if batched else b[None]
    index = int(np.argmin(connected(~np.isnan(stack))))
    groups = components(stack[index])
    pairs = connecting_pairs(groups)
    where = f" (first at index ({index},))" if batched else ""
    shown = " and ".join("{" + ", ".join(map(str, group)) + "}" for group in groups)
    joins = " and ".join(f"{x} with {y}" for x, y in pairs)
    message = (
        f"{NOT_CONNECTED}{where}: no comparison links the groups of elements {shown}; "
        f"comparing {joins} would connect them"
    )
    return DisconnectedError(message, index if batched else None, groups, pairs)
