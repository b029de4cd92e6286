"""Snapshot data compared as the results are: the same structure and words, numbers equal
to 1e-12. A recompute from the running sums adds and takes back in another order than one
from every ballot, so their last bits may differ (evaluations/results/running)."""

import math

TOLERANCE = 1e-12


def assert_same(incremental, full, path="data"):
    """Equal structure; numbers within TOLERANCE (NaN and None where the other has them)."""
    if isinstance(full, dict):
        assert isinstance(incremental, dict), path
        assert set(incremental) == set(full), (path, set(incremental) ^ set(full))
        for key in full:
            assert_same(incremental[key], full[key], f"{path}.{key}")
    elif isinstance(full, list):
        assert isinstance(incremental, list) and len(incremental) == len(full), path
        for k, (a, b) in enumerate(zip(incremental, full, strict=True)):
            assert_same(a, b, f"{path}[{k}]")
    elif isinstance(full, float) and not isinstance(full, bool):
        assert isinstance(incremental, int | float), path
        if math.isinf(full):
            assert incremental == full, path
        else:
            assert abs(incremental - full) <= TOLERANCE * max(1.0, abs(full)), (
                path,
                incremental,
                full,
            )
    else:
        assert incremental == full, (path, incremental, full)
