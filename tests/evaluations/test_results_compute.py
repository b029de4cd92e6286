"""results_compute against the engine run by hand on the same ballots (DESIGN §2.4–2.7)."""

import numpy as np
import pytest

from evaluations.engine import ahp, consensus, fuzzy
from evaluations.services.results import PanelInput, results_compute

# A two-level hierarchy: U → U1 (U11, U12), U2 (U21, U22, U23).
INDICATORS = [
    ("U", None, 0), ("U1", "U", 1), ("U11", "U1", 2), ("U12", "U1", 2),
    ("U2", "U", 1), ("U21", "U2", 2), ("U22", "U2", 2), ("U23", "U2", 2),
]  # fmt: skip
GRADES = [("very strong", 4), ("strong", 3), ("general", 2), ("poor", 1)]
JUDGMENTS = {  # expert → parent → upper triangle
    1: {"U": [3], "U1": [2], "U2": [1 / 2, 3, 5]},
    2: {"U": [2], "U1": [3], "U2": [1 / 3, 2, 4]},
    3: {"U": [4], "U1": [1], "U2": [1, 4, 3]},
}
RATINGS = {  # expert → leaf → grade index, for subject 10
    1: {"U11": 0, "U12": 1, "U21": 1, "U22": 2, "U23": 3},
    2: {"U11": 1, "U12": 1, "U21": 0, "U22": 2, "U23": 2},
    3: {"U11": 0, "U12": 2, "U21": 1, "U22": 1, "U23": 3},
}
WEIGHTS = {1: 1.0, 2: 1.0, 3: 2.0}


def panel(**settings) -> PanelInput:
    base = {
        "weighting_method": "geometric", "ri_table": "paper", "cr_threshold": 0.1,
        "cr_policy": "block", "aggregation": "aij", "ballot_inclusion": "submitted",
        "operator": "product_sum",
    }  # fmt: skip
    return PanelInput(
        settings={**base, **settings},
        indicators=[
            {
                "id": i,
                "code": c,
                "name": f"name {c}",
                "parent_code": p,
                "recommendation": f"improve {c}",
                "depth": d,
            }
            for i, (c, p, d) in enumerate(INDICATORS)
        ],  # fmt: skip
        grades=[{"id": i, "name": n, "score": s} for i, (n, s) in enumerate(GRADES)],
        subjects=[{"id": 10, "name": "Acme"}],
        experts={k: {"name": f"expert {k}", "weight": w} for k, w in WEIGHTS.items()},
        pairwise=[
            {"membership": k, "parent_code": parent, "matrix": ahp.from_upper(upper).tolist()}
            for k, by_parent in JUDGMENTS.items()
            for parent, upper in by_parent.items()
        ],
        ratings=[{"membership": k, "subject": 10, "grades": g} for k, g in RATINGS.items()],
    )


def group_weights(parent: str, method="geometric", aggregation="aij") -> np.ndarray:
    stack = np.array([ahp.from_upper(JUDGMENTS[k][parent]) for k in WEIGHTS])
    weights = list(WEIGHTS.values())
    return ahp.aggregate(stack, method=aggregation, weights=weights, weighting=method).weights


def by_hand(operator="product_sum") -> np.ndarray:
    """DESIGN §2.6 step by step: R_i from weighted votes, G_i = D_i R_i, E = F G, normalised."""
    counts = {leaf: np.zeros(4) for leaf in ("U11", "U12", "U21", "U22", "U23")}
    for k, chosen in RATINGS.items():
        for leaf, grade in chosen.items():
            counts[leaf][grade] += WEIGHTS[k]
    r1 = fuzzy.membership([counts["U11"], counts["U12"]])
    r2 = fuzzy.membership([counts["U21"], counts["U22"], counts["U23"]])
    g = np.array([
        fuzzy.compose(group_weights("U1"), r1, operator),
        fuzzy.compose(group_weights("U2"), r2, operator),
    ])  # fmt: skip
    return fuzzy.evaluate(group_weights("U"), g, operator)


def test_local_and_global_weights_are_the_engines():
    result = results_compute(panel())

    rows = {row["code"]: row for row in result["indicators"]}
    f, d1, d2 = group_weights("U"), group_weights("U1"), group_weights("U2")
    assert rows["U2"]["local_weight"] == pytest.approx(f[1], abs=1e-12)
    assert rows["U22"]["local_weight"] == pytest.approx(d2[1], abs=1e-12)
    assert rows["U12"]["global_weight"] == pytest.approx(f[0] * d1[1], abs=1e-12)
    leaves = [row for row in result["indicators"] if row["is_leaf"]]
    assert sum(row["global_weight"] for row in leaves) == pytest.approx(1, abs=1e-12)
    assert sorted(row["rank"] for row in leaves) == [1, 2, 3, 4, 5]


def test_each_matrix_has_group_and_per_expert_consistency_and_consensus():
    result = results_compute(panel())

    u2 = next(m for m in result["matrices"] if m["parent"] == "U2")
    stack = np.array([ahp.from_upper(JUDGMENTS[k]["U2"]) for k in WEIGHTS])
    own = ahp.priorities(stack)
    eigen = ahp.priorities(stack, method="eigenvector").weights
    assert [e["cr"] for e in u2["per_expert"]] == pytest.approx(own.cr.tolist(), abs=1e-12)
    assert u2["consensus"] == pytest.approx(consensus.s_star(eigen), abs=1e-12)
    assert u2["ri"] == 0.57
    assert u2["experts_included"] == 3
    assert result["consensus"]["word"] in {"very low", "low", "moderate", "high", "very high"}


@pytest.mark.parametrize("operator", ["product_sum", "min_max", "product_max", "min_bounded_sum"])
def test_the_fuzzy_evaluation_is_the_papers_computation_by_hand(operator):
    result = results_compute(panel(operator=operator))

    subject = result["subjects"][0]
    expected = by_hand(operator)
    np.testing.assert_allclose(subject["vector"], expected, atol=1e-12)
    assert subject["grade"] == fuzzy.grade(expected)
    assert subject["score"] == pytest.approx(expected @ [4, 3, 2, 1], abs=1e-12)
    np.testing.assert_allclose(subject["by_operator"][operator]["vector"], expected, atol=1e-12)


def test_vote_counts_are_weighted_by_expert_weight():
    subject = results_compute(panel())["subjects"][0]

    assert subject["counts"]["U11"] == [3.0, 1.0, 0.0, 0.0]  # experts 1 and 3 (weight 2)
    assert subject["membership"]["U11"] == pytest.approx([0.75, 0.25, 0, 0])


def test_weak_points_rank_leaves_by_global_weight_times_shortfall_with_recommendations():
    result = results_compute(panel())

    weak = result["subjects"][0]["weak_points"]
    priorities = [point["priority"] for point in weak]
    assert priorities == sorted(priorities, reverse=True)
    first = weak[0]
    assert first["priority"] == pytest.approx(first["global_weight"] * first["shortfall"])
    assert first["recommendation"] == f"improve {first['code']}"


def test_only_consistent_ballots_enter_when_the_setting_says_so():
    data = panel(ballot_inclusion="consistent")
    data.pairwise.append(
        {"membership": 4, "parent_code": "U2", "matrix": ahp.from_upper([9, 1 / 9, 9]).tolist()}
    )
    data.experts[4] = {"name": "expert 4", "weight": 1.0}

    u2 = next(m for m in results_compute(data)["matrices"] if m["parent"] == "U2")

    assert u2["experts_submitted"] == 4
    assert u2["experts_included"] == 3
    assert u2["inconsistent_experts"] == ["expert 4"]


def test_a_group_cr_over_the_threshold_is_a_warning_naming_the_experts():
    data = panel(cr_threshold=0.001)

    warnings = results_compute(data)["warnings"]

    assert {w["parent"] for w in warnings} >= {"U2"}


def test_missing_answers_make_the_results_incomplete_and_say_why():
    data = panel()
    data.pairwise = [b for b in data.pairwise if b["parent_code"] != "U1"]

    result = results_compute(data)

    assert result["complete"] is False
    assert result["missing"] == ["no submitted judgments for U1"]
    assert result["subjects"] == []


def test_subjects_are_ranked_by_score():
    data = panel()
    data.subjects.append({"id": 11, "name": "Beta"})
    data.ratings += [
        {"membership": k, "subject": 11, "grades": {leaf: 0 for leaf in chosen}}
        for k, chosen in RATINGS.items()
    ]

    result = results_compute(data)

    assert result["ranking"] == [11, 10]
    assert [s["rank"] for s in result["subjects"]] == [2, 1]


def test_a_revoked_experts_ballots_leave_the_results(db):
    """Through the database: revoking an accepted expert removes their answers."""
    import io

    from django.core.management import call_command

    from evaluations.models import Evaluation
    from evaluations.services.results import results_recompute
    from experts.models import Invitation

    call_command("seed_demo", stdout=io.StringIO())
    evaluation = Evaluation.objects.get(title__endswith="(demo)")
    before = results_recompute(evaluation_id=evaluation.pk) or evaluation.snapshots.latest()
    u1 = next(m for m in before.data["matrices"] if m["parent"] == "U1")
    Invitation.objects.filter(membership__user__username="demo-expert-1").update(status="revoked")
    Evaluation.objects.filter(pk=evaluation.pk).update(input_version=before.version + 1)

    after = results_recompute(evaluation_id=evaluation.pk)

    u1_after = next(m for m in after.data["matrices"] if m["parent"] == "U1")
    assert u1_after["experts_included"] == u1["experts_included"] - 1
