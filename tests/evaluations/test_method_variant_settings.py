"""The method variants as settings (issue 15 §3): the RI tables beyond the paper's and Saaty's,
the CR threshold by matrix size, and AIP by the arithmetic mean.

Each goes through the coordinator's settings page and the API into real ballots' stored CRs,
the snapshot, the results' settings list and the schema; bad values are refused naming the
field. The defaults are today's method, so existing evaluations keep their numbers.
"""

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from evaluations.engine import ahp, ri
from evaluations.engine.robustness import simulation
from evaluations.models import Evaluation
from evaluations.results.experts import with_experts
from evaluations.results_selectors import results_report
from evaluations.robustness.compute import panel_problem
from evaluations.services.lifecycle import evaluation_update_settings
from evaluations.services.results import panel_input, results_recompute
from surveys import services
from surveys.models import PairwiseBallot
from tests.api.conftest import token_client
from tests.engine.test_ahp_variants import PRIZE_AIP, PRIZE_UPPER, PRIZE_WEIGHTS
from tests.evaluations.test_editor_pages import settings_data
from tests.evaluations.test_results_pages import (
    JUDGMENTS,
    add_experts,
    judgments_for,
    open_for_ballots,
    panel_results,
)

NEW_SETTINGS = {
    "ri_table": ("paper", ["paper", "saaty", "saaty_later", "alonso_lamata"]),
    "cr_threshold_rule": ("fixed", ["fixed", "by_size"]),
    "aip_mean": ("geometric", ["geometric", "arithmetic"]),
}


def settings_url(evaluation) -> str:
    return f"/api/v1/evaluations/{evaluation.pk}/"


def change_setting(door, evaluation, **changes) -> None:
    """Through the settings page or the API, as the coordinator; the change must be taken."""
    if door == "page":
        client = Client()
        client.force_login(evaluation.owner)
        url = reverse("evaluation-settings", args=[evaluation.pk])
        response = client.post(url, settings_data(cr_policy=evaluation.cr_policy, **changes))
        assert response.status_code == 302, response.content.decode()[:2000]
    else:
        response = token_client(evaluation.owner).patch(
            settings_url(evaluation), changes, format="json"
        )
        assert response.status_code == 200, response.json()
    evaluation.refresh_from_db()
    for name, value in changes.items():
        assert getattr(evaluation, name) == value


def recompute(evaluation):
    """The latest snapshot after a recompute (none is written when nothing changed)."""
    results_recompute(evaluation_id=evaluation.pk)
    return evaluation.snapshots.latest()


def expert_stacks(evaluation) -> dict[str, np.ndarray]:
    """The three experts' matrices of test_results_pages.panel_results, by parent code."""
    return {
        code: np.stack([ahp.from_upper(expert[code]) for expert in JUDGMENTS])
        for code in ("U", "U1", "U2", "U3")
    }


# --- the defaults: today's method --------------------------------------------------------


def test_a_new_evaluation_takes_todays_method(evaluation):
    assert (evaluation.ri_table, evaluation.cr_threshold_rule, evaluation.aip_mean) == (
        "paper",
        "fixed",
        "geometric",
    )


def test_the_model_offers_the_engines_ri_tables_and_means():
    assert tuple(Evaluation.RITable.values) == ri.CHOICES
    assert tuple(Evaluation.AIPMean.values) == ahp.MEANS


# --- each RI table, through the page and the API -----------------------------------------


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("table", ri.CHOICES)
def test_each_ri_table_gives_the_engines_ri_and_cr_in_the_snapshot(evaluation, door, table):
    panel_results(evaluation)  # warn policy, three experts, every ballot submitted
    change_setting(door, evaluation, ri_table=table)

    snapshot = recompute(evaluation)

    assert snapshot.data["settings"]["ri_table"] == table
    stacks = expert_stacks(evaluation)
    for matrix in with_experts(snapshot)["matrices"]:
        stack = stacks[matrix["parent"]]
        group = ahp.aggregate(stack, "aij", ri=table)
        own = ahp.priorities(stack, ri=table)
        assert matrix["ri"] == pytest.approx(ri.random_index(len(stack[0]), table), abs=1e-12)
        assert matrix["cr"] == pytest.approx(group.cr, abs=1e-12)
        assert [e["cr"] for e in matrix["per_expert"]] == pytest.approx(own.cr, abs=1e-12)
        assert matrix["consistent"] is bool(group.cr < 0.1)
    # The ballots' stored CRs were re-assessed with the table when it changed.
    u1 = evaluation.indicators.get(code="U1")
    stored = PairwiseBallot.objects.filter(parent=u1).order_by("membership_id")
    expected = ahp.priorities(stacks["U1"], ri=table).cr
    assert [b.submitted_cr for b in stored] == pytest.approx(expected, abs=1e-12)
    # The results' settings list (page and exports) names the table.
    rows = dict(results_report(data=snapshot.data)["settings"])
    assert rows["RI table"] == Evaluation.RITable(table).label


def test_the_results_page_names_the_later_saaty_table(coordinator_client, evaluation):
    panel_results(evaluation)
    change_setting("page", evaluation, ri_table="alonso_lamata")
    results_recompute(evaluation_id=evaluation.pk)

    page = coordinator_client.get(reverse("results", args=[evaluation.pk])).content.decode()

    assert "Alonso &amp; Lamata (2006)" in page


# --- the CR threshold by size ------------------------------------------------------------

# A 3 × 3 upper triangle with CR 0.0704 (paper's RI): under 0.1, over the size rule's 0.05.
BORDERLINE = [1, 3, 7]


def first_expert_borderline_on_u(evaluation) -> PairwiseBallot:
    """panel_results' first expert revises U to BORDERLINE (the warn policy lets it in)."""
    membership = evaluation.memberships.order_by("pk").first()
    u = evaluation.indicators.get(code="U")
    return services.pairwise_ballot_save(
        membership=membership, parent=u, judgments=judgments_for(u, BORDERLINE), submit=True
    )


def test_the_borderline_matrix_is_between_the_two_limits():
    cr = ahp.priorities(ahp.from_upper(BORDERLINE)).cr
    assert ri.size_threshold(3) < cr < 0.1
    assert cr == pytest.approx(0.0704, abs=5e-5)


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_size_rule_holds_each_matrix_to_its_own_limit_in_the_snapshot(evaluation, door):
    panel_results(evaluation)
    first_expert_borderline_on_u(evaluation)
    fixed = with_experts(recompute(evaluation))
    change_setting(door, evaluation, cr_threshold_rule="by_size", ballot_inclusion="consistent")

    snapshot = recompute(evaluation)

    by_parent = {m["parent"]: m for m in with_experts(snapshot)["matrices"]}
    # Under the fixed 0.1 the borderline expert was consistent and entered U's weights.
    was = next(m for m in fixed["matrices"] if m["parent"] == "U")
    assert was["per_expert"][0]["consistent"] is True and was["experts_included"] == 3
    # By size (0.05 for 3 elements) the expert is inconsistent and left out.
    u = by_parent["U"]
    assert u["per_expert"][0]["consistent"] is False
    assert u["per_expert"][0]["cr"] == pytest.approx(0.0704, abs=5e-5)
    assert u["experts_included"] == 2
    stack = np.stack([ahp.from_upper(upper) for upper in (JUDGMENTS[1]["U"], JUDGMENTS[2]["U"])])
    group = ahp.aggregate(stack, "aij")
    np.testing.assert_allclose(u["weights"], group.weights, rtol=0, atol=1e-12)
    # Every matrix and expert against the limit of its own size.
    warned = {w["parent"] for w in snapshot.data["warnings"]}
    for matrix in with_experts(snapshot)["matrices"]:
        limit = ri.size_threshold(len(matrix["children"]))  # 0.05 for U, 0.08 for U1–U3
        if matrix["cr"] is not None:
            assert matrix["consistent"] is bool(matrix["cr"] < limit)
            assert (matrix["parent"] in warned) is bool(matrix["cr"] >= limit)
        for expert in matrix["per_expert"]:
            assert expert["consistent"] is bool(expert["cr"] < limit)
    report = results_report(data=snapshot.data)
    assert dict(report["settings"])["CR threshold"] == (
        "0.05 for 3 elements, 0.08 for 4, 0.1 for 5 or more"
    )
    assert {m["parent"]: m["threshold"] for m in report["matrices"]} == {
        "U": "0.05", "U1": "0.08", "U2": "0.08", "U3": "0.08"
    }  # fmt: skip


def test_the_size_rule_re_assesses_the_stored_consistency_of_submitted_ballots(evaluation):
    panel_results(evaluation)
    ballot = first_expert_borderline_on_u(evaluation)
    assert ballot.submitted_consistent is True

    evaluation_update_settings(
        evaluation=evaluation, actor=evaluation.owner, cr_threshold_rule="by_size"
    )

    ballot.refresh_from_db()
    assert ballot.status == "submitted"  # stays submitted, shown as inconsistent
    assert (ballot.consistent, ballot.submitted_consistent) == (False, False)
    assert ballot.submitted_cr == pytest.approx(ahp.priorities(ahp.from_upper(BORDERLINE)).cr)


# --- AIP by the arithmetic mean: the R package Prize's four experts ----------------------


@pytest.mark.parametrize("door", ["page", "api"])
def test_arithmetic_aip_through_real_ballots_gives_the_engines_weights(evaluation, door):
    """Prize's experts 1, 3 and 4 through the expert's ballot service; expert 2 judged one
    pair 0.8, which is off the verbal 1–9 scale the ballots take by default: that ballot is
    refused, naming the pair, and the three others are compared with the engine on the same
    matrices and weights, to 1e-12. (With the continuous judgment scale all four enter and
    give Prize's published weights: tests/evaluations/test_prize_reproduction.py.)"""
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation, ["Expert 1", "Expert 2", "Expert 3", "Expert 4"])
    for membership, weight in zip(memberships, PRIZE_WEIGHTS, strict=True):
        membership.weight = weight
        membership.save()
    u1 = evaluation.indicators.get(code="U1")
    for membership, upper in zip(memberships, PRIZE_UPPER, strict=True):
        if 0.8 in upper:
            with pytest.raises(ValidationError) as refused:
                services.pairwise_ballot_save(
                    membership=membership, parent=u1, judgments=judgments_for(u1, upper),
                    submit=True,
                )  # fmt: skip
            assert "0.8 is not on the 1–9 scale" in str(refused.value.message_dict)
            continue
        services.pairwise_ballot_save(
            membership=membership, parent=u1, judgments=judgments_for(u1, upper), submit=True
        )
    change_setting(door, evaluation, aggregation="aip", aip_mean="arithmetic")

    snapshot = recompute(evaluation)

    on_scale = [k for k, upper in enumerate(PRIZE_UPPER) if 0.8 not in upper]
    assert on_scale == [0, 2, 3]
    stack = np.stack([ahp.from_upper(PRIZE_UPPER[k]) for k in on_scale])
    weights = [PRIZE_WEIGHTS[k] for k in on_scale]
    arithmetic = ahp.aggregate(stack, "aip", weights=weights, mean="arithmetic")
    geometric = ahp.aggregate(stack, "aip", weights=weights)
    matrix = next(m for m in snapshot.data["matrices"] if m["parent"] == "U1")
    assert matrix["experts_included"] == 3
    np.testing.assert_allclose(matrix["weights"], arithmetic.weights, rtol=0, atol=1e-12)
    assert matrix["cr"] == pytest.approx(arithmetic.cr, abs=1e-12)
    assert np.abs(arithmetic.weights - geometric.weights).max() > 1e-4  # the mean matters
    assert snapshot.data["settings"]["aip_mean"] == "arithmetic"
    rows = dict(results_report(data=snapshot.data)["settings"])
    assert rows["AIP mean"] == Evaluation.AIPMean.ARITHMETIC.label


def test_the_prize_reference_needs_the_off_scale_judgment():
    """Why the ballot test compares with the engine, not with Prize's published weights: with
    all four experts (0.8 included) the engine gives them; without expert 2 it does not."""
    stack = np.stack([ahp.from_upper(upper) for upper in PRIZE_UPPER])
    full = ahp.aggregate(stack, "aip", weights=PRIZE_WEIGHTS, mean="arithmetic")
    np.testing.assert_allclose(full.weights, PRIZE_AIP, rtol=0, atol=5e-9)
    three = ahp.aggregate(stack[[0, 2, 3]], "aip", weights=[0.45, 0.10, 0.15], mean="arithmetic")
    assert np.abs(three.weights - PRIZE_AIP).max() > 1e-3


def test_the_aip_mean_is_shown_only_with_aip(evaluation):
    snapshot = panel_results(evaluation)
    assert "AIP mean" not in dict(results_report(data=snapshot.data)["settings"])


# --- bad values, the schema -------------------------------------------------------------


@pytest.mark.parametrize(("field", "bad"), [
    ("ri_table", "saaty_1977"), ("cr_threshold_rule", "by_mood"), ("aip_mean", "median"),
])  # fmt: skip
def test_a_bad_value_is_refused_on_its_field_by_the_page(
    coordinator_client, evaluation, field, bad
):
    url = reverse("evaluation-settings", args=[evaluation.pk])

    response = coordinator_client.post(url, settings_data(**{field: bad}))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert "Select a valid choice" in response.context["form"].errors[field][0]
    evaluation.refresh_from_db()
    assert getattr(evaluation, field) == NEW_SETTINGS[field][0]


@pytest.mark.parametrize(("field", "bad"), [
    ("ri_table", "saaty_1977"), ("cr_threshold_rule", "by_mood"), ("aip_mean", "median"),
    ("ri_table", 3), ("aip_mean", None),
])  # fmt: skip
def test_a_bad_value_is_refused_on_its_field_by_the_api(coordinator, evaluation, field, bad):
    response = token_client(coordinator).patch(
        settings_url(evaluation), {field: bad}, format="json"
    )

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    evaluation.refresh_from_db()
    assert getattr(evaluation, field) == NEW_SETTINGS[field][0]


def test_the_settings_page_offers_the_new_choices(coordinator_client, evaluation):
    page = coordinator_client.get(reverse("evaluation-settings", args=[evaluation.pk]))

    html = page.content.decode()
    for field, (_default, choices) in NEW_SETTINGS.items():
        for choice in choices:
            assert f'name="{field}" value="{choice}"' in html


def test_the_schema_lists_the_new_choices_for_reading_and_writing(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]

    def enum(component: str, field: str) -> list:
        spec = components[component]["properties"][field]
        ref = spec.get("$ref") or next(s["$ref"] for s in spec.get("allOf", spec.get("oneOf")))
        return components[ref.rsplit("/", 1)[1]]["enum"]

    for field, (_default, choices) in NEW_SETTINGS.items():
        assert enum("PatchedEvaluationSettingsRequest", field) == choices
        assert enum("EvaluationDetail", field) == choices


# --- the robustness analysis and the exports follow the settings -------------------------


def test_the_robustness_problem_takes_the_aip_mean_and_the_size_rule(evaluation):
    panel_results(evaluation)
    first_expert_borderline_on_u(evaluation)
    evaluation_update_settings(
        evaluation=evaluation,
        actor=evaluation.owner,
        aggregation="aip",
        aip_mean="arithmetic",
        cr_threshold_rule="by_size",
        ballot_inclusion="consistent",
    )
    snapshot = recompute(evaluation)
    data = panel_input(evaluation=evaluation)

    problem = panel_problem(data)

    assert (problem.method, problem.mean) == ("aip", "arithmetic")
    u = problem.codes.index("U")
    assert len(problem.judgments[u][1]) == 2  # the borderline expert is left out at U
    outcome = simulation.deterministic(problem)
    expected = {row["code"]: row["global_weight"] for row in snapshot.data["indicators"]}
    np.testing.assert_allclose(
        outcome.global_weights, [expected[code] for code in problem.codes], rtol=0, atol=1e-12
    )


def test_the_exports_and_the_report_name_the_settings_the_numbers_used(
    coordinator_client, evaluation
):
    """The JSON export carries the snapshot's settings; the printable report lists them in
    words. (The CSV and XLSX exports hold the tables, with no settings table, as before.)"""
    panel_results(evaluation)
    change_setting(
        "api", evaluation, ri_table="saaty_later", cr_threshold_rule="by_size",
        aggregation="aip", aip_mean="arithmetic",
    )  # fmt: skip
    recompute(evaluation)

    exported = coordinator_client.get(reverse("results-export", args=[evaluation.pk, "json"]))
    report = coordinator_client.get(reverse("results-report", args=[evaluation.pk]))

    settings = exported.json()["data"]["settings"]
    assert (settings["ri_table"], settings["cr_threshold_rule"], settings["aip_mean"]) == (
        "saaty_later",
        "by_size",
        "arithmetic",
    )
    page = report.content.decode()
    assert "Saaty (later table: 0.52, 0.89, 1.11, …)" in page
    assert "0.05 for 3 elements, 0.08 for 4, 0.1 for 5 or more" in page
    assert "Weighted arithmetic mean of the experts&#x27; weights (Forman &amp; Peniwati" in page
