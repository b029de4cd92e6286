"""Large stacks take the cache-sized chunked path; they must agree with the plain path."""

import re

import numpy as np
import pytest

from evaluations.engine import ahp
from evaluations.engine.scale import VALUES


def random_stack(count: int, t: int, seed: int = 7) -> np.ndarray:
    upper = np.random.default_rng(seed).choice(VALUES, size=(count, t * (t - 1) // 2))
    return ahp.from_upper(upper, t)


@pytest.mark.parametrize("method", ahp.METHODS)
def test_a_stack_spanning_several_chunks_equals_matrix_by_matrix(method):
    stack = random_stack(2 * ahp.CHUNK + 17, 5)

    batch = ahp.priorities(stack, method=method)
    sample = [0, ahp.CHUNK - 1, ahp.CHUNK, 2 * ahp.CHUNK + 16]
    for k in sample:
        one = ahp.priorities(stack[k], method=method)
        np.testing.assert_allclose(batch.weights[k], one.weights, atol=1e-12)
        assert batch.cr[k] == pytest.approx(one.cr, abs=1e-12)


def test_a_bad_entry_in_a_later_chunk_is_reported_at_its_index_in_the_whole_stack():
    stack = random_stack(ahp.CHUNK + 10, 4)
    stack[ahp.CHUNK + 3, 1, 2] = 5.0  # its mirror b_21 keeps the old value: not reciprocal

    with pytest.raises(ValueError, match=re.escape(ahp.NOT_RECIPROCAL)) as raised:
        ahp.priorities(stack)

    assert f"({ahp.CHUNK + 3}, 1, 2)" in str(raised.value)


def test_judgments_far_outside_the_scale_do_not_overflow_the_root_method():
    # The last row's product is 1e480, beyond float range; the log form must take over.
    w = np.array([1e-80, 1.0, 1e80, 1e160])
    matrix = w[:, None] / w[None, :]

    result = ahp.priorities(matrix)

    np.testing.assert_allclose(result.weights, [0.0, 0.0, 0.0, 1.0], atol=1e-12)
    assert np.isfinite(result.lambda_max)
