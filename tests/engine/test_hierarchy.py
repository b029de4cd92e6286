import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.engine import hierarchy
from evaluations.engine.hierarchy import Node

from .reference import load

TREE = Node("U", (Node("U1", (Node("U11"), Node("U12"))), Node("U2")))
LOCAL = {"U": {"U1": 0.6, "U2": 0.4}, "U1": {"U11": 0.25, "U12": 0.75}}


def test_global_weights_multiply_local_weights_down_the_path():
    result = hierarchy.global_weights(LOCAL, TREE)
    assert result == pytest.approx({"U": 1.0, "U1": 0.6, "U2": 0.4, "U11": 0.15, "U12": 0.45})


def test_local_weights_may_be_given_in_the_childrens_order():
    by_order = {"U": [0.6, 0.4], "U1": (0.25, 0.75)}
    assert hierarchy.global_weights(by_order, TREE) == hierarchy.global_weights(LOCAL, TREE)


@st.composite
def trees_with_weights(draw, depth: int = 0, prefix: str = "U"):
    """A random tree up to 4 levels deep with random local weights summing to 1."""
    if depth == 4 or (depth > 0 and draw(st.booleans())):
        return Node(prefix), {}
    count = draw(st.integers(1, 4))
    children, weights = [], {}
    for i in range(count):
        child, below = draw(trees_with_weights(depth + 1, f"{prefix}{i + 1}"))
        children.append(child)
        weights.update(below)
    raw = draw(st.lists(st.floats(0.01, 1.0), min_size=count, max_size=count))
    weights[prefix] = [value / sum(raw) for value in raw]
    return Node(prefix, tuple(children)), weights


@settings(max_examples=150, deadline=None)
@given(trees_with_weights())
def test_the_leaves_global_weights_sum_to_one_at_any_depth(tree_and_weights):
    root, local = tree_and_weights
    result = hierarchy.global_weights(local, root)
    assert sum(result[leaf.code] for leaf in root.leaves()) == pytest.approx(1.0, abs=1e-12)
    for node in root.walk():
        if not node.is_leaf:
            below = sum(result[child.code] for child in node.children)
            assert below == pytest.approx(result[node.code], abs=1e-12)


def test_it_reads_the_reference_templates():
    for template in load("hierarchy_templates.json")["templates"]:
        root = Node.from_dict(template["root"])
        hierarchy.check_codes(root)
        assert root.code == template["root"]["code"]
        assert root.leaves()


def test_it_walks_parents_before_children():
    assert [node.code for node in TREE.walk()] == ["U", "U1", "U11", "U12", "U2"]
    assert [leaf.code for leaf in TREE.leaves()] == ["U11", "U12", "U2"]


@pytest.mark.parametrize(
    ("local", "message"),
    [
        ({"U": {"U1": 0.6, "U2": 0.4}}, f"{hierarchy.MISSING_WEIGHTS} (node 'U1')"),
        ({**LOCAL, "U1": {"U11": 0.25, "U13": 0.75}}, f"{hierarchy.WRONG_CHILDREN} (node 'U1')"),
        ({**LOCAL, "U1": [0.25, 0.25, 0.5]}, f"{hierarchy.WRONG_CHILDREN} (node 'U1')"),
        ({**LOCAL, "U1": [1.25, -0.25]}, f"{hierarchy.BAD_LOCAL_WEIGHTS} (node 'U1')"),
        ({**LOCAL, "U": [0.6, 0.5]}, f"{hierarchy.LOCAL_SUM} (node 'U'"),
    ],
)
def test_it_rejects_local_weights_that_do_not_fit_and_names_the_node(local, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        hierarchy.global_weights(local, TREE)


def test_it_rejects_a_hierarchy_with_a_repeated_code():
    tree = Node("U", (Node("U1"), Node("U1")))
    with pytest.raises(ValueError, match=re.escape(hierarchy.DUPLICATE_CODE)):
        hierarchy.global_weights({"U": [0.5, 0.5]}, tree)
