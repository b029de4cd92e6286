"""No request body makes a 5xx (issue 12, items 4 and 6).

Two walks, each over every route of its kind, so that a route added later is walked too:
- every write operation of the API's schema (POST, PUT, PATCH) gets JSON nested 3,000 levels
  deep (a RecursionError in the decoder, once): a 400 in the one error shape, or for an
  operation that takes no body, anything but a 5xx;
- every page route gets a POST with a zero judgment in every pair (a ZeroDivisionError while
  redrawing the form, once) and one with the deep JSON as its body: anything but a 5xx.
Plus the closed panel's form with each zero judgment, and a 10 MB body on the API.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from evaluations.models import Evaluation
from surveys import services
from surveys.models import PairwiseBallot
from surveys.paper.models import AssistantInvitation, DataEntryAssistant, PaperEntry
from surveys.screening import rounds
from surveys.screening import services as screening
from tests.api.conftest import token_client
from tests.conftest import accepted_membership
from tests.hostile import DEEP_JSON, ZERO_JUDGMENTS
from tests.report_stand_ins import done_export_job

pytestmark = pytest.mark.timeout(60)

PLACEHOLDER = re.compile(r"\{(\w+)\}|<(?:\w+:)?(\w+)>")
# Django's own admin and the sign-out (which would end the walk's session) are not walked.
SKIPPED_PREFIXES = ("admin/", "api/")
SKIPPED_NAMES = {"logout"}


@pytest.fixture
def site(open_evaluation, coordinator, expert):
    """An open panel whose coordinator is on it too, so one client reaches every route."""
    evaluation = open_evaluation
    accepted_membership(evaluation, coordinator)
    member = accepted_membership(evaluation, expert)
    root = evaluation.indicators.get(code="U")
    leaf = evaluation.indicators.filter(children__isnull=True).order_by("-code").first()
    ids = {
        "id": evaluation.pk,
        "pk": evaluation.pk,
        "evaluation_id": evaluation.pk,
        "parent_id": root.pk,
        "indicator_id": leaf.pk,
        "subject_id": evaluation.subjects.first().pk,
        "membership_id": member.pk,
        "token_id": 1,
        "version": 0,
        "token": "not-a-token",
        "uidb64": "MQ",
        "fmt": "csv",
    }
    survey = screening.survey_create(evaluation=evaluation, actor=coordinator, title="Screening")
    question = screening.question_add(
        survey=survey,
        actor=coordinator,
        kind="rating",
        text="How important?",
        levels=5,
        items_from=evaluation.indicators.get(code="U1"),
    )
    rounds.round_open(survey=survey, actor=coordinator)
    ids |= {
        "survey_id": survey.pk,
        "question_id": question.pk,
        "item_id": question.items.first().pk,
        "round_number": 1,
        "job_id": done_export_job(evaluation, coordinator).pk,
    }
    # Paper entry (surveys/paper/): an assistant, and a typing waiting for its second one.
    typist = get_user_model().objects.create_user(username="typist", email="typist@example.com")
    assistant = DataEntryAssistant.objects.create(evaluation=evaluation, user=typist)
    entry = PaperEntry.objects.create(
        membership=member, subject=evaluation.subjects.first(), entered_by=typist
    )
    invitation = AssistantInvitation.objects.create(
        evaluation=evaluation, email="new@example.com", token_hash="0" * 64,
        sent_at=timezone.now(), expires_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    ids |= {"assistant_id": assistant.pk, "entry_id": entry.pk, "invitation_id": invitation.pk}
    return {"evaluation": evaluation, "root": root, "leaf": leaf, "ids": ids}


def filled(path: str, ids: dict) -> str:
    return PLACEHOLDER.sub(lambda found: str(ids[found[1] or found[2]]), path)


def write_operations() -> list[tuple[str, str, bool]]:
    """(path, method, takes a body) of every write operation in the API's schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, "requestBody" in operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch")
    ]


def page_routes(patterns=None, prefix: str = "") -> list[tuple[str, str]]:
    """(route, name) of every page route: the URL resolver walked, API and admin left out."""
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            routes += page_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and entry.name not in SKIPPED_NAMES:
            routes.append((route, entry.name))
    return routes


def test_the_walks_cover_the_routes_that_parse_bodies(db):
    operations = {(path, method) for path, method, _body in write_operations()}
    assert ("/api/v1/panels/{evaluation_id}/pairwise/{parent_id}/", "put") in operations
    assert ("/api/v1/evaluations/{id}/", "patch") in operations
    names = {name for _route, name in page_routes()}
    assert {"pairwise-form", "pairwise-autosave", "grades-edit", "panel-weight"} <= names


def test_deep_json_on_every_write_operation_of_the_api_is_a_400_in_the_error_shape(
    site, coordinator
):
    client = token_client(coordinator)
    for path, method, takes_body in write_operations():
        url = filled(path, site["ids"])
        for body in DEEP_JSON:
            response = client.generic(method.upper(), url, body, content_type="application/json")

            assert response.status_code < 500, (method, url, response.status_code)
            if takes_body:
                assert response.status_code == 400, (method, url)
                [error] = response.json()["errors"]
                assert (error["field"], error["rule"]) == (None, "too_deep"), (method, url)


def test_a_post_of_zero_judgments_or_deep_json_to_any_page_is_no_server_error(
    site, client, coordinator
):
    children = list(site["root"].children.all())
    pairs = [
        services.pair_key(row, col) for x, row in enumerate(children) for col in children[x + 1 :]
    ]
    # Each pair its own zero, so one post carries all of them.
    zeros = {f"pair-{key}": ZERO_JUDGMENTS[n % len(ZERO_JUDGMENTS)] for n, key in enumerate(pairs)}
    form = {**zeros, f"grade-{site['leaf'].pk}": "0", "weight": "0", "action": "submit"}
    client.force_login(coordinator)
    for route, name in page_routes():
        url = "/" + filled(route, site["ids"])
        for data, kind in [(form, "zeros"), *((body, "deep JSON") for body in DEEP_JSON)]:
            if isinstance(data, dict):
                response = client.post(url, data)
            else:
                response = client.post(url, data, content_type="application/json")

            assert response.status_code < 500, (name, kind, response.status_code)
    # A JSON body posts no field: at most an empty draft was saved, never a zero.
    for ballot in PairwiseBallot.objects.all():
        assert ballot.judgments == {}


@pytest.mark.timeout(30)
def test_zero_judgments_on_a_closed_panel_are_a_400_naming_why(client, expert, site):
    evaluation, root = site["evaluation"], site["root"]
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.CLOSED)
    first, second = list(root.children.all())[:2]
    field = f"pair-{services.pair_key(first, second)}"
    client.force_login(expert)
    url = reverse("pairwise-form", args=[evaluation.pk, root.pk])
    for value in ZERO_JUDGMENTS:
        for action in ["save", "submit"]:
            response = client.post(url, {field: value, "action": action})

            assert response.status_code == 400, (value, action)
            assert "status" in response.context["errors"], value
    assert not PairwiseBallot.objects.exists()


@pytest.mark.timeout(30)
def test_a_10_mb_api_body_gets_the_json_error_shape(site, coordinator):
    client = token_client(coordinator)
    url = reverse("v1:evaluation-experts", args=[site["evaluation"].pk])
    body = '{"experts": "' + "a" * 10_000_000 + '"}'

    response = client.post(url, body, content_type="application/json")

    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert (error["field"], error["rule"]) == (None, "too_large")
    assert site["evaluation"].memberships.count() == 2
