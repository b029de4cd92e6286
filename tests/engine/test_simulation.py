"""Uncertainty by simulation and leave-one-out (DESIGN §2.9) against the engine's own path."""

import itertools
import re

import numpy as np
import pytest
from scipy import stats

from evaluations import demo
from evaluations.engine import ahp, fuzzy, hierarchy, scale
from evaluations.engine.hierarchy import Node
from evaluations.engine.robustness import simulation
from evaluations.engine.robustness.simulation import draws as draws_module
from evaluations.engine.robustness.simulation import problem as problem_module

TOLERANCE = 1e-12
GRADE_SCORES = np.array([95.0, 80.0, 65.0, 40.0])
SETTINGS = [
    {"method": method, "weighting": weighting, "mean": mean, "operator": operator}
    for method, weighting, mean in (
        ("aij", "geometric", "geometric"),
        ("aij", "eigenvector", "geometric"),
        ("aip", "geometric", "geometric"),
        ("aip", "eigenvector", "geometric"),
        ("aip", "geometric", "arithmetic"),
        ("aip", "eigenvector", "arithmetic"),
    )
    for operator in ("product_sum", "min_max")
] + [
    {"method": "aij", "weighting": "geometric", "mean": "geometric", "operator": operator}
    for operator in ("product_max", "min_bounded_sum", "min_balanced_sum")
]


def random_tree(rng: np.random.Generator) -> list[int]:
    """Parents in depth-first order: a root with 2–4 children, depth up to 3, some single
    children, at most 9 children per node."""
    parents = [-1]

    def grow(node: int, depth: int) -> None:
        count = int(rng.integers(2, 5)) if depth == 0 else int(rng.choice([0, 0, 1, 2, 3, 4]))
        if depth == 3:
            count = 0
        for _ in range(count):
            parents.append(node)
            grow(len(parents) - 1, depth + 1)

    grow(0, 0)
    return parents


def random_problem(seed: int, experts: int = 5, subjects: int = 3, **settings):
    """A problem with partial answers: not every expert judges every node or rates every leaf."""
    rng = np.random.default_rng(seed)
    parents = np.array(random_tree(rng))
    children = [np.flatnonzero(parents == node) for node in range(parents.size)]
    judgments = {}
    for node, kids in enumerate(children):
        if kids.size >= 2:
            who = np.flatnonzero(rng.random(experts) < 0.8)
            who = who if who.size else np.array([int(rng.integers(experts))])
            upper = rng.choice(scale.VALUES, size=(who.size, kids.size * (kids.size - 1) // 2))
            judgments[node] = (ahp.from_upper(upper, kids.size), who)
    leaves = sum(kids.size == 0 for kids in children)
    ratings = rng.integers(0, 4, size=(experts, subjects, leaves))
    ratings[rng.random(ratings.shape) < 0.25] = simulation.NO_RATING
    first = rng.integers(experts, size=(subjects, leaves))  # someone rates every leaf
    ratings[first, np.arange(subjects)[:, None], np.arange(leaves)] = rng.integers(
        0, 4, size=(subjects, leaves)
    )
    return simulation.Problem(
        parents=parents,
        judgments=judgments,
        expert_weights=rng.uniform(0.5, 2.0, experts),
        ratings=ratings,
        grade_scores=GRADE_SCORES,
        **settings,
    )


def demo_like_problem(**settings):
    """The demo's shape: U → U1, U2, U3 with four leaves each, ten experts (one of weight 1.5),
    the first seven answering everything, two enterprises, four grades; answers as seed_demo
    draws them (evaluations.demo)."""
    rng = np.random.default_rng(20240601)
    parents = np.array([-1, 0, 1, 1, 1, 1, 0, 6, 6, 6, 6, 0, 11, 11, 11, 11])
    weights = np.ones(10)
    weights[4] = 1.5
    answered = np.arange(7)
    judgments = {}
    for node in (0, 1, 6, 11):
        t = int(np.sum(parents == node))
        truth = demo.true_weights(rng, t)
        upper = [demo.expert_judgments(rng, truth) for _ in answered]
        judgments[node] = (ahp.from_upper(upper, t), answered)
    ratings = np.full((10, 2, 12), simulation.NO_RATING)
    for subject, level in enumerate((0.72, 0.45)):
        quality = demo.subject_qualities(rng, [str(n) for n in range(12)], level)
        for expert in answered:
            ratings[expert, subject] = [
                demo.expert_grade(rng, quality[str(n)], 4) for n in range(12)
            ]
    return simulation.Problem(
        parents=parents,
        judgments=judgments,
        expert_weights=weights,
        ratings=ratings,
        grade_scores=[4.0, 3.0, 2.0, 1.0],
        **settings,
    )


def by_engine(problem: simulation.Problem) -> dict:
    """The result by ahp.aggregate, hierarchy.global_weights and fuzzy.evaluate_tree, as the
    results service computes it (AIP's arithmetic mean, which aggregate lacks, by hand)."""
    codes = [f"N{node}" for node in range(problem.nodes)]

    def build(node: int) -> Node:
        return Node(codes[node], tuple(build(int(c)) for c in problem.children[node]))

    root = build(0)
    local = {}
    for node, kids in enumerate(problem.children):
        if kids.size == 1:
            local[codes[node]] = [1.0]
        elif kids.size >= 2:
            stack, who = problem.judgments[node]
            local[codes[node]] = group_weights(problem, stack, problem.expert_weights[who])
    global_weights = hierarchy.global_weights(local, root)
    rows = {}
    for position, leaf in enumerate(problem.leaves):
        counts = np.zeros((problem.subject_count, problem.grade_scores.size))
        for expert, subject in itertools.product(*map(range, problem.ratings.shape[:2])):
            grade = problem.ratings[expert, subject, position]
            if grade != simulation.NO_RATING:
                counts[subject, grade] += problem.expert_weights[expert]
        rows[codes[leaf]] = fuzzy.membership(counts)
    vectors = fuzzy.evaluate_tree(root, local, rows, operator=problem.operator)[codes[0]]
    scores = fuzzy.score(vectors, problem.grade_scores)
    order = sorted(range(problem.subject_count), key=lambda s: -scores[s])
    ranks = np.empty(problem.subject_count, dtype=int)
    ranks[order] = np.arange(1, problem.subject_count + 1)
    return {
        "local": [
            local[codes[problem.parents[n]]][list(problem.children[problem.parents[n]]).index(n)]
            for n in range(1, problem.nodes)
        ],  # fmt: skip
        "global": [global_weights[code] for code in codes],
        "vectors": vectors,
        "scores": scores,
        "grades": fuzzy.grade(vectors),
        "ranks": ranks,
    }


def group_weights(problem, stack, weights) -> np.ndarray:
    if problem.mean == "arithmetic" and problem.method == "aip":
        own = ahp.priorities(stack, method=problem.weighting).weights
        mixed = (weights / weights.sum()) @ own
        return mixed / mixed.sum()
    return ahp.aggregate(
        stack, method=problem.method, weights=weights, weighting=problem.weighting
    ).weights


def assert_matches_engine(problem: simulation.Problem) -> simulation.Outcome:
    expected = by_engine(problem)
    got = simulation.deterministic(problem)
    np.testing.assert_allclose(got.local_weights[1:], expected["local"], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(got.global_weights, expected["global"], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(got.vectors, expected["vectors"], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(got.scores, expected["scores"], rtol=TOLERANCE, atol=0)
    np.testing.assert_array_equal(got.grades, expected["grades"])
    np.testing.assert_array_equal(got.ranks, expected["ranks"])
    np.testing.assert_array_equal(got.order, np.argsort(expected["ranks"]))
    return got


def without(problem: simulation.Problem, expert: int) -> simulation.Problem:
    """The same problem with one expert's answers removed (their weight stays, unused)."""
    judgments = {}
    for node, (stack, who) in problem.judgments.items():
        keep = who != expert
        judgments[node] = (stack[keep], who[keep])
    ratings = problem.ratings.copy()
    ratings[expert] = simulation.NO_RATING
    return simulation.Problem(
        parents=problem.parents,
        judgments=judgments,
        expert_weights=problem.expert_weights,
        ratings=ratings,
        grade_scores=problem.grade_scores,
        method=problem.method,
        weighting=problem.weighting,
        mean=problem.mean,
        operator=problem.operator,
    )


def identical_panel(experts: int = 6, **settings) -> simulation.Problem:
    one = random_problem(7, experts=1, **settings)
    return simulation.Problem(
        parents=one.parents,
        judgments={
            node: (np.repeat(stack, experts, axis=0), np.arange(experts))
            for node, (stack, _who) in one.judgments.items()
        },
        expert_weights=np.linspace(1.0, 2.0, experts),
        ratings=np.repeat(one.ratings, experts, axis=0),
        grade_scores=one.grade_scores,
        **settings,
    )


def one_hot(indices: np.ndarray, size: int) -> np.ndarray:
    return np.eye(size)[indices]


# --- the deterministic result is the engine's -------------------------------------------


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(s.values()))
@pytest.mark.parametrize("seed", range(4))
def test_the_deterministic_result_is_the_engines_on_random_problems(seed, settings):
    assert_matches_engine(random_problem(seed, **settings))


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(s.values()))
def test_the_deterministic_result_is_the_engines_on_the_demo_like_case(settings):
    problem = demo_like_problem(**settings)
    got = assert_matches_engine(problem)
    assert got.global_weights[0] == 1.0
    assert got.global_weights[problem.leaves].sum() == pytest.approx(1.0, abs=TOLERANCE)


def test_from_panel_gives_the_results_services_numbers():
    from evaluations.services.results import PanelInput, results_compute

    rng = np.random.default_rng(3)
    tree = [("U", None), ("U1", "U"), ("U11", "U1"), ("U12", "U1"), ("U13", "U1"),
            ("U2", "U"), ("U21", "U2"), ("U3", "U"), ("U31", "U3"), ("U32", "U3")]  # fmt: skip
    children = {code: [c for c, p in tree if p == code] for code, _ in tree}
    leaves = [code for code, _ in tree if not children[code]]
    experts = {11: 1.0, 12: 2.0, 13: 1.0, 14: 0.5}
    pairwise = []
    for membership in experts:
        for parent, kids in children.items():
            if len(kids) >= 2:
                upper = rng.choice(scale.VALUES, size=len(kids) * (len(kids) - 1) // 2)
                matrix = ahp.from_upper(upper, len(kids))
                pairwise.append({"membership": membership, "parent_code": parent,
                                 "matrix": matrix.tolist()})  # fmt: skip
    ratings = [
        {"membership": m, "subject": s, "grades": {leaf: int(rng.integers(4)) for leaf in leaves}}
        for m in experts
        for s in (7, 8, 9)
    ]
    ratings.append({"membership": 11, "subject": 10, "grades": {"U11": 0}})  # 10: unrated leaves
    for inclusion, aggregation, weighting, operator in itertools.product(
        ("submitted", "consistent"), ("aij", "aip"), ("geometric", "eigenvector"),
        ("product_sum", "min_bounded_sum"),
    ):  # fmt: skip
        settings = {"weighting_method": weighting, "ri_table": "paper", "cr_threshold": 0.3,
                    "cr_policy": "warn", "aggregation": aggregation,
                    "ballot_inclusion": inclusion, "operator": operator}  # fmt: skip
        data = PanelInput(
            settings=settings,
            indicators=[{"id": n, "code": c, "name": c, "parent_code": p, "recommendation": "",
                         "depth": len(c) - 1} for n, (c, p) in enumerate(tree)],
            grades=[{"id": n, "name": str(n), "score": s} for n, s in enumerate(GRADE_SCORES)],
            subjects=[{"id": s, "name": str(s)} for s in (7, 8, 9, 10)],
            experts={m: {"name": str(m), "weight": w} for m, w in experts.items()},
            pairwise=pairwise,
            ratings=ratings,
        )  # fmt: skip
        results = results_compute(data)
        problem = simulation.from_panel(
            settings=data.settings, indicators=data.indicators, grades=data.grades,
            subjects=data.subjects, experts=data.experts, pairwise=data.pairwise,
            ratings=data.ratings,
        )  # fmt: skip
        got = simulation.deterministic(problem)
        assert problem.subjects == (7, 8, 9)
        assert [problem.subjects[s] for s in got.order] == results["ranking"]
        by_code = {row["code"]: row for row in results["indicators"]}
        for node, code in enumerate(problem.codes):
            assert got.global_weights[node] == pytest.approx(by_code[code]["global_weight"],
                                                             abs=TOLERANCE)  # fmt: skip
        for subject in results["subjects"][:3]:
            s = problem.subjects.index(subject["id"])
            np.testing.assert_allclose(got.vectors[s], subject["vector"], atol=TOLERANCE)
            assert got.grades[s] == subject["grade"] and got.ranks[s] == subject["rank"]
        included = {m["parent"]: m["experts_included"] for m in results["matrices"]}
        for node, (_stack, who) in problem.judgments.items():
            assert who.size == included[problem.codes[node]]


def test_the_draws_eigenvector_weights_are_the_engines():
    rng = np.random.default_rng(13)
    for t in range(2, 10):
        consistent = np.exp(rng.normal(0, 1, (200, t)))
        noisy = (
            consistent[:, :, None]
            / consistent[:, None, :]
            * np.exp(rng.normal(0, 0.3, (200, t, t)))
        )
        noisy = np.sqrt(noisy / np.swapaxes(noisy, 1, 2))  # reciprocal again
        upper = rng.choice(scale.VALUES, size=(200, t * (t - 1) // 2))  # often inconsistent
        for stack in (noisy, ahp.from_upper(upper, t)):
            expected = ahp.priorities(stack, method="eigenvector").weights
            got = simulation.batch._perron(stack)
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-13)


# --- judgment noise ----------------------------------------------------------------------


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(s.values()))
def test_noise_of_zero_steps_gives_the_deterministic_result_in_every_draw(settings):
    problem = demo_like_problem(**settings)
    baseline = simulation.deterministic(problem)
    prepared = simulation.batch.prepare(problem)
    rungs = {m.node: draws_module._rungs(np.exp(m.logs)) for m in prepared.matrices}
    streams = [(np.random.default_rng(0), 50)]
    result = draws_module._noise_batch(prepared, rungs, 0, streams)
    np.testing.assert_allclose(result.scores, np.tile(baseline.scores, (50, 1)), atol=TOLERANCE)
    np.testing.assert_allclose(result.global_, np.tile(baseline.global_weights, (50, 1)),
                               atol=TOLERANCE)  # fmt: skip
    figures = draws_module._simulate(problem, "noise", 300, 0, seed=5)
    np.testing.assert_array_equal(figures.rank_probabilities, one_hot(baseline.ranks - 1, 2))
    np.testing.assert_array_equal(figures.grade_probabilities, one_hot(baseline.grades, 4))
    assert figures.top_stays == 1.0 and figures.complete == 300
    for column in range(3):
        np.testing.assert_allclose(figures.global_weights[:, column], baseline.global_weights,
                                   rtol=1e-6)  # fmt: skip


def test_the_same_seed_gives_the_same_figures_and_another_seed_others():
    problem = demo_like_problem()
    for source in simulation.SOURCES:
        first = simulation.simulate(problem, source, draws=3000, seed=42)
        again = simulation.simulate(problem, source, draws=3000, seed=42)
        other = simulation.simulate(problem, source, draws=3000, seed=43)
        for name in ("rank_probabilities", "grade_probabilities", "local_weights",
                     "global_weights", "scores"):  # fmt: skip
            np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
        assert first.top_stays == again.top_stays
        assert not np.array_equal(first.global_weights, other.global_weights)
        assert (first.draws, first.seed, other.seed) == (3000, 42, 43)


@pytest.mark.parametrize("source", simulation.SOURCES)
def test_the_figures_do_not_depend_on_how_the_draws_are_batched(source, monkeypatch):
    problem = demo_like_problem()
    whole = simulation.simulate(problem, source, draws=1000, seed=4)
    monkeypatch.setattr(draws_module, "BATCH_BYTES", 1)  # one block of 64 draws per batch
    blocks = simulation.simulate(problem, source, draws=1000, seed=4)
    for name in ("rank_probabilities", "grade_probabilities", "global_weights", "scores"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(blocks, name))


def test_the_defaults_and_a_fresh_seed_are_recorded():
    problem = demo_like_problem()
    noise = simulation.simulate(problem)
    assert (noise.source, noise.draws, noise.k) == ("noise", 10_000, 1)
    assert isinstance(noise.seed, int) and 0 <= noise.seed < 2**64
    again = simulation.simulate(problem, seed=noise.seed)
    np.testing.assert_array_equal(noise.rank_probabilities, again.rank_probabilities)
    bootstrap = simulation.simulate(problem, "bootstrap", seed=1)
    assert (bootstrap.draws, bootstrap.k, bootstrap.complete) == (2_000, None, 2_000)


@pytest.mark.parametrize("source", simulation.SOURCES)
def test_rank_and_grade_probabilities_sum_to_1(source):
    problem = random_problem(11, experts=8, subjects=5)
    figures = simulation.simulate(problem, source, draws=4000, k=2, seed=9)
    np.testing.assert_allclose(figures.rank_probabilities.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(figures.rank_probabilities.sum(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(figures.grade_probabilities.sum(axis=1), 1.0, atol=1e-12)
    assert figures.top_stays == figures.rank_probabilities[figures.top, 0]
    low, middle, high = figures.global_weights.T
    assert np.all(low <= middle) and np.all(middle <= high)
    np.testing.assert_array_equal(figures.local_weights[0], [1.0, 1.0, 1.0])


def test_more_noise_moves_the_weights_further():
    problem = demo_like_problem()
    widths = [
        np.ptp(simulation.simulate(problem, draws=4000, k=k, seed=3).global_weights, axis=1).sum()
        for k in (1, 3, 6)
    ]
    assert widths[0] < widths[1] < widths[2]


def test_a_noisy_judgment_stays_on_the_ladder_within_k_rungs():
    rng = np.random.default_rng(8)
    values = scale.VALUES.copy()
    for k in range(simulation.MAX_STEPS + 1):
        noisy = simulation.perturb(values, k, 500, rng)
        assert noisy.shape == (500, 17)
        rung = np.searchsorted(scale.VALUES, noisy)
        assert np.array_equal(scale.VALUES[rung], noisy)  # every value is a rung
        assert np.all(np.abs(rung - np.arange(17)) <= k)


def test_a_noisy_judgment_is_clamped_at_one_ninth_and_nine():
    rng = np.random.default_rng(2)
    noisy = simulation.perturb([1 / 9, 9.0], 2, 30_000, rng)
    assert noisy[:, 0].min() == 1 / 9 and noisy[:, 1].max() == 9.0
    # Steps −2, −1, 0 all end on 1/9: it stays there in 3 of 5 draws.
    assert np.mean(noisy[:, 0] == 1 / 9) == pytest.approx(3 / 5, abs=0.01)
    assert np.mean(noisy[:, 1] == 9.0) == pytest.approx(3 / 5, abs=0.01)
    assert set(np.unique(noisy[:, 0])) == {1 / 9, 1 / 8, 1 / 7}


def test_an_off_scale_judgment_snaps_to_its_nearest_rung_first():
    rng = np.random.default_rng(4)
    np.testing.assert_array_equal(simulation.perturb([2.4, 0.3, 12.0], 0, 3, rng)[0],
                                  [2.0, 1 / 3, 9.0])  # fmt: skip
    noisy = simulation.perturb([2.4], 1, 1000, rng)[:, 0]
    assert set(np.unique(noisy)) == {1.0, 2.0, 3.0}


def test_the_steps_are_uniform_over_minus_k_to_k():
    rng = np.random.default_rng(20240601)
    for k in (1, 3):
        noisy = simulation.perturb([1.0, 1 / 2], k, 100_000, rng)
        steps = np.searchsorted(scale.VALUES, noisy) - np.array([8, 7])
        for column in range(2):
            counts = np.bincount(steps[:, column] + k, minlength=2 * k + 1)
            assert stats.chisquare(counts).pvalue > 0.001
        # The two judgments move independently: their joint steps are uniform too.
        joint = np.bincount((steps[:, 0] + k) * (2 * k + 1) + steps[:, 1] + k)
        assert stats.chisquare(joint).pvalue > 0.001


def test_judgment_noise_leaves_the_ratings_as_they_are():
    # A single leaf: no weight can matter, so whatever the noise, the result stays.
    ratings = demo_like_problem().ratings[:, :, :1]
    one = simulation.Problem(parents=[-1, 0], judgments={}, expert_weights=np.ones(10),
                             ratings=ratings, grade_scores=[4, 3, 2, 1])  # fmt: skip
    baseline = simulation.deterministic(one)
    figures = simulation.simulate(one, draws=500, k=8, seed=1)
    np.testing.assert_array_equal(figures.grade_probabilities, one_hot(baseline.grades, 4))


# --- panel resampling ---------------------------------------------------------------------


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(s.values()))
def test_a_panel_of_identical_experts_resamples_to_the_deterministic_result(settings):
    problem = identical_panel(**settings)
    baseline = simulation.deterministic(problem)
    figures = simulation.simulate(problem, "bootstrap", draws=400, seed=6)
    size = problem.subject_count
    np.testing.assert_array_equal(figures.rank_probabilities, one_hot(baseline.ranks - 1, size))
    np.testing.assert_array_equal(figures.grade_probabilities, one_hot(baseline.grades, 4))
    assert figures.top_stays == 1.0 and figures.complete == 400
    np.testing.assert_allclose(figures.scores[:, 0], baseline.scores, rtol=1e-6)
    np.testing.assert_allclose(figures.scores[:, 2], baseline.scores, rtol=1e-6)


def test_the_bootstrap_draws_from_the_experts_who_answered():
    problem = demo_like_problem()  # experts 8, 9 and 10 answered nothing
    np.testing.assert_array_equal(simulation.answering_experts(problem), np.arange(7))
    streams = [(np.random.default_rng(1), 5)]
    batch = draws_module._bootstrap_batch(simulation.batch.prepare(problem), streams)
    assert batch.valid.all()


def test_a_resample_without_the_only_expert_of_a_node_is_left_out():
    problem = random_problem(2, experts=4)
    node = min(problem.judgments)
    judgments = dict(problem.judgments)
    stack, who = judgments[node]
    judgments[node] = (stack[:1], who[:1])  # a single expert judged this node
    lonely = simulation.Problem(
        parents=problem.parents, judgments=judgments, expert_weights=problem.expert_weights,
        ratings=problem.ratings, grade_scores=problem.grade_scores,
    )  # fmt: skip
    figures = simulation.simulate(lonely, "bootstrap", draws=2000, seed=3)
    panel = simulation.answering_experts(lonely).size
    drawn = 1 - (1 - 1 / panel) ** panel  # the chance a resample holds that expert
    assert figures.complete / 2000 == pytest.approx(drawn, abs=0.04)
    np.testing.assert_allclose(figures.rank_probabilities.sum(axis=1), 1.0, atol=1e-12)


def test_the_bootstrap_keeps_the_panel_size_and_draws_uniformly(monkeypatch):
    problem = demo_like_problem()
    seen = []
    original = simulation.batch.run

    def spy(prepared, multipliers, *args, **kwargs):
        seen.append(multipliers)
        return original(prepared, multipliers, *args, **kwargs)

    monkeypatch.setattr(simulation.batch, "run", spy)
    prepared = simulation.batch.prepare(problem)
    draws_module._bootstrap_batch(prepared, [(np.random.default_rng(12), 20_000)])
    counts = seen[0]
    assert np.all(counts.sum(axis=1) == 7) and np.all(counts[:, 7:] == 0)
    np.testing.assert_allclose(counts[:, :7].mean(axis=0), 1.0, atol=0.03)


# --- leave-one-out ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("settings", SETTINGS[:6], ids=lambda s: "-".join(s.values()))
def test_leave_one_out_equals_recomputing_without_the_expert(seed, settings):
    problem = random_problem(seed, experts=5, subjects=4, **settings)
    result = simulation.leave_one_out(problem)
    baseline = simulation.deterministic(problem)
    for expert in range(5):
        try:
            expected = simulation.deterministic(without(problem, expert))
        except ValueError:
            assert not result.complete[expert]
            assert result.ranks[expert].tolist() == [-1] * 4 and result.top[expert] == -1
            assert np.isnan(result.scores[expert]).all() and not result.changed[expert].any()
            continue
        assert result.complete[expert]
        np.testing.assert_array_equal(result.ranks[expert], expected.ranks)
        np.testing.assert_array_equal(result.grades[expert], expected.grades)
        np.testing.assert_allclose(result.scores[expert], expected.scores, rtol=TOLERANCE)
        assert result.top[expert] == expected.top
        np.testing.assert_array_equal(result.changed[expert], expected.ranks != baseline.ranks)
        assert result.top_changed[expert] == (expected.top != baseline.top)


def test_leaving_out_an_expert_who_answered_nothing_changes_nothing():
    result = simulation.leave_one_out(demo_like_problem())
    assert result.complete.all()
    assert not result.changed[7:].any()
    np.testing.assert_array_equal(result.ranks[7:], np.tile(result.baseline.ranks, (3, 1)))


def test_leaving_out_the_only_expert_of_a_node_has_no_result():
    problem = demo_like_problem()
    judgments = dict(problem.judgments)
    stack, who = judgments[6]
    judgments[6] = (stack[:1], who[:1])
    lonely = simulation.Problem(
        parents=problem.parents, judgments=judgments, expert_weights=problem.expert_weights,
        ratings=problem.ratings, grade_scores=problem.grade_scores,
    )  # fmt: skip
    result = simulation.leave_one_out(lonely)
    assert result.complete.tolist() == [False] + [True] * 9


# --- refusals -----------------------------------------------------------------------------


def problem_args(**changes) -> dict:
    base = random_problem(1, experts=3, subjects=2)
    args = {
        "parents": base.parents,
        "judgments": dict(base.judgments),
        "expert_weights": base.expert_weights,
        "ratings": base.ratings,
        "grade_scores": base.grade_scores,
    }
    return {**args, **changes}


def refused(message: str, **changes) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        simulation.Problem(**problem_args(**changes))


def test_it_refuses_a_bad_hierarchy():
    for parents in ([0, 0, 0], [-1, 0, 3, 1], [-1], [-1, -1, 0], [[-1, 0]], ["a", 0], [-1, 0.5]):
        refused(simulation.PARENTS, parents=parents)


def test_it_refuses_bad_judgments():
    args = problem_args()
    node = min(args["judgments"])
    stack, who = args["judgments"][node]
    leaf = int(args["parents"].size - 1)
    refused(simulation.JUDGMENTS_MISSING, judgments={})
    refused(simulation.JUDGMENTS_MISSING, judgments=[])
    refused(simulation.JUDGMENTS_EXTRA, judgments={**args["judgments"], leaf: (stack, who)})
    refused(simulation.JUDGMENTS_SHAPE, judgments={**args["judgments"], node: stack})
    refused(simulation.JUDGMENTS_SHAPE, judgments={**args["judgments"], node: (stack[0], who)})
    refused(
        simulation.JUDGMENTS_SHAPE, judgments={**args["judgments"], node: (stack[:, :2, :2], who)}
    )
    refused(simulation.JUDGMENT_EXPERTS, judgments={**args["judgments"], node: (stack, who[:-1])})
    doubled = np.full_like(who, who[0])
    if who.size > 1:
        refused(
            simulation.JUDGMENT_EXPERTS, judgments={**args["judgments"], node: (stack, doubled)}
        )
    refused(simulation.JUDGMENT_EXPERTS, judgments={**args["judgments"], node: (stack, who + 3)})
    bad = stack.copy()
    bad[0, 0, 1] = 5.0
    refused(f"judgments of node {node}: {ahp.NOT_RECIPROCAL}",
            judgments={**args["judgments"], node: (bad, who)})  # fmt: skip


def test_it_refuses_bad_weights_ratings_and_scores():
    ratings = problem_args()["ratings"]
    for weights in ([1.0, 0.0, 1.0], [1.0, np.nan, 1.0], [[1.0, 1.0, 1.0]], [], "abc"):
        refused(simulation.EXPERT_WEIGHTS, expert_weights=weights)
    # The weights say how many experts there are; the ratings must have one row for each.
    refused(f"{simulation.RATINGS_SHAPE}; got (3, 2, ", expert_weights=[1.0, 1.0])
    refused(simulation.RATINGS_SHAPE, ratings=ratings[:2])
    refused(simulation.RATINGS_SHAPE, ratings=ratings[:, :, :-1])
    refused(simulation.RATINGS_SHAPE, ratings=ratings[:, :0])
    refused(simulation.RATINGS_VALUES, ratings=np.where(ratings == 0, 4, ratings))
    refused(simulation.RATINGS_VALUES, ratings=np.where(ratings == 0, -2, ratings))
    refused(simulation.RATINGS_VALUES, ratings=ratings + 0.5)
    unrated = ratings.copy()
    unrated[:, 1, 0] = simulation.NO_RATING
    refused(f"{simulation.UNRATED} (first: subject 1, leaf 0)", ratings=unrated)
    for scores in ([1.0], [1.0, np.inf, 2.0], [[1.0, 2.0]], ["a", "b"]):
        refused(simulation.GRADE_SCORES, grade_scores=scores)


def test_it_refuses_unknown_settings_and_labels():
    refused(ahp.UNKNOWN_AGGREGATION, method="mean")
    refused(problem_module.CRISP_ONLY, weighting="power")
    refused(problem_module.CRISP_ONLY, weighting="fuzzy_buckley")
    refused(simulation.UNKNOWN_MEAN, mean="harmonic")
    refused(fuzzy.UNKNOWN_OPERATOR, operator="sum")
    refused(simulation.LABELS.format(field="codes", what="node"), codes=("U",))
    refused(simulation.LABELS.format(field="subjects", what="subject"), subjects=(1, 2, 3))
    refused(simulation.LABELS.format(field="experts", what="expert"), experts=())


def test_from_panel_refuses_a_child_listed_before_its_parent():
    with pytest.raises(ValueError, match=re.escape(simulation.PANEL_PARENT)):
        simulation.from_panel(
            settings={"aggregation": "aij", "weighting_method": "geometric",
                      "operator": "product_sum"},
            indicators=[{"code": "U1", "parent_code": "U"}, {"code": "U", "parent_code": None}],
            grades=[], subjects=[], experts={}, pairwise=[], ratings=[],
        )  # fmt: skip


def test_it_refuses_bad_simulation_settings():
    problem = demo_like_problem()
    cases = [
        ({"source": "jackknife"}, simulation.UNKNOWN_SOURCE),
        ({"draws": 0}, simulation.BAD_DRAWS),
        ({"draws": 100_001}, simulation.BAD_DRAWS),
        ({"draws": 10.0}, simulation.BAD_DRAWS),
        ({"draws": True}, simulation.BAD_DRAWS),
        ({"k": 0}, simulation.BAD_STEPS),
        ({"k": 9}, simulation.BAD_STEPS),
        ({"k": 1.5}, simulation.BAD_STEPS),
        ({"source": "bootstrap", "k": 0}, simulation.BAD_STEPS),
        ({"seed": -1}, simulation.BAD_SEED),
        ({"seed": 2**64}, simulation.BAD_SEED),
        ({"seed": "42"}, simulation.BAD_SEED),
    ]
    for settings, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            simulation.simulate(problem, **settings)
    assert "draws must" in simulation.BAD_DRAWS and "100,000" in simulation.BAD_DRAWS
    assert simulation.BAD_STEPS.startswith("k must")
    with pytest.raises(ValueError, match=re.escape(simulation.NOT_A_PROBLEM)):
        simulation.simulate({"parents": [-1, 0]})
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=re.escape(simulation.BAD_PERTURB_STEPS)):
        simulation.perturb([1.0], 9, 10, rng)
    with pytest.raises(ValueError, match=re.escape(simulation.BAD_DRAWS)):
        simulation.perturb([1.0], 1, 0, rng)
    with pytest.raises(ValueError, match=re.escape(scale.NOT_POSITIVE)):
        simulation.perturb([0.0], 1, 10, rng)
