import ast
from pathlib import Path

import evaluations.engine

ENGINE = Path(evaluations.engine.__file__).parent


def test_the_engine_exports_its_submodules():
    from evaluations.engine import ahp, consensus, fuzzy, hierarchy, robustness, screening

    assert callable(ahp.priorities) and callable(fuzzy.evaluate)
    assert callable(consensus.s_star) and callable(hierarchy.global_weights)
    for name in ("describe", "kendall_w", "boundary_value", "authority"):
        assert callable(getattr(screening, name))
    assert callable(robustness.flip_points) and callable(robustness.most_critical)


def test_the_engine_imports_nothing_but_numpy_scipy_and_the_standard_library():
    allowed = {"numpy", "scipy", "collections", "dataclasses", "functools", "itertools"}
    allowed |= {"types", "typing", "math"}
    paths = list(ENGINE.rglob("*.py"))
    assert ENGINE / "screening" / "concordance.py" in paths  # packages inside are read too
    assert ENGINE / "robustness" / "flips.py" in paths
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
