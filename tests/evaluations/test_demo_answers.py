import numpy as np

from evaluations import demo
from evaluations.engine import ahp, scale


def test_expert_judgments_are_scale_values_and_consistent_enough():
    rng = np.random.default_rng(3)
    for t in range(2, 10):
        weights = demo.true_weights(rng, t)
        values = demo.expert_judgments(rng, weights)

        assert len(values) == t * (t - 1) // 2
        assert np.all(scale.on_scale(values))
        assert ahp.priorities(ahp.from_upper(values, t)).cr < 0.1


def test_the_same_seed_gives_the_same_answers():
    first = demo.expert_judgments(np.random.default_rng(5), np.array([0.5, 0.3, 0.2]))
    again = demo.expert_judgments(np.random.default_rng(5), np.array([0.5, 0.3, 0.2]))

    assert first == again


def test_the_inconsistent_example_is_inconsistent():
    for t in range(3, 10):
        assert ahp.priorities(ahp.from_upper(demo.inconsistent_judgments(t), t)).cr > 0.1


def test_grades_follow_the_latent_quality():
    rng = np.random.default_rng(7)
    good = [demo.expert_grade(rng, 0.95, 4) for _ in range(200)]
    poor = [demo.expert_grade(rng, 0.05, 4) for _ in range(200)]

    assert np.mean(good) < 1 < 2 < np.mean(poor)
    assert set(good) | set(poor) <= {0, 1, 2, 3}
