"""A subject result mixing voted, measured and given leaves, computed by hand (issue 15 §2)."""

import pytest

from evaluations.engine import ahp
from evaluations.services.results import PanelInput, results_compute

# U → U1 (U11 voted, U12 measured), U2 (U21 given).
INDICATORS = [("U", None, 0), ("U1", "U", 1), ("U11", "U1", 2), ("U12", "U1", 2),
              ("U2", "U", 1), ("U21", "U2", 2)]  # fmt: skip
GRADES = [("very strong", 4), ("strong", 3), ("general", 2), ("poor", 1)]
SETTINGS = {
    "weighting_method": "geometric", "ri_table": "paper", "cr_threshold": 0.1,
    "cr_policy": "block", "aggregation": "aij", "ballot_inclusion": "submitted",
    "operator": "product_sum",
}  # fmt: skip


def panel(u12_inputs) -> PanelInput:
    # One expert: U is 3 times U1 over U2 → F = (0.75, 0.25); U11 and U12 equal → (0.5, 0.5).
    # The expert also rated U12 and U21 "poor": those votes must not count.
    ratings = [
        {"membership": m, "subject": s, "grades": {"U11": g, "U12": 3, "U21": 3}}
        for m, g in ((1, 0), (2, 1))
        for s in (10, 11)
    ]
    return PanelInput(
        settings=SETTINGS,
        indicators=[
            {"id": i, "code": c, "name": c, "parent_code": p, "recommendation": "", "depth": d}
            for i, (c, p, d) in enumerate(INDICATORS)
        ],
        grades=[{"id": i, "name": n, "score": s} for i, (n, s) in enumerate(GRADES)],
        subjects=[{"id": 10, "name": "Acme"}, {"id": 11, "name": "Beta"}],
        experts={1: {"name": "one", "weight": 1.0}, 2: {"name": "two", "weight": 1.0}},
        pairwise=[
            {"membership": m, "parent_code": parent, "matrix": ahp.from_upper(upper).tolist()}
            for m in (1, 2)
            for parent, upper in (("U", [3]), ("U1", [1]))
        ],
        ratings=ratings,
        direct={
            "U12": {
                "source": "measured",
                "better": "lower",
                "thresholds": [2, 5, 10],
                "shape": "linear",
                "unit": "%",
                "inputs": u12_inputs,
            },
            "U21": {
                "source": "given",
                "better": "higher",
                "thresholds": [],
                "shape": "crisp",
                "unit": "",
                "inputs": {
                    None: {"row": [0.1, 0.2, 0.3, 0.4], "value": None},
                    11: {"row": [0, 0, 0, 1], "value": None},
                },
            },
        },  # fmt: skip
    )


def test_a_subject_mixing_voted_measured_and_given_leaves_is_computed_by_hand():
    result = results_compute(panel({10: {"row": None, "value": 3.2}}))
    acme = result["subjects"][0]
    # U11: one vote each for grades 0 and 1 → (0.5, 0.5, 0, 0).
    # U12: 3.2 % with cuts 2, 5, 10 linear: anchors 2, 3.5, 7.5, 10 → (0.2, 0.8, 0, 0).
    # U21: the row given for all subjects (0.1, 0.2, 0.3, 0.4).
    assert acme["membership"]["U12"] == pytest.approx([0.2, 0.8, 0, 0])
    assert acme["membership"]["U21"] == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert acme["membership"]["U11"] == pytest.approx([0.5, 0.5, 0, 0])
    # G1 = 0.5 (0.5, 0.5, 0, 0) + 0.5 (0.2, 0.8, 0, 0) = (0.35, 0.65, 0, 0); G2 = U21's row;
    # E = 0.75 G1 + 0.25 G2 = (0.2875, 0.5375, 0.075, 0.1); score 1.15 + 1.6125 + 0.15 + 0.1.
    assert acme["vector"] == pytest.approx([0.2875, 0.5375, 0.075, 0.1])
    assert acme["grade"] == 1
    assert acme["score"] == pytest.approx(3.0125)
    assert acme["membership_source"] == {"U12": "measured", "U21": "given"}
    assert acme["measured"] == {"U12": 3.2}


def test_a_subject_without_its_measured_value_is_incomplete_and_named():
    result = results_compute(panel({10: {"row": None, "value": 3.2}}))
    beta = result["subjects"][1]
    assert beta["score"] is None and beta["rank"] is None
    assert "no measured value of U12 for Beta" in result["missing"]
    assert result["complete"] is False
    assert result["ranking"] == [10]


def test_a_subjects_own_given_row_wins_over_the_row_for_all():
    result = results_compute(panel({10: {"row": None, "value": 3.2}, 11: {"value": 12.0}}))
    beta = result["subjects"][1]
    assert beta["membership"]["U21"] == [0, 0, 0, 1]
    assert beta["membership"]["U12"] == [0, 0, 0, 1]  # 12 % is past the last anchor, 10
    assert result["complete"] is True
