"""A deadline lies between 2000-01-01 and ten years ahead, whichever door sets it, and pages
east of UTC show it: 9999-12-31T23:59:59Z once made the expert's panel list answer 404 and the
API 400 "out of range" in Asia/Shanghai."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Evaluation
from evaluations.services import evaluation_update_settings
from evaluations.services.limits import DEADLINE_EARLIEST, deadline_latest
from tests.api.conftest import token_client
from tests.conftest import accepted_membership
from tests.evaluations.test_editor_pages import settings_data

OUT_OF_RANGE = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z"]


@pytest.fixture(autouse=True)
def east_of_utc(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def in_a_month() -> str:
    return (timezone.now() + timedelta(days=30)).replace(microsecond=0).isoformat()


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_the_api_refuses_a_deadline_outside_the_window_naming_the_field(
    coordinator, evaluation, value
):
    response = token_client(coordinator, read_only=False).patch(
        f"/api/v1/evaluations/{evaluation.pk}/", {"deadline": value}, format="json"
    )

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("deadline", "range")
    assert (
        "2000-01-01" in error["message"]
        and deadline_latest().date().isoformat()[:4] in (error["message"])
    )
    evaluation.refresh_from_db()
    assert evaluation.deadline is None


@pytest.mark.parametrize("value", ["2030-01-01T00:00", "2030-01-01"])
def test_the_api_wants_the_offset_its_schema_asks_for(coordinator, evaluation, value):
    # The schema's date-time has an offset; without one the server's zone would decide.
    response = token_client(coordinator, read_only=False).patch(
        f"/api/v1/evaluations/{evaluation.pk}/", {"deadline": value}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "deadline"
    assert response.json()["errors"][0]["rule"] == "offset"


def test_the_api_accepts_a_deadline_in_the_window(coordinator, evaluation):
    response = token_client(coordinator, read_only=False).patch(
        f"/api/v1/evaluations/{evaluation.pk}/", {"deadline": in_a_month()}, format="json"
    )

    assert response.status_code == 200, response.content
    evaluation.refresh_from_db()
    assert evaluation.deadline is not None


@pytest.mark.parametrize("value", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_the_settings_page_refuses_a_deadline_outside_the_window(
    coordinator_client, evaluation, value
):
    data = settings_data(title=evaluation.title, deadline=value)

    response = coordinator_client.post(
        reverse("evaluation-settings", kwargs={"evaluation_id": evaluation.pk}), data
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["deadline"]
    evaluation.refresh_from_db()
    assert evaluation.deadline is None


def test_the_settings_page_accepts_a_deadline_in_the_window(coordinator_client, evaluation):
    later = timezone.localtime(timezone.now() + timedelta(days=30))
    data = settings_data(title=evaluation.title, deadline=later.strftime("%Y-%m-%dT%H:%M"))

    response = coordinator_client.post(
        reverse("evaluation-settings", kwargs={"evaluation_id": evaluation.pk}), data
    )

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.deadline is not None


def test_the_service_refuses_the_edges_of_the_calendar(coordinator, evaluation):
    for value in (DEADLINE_EARLIEST - timedelta(seconds=1), deadline_latest() + timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            evaluation_update_settings(evaluation=evaluation, actor=coordinator, deadline=value)
        assert list(refused.value.message_dict) == ["deadline"]


def test_a_new_deadline_lies_ahead_through_either_door(coordinator, coordinator_client, evaluation):
    yesterday = timezone.now() - timedelta(days=1)

    response = token_client(coordinator, read_only=False).patch(
        f"/api/v1/evaluations/{evaluation.pk}/",
        {"deadline": yesterday.replace(microsecond=0).isoformat()},
        format="json",
    )
    with pytest.raises(ValidationError) as refused:
        evaluation_update_settings(evaluation=evaluation, actor=coordinator, deadline=yesterday)

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("deadline", "past")
    assert refused.value.message_dict == {"deadline": ["The deadline must be in the future."]}
    evaluation.refresh_from_db()
    assert evaluation.deadline is None


def test_a_stored_deadline_that_has_passed_does_not_block_other_settings(coordinator, evaluation):
    passed = timezone.now() - timedelta(days=1)
    Evaluation.objects.filter(pk=evaluation.pk).update(deadline=passed)
    evaluation.refresh_from_db()

    response = token_client(coordinator, read_only=False).patch(
        f"/api/v1/evaluations/{evaluation.pk}/", {"cr_threshold": 0.08}, format="json"
    )

    assert response.status_code == 200
    evaluation.refresh_from_db()
    assert evaluation.cr_threshold == 0.08 and evaluation.deadline == passed


def test_a_panel_whose_deadline_is_at_the_bound_is_listed_for_its_expert(
    coordinator, open_evaluation, expert, client
):
    at_the_bound = deadline_latest() - timedelta(minutes=1)
    evaluation_update_settings(evaluation=open_evaluation, actor=coordinator, deadline=at_the_bound)
    accepted_membership(open_evaluation, expert)
    client.force_login(expert)

    page = client.get(reverse("expert-home"))
    panels = token_client(expert).get("/api/v1/panels/")
    detail = token_client(coordinator).get(f"/api/v1/evaluations/{open_evaluation.pk}/")

    assert page.status_code == 200
    assert open_evaluation.title in page.content.decode()
    assert panels.status_code == 200 and panels.json()[0]["deadline"].startswith(
        str(timezone.localtime(at_the_bound).year)
    )
    assert detail.status_code == 200


def test_a_deadline_stored_before_the_window_existed_is_moved_into_it(
    coordinator, open_evaluation, expert, client
):
    migration = importlib.import_module("evaluations.migrations.0004_deadline_within_window")
    Evaluation.objects.filter(pk=open_evaluation.pk).update(
        deadline=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    )
    accepted_membership(open_evaluation, expert)
    client.force_login(expert)
    assert client.get(reverse("expert-home")).status_code != 200  # the page it broke

    migration.deadlines_into_window(apps, None)

    open_evaluation.refresh_from_db()
    assert open_evaluation.deadline <= deadline_latest()
    assert client.get(reverse("expert-home")).status_code == 200
