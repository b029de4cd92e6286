"""Indicator hierarchies and global weights (DESIGN §2.4), independent of the database.

A hierarchy is a tree of Nodes identified by their codes ("U", "U1", "U11", …). Local weights
are given per parent, either as {child code: weight} or as a sequence in the children's order.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LocalWeights = Mapping[str, Mapping[str, float] | Sequence[float] | np.ndarray]

DUPLICATE_CODE = "indicator codes must be unique in a hierarchy"
MISSING_WEIGHTS = "local weights are missing for a node with children"
WRONG_CHILDREN = "local weights must be given for exactly the node's children"
BAD_LOCAL_WEIGHTS = "local weights must be non-negative finite numbers"
LOCAL_SUM = "local weights must sum to 1"

# Weights computed by the AHP sum to 1 to within a few ulps; a looser sum is a caller's mistake.
SUM_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Node:
    """An indicator and its sub-indicators; a node without children is a leaf."""

    code: str
    children: tuple["Node", ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator["Node"]:
        """This node and all below it, parents before children (pre-order)."""
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> list["Node"]:
        return [node for node in self.walk() if node.is_leaf]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Node":
        """Build from {"code": …, "children": [...]} (as in hierarchy_templates.json).

        Other keys (name, recommendation, …) are ignored; they belong to the database.
        """
        children = tuple(cls.from_dict(child) for child in data.get("children", ()))
        return cls(str(data["code"]), children)


def check_codes(root: Node) -> None:
    """Raise ValueError if two nodes share a code (weights are looked up by code)."""
    seen: set[str] = set()
    for node in root.walk():
        if node.code in seen:
            raise ValueError(f"{DUPLICATE_CODE} (node {node.code!r})")
        seen.add(node.code)


def local_weights(node: Node, local_weights_by_parent: LocalWeights) -> np.ndarray:
    """The local weights of node's children, in the children's order, validated."""
    if node.code not in local_weights_by_parent:
        raise ValueError(f"{MISSING_WEIGHTS} (node {node.code!r})")
    given = local_weights_by_parent[node.code]
    codes = [child.code for child in node.children]
    if isinstance(given, Mapping):
        if set(given) != set(codes):
            raise ValueError(f"{WRONG_CHILDREN} (node {node.code!r})")
        given = [given[code] for code in codes]
    w = np.asarray(given, dtype=float)
    if w.shape != (len(codes),):
        raise ValueError(f"{WRONG_CHILDREN} (node {node.code!r})")
    if not np.all(np.isfinite(w) & (w >= 0)):
        raise ValueError(f"{BAD_LOCAL_WEIGHTS} (node {node.code!r})")
    if abs(w.sum() - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"{LOCAL_SUM} (node {node.code!r}; they sum to {w.sum()!r})")
    return w


def global_weights(local_weights_by_parent: LocalWeights, root: Node) -> dict[str, float]:
    """Global weight of every node: the product of the local weights along its path.

    The root's is 1; each level's global weights, and the leaves', sum to 1. Every node with
    children needs local weights summing to 1 (ValueError naming the node otherwise).
    """
    check_codes(root)
    result = {root.code: 1.0}
    for node in root.walk():
        if node.is_leaf:
            continue
        w = local_weights(node, local_weights_by_parent)
        for child, weight in zip(node.children, w, strict=True):
            result[child.code] = result[node.code] * float(weight)
    return result
