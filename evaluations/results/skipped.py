"""The results' words and figures for skipped comparisons (issue 15 §1): counts, the pairs
nobody answered, and the reasons a matrix cannot be weighed, in the snapshot's plain data
(results_selectors.missing_in_words turns the reasons into the reader's language)."""

import numpy as np

from ..engine import incomplete
from ..engine.hierarchy import Node


def counts(stack: np.ndarray) -> np.ndarray:
    """m per matrix: the skipped pairs of its upper triangle."""
    rows, cols = np.triu_indices(stack.shape[-1], 1)
    return np.isnan(stack[:, rows, cols]).sum(axis=1)


def unanswered(node: Node, matrix: np.ndarray) -> list[list[str]]:
    """The pairs [row code, col code] of the group matrix nobody answered."""
    rows, cols = np.triu_indices(len(matrix), 1)
    codes = [child.code for child in node.children]
    return [[codes[x], codes[y]] for x, y in zip(rows, cols, strict=True) if np.isnan(matrix[x, y])]


def as_json(matrix: np.ndarray) -> list[list[float | None]]:
    """The matrix as JSON can hold it: None for a pair nobody answered (NaN is no JSON)."""
    return [[None if np.isnan(value) else float(value) for value in row] for row in matrix]


def unweighable(code: str, method: str) -> str:
    return f"skipped comparisons for {code} cannot be weighed by the {method} method"


def unlinked(node: Node, error: incomplete.DisconnectedError) -> str:
    """The reason naming the pair that would link the answered comparisons."""
    codes = [child.code for child in node.children]
    x, y = error.pairs[0]
    return (
        f"the judgments for {node.code} do not link all its elements: "
        f"comparing {codes[x]} with {codes[y]} would connect them"
    )
