""" "Don't know" in the results, computed by hand (DESIGN §2.6, issue #15 §1): a don't-know is
no vote, so r_h = V_h / V over the experts who rated the leaf; the snapshot counts both per
subject and leaf, warns about leaves rated by fewer experts than the minimum without moving a
number, and a leaf nobody rated leaves the subject unevaluated, named."""

import numpy as np
import pytest
from django.utils import translation

from evaluations.engine import ahp, fuzzy
from evaluations.results.notices import missing_in_words
from evaluations.results_selectors import results_report
from evaluations.services.results import PanelInput, results_compute

# U → U1 (U11, U12), U2 (U21); four grades, five experts of weight 1.
INDICATORS = [
    ("U", None, 0), ("U1", "U", 1), ("U11", "U1", 2), ("U12", "U1", 2), ("U2", "U", 1),
    ("U21", "U2", 2),
]  # fmt: skip
GRADES = [("very strong", 4), ("strong", 3), ("general", 2), ("poor", 1)]
UPPER = {"U": [3], "U1": [2]}  # U1 : U2 = 3 : 1, U11 : U12 = 2 : 1, the same for every expert
DK = "dont know"
# expert → leaf → grade index, or DK. U11: 3 rated (2 × very strong, 1 × strong), 2 don't
# know; U12: 2 rated, 3 don't know (below the minimum of 3); U21: all five rated.
BALLOTS = {
    1: {"U11": 0, "U12": 1, "U21": 1},
    2: {"U11": 0, "U12": DK, "U21": 2},
    3: {"U11": 1, "U12": 2, "U21": 1},
    4: {"U11": DK, "U12": DK, "U21": 0},
    5: {"U11": DK, "U12": DK, "U21": 1},
}


def panel(ballots=BALLOTS, weights=None, **settings) -> PanelInput:
    base = {
        "weighting_method": "geometric", "ri_table": "paper", "cr_threshold": 0.1,
        "cr_policy": "block", "aggregation": "aij", "ballot_inclusion": "submitted",
        "operator": "product_sum", "allow_dont_know": True, "min_ratings_per_leaf": 3,
    }  # fmt: skip
    weights = weights or dict.fromkeys(ballots, 1.0)
    return PanelInput(
        settings={**base, **settings},
        indicators=[
            {
                "id": i,
                "code": c,
                "name": f"name {c}",
                "parent_code": p,
                "recommendation": "",
                "depth": d,
            }
            for i, (c, p, d) in enumerate(INDICATORS)
        ],  # fmt: skip
        grades=[{"id": i, "name": n, "score": s} for i, (n, s) in enumerate(GRADES)],
        subjects=[{"id": 10, "name": "Toys for kids"}],
        experts={k: {"name": f"expert {k}", "weight": w} for k, w in weights.items()},
        pairwise=[
            {"membership": k, "parent_code": parent, "matrix": ahp.from_upper(upper).tolist()}
            for k in ballots
            for parent, upper in UPPER.items()
        ],
        ratings=[
            {
                "membership": k,
                "subject": 10,
                "grades": {leaf: g for leaf, g in chosen.items() if g != DK},
                "dont_know": [leaf for leaf, g in chosen.items() if g == DK],
            }
            for k, chosen in ballots.items()
        ],
    )


def test_a_dont_know_is_no_vote_and_is_counted_beside_the_row():
    [subject] = results_compute(panel())["subjects"]

    # U11: 5 experts, 2 don't know → r over the 3 who rated.
    assert subject["counts"]["U11"] == [2, 1, 0, 0]
    assert subject["membership"]["U11"] == pytest.approx([2 / 3, 1 / 3, 0, 0], abs=1e-12)
    assert subject["membership"]["U12"] == pytest.approx([0, 1 / 2, 1 / 2, 0], abs=1e-12)
    assert subject["membership"]["U21"] == pytest.approx([1 / 5, 3 / 5, 1 / 5, 0], abs=1e-12)
    assert subject["rated"] == {"U11": 3, "U12": 2, "U21": 5}
    assert subject["dont_know"] == {"U11": 2, "U12": 3, "U21": 0}


def test_the_evaluation_vector_is_the_hand_computed_one():
    [subject] = results_compute(panel())["subjects"]

    # D_1 = (2/3, 1/3), F = (3/4, 1/4); U2 has the one leaf U21.
    g1 = 2 / 3 * np.array([2 / 3, 1 / 3, 0, 0]) + 1 / 3 * np.array([0, 1 / 2, 1 / 2, 0])
    g2 = np.array([1 / 5, 3 / 5, 1 / 5, 0])
    e = 3 / 4 * g1 + 1 / 4 * g2
    assert subject["vector"] == pytest.approx(e / e.sum(), abs=1e-12)
    assert subject["score"] == pytest.approx(float(e / e.sum() @ [4, 3, 2, 1]), abs=1e-12)
    # E ≈ (0.383, 0.442, 0.175, 0): the maximum membership is "strong".
    assert subject["grade"] == int(fuzzy.grade(e)) == 1


def test_weighted_experts_weigh_only_where_they_rated():
    weights = {1: 1.0, 2: 3.0, 3: 1.0, 4: 2.0, 5: 1.0}

    [subject] = results_compute(panel(weights=weights))["subjects"]

    # U11: experts 1 (very strong, 1), 2 (very strong, 3), 3 (strong, 1): V = 5.
    assert subject["membership"]["U11"] == pytest.approx([4 / 5, 1 / 5, 0, 0], abs=1e-12)
    assert subject["rated"]["U11"] == 3  # experts, not weights


def test_a_leaf_rated_by_fewer_than_the_minimum_is_named_and_nothing_moves():
    result = results_compute(panel())
    lenient = results_compute(panel(min_ratings_per_leaf=1))

    assert result["few_ratings"] == [
        {"subject": 10, "subject_name": "Toys for kids", "leaf": "U12", "rated": 2,
         "dont_know": 3, "minimum": 3}
    ]  # fmt: skip
    assert lenient["few_ratings"] == []
    assert result["complete"] is True
    for key in ("subjects", "ranking", "matrices", "indicators", "warnings", "missing"):
        assert result[key] == lenient[key], key
    strict = results_compute(panel(min_ratings_per_leaf=5))
    assert [(w["leaf"], w["rated"]) for w in strict["few_ratings"]] == [("U11", 3), ("U12", 2)]


def test_the_minimum_defaults_to_three_for_settings_without_it():
    data = panel()
    del data.settings["min_ratings_per_leaf"]

    assert [w["leaf"] for w in results_compute(data)["few_ratings"]] == ["U12"]


def test_a_leaf_nobody_rated_leaves_the_subject_unevaluated_and_named():
    ballots = {k: {**chosen, "U21": DK} for k, chosen in BALLOTS.items()}

    result = results_compute(panel(ballots))

    [subject] = result["subjects"]
    assert result["complete"] is False
    assert result["missing"] == ["no ratings of U21 for Toys for kids"]
    assert subject["score"] is None and subject["vector"] is None
    assert subject["rated"]["U21"] == 0 and subject["dont_know"]["U21"] == 5
    assert "U21" not in [w["leaf"] for w in result["few_ratings"]]  # named as missing instead
    report = results_report(data=result)
    assert report["missing"] == ["No ratings of U21 name U21 for Toys for kids yet."]
    assert report["subjects"][0]["unrated"] == [{"code": "U21", "name": "name U21"}]


def test_the_unrated_leaf_is_named_in_the_readers_language():
    with translation.override("zh-hans"):
        text = missing_in_words("no ratings of U21, U22 for Toys for kids", {"U21": "物流"})

    assert "U21 物流, U22" in text and "Toys for kids" in text
    assert not text.startswith("No ratings")


def test_the_report_shows_the_counts_beside_each_membership_row():
    report = results_report(data=results_compute(panel()))

    assert report["dont_know_shown"] is True
    rows = {row["code"]: row for group in report["subjects"][0]["groups"] for row in group["rows"]}
    assert (rows["U11"]["rated"], rows["U11"]["dont_know"]) == (3, 2)
    assert report["few_ratings"][0]["leaf_name"] == "name U12"


def test_without_dont_knows_the_columns_stay_hidden_unless_allowed():
    graded = {k: {leaf: 1 for leaf in chosen} for k, chosen in BALLOTS.items()}

    assert (
        results_report(data=results_compute(panel(graded, allow_dont_know=False)))[
            "dont_know_shown"
        ]
        is False
    )
    assert results_report(data=results_compute(panel(graded)))["dont_know_shown"] is True
