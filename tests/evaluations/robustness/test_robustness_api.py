"""The robustness figures in the REST API's results and in the exports (DESIGN §4:
`results.robustness.flip_points`, `results.robustness.simulation.rank_probabilities`), as each
reader may see them (evaluations/robustness/reading.py, tables.py)."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.models import Evaluation, RobustnessAnalysis
from evaluations.robustness import analysis as service
from experts.models import PanelMembership
from tests.api.conftest import token_client
from tests.evaluations.test_results_pages import accept, panel_results

pytestmark = pytest.mark.robustness_analysis
SEED = 7


@pytest.fixture
def answered(evaluation):
    """Three experts answered everything; the snapshot is written, not yet analysed."""
    with service.analyses_paused():
        snapshot = panel_results(evaluation)
    # After the panel is set up, which saves the evaluation: the analysis reads them when run.
    Evaluation.objects.filter(pk=evaluation.pk).update(
        robustness_seed=SEED, robustness_noise_draws=500, robustness_bootstrap_draws=300
    )
    return snapshot


@pytest.fixture
def analysed(evaluation, answered):
    service.analysis_queue_latest(evaluation_id=evaluation.pk, rerun=True)
    analysis = RobustnessAnalysis.objects.get(snapshot=answered)
    assert analysis.status == RobustnessAnalysis.Status.DONE
    return analysis


@pytest.fixture
def shared_expert(evaluation, answered, make_user):
    expert = make_user("erin")
    accept(PanelMembership.objects.get(evaluation=evaluation, name="Prof. Wang"), expert)
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)
    return expert


def results(user, evaluation) -> dict:
    response = token_client(user).get(f"/api/v1/evaluations/{evaluation.pk}/results/")
    assert response.status_code == 200
    return response.json()["results"]["robustness"]


def export(user, evaluation, fmt: str):
    response = token_client(user).get(f"/api/v1/evaluations/{evaluation.pk}/export/{fmt}/")
    assert response.status_code == 200
    return response


def test_the_results_carry_the_flip_points_of_every_node_before_any_analysis(
    coordinator, evaluation, answered
):
    robustness = results(coordinator, evaluation)

    nodes = {m["parent"] for m in answered.data["matrices"]}
    assert {row["node"] for row in robustness["flip_points"]} == nodes
    assert robustness["flip_points"] == answered.data["robustness"]["flip_points"]
    assert robustness["most_critical"] == answered.data["robustness"]["most_critical"]
    assert robustness["simulation"] == {"status": "none"}
    assert "agreement" not in robustness


def test_a_queued_analysis_reads_as_being_computed(coordinator, evaluation, answered):
    RobustnessAnalysis.objects.create(
        evaluation=evaluation, snapshot=answered, version=answered.version
    )

    assert results(coordinator, evaluation)["simulation"] == {"status": "computing"}


def test_once_analysed_the_simulation_gives_rank_probabilities_per_subject(
    coordinator, evaluation, answered, analysed
):
    simulation = results(coordinator, evaluation)["simulation"]

    assert simulation["status"] == "done"
    assert simulation["source"] == "noise"  # judgment noise first when both are selected
    assert simulation["draws"] == 500 and simulation["seed"] == SEED and simulation["k"] == 1
    assert set(simulation["sources"]) == {"noise", "bootstrap"}
    assert simulation["sources"]["bootstrap"]["draws"] == 300
    subjects = {str(s["id"]) for s in answered.data["subjects"] if s["score"] is not None}
    assert set(simulation["rank_probabilities"]) == subjects
    for row in simulation["rank_probabilities"].values():
        assert len(row) == len(subjects)
        assert sum(row) == pytest.approx(1.0, abs=1e-12)
    assert (
        simulation["rank_probabilities"]
        == analysed.data["simulation"]["noise"]["rank_probabilities"]
    )


def test_the_coordinator_sees_the_experts_agreement_and_leave_one_out(
    coordinator, evaluation, analysed
):
    robustness = results(coordinator, evaluation)

    assert robustness["agreement"] == analysed.data["agreement"]
    assert len(robustness["agreement"]["experts"]) == 3
    assert robustness["leave_one_out"] == analysed.data["leave_one_out"]


def test_an_expert_sees_the_simulation_but_not_the_experts_against_the_group(
    evaluation, analysed, shared_expert
):
    robustness = results(shared_expert, evaluation)

    assert robustness["simulation"]["status"] == "done"
    assert robustness["flip_points"]
    assert "agreement" not in robustness and "leave_one_out" not in robustness


def test_a_failed_analysis_says_why_to_the_coordinator_only(
    coordinator, evaluation, answered, shared_expert
):
    RobustnessAnalysis.objects.create(
        evaluation=evaluation,
        snapshot=answered,
        version=answered.version,
        status=RobustnessAnalysis.Status.FAILED,
        error="ValueError: no subject has a score",
    )

    assert results(coordinator, evaluation)["simulation"] == {
        "status": "failed",
        "error": "ValueError: no subject has a score",
    }
    assert results(shared_expert, evaluation)["simulation"] == {"status": "failed"}


def test_the_json_export_holds_the_same_robustness_as_the_api(coordinator, evaluation, analysed):
    payload = json.loads(export(coordinator, evaluation, "json").content)

    assert payload["data"]["robustness"] == results(coordinator, evaluation)


def test_the_workbook_has_the_robustness_sheets(coordinator, evaluation, answered, analysed):
    book = load_workbook(io.BytesIO(export(coordinator, evaluation, "xlsx").content))

    names = book.sheetnames
    assert names[-5:] == ["Flip points", "Judgment noise", "Bootstrap", "Agreement",
                          "Leave-one-out"]  # fmt: skip
    flips = list(book["Flip points"].iter_rows(values_only=True))
    first = answered.data["robustness"]["flip_points"][0]
    row = next(r for r in flips if r[0] == first["node"] and r[1] == first["criterion"])
    assert row[3] == pytest.approx(first["weight"])
    noise = list(book["Judgment noise"].iter_rows(values_only=True))
    assert ("Draws", 500) in [tuple(r[:2]) for r in noise]
    assert ("Seed", str(SEED)) in [tuple(r[:2]) for r in noise]


def test_an_experts_workbook_leaves_out_the_experts_against_the_group(
    evaluation, analysed, shared_expert
):
    book = load_workbook(io.BytesIO(export(shared_expert, evaluation, "xlsx").content))

    assert "Judgment noise" in book.sheetnames
    assert "Agreement" not in book.sheetnames and "Leave-one-out" not in book.sheetnames


def test_expert_names_in_the_robustness_tables_are_neutralised(coordinator, evaluation, answered):
    PanelMembership.objects.filter(evaluation=evaluation, name="Prof. Wang").update(
        name='=HYPERLINK("http://x.example","Open")'
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(flagged_experts_named=True)
    service.analysis_queue_latest(evaluation_id=evaluation.pk, rerun=True)

    text = export(coordinator, evaluation, "csv").content.decode("utf-8-sig")

    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_the_schema_documents_the_robustness_keys(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    components = schema["components"]["schemas"]
    robustness = components["Robustness"]["properties"]
    assert {"flip_points", "most_critical", "simulation"} <= set(robustness)
    assert "rank_probabilities" in components["Simulation"]["properties"]
    assert "top_above" in components["FlipPoint"]["properties"]
