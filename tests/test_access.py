"""Every route of an evaluation, found by walking the URL conf: an outsider gets 404.

A new route with an `evaluation_id` is checked automatically; a new kind of id in a route
needs an entry in OBJECT_IDS, or this test fails and says so.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from evaluations.services.results import results_recompute
from experts.models import PanelMembership
from surveys.paper.models import AssistantInvitation, DataEntryAssistant, PaperEntry
from surveys.screening.models import (
    ScreeningItem,
    ScreeningQuestion,
    ScreeningRound,
    ScreeningSurvey,
)
from surveys.spreadsheets.models import SpreadsheetUpload
from tests.conftest import accepted_membership
from tests.report_stand_ins import done_export_job


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def evaluation_routes(prefix: str = "evaluations/") -> list[tuple[str, str]]:
    """One evaluation's routes: the coordinator's (evaluations/), the experts' (panels/)."""
    return [
        (route, name)
        for route, name in _routes(get_resolver().url_patterns)
        if "<int:evaluation_id>" in route and route.startswith(prefix)
    ]


def test_every_evaluation_route_is_a_coordinators_or_an_experts():
    scoped = {
        route
        for route, _name in _routes(get_resolver().url_patterns)
        if "<int:evaluation_id>" in route
    }

    assert scoped == {
        r for prefix in ("evaluations/", "panels/", "api/") for r, _n in evaluation_routes(prefix)
    }


OBJECT_IDS = {
    "evaluation_id": lambda evaluation: evaluation.pk,
    "indicator_id": lambda evaluation: evaluation.indicators.get(code="U11").pk,
    "parent_id": lambda evaluation: evaluation.indicators.get(code="U1").pk,
    "subject_id": lambda evaluation: evaluation.subjects.first().pk,
    "grade_id": lambda evaluation: evaluation.grades.first().pk,
    "fmt": lambda evaluation: "csv",
    "membership_id": lambda evaluation: (
        PanelMembership.objects.get_or_create(evaluation=evaluation, email="expert@example.com")[
            0
        ].pk
    ),
    "survey_id": lambda evaluation: _survey(evaluation).pk,
    "question_id": lambda evaluation: _question(evaluation).pk,
    "item_id": lambda evaluation: _item(evaluation).pk,
    "round_number": lambda evaluation: _round(evaluation).number,
    "job_id": lambda evaluation: done_export_job(evaluation, evaluation.owner).pk,
    # A spreadsheet upload's preview (surveys/spreadsheets), made by the evaluation's owner.
    "token": lambda evaluation: (
        SpreadsheetUpload.objects.get_or_create(
            evaluation=evaluation, user=evaluation.owner, defaults={"files": []}
        )[0].token
    ),
    "entry_id": lambda evaluation: _paper_entry(evaluation).pk,
    "assistant_id": lambda evaluation: _assistant(evaluation).pk,
    "invitation_id": lambda evaluation: _assistant_invitation(evaluation).pk,
}


def _assistant_invitation(evaluation) -> AssistantInvitation:
    """An assistant invitation waiting for an answer (surveys/paper/invitations.py)."""
    now = timezone.now()
    return AssistantInvitation.objects.get_or_create(
        evaluation=evaluation,
        email="typist@example.com",
        defaults={"token_hash": f"{evaluation.pk:064d}", "sent_at": now, "expires_at": now},
    )[0]


def _assistant(evaluation) -> DataEntryAssistant:
    """A data-entry assistant of the evaluation (surveys/paper/)."""
    user, _created = get_user_model().objects.get_or_create(username="typist")
    return DataEntryAssistant.objects.get_or_create(evaluation=evaluation, user=user)[0]


def _paper_entry(evaluation) -> PaperEntry:
    """A paper typing waiting for its second one."""
    member, _created = PanelMembership.objects.get_or_create(evaluation=evaluation, name="On paper")
    entry = PaperEntry.objects.filter(membership=member).first()
    return entry or PaperEntry.objects.create(
        membership=member, subject=evaluation.subjects.first(), entered_by=evaluation.owner
    )


def _survey(evaluation) -> ScreeningSurvey:
    """A survey with a question, an item and round 1 open, so every screening route has
    something to show its owner and its panel's experts."""
    survey, created = ScreeningSurvey.objects.get_or_create(
        evaluation=evaluation, title="Indicators"
    )
    if created:
        question = ScreeningQuestion.objects.create(
            survey=survey, kind="rating", text="How important?", levels=5
        )
        ScreeningItem.objects.create(question=question, name="Delivery time", source="typed")
        ScreeningRound.objects.create(survey=survey, number=1)
    return survey


def _question(evaluation) -> ScreeningQuestion:
    return _survey(evaluation).questions.get()


def _item(evaluation) -> ScreeningItem:
    return _question(evaluation).items.get()


def _round(evaluation) -> ScreeningRound:
    return _survey(evaluation).rounds.get()


def url_for(route: str, evaluation) -> str:
    def fill(match: re.Match) -> str:
        converter, name = match.groups()
        assert name in OBJECT_IDS, f"add an id for <{converter}:{name}> to OBJECT_IDS"
        return str(OBJECT_IDS[name](evaluation))

    return "/" + re.sub(r"<(\w+):(\w+)>", fill, route)


def test_the_url_conf_has_coordinator_routes_to_check():
    names = {name for _route, name in evaluation_routes()}

    assert {"evaluation-detail", "hierarchy-edit", "panel"} <= names


@pytest.mark.parametrize(("route", "name"), evaluation_routes(), ids=lambda v: v)
def test_an_outsider_gets_404_on_every_route_of_someone_elses_evaluation(
    outsider_client, evaluation, route, name
):
    url = url_for(route, evaluation)

    statuses = {
        "GET": outsider_client.get(url).status_code,
        "POST": outsider_client.post(url, {}).status_code,
    }

    # 405 only says which method a route takes; it reveals nothing about the evaluation.
    assert set(statuses.values()) <= {404, 405}, statuses
    assert 404 in statuses.values(), statuses


@pytest.mark.parametrize(("route", "name"), evaluation_routes(), ids=lambda v: v)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, evaluation, route, name):
    url = url_for(route, evaluation)

    statuses = {client.get(url).status_code, client.post(url, {}).status_code}

    assert statuses <= {302, 405} and 302 in statuses, statuses


@pytest.mark.parametrize(("route", "name"), evaluation_routes(), ids=lambda v: v)
def test_the_owner_reaches_every_route(coordinator_client, evaluation, route, name):
    results_recompute(evaluation_id=evaluation.pk)  # exports need a snapshot, even an empty one
    url = url_for(route, evaluation)

    status = coordinator_client.get(url).status_code

    assert status in {200, 405}, status


# --- the experts' routes ------------------------------------------------------------------


@pytest.fixture
def open_evaluation(evaluation):
    evaluation.status = "open"
    evaluation.save()
    return evaluation


@pytest.fixture
def panel_expert_client(client, open_evaluation, make_user):
    expert = make_user("erin")
    accepted_membership(open_evaluation, expert)  # joined through the invitation link
    client.force_login(expert)
    return client


@pytest.mark.parametrize(("route", "name"), evaluation_routes("panels/"), ids=lambda v: v)
def test_only_the_panels_experts_reach_its_questionnaire(
    client, outsider, coordinator, open_evaluation, route, name
):
    url = url_for(route, open_evaluation)

    for someone in (outsider, coordinator):  # the owner is no expert of the panel either
        client.force_login(someone)
        statuses = {client.get(url).status_code, client.post(url, {}).status_code}
        assert statuses <= {404, 405} and 404 in statuses, (someone, statuses)


@pytest.mark.parametrize(("route", "name"), evaluation_routes("panels/"), ids=lambda v: v)
def test_the_panels_expert_reaches_every_questionnaire_route(
    panel_expert_client, open_evaluation, route, name
):
    status = panel_expert_client.get(url_for(route, open_evaluation)).status_code

    assert status in {200, 405}, status


# --- the API's routes: an outsider reaches none of them --------------------------------


def api_object_routes() -> list[str]:
    """API routes naming one evaluation: by evaluation_id, or the router's detail pk."""
    routes = []
    for route, _name in _routes(get_resolver().url_patterns):
        if not route.startswith("api/") or "(?P<format>" in route:
            continue
        route = route.replace("^", "").replace("$", "")
        route = re.sub(r"\(\?P<pk>[^)]*\)", "<int:evaluation_id>", route)
        if "<int:evaluation_id>" in route:
            routes.append(route)
    return routes


def test_the_api_has_evaluation_routes_to_check():
    assert "api/v1/evaluations/<int:evaluation_id>/" in api_object_routes()
    assert "api/evaluations/<int:evaluation_id>/results/" in api_object_routes()


@pytest.mark.parametrize("route", api_object_routes())
def test_an_outsider_gets_404_from_every_api_route_of_someone_elses_evaluation(
    outsider_client, open_evaluation, route
):
    url = url_for(route, open_evaluation)

    statuses = {
        method: getattr(outsider_client, method)(
            url, {}, content_type="application/json"
        ).status_code
        for method in ("get", "post", "put", "patch", "delete")
    }

    assert set(statuses.values()) <= {404, 405}, statuses
    assert 404 in statuses.values(), statuses
