"""Expert weights per first-level criterion (issue 15 §3): a criterion's weight applies to
every matrix and rating under it; the goal's matrix and the other criteria take the overall
weight. Hand-computed results, the panel page and the API (round trips and refusals), the
audit log, the recompute, the exports and the robustness analysis's refusal."""

import csv
import dataclasses
import io
import json

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from evaluations.engine import ahp
from evaluations.engine.robustness import simulation
from evaluations.models import AuditEntry
from evaluations.results.changes import results_changes
from evaluations.results.experts import with_experts
from evaluations.robustness.analysis import analysis_run
from evaluations.robustness.compute import panel_problem
from evaluations.services.results import panel_input, results_recompute
from experts.criterion_weights import ERROR_LINE_CRITERION_UNKNOWN, membership_weights_set
from experts.models import PanelMembership
from experts.paste import (
    ERROR_LINE_CRITERION_TOO_LARGE,
    ERROR_LINE_CRITERION_TWICE,
    ERROR_LINE_CRITERION_WEIGHT,
    ERROR_LINE_FIELDS,
)
from experts.services import panel_add_experts
from tests.api.conftest import token_client
from tests.evaluations.test_results_pages import (
    EXPERTS,
    JUDGMENTS,
    add_experts,
    open_for_ballots,
    submit_judgments,
    submit_ratings,
)

BASE = "https://ahpanel.example"


def answered(evaluation, experts: int = 2) -> list[PanelMembership]:
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation, names=EXPERTS[:experts])
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)
    return memberships


def matrix_of(snapshot, code: str) -> dict:
    return next(m for m in with_experts(snapshot)["matrices"] if m["parent"] == code)


def test_a_criterion_weight_applies_to_its_subtree_and_the_root_keeps_the_overall(evaluation):
    wang, li = answered(evaluation)
    membership_weights_set(membership=wang, actor=evaluation.owner, criterion_weights={"U1": 3})
    snapshot = results_recompute(evaluation_id=evaluation.pk)
    u, u1, u2 = (matrix_of(snapshot, code) for code in ("U", "U1", "U2"))
    # Hand-computed AIJ entries b_12: U with weights 1:1, U1 with Wang's 3 against Li's 1.
    first_u, second_u = JUDGMENTS[0]["U"][0], JUDGMENTS[1]["U"][0]
    assert u["matrix"][0][1] == pytest.approx((first_u * second_u) ** 0.5, rel=1e-12)
    first, second = JUDGMENTS[0]["U1"][0], JUDGMENTS[1]["U1"][0]
    assert u1["matrix"][0][1] == pytest.approx(first**0.75 * second**0.25, rel=1e-12)
    assert u2["matrix"][0][1] == pytest.approx(
        (JUDGMENTS[0]["U2"][0] * JUDGMENTS[1]["U2"][0]) ** 0.5, rel=1e-12
    )
    assert [e["weight"] for e in u["per_expert"]] == [1.0, 1.0]
    assert [e["weight"] for e in u1["per_expert"]] == [3.0, 1.0]
    assert [e["weight"] for e in u2["per_expert"]] == [1.0, 1.0]
    stack = np.array([ahp.from_upper(JUDGMENTS[k]["U1"]) for k in range(2)])
    group = ahp.aggregate(stack, weights=[3, 1])
    assert u1["weights"] == pytest.approx(group.weights.tolist(), abs=1e-12)
    assert snapshot.data["expert_weights"] == {str(wang.pk): 1.0, str(li.pk): 1.0}
    assert snapshot.data["expert_criterion_weights"] == {str(wang.pk): {"U1": 3.0}}


def test_ratings_under_a_criterion_count_with_its_weight(evaluation):
    wang, li = answered(evaluation)
    membership_weights_set(membership=wang, actor=evaluation.owner, criterion_weights={"U1": 3})
    snapshot = results_recompute(evaluation_id=evaluation.pk)
    subject = snapshot.data["subjects"][0]
    leaves = list(evaluation.indicators.filter(children__isnull=True).order_by("order", "id"))
    grades = evaluation.grades.count()
    for i, leaf in enumerate(leaves):
        criterion = leaf.parent.code
        # submit_ratings: expert k gives leaf i of subject 0 the grade (i + k) mod m.
        expected = np.zeros(grades)
        expected[i % grades] += 3 if criterion == "U1" else 1
        expected[(i + 1) % grades] += 1
        assert subject["counts"][leaf.code] == pytest.approx(expected.tolist()), leaf.code


def test_changing_a_criterion_weight_is_logged_and_recomputes(evaluation):
    wang, _li = answered(evaluation)
    before = evaluation.input_version
    evaluation.refresh_from_db()
    version = evaluation.input_version
    membership_weights_set(membership=wang, actor=evaluation.owner, criterion_weights={"U2": 0.5})
    evaluation.refresh_from_db()
    assert evaluation.input_version == version + 1 and version >= before
    entry = AuditEntry.objects.filter(evaluation=evaluation).latest("pk")
    assert entry.params["criteria_after"] == {"U2": 0.5}
    assert entry.params["criteria_before"] == {}
    # The same weights again change nothing and recompute nothing.
    membership_weights_set(membership=wang, actor=evaluation.owner, criterion_weights={"U2": 0.5})
    evaluation.refresh_from_db()
    assert evaluation.input_version == version + 1


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"U9": 2}, "“U9” is not a first-level criterion"),
        ({"U11": 2}, "“U11” is not a first-level criterion"),  # a second-level one
        ({"U1": -1}, "criterion U1: “-1” is not a positive number"),
        ({"U1": "1e400"}, "criterion U1: “1e400” is not a positive number"),
        ({"U1": "9" * 500}, "criterion U1:"),
        ({"U1": True}, "criterion U1:"),
        ({"U1": 5000}, "criterion U1: the weight may be at most 1000"),
        ({f"X{n}": 1 for n in range(10)}, "at most 9 weights per criterion"),
        (["U1", 2], "must be an object"),
    ],
)
def test_bad_criterion_weights_are_refused_naming_expert_criterion_and_rule(
    evaluation, values, fragment
):
    (wang,) = add_experts(evaluation)[:1]
    with pytest.raises(ValidationError) as refused:
        membership_weights_set(membership=wang, actor=evaluation.owner, criterion_weights=values)
    messages = " ".join(refused.value.message_dict["criterion_weights"])
    assert "Prof. Wang" in messages and fragment in messages
    wang.refresh_from_db()
    assert wang.criterion_weights == {}


def test_the_panel_page_sets_and_shows_criterion_weights(evaluation, coordinator_client):
    (wang,) = add_experts(evaluation)[:1]
    u1 = evaluation.indicators.get(code="U1")
    url = f"/evaluations/{evaluation.pk}/panel/{wang.pk}/criterion-weights/"
    panel = coordinator_client.get(f"/evaluations/{evaluation.pk}/panel/")
    assert url in panel.content.decode()
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(url, {f"criterion-{u1.pk}": "2.5"})
    assert response.status_code == 302
    wang.refresh_from_db()
    assert wang.criterion_weights == {str(u1.pk): 2.5}
    page = coordinator_client.get(url).content.decode()
    assert 'value="2.5"' in page
    refused = coordinator_client.post(url, {f"criterion-{u1.pk}": "lots"})
    assert refused.status_code == 400
    assert "criterion U1: “lots” is not a positive number" in refused.content.decode()
    wang.refresh_from_db()
    assert wang.criterion_weights == {str(u1.pk): 2.5}
    cleared = coordinator_client.post(url, {f"criterion-{u1.pk}": ""})
    assert cleared.status_code == 302
    wang.refresh_from_db()
    assert wang.criterion_weights == {}


def test_an_outsider_cannot_reach_the_criterion_weights_page(evaluation, outsider_client):
    (wang,) = add_experts(evaluation)[:1]
    url = f"/evaluations/{evaluation.pk}/panel/{wang.pk}/criterion-weights/"
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {}).status_code == 404


def test_the_api_reads_and_sets_both_weights(evaluation, outsider):
    (wang,) = add_experts(evaluation)[:1]
    client = token_client(evaluation.owner)
    url = f"/api/v1/evaluations/{evaluation.pk}/experts/{wang.pk}/weights/"
    assert client.get(url).json() == {"membership": wang.pk, "weight": 1.0, "criterion_weights": {}}
    response = client.put(url, {"weight": 2, "criterion_weights": {"U3": 4}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "membership": wang.pk,
        "weight": 2.0,
        "criterion_weights": {"U3": 4.0},
    }
    panel = client.get(f"/api/v1/evaluations/{evaluation.pk}/panel/").json()
    assert panel["experts"][0]["criterion_weights"] == {"U3": 4.0}
    refused = client.put(url, {"criterion_weights": {"U3": 0}}, format="json")
    assert refused.status_code == 400
    assert "criterion U3" in json.dumps(refused.json(), ensure_ascii=False)
    wang.refresh_from_db()
    assert wang.weight == 2.0 and len(wang.criterion_weights) == 1
    assert client.put(url, {"weigth": 2}, format="json").status_code == 400  # unknown field
    assert token_client(outsider).get(url).status_code == 404


def test_the_exports_show_the_weight_used_per_matrix(evaluation, coordinator_client):
    wang, _li = answered(evaluation)
    membership_weights_set(membership=wang, actor=evaluation.owner, criterion_weights={"U1": 3})
    snapshot = results_recompute(evaluation_id=evaluation.pk)
    body = coordinator_client.get(f"/api/v1/evaluations/{evaluation.pk}/export/csv/").content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    experts_u1 = [row for row in rows if row and row[0] == "Prof. Wang"]
    # One row per matrix, in hierarchy order: U (overall 1), U1 (3), U2 and U3 (overall 1).
    assert [row[1] for row in experts_u1] == ["1.0000", "3.0000", "1.0000", "1.0000"]
    exported = coordinator_client.get(f"/api/v1/evaluations/{evaluation.pk}/export/json/").json()
    data = exported.get("results", exported)
    assert json.dumps(data).count('"expert_criterion_weights"') >= 1
    page = coordinator_client.get(f"/evaluations/{evaluation.pk}/results/").content.decode()
    assert 'id="criterion-weights"' in page and "U1" in page
    assert snapshot.data["expert_criterion_weights"] == {str(wang.pk): {"U1": 3.0}}


@pytest.mark.parametrize(
    ("aggregation", "mean", "method"),
    [
        ("aij", "geometric", "geometric"),
        ("aij", "geometric", "eigenvector"),
        ("aip", "geometric", "geometric"),
        ("aip", "arithmetic", "eigenvector"),
    ],
)
def test_the_robustness_simulation_weighs_experts_per_criterion_as_the_results_do(
    evaluation, aggregation, mean, method
):
    evaluation.aggregation, evaluation.aip_mean = aggregation, mean
    evaluation.weighting_method = method
    evaluation.save()
    wang, li, chen = answered(evaluation, experts=3)
    membership_weights_set(
        membership=wang, actor=evaluation.owner, weight=2, criterion_weights={"U1": 5, "U3": 0.2}
    )
    membership_weights_set(membership=chen, actor=evaluation.owner, criterion_weights={"U2": 3})
    snapshot = results_recompute(evaluation_id=evaluation.pk).data
    data = panel_input(evaluation=evaluation)
    problem = panel_problem(data)
    assert problem.node_weights is not None
    baseline = simulation.deterministic(problem)
    local = {row["code"]: row["local_weight"] for row in snapshot["indicators"]}
    for n, code in enumerate(problem.codes):
        assert baseline.local_weights[n] == pytest.approx(local[code], abs=1e-12), code
    scores = {s["id"]: s["score"] for s in snapshot["subjects"]}
    for k, subject in enumerate(problem.subjects):
        assert baseline.scores[k] == pytest.approx(scores[subject], abs=1e-12)
    # Without the node weights the simulation would weigh otherwise: the check can fail.
    plain = simulation.deterministic(dataclasses.replace(problem, node_weights=None))
    assert not np.allclose(plain.scores, baseline.scores, atol=1e-9)


@pytest.mark.robustness_analysis
def test_the_robustness_analysis_runs_with_criterion_weights(evaluation):
    wang, _li = answered(evaluation)
    membership_weights_set(membership=wang, actor=evaluation.owner, criterion_weights={"U1": 3})
    results_recompute(evaluation_id=evaluation.pk)
    analysis = analysis_run(evaluation_id=evaluation.pk)
    assert analysis.status == "done", analysis.error
    assert set(analysis.data["simulation"]) == {"noise", "bootstrap"}
    assert analysis.data["leave_one_out"]


def test_a_snapshot_from_before_these_keys_still_renders(evaluation, coordinator_client):
    answered(evaluation)
    snapshot = results_recompute(evaluation_id=evaluation.pk)
    # As stored then: each expert's figures in the snapshot, without zero_weights.
    data = snapshot.data = with_experts(snapshot)
    data.pop("expert_criterion_weights")
    data.pop("zero_weight_warnings")
    for matrix in data["matrices"]:
        matrix.pop("zero_weights")
        for expert in matrix["per_expert"]:
            expert.pop("zero_weights")
    snapshot.save()
    assert coordinator_client.get(f"/evaluations/{evaluation.pk}/results/").status_code == 200
    for fmt in ("csv", "xlsx", "json"):
        url = f"/api/v1/evaluations/{evaluation.pk}/export/{fmt}/"
        assert coordinator_client.get(url).status_code == 200, fmt


# --- the pasted list of experts: CODE=weight after the four columns --------------------------


def test_pasted_lines_may_carry_weights_per_criterion(evaluation):
    text = (
        "Zhang Wei, zhang@example.com, HNU, 1.5, U1=2, U3: 0.5\n"
        "li@example.com\n"
        "Chen, chen@example.com,,, U2=4\n"
    )
    panel_add_experts(evaluation=evaluation, actor=evaluation.owner, text=text, base_url=BASE)
    ids = {i.code: str(i.pk) for i in evaluation.indicators.filter(code__in=["U1", "U2", "U3"])}
    stored = {
        m.email: (m.weight, m.criterion_weights) for m in PanelMembership.objects.order_by("pk")
    }
    assert stored == {
        "zhang@example.com": (1.5, {ids["U1"]: 2.0, ids["U3"]: 0.5}),
        "li@example.com": (1.0, {}),
        "chen@example.com": (1.0, {ids["U2"]: 4.0}),
    }


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "Wang, a@example.com,,, U9=2",
            ERROR_LINE_CRITERION_UNKNOWN.format(line=1, criterion="U9"),
        ),
        (
            "Wang, a@example.com,,, U11=2",
            ERROR_LINE_CRITERION_UNKNOWN.format(line=1, criterion="U11"),
        ),
        (
            "Wang, a@example.com,,, U1=-2",
            ERROR_LINE_CRITERION_WEIGHT.format(line=1, criterion="U1", value="-2"),
        ),
        (
            "Wang, a@example.com,,, U1=1e400",
            ERROR_LINE_CRITERION_WEIGHT.format(line=1, criterion="U1", value="1e400"),
        ),
        (
            "Wang, a@example.com,,, U1=2000",
            ERROR_LINE_CRITERION_TOO_LARGE.format(line=1, criterion="U1", limit=1000),
        ),
        (
            "Wang, a@example.com,,, U1=2, U1=3",
            ERROR_LINE_CRITERION_TWICE.format(line=1, criterion="U1"),
        ),
        ("Wang, a@example.com,,, U1", ERROR_LINE_FIELDS.format(line=1, count=5)),
        ("Wang, a@example.com,," + ", U1=1" * 10, ERROR_LINE_FIELDS.format(line=1, count=14)),
    ],
)
def test_a_bad_pasted_criterion_weight_refuses_the_paste_naming_line_and_criterion(
    evaluation, line, message
):
    with pytest.raises(ValidationError) as refused:
        panel_add_experts(evaluation=evaluation, actor=evaluation.owner, text=line, base_url=BASE)
    assert refused.value.message_dict["text"] == [message]
    assert not PanelMembership.objects.exists()


def test_the_results_name_a_criterion_weight_changed_since_the_snapshot(evaluation):
    wang, _li = answered(evaluation)
    snapshot = results_recompute(evaluation_id=evaluation.pk)
    membership_weights_set(membership=wang, actor=evaluation.owner, criterion_weights={"U1": 2})
    evaluation.refresh_from_db()
    changes = results_changes(evaluation=evaluation, snapshot=snapshot)
    assert {
        "field": "expert_criterion_weights",
        "label": "Weights per criterion of Prof. Wang",
        "was": "the overall weight",
        "now": "U1 2",
    } in changes
    anonymous = results_changes(evaluation=evaluation, snapshot=snapshot, named=False)
    assert "An expert's weights per criterion" in [c["label"] for c in anonymous]
