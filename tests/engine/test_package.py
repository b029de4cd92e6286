import ast
from pathlib import Path

import evaluations.engine

ENGINE = Path(evaluations.engine.__file__).parent


def test_the_engine_exports_its_submodules():
    from evaluations.engine import ahp, consensus, fuzzy, hierarchy, stats

    assert callable(ahp.priorities) and callable(fuzzy.evaluate)
    assert callable(consensus.s_star) and callable(hierarchy.global_weights)
    assert callable(stats.describe)


def test_the_engine_imports_nothing_but_numpy_and_the_standard_library():
    allowed = {"numpy", "collections", "dataclasses", "functools", "types", "typing", "math"}
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
