"""Results of a panel whose experts skipped comparisons (issue 15 §1), through real ballots.

Dr. A (expert weight 2) skips U11–U13 and U12–U14 of U1 (the 4-cycle of
tests/surveys/test_skipped_comparisons.py, whose least-squares weights are by hand
∝ (2^2.25, 2^1.5, 2^0.75, 1)); Dr. B skips U11–U13 only. Nobody answered U11–U13, so the
group matrix lacks it. By hand, the AIJ group judgment of a pair both answered is
exp((2 ln a + ln b) / 3), of U12–U14 Dr. B's alone; its weights are the engine's least squares
(or Harker's) of that incomplete matrix, and its CR Ágoston & Csató's with RI(4, 1).
"""

import csv
import io
import json
import math

import numpy as np
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.engine import ahp, consensus, incomplete
from evaluations.models import Evaluation
from evaluations.results.experts import with_experts
from evaluations.results_selectors import missing_in_words
from evaluations.robustness.analysis import analysis_run
from evaluations.robustness.availability import SKIPPED_COMPARISONS, unavailable_reason
from evaluations.robustness.compute import SKIPPED_NOT_SIMULATED, analysis_compute
from evaluations.services.results import panel_input, results_compute, results_recompute
from surveys import services
from tests.evaluations.test_results_pages import JUDGMENTS, add_experts, submit_ratings
from tests.surveys.test_skipped_comparisons import CYCLE, CYCLE_WEIGHTS, answers, matrix_of

A_U1 = CYCLE  # [2, None, 4, 2, None, 2]
B_U1 = [3, None, 5, 2, 3, 2]
WEIGHTS = (2.0, 1.0)


def group_by_hand() -> np.ndarray:
    """The AIJ group matrix of Dr. A (weight 2) and Dr. B, pair by pair (NaN: nobody)."""
    upper = []
    for a, b in zip(A_U1, B_U1, strict=True):
        if a is None and b is None:
            upper.append(math.nan)
        elif a is None:
            upper.append(b)
        elif b is None:
            upper.append(a)
        else:
            upper.append(math.exp((2 * math.log(a) + math.log(b)) / 3))
    return ahp.from_upper(upper, 4)


def run(evaluation, *, method="geometric", aggregation="aij"):
    evaluation.status = Evaluation.Status.OPEN
    evaluation.cr_policy = Evaluation.CRPolicy.WARN
    evaluation.allow_skipped_comparisons = True
    evaluation.weighting_method = method
    evaluation.aggregation = aggregation
    evaluation.save()
    members = add_experts(evaluation, ["Dr. A", "Dr. B"])
    members[0].weight = WEIGHTS[0]
    members[0].save()
    for k, member in enumerate(members):
        for code in ("U", "U2", "U3"):
            parent = evaluation.indicators.get(code=code)
            services.pairwise_ballot_save(
                membership=member,
                parent=parent,
                judgments=answers(parent, JUDGMENTS[k][code]),
                submit=True,
            )
        u1 = evaluation.indicators.get(code="U1")
        services.pairwise_ballot_save(
            membership=member, parent=u1, judgments=answers(u1, (A_U1, B_U1)[k]), submit=True
        )
    submit_ratings(evaluation, members)
    return results_recompute(evaluation_id=evaluation.pk)


def matrix(snapshot, code="U1") -> dict:
    return next(m for m in with_experts(snapshot)["matrices"] if m["parent"] == code)


def test_each_experts_weights_are_the_least_squares_of_their_incomplete_matrix(evaluation):
    u1 = matrix(run(evaluation))

    a, b = u1["per_expert"]
    assert (a["name"], a["skipped"], b["name"], b["skipped"]) == ("Dr. A", 2, "Dr. B", 1)
    assert a["weights"] == pytest.approx(CYCLE_WEIGHTS.tolist(), abs=1e-12)  # by hand
    for expert, values in ((a, A_U1), (b, B_U1)):
        own = ahp.llsm(matrix_of(values))
        assert expert["weights"] == pytest.approx(own.weights.tolist(), abs=1e-12)
        assert (expert["lambda_max"], expert["ci"], expert["cr"]) == pytest.approx(
            (own.lambda_max, own.ci, own.cr), abs=1e-12
        )
    assert (a["ri"], b["ri"]) == pytest.approx((0.284326, 0.579481))  # RI(4, 2), RI(4, 1)
    assert u1["skipped"] == 3


def test_the_aij_group_is_the_least_squares_of_the_mean_over_those_who_answered(evaluation):
    u1 = matrix(run(evaluation))

    by_hand = group_by_hand()
    engine = incomplete.group_matrix(np.stack([matrix_of(A_U1), matrix_of(B_U1)]), WEIGHTS)
    np.testing.assert_allclose(engine, by_hand, rtol=1e-12)
    stored = np.array([[math.nan if v is None else v for v in row] for row in u1["matrix"]])
    np.testing.assert_allclose(stored, by_hand, rtol=1e-12)
    group = ahp.llsm(by_hand)
    assert u1["weights"] == pytest.approx(group.weights.tolist(), abs=1e-12)
    assert (u1["lambda_max"], u1["ci"], u1["ri"], u1["cr"]) == pytest.approx(
        (group.lambda_max, group.ci, 0.579481, group.cr), abs=1e-9
    )
    assert u1["unanswered"] == [["U11", "U13"]]
    assert snapshot_complete(evaluation)


def snapshot_complete(evaluation) -> bool:
    data = evaluation.snapshots.latest().data
    return data["complete"] and data["missing"] == [] and data["subjects"][0]["score"] is not None


def test_the_eigenvector_method_weighs_experts_and_group_by_harker(evaluation):
    u1 = matrix(run(evaluation, method="eigenvector"))

    for expert, values in zip(u1["per_expert"], (A_U1, B_U1), strict=True):
        own = ahp.harker(matrix_of(values))
        assert expert["weights"] == pytest.approx(own.weights.tolist(), abs=1e-12)
        assert expert["cr"] == pytest.approx(own.cr, abs=1e-12)
    group = ahp.harker(group_by_hand())
    assert u1["weights"] == pytest.approx(group.weights.tolist(), abs=1e-12)
    assert u1["cr"] == pytest.approx(group.cr, abs=1e-9)


def test_aip_takes_the_mean_of_each_experts_incomplete_weights(evaluation):
    u1 = matrix(run(evaluation, aggregation="aip"))

    own = [ahp.llsm(matrix_of(values)).weights for values in (A_U1, B_U1)]
    alpha = np.array(WEIGHTS) / sum(WEIGHTS)
    by_hand = np.exp(alpha @ np.log(np.stack(own)))
    assert u1["weights"] == pytest.approx((by_hand / by_hand.sum()).tolist(), abs=1e-12)
    # Nobody answered U11–U13: the group's CR is its incomplete AIJ matrix's.
    assert u1["cr"] == pytest.approx(ahp.llsm(group_by_hand()).cr, abs=1e-9)


def test_consensus_uses_the_experts_own_eigenvector_priorities(evaluation):
    u1 = matrix(run(evaluation))

    own = np.stack([ahp.harker(matrix_of(values)).weights for values in (A_U1, B_U1)])
    assert u1["consensus"] == pytest.approx(consensus.s_star(own), abs=1e-12)


def test_complete_matrices_of_the_same_panel_keep_the_papers_figures(evaluation):
    u2 = matrix(run(evaluation), "U2")

    stack = np.stack([ahp.from_upper(JUDGMENTS[k]["U2"]) for k in range(2)])
    own = ahp.priorities(stack)
    assert [e["skipped"] for e in u2["per_expert"]] == [0, 0]
    assert [e["cr"] for e in u2["per_expert"]] == pytest.approx(own.cr.tolist(), abs=1e-12)
    assert u2["skipped"] == 0 and "unanswered" not in u2


def test_a_fuzzy_weighting_reports_the_matrix_missing_with_its_reason(evaluation):
    run(evaluation)
    Evaluation.objects.filter(pk=evaluation.pk).update(weighting_method="fuzzy_buckley")
    evaluation.refresh_from_db()

    data = results_compute(panel_input(evaluation=evaluation))

    reason = "skipped comparisons for U1 cannot be weighed by the fuzzy_buckley method"
    assert reason in data["missing"] and not data["complete"]
    assert "choose the geometric or the eigenvector method" in missing_in_words(reason)


def test_a_group_whose_answers_do_not_link_is_missing_naming_the_pair(evaluation):
    """Not reachable through the services (each ballot must link its elements); a ballot
    stored before a change of the hierarchy's order could be. The results say which pair."""
    run(evaluation)
    data = panel_input(evaluation=evaluation)
    isolated = matrix_of([2, 4, None, 2, None, None])
    for ballot in data.pairwise:
        if ballot["parent_code"] == "U1":
            ballot["matrix"] = isolated

    result = results_compute(data)

    reason = next(r for r in result["missing"] if "U1" in r)
    assert "comparing U11 with U14 would connect them" in reason
    assert "comparing U11 with U14 would connect them" in missing_in_words(reason)


def test_the_robustness_analysis_says_it_needs_complete_matrices(evaluation):
    run(evaluation)
    assert unavailable_reason(panel_input(evaluation=evaluation)) == SKIPPED_COMPARISONS
    # The computation itself refuses such input too, should it be called directly.
    with pytest.raises(ValueError) as refused:
        analysis_compute(panel_input(evaluation=evaluation), {})
    assert str(refused.value) == SKIPPED_NOT_SIMULATED.format(count=2)


@pytest.mark.robustness_analysis
def test_the_analysis_of_skipped_ballots_is_recorded_unavailable_and_the_tab_says_why(
    evaluation, coordinator_client
):
    run(evaluation)
    analysis = analysis_run(evaluation_id=evaluation.pk)
    assert analysis.status == "unavailable" and analysis.error == SKIPPED_COMPARISONS
    tab = coordinator_client.get(reverse("results-robustness", args=[evaluation.pk]))
    assert "not available while submitted ballots skip comparisons" in tab.content.decode()


# --- pages and exports ------------------------------------------------------------------------


def test_the_results_page_shows_the_skipped_counts(evaluation, coordinator_client):
    run(evaluation)
    page = coordinator_client.get(reverse("results", args=[evaluation.pk])).content.decode()

    assert "3 pairs skipped" in page
    assert "Pairs skipped (m)" in page
    assert "Nobody answered U11 – U13" in page


def test_the_exports_carry_the_skipped_counts_and_the_setting(evaluation, coordinator_client):
    run(evaluation)

    body = coordinator_client.get(reverse("results-export", args=[evaluation.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    header = next(r for r in rows if "Consensus S*" in r)
    position = header.index("Pairs skipped")
    u1 = next(r for r in rows if r and r[0].startswith("U1 ") and len(r) == len(header))
    assert u1[position] == "3"
    u1_table = rows[
        next(n for n, r in enumerate(rows) if r and r[0].startswith("Judgment matrix U1")) :
    ]
    expert_header = next(r for r in u1_table if "Pairs skipped (m)" in r)
    m = expert_header.index("Pairs skipped (m)")
    assert [r[m] for r in u1_table if r and r[0] in ("Dr. A", "Dr. B")][:2] == ["2", "1"]
    assert ["Pairs nobody answered", "U11 – U13"] in rows

    book = load_workbook(
        io.BytesIO(
            coordinator_client.get(reverse("results-export", args=[evaluation.pk, "xlsx"])).content
        )
    )
    sheet = book["Matrix U1"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Pairs nobody answered", "U11 – U13"] in [row[:2] for row in values]

    data = json.loads(
        coordinator_client.get(reverse("results-export", args=[evaluation.pk, "json"])).content
    )["data"]
    assert data["settings"]["allow_skipped_comparisons"] is True
    u1 = next(m for m in data["matrices"] if m["parent"] == "U1")
    assert u1["matrix"][0][2] is None and u1["unanswered"] == [["U11", "U13"]]


def test_a_comment_on_a_skipped_pair_says_the_expert_could_not_compare(
    evaluation, coordinator_client
):
    run(evaluation)
    u1 = evaluation.indicators.get(code="U1")
    member = evaluation.memberships.get(name="Dr. B")
    judgments = answers(u1, B_U1)
    key = next(k for k, a in judgments.items() if a.get("skipped"))
    judgments[key]["comment"] = "=HYPERLINK(1) outside my field"
    services.pairwise_ballot_save(membership=member, parent=u1, judgments=judgments, submit=True)
    results_recompute(evaluation_id=evaluation.pk)

    comment = evaluation.snapshots.latest().data["comments"]["pairwise"][0]
    assert comment["skipped"] is True and comment["value"] is None
    body = coordinator_client.get(reverse("results-export", args=[evaluation.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    row = next(r for r in rows if r and r[-1].endswith("outside my field"))
    assert row[-2:] == ["cannot compare", "'=HYPERLINK(1) outside my field"]
