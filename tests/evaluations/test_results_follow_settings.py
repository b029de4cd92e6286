"""Results follow every input they depend on (issue 11 §2).

Each setting, the grade set, an expert weight and the structure: changed through the page or
the API, the results turn stale in the same transaction, a recompute is queued after commit
(closed panels included), and until it has run the page and the API name what the numbers
were computed with.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from evaluations.models import Evaluation, ResultSnapshot
from evaluations.services import pipeline
from evaluations.services.results import results_recompute
from experts.models import PanelMembership
from tests.api.conftest import token_client
from tests.evaluations.test_editor_pages import grade_data, settings_data, subject_data
from tests.evaluations.test_results_pages import (
    add_experts,
    open_for_ballots,
    panel_results,
    submit_judgments,
)

# A value other than the default for every setting the numbers depend on, and how the page
# and the API word the change.
SETTING_CHANGES = [
    ("weighting_method", "eigenvector", "Geometric mean (root) method", "Eigenvector method"),
    ("ri_table", "saaty", "The method paper's RI table", "Saaty (1980)"),
    ("cr_threshold", 0.2, "0.1", "0.2"),
    ("cr_policy", "block", "Warn, but accept inconsistent matrices", "Block submission"),
    ("aggregation", "aip", "Aggregate individual judgments (AIJ)", "(AIP)"),
    ("ballot_inclusion", "consistent", "All submitted ballots", "Only consistent ballots"),
    ("operator", "min_max", "M(·,+) ordinary product", "M(∧,∨) main factor"),
]


@pytest.fixture
def queued(monkeypatch):
    """Stand in for the broker: record the recomputes queued after commit, run none."""
    from evaluations import tasks

    calls = []
    monkeypatch.setattr(
        tasks.recompute_results, "apply_async", lambda args, countdown: calls.append(args)
    )
    return calls


@pytest.fixture
def snapshot(evaluation):
    return panel_results(evaluation)  # warn policy, three experts, every ballot submitted


def results_api(evaluation):
    client = token_client(evaluation.owner)
    return client.get(f"/api/v1/evaluations/{evaluation.pk}/results/").json()


def results_page(client, evaluation) -> str:
    return client.get(reverse("results", args=[evaluation.pk])).content.decode()


def assert_stale_and_named(evaluation, client, snapshot, field, was, now):
    evaluation.refresh_from_db()
    assert evaluation.input_version > snapshot.version
    status = results_api(evaluation)["status"]
    assert status["stale"] is True
    change = next(c for c in status["changes"] if c["field"] == field)
    assert was in change["was"]
    assert now in change["now"]
    page = results_page(client, evaluation)
    assert "computed with the previous inputs" in page
    assert escape(was) in page


def recompute_and_check_current(evaluation, client) -> ResultSnapshot:
    pipeline.recompute_run(evaluation_id=evaluation.pk)
    status = results_api(evaluation)["status"]
    assert status["stale"] is False
    assert status["changes"] == []
    assert "computed with the previous inputs" not in results_page(client, evaluation)
    return ResultSnapshot.objects.filter(evaluation=evaluation).latest()


# --- method settings, through the API and the Settings page -----------------------------------


@pytest.mark.parametrize(("field", "value", "was", "now"), SETTING_CHANGES)
def test_a_setting_changed_through_the_api_makes_the_results_follow(
    coordinator_client, evaluation, snapshot, queued, django_capture_on_commit_callbacks,
    field, value, was, now,
):  # fmt: skip
    if field == "cr_policy":
        value = "block"  # the panel runs under warn (see panel_results)
    client = token_client(evaluation.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/v1/evaluations/{evaluation.pk}/", {field: value}, format="json"
        )

    assert response.status_code == 200, response.content
    assert queued == [(evaluation.pk,)]
    assert_stale_and_named(evaluation, coordinator_client, snapshot, field, was, now)
    latest = recompute_and_check_current(evaluation, coordinator_client)
    assert latest.data["settings"][field] == value


@pytest.mark.parametrize(("field", "value", "was", "now"), SETTING_CHANGES)
def test_a_setting_changed_on_the_settings_page_makes_the_results_follow(
    coordinator_client, evaluation, snapshot, queued, django_capture_on_commit_callbacks,
    field, value, was, now,
):  # fmt: skip
    data = settings_data(title=evaluation.title, cr_policy="warn")
    data[field] = str(value)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("evaluation-settings", args=[evaluation.pk]), data
        )

    assert response.status_code == 302
    assert queued == [(evaluation.pk,)]
    assert_stale_and_named(evaluation, coordinator_client, snapshot, field, was, now)
    latest = recompute_and_check_current(evaluation, coordinator_client)
    assert latest.data["settings"][field] == value


def test_the_new_numbers_are_those_of_the_new_setting(coordinator_client, evaluation, snapshot):
    before = {m["parent"]: m["cr"] for m in snapshot.data["matrices"]}
    client = token_client(evaluation.owner)
    client.patch(f"/api/v1/evaluations/{evaluation.pk}/", {"ri_table": "saaty"}, format="json")

    latest = recompute_and_check_current(evaluation, coordinator_client)

    after = {m["parent"]: m["cr"] for m in latest.data["matrices"]}
    # U has three children: RI 0.57 (paper) → 0.58 (Saaty), the same CI.
    assert after["U"] == pytest.approx(before["U"] * 0.57 / 0.58, rel=1e-12)


def test_a_change_that_does_not_touch_the_numbers_leaves_the_results_current(
    evaluation, snapshot, queued, django_capture_on_commit_callbacks
):
    client = token_client(evaluation.owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/api/v1/evaluations/{evaluation.pk}/", {"title": "Renamed"}, format="json")

    evaluation.refresh_from_db()
    assert queued == []
    assert evaluation.input_version == snapshot.version


def test_a_closed_panels_results_follow_a_setting_too(
    coordinator_client, evaluation, snapshot, queued, django_capture_on_commit_callbacks
):
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.CLOSED)
    client = token_client(evaluation.owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(
            f"/api/v1/evaluations/{evaluation.pk}/", {"operator": "min_max"}, format="json"
        )

    assert queued == [(evaluation.pk,)]
    latest = recompute_and_check_current(evaluation, coordinator_client)
    assert latest.data["settings"]["operator"] == "min_max"


def test_a_settings_save_never_puts_the_input_version_back(evaluation, snapshot):
    """A copy of the evaluation read before a ballot came in must not undo its version bump."""
    from evaluations.services import evaluation_update_settings

    stale_copy = Evaluation.objects.get(pk=evaluation.pk)
    pipeline.results_mark_stale(evaluation_id=evaluation.pk)  # a ballot meanwhile
    evaluation_update_settings(evaluation=stale_copy, actor=evaluation.owner, title="New title")

    evaluation.refresh_from_db()
    assert evaluation.input_version == snapshot.version + 1


# --- the grade set, expert weights and the structure -----------------------------------------


def test_a_changed_grade_score_makes_the_results_follow(
    coordinator_client, evaluation, queued, django_capture_on_commit_callbacks
):
    open_for_ballots(evaluation)
    submit_judgments(evaluation, add_experts(evaluation))  # no ratings: grades stay editable
    snapshot = results_recompute(evaluation_id=evaluation.pk)
    data = grade_data(evaluation, {0: {"score": "5"}})

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("grades-edit", args=[evaluation.pk]), data)

    assert response.status_code == 302
    assert queued == [(evaluation.pk,)]
    assert_stale_and_named(
        evaluation, coordinator_client, snapshot, "grades", "very strong 4", "very strong 5"
    )
    latest = recompute_and_check_current(evaluation, coordinator_client)
    assert latest.data["grades"][0]["score"] == 5


def test_a_changed_expert_weight_makes_the_results_follow(
    coordinator_client, evaluation, snapshot, queued, django_capture_on_commit_callbacks
):
    membership = PanelMembership.objects.get(evaluation=evaluation, name="Dr. Li")
    url = reverse("panel-weight", args=[evaluation.pk, membership.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"weight": "3"})

    assert response.status_code == 302
    assert queued == [(evaluation.pk,)]
    assert_stale_and_named(evaluation, coordinator_client, snapshot, "expert_weight", "1", "3")
    assert "Dr. Li" in results_api(evaluation)["status"]["changes"][0]["label"]
    latest = recompute_and_check_current(evaluation, coordinator_client)
    assert latest.data["expert_weights"][str(membership.pk)] == 3


def test_a_renamed_indicator_makes_the_results_follow(
    coordinator_client, evaluation, snapshot, queued, django_capture_on_commit_callbacks
):
    indicator = evaluation.indicators.get(code="U12")
    url = reverse("hierarchy-update", args=[evaluation.pk, indicator.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"name": "Supplier choice", "description": ""})

    assert response.status_code == 302
    assert queued == [(evaluation.pk,)]
    assert_stale_and_named(
        evaluation, coordinator_client, snapshot, "hierarchy", "indicators", "U12"
    )
    latest = recompute_and_check_current(evaluation, coordinator_client)
    assert {r["code"]: r["name"] for r in latest.data["indicators"]}["U12"] == "Supplier choice"


def test_an_added_subject_makes_the_results_follow(
    coordinator_client, evaluation, snapshot, queued, django_capture_on_commit_callbacks
):
    data = subject_data(evaluation, extra={"id": "", "name": "Enterprise C", "description": ""})

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("subjects-edit", args=[evaluation.pk]), data)

    assert response.status_code == 302
    assert queued == [(evaluation.pk,)]
    assert_stale_and_named(
        evaluation, coordinator_client, snapshot, "subjects", "Enterprise B", "Enterprise C"
    )
    latest = recompute_and_check_current(evaluation, coordinator_client)
    assert [s["name"] for s in latest.data["subjects"]][-1] == "Enterprise C"


def test_editing_a_draft_without_results_queues_nothing(
    coordinator_client, evaluation, queued, django_capture_on_commit_callbacks
):
    indicator = evaluation.indicators.get(code="U12")
    url = reverse("hierarchy-update", args=[evaluation.pk, indicator.pk])

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, {"name": "Supplier choice", "description": ""})

    assert queued == []


def test_experts_reading_shared_results_see_a_weight_change_without_names(
    client, evaluation, snapshot, make_user
):
    from tests.evaluations.test_results_pages import accept

    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)
    reader = make_user("reader")
    accept(PanelMembership.objects.get(evaluation=evaluation, name="Prof. Wang"), reader)
    membership = PanelMembership.objects.get(evaluation=evaluation, name="Dr. Li")
    from experts.services import membership_update_weight

    membership_update_weight(membership=membership, actor=evaluation.owner, weight=2.0)
    client.force_login(reader)

    page = results_page(client, evaluation)

    assert "An expert&#x27;s weight" in page or "An expert's weight" in page
    assert "Dr. Li" not in page


# --- stored consistency follows the RI table and the threshold --------------------------------


def test_a_stricter_threshold_reassesses_stored_crs_and_the_valid_figures_follow(
    coordinator_client, evaluation, snapshot, make_user
):
    from experts.selectors import evaluation_figures
    from surveys.models import BallotStatus, PairwiseBallot
    from tests.evaluations.test_results_pages import accept

    for k, membership in enumerate(PanelMembership.objects.filter(evaluation=evaluation)):
        accept(membership, make_user(f"panelist{k}"))  # invited and answered: figures count them
    Evaluation.objects.filter(pk=evaluation.pk).update(cr_policy="block")
    evaluation.refresh_from_db()
    ballots = PairwiseBallot.objects.filter(membership__evaluation=evaluation)
    assert ballots.filter(consistent=True).count() == 10  # U2 of two experts is not
    valid_before = evaluation_figures(evaluation=evaluation).valid
    assert valid_before == 1  # Ms. Chen

    data = settings_data(title=evaluation.title, cr_threshold="0.01")
    coordinator_client.post(reverse("evaluation-settings", args=[evaluation.pk]), data)

    # Only the matrices with CR < 0.01 stay consistent; nothing is withdrawn.
    assert ballots.filter(consistent=True).count() < 10
    assert ballots.exclude(status=BallotStatus.SUBMITTED).count() == 0
    assert all((b.cr < 0.01) == b.consistent for b in ballots)
    assert evaluation_figures(evaluation=evaluation).valid < valid_before
