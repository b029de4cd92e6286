"""The permission matrix: every HTML and API route × method × persona → the expected status.

Routes come from the URL conf, so a new route cannot escape: an unclassified one fails
`test_every_route_is_classified`. Each route's methods are read from its own `Allow` header
(Django's 405 answers and DRF's OPTIONS answers carry it). Personas:

- owner: coordinator A, who owns the evaluation under test;
- coordinator_b: another coordinator, with an evaluation of their own;
- panel_expert: an expert who accepted A's invitation;
- other_expert: an expert on B's panel only;
- anonymous;
- read_only: a read-only API token of A (on HTML pages it is nobody: pages use sessions);
- staff: a staff user who owns nothing (staff work in the admin; the app and API give them
  no one else's data);
- data_entry: A's data-entry assistant (surveys/paper/): the paper-entry pages and API of A's
  evaluation and nothing else of it (404 elsewhere, 403 for the coordinator's paper actions).

Objects that exist but are not yours answer 404; lists hold only yours (checked at the end).
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from evaluations.models import Evaluation, ExportJob
from evaluations.services import evaluation_create_from_template
from evaluations.services.results import results_recompute
from experts.models import PanelMembership
from experts.tokens import api_token_create
from surveys.paper.models import AssistantInvitation, DataEntryAssistant, PaperEntry
from surveys.screening import rounds
from surveys.screening import services as screening
from surveys.spreadsheets.models import SpreadsheetUpload
from tests.conftest import accepted_membership
from tests.test_access import _routes

PERSONAS = (
    "coordinator_b",
    "panel_expert",
    "other_expert",
    "anonymous",
    "read_only",
    "staff",
    "data_entry",
    "owner",  # last: the owner's writes may change what the others would see
)
HTML_METHODS = ("GET", "POST")
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Reached the view: it answered, or refused the (empty) input (400) or the object's state (409).
DONE = {200, 201, 302, 400, 409}

PUBLIC = {
    "accounts/login/",
    "accounts/logout/",
    "language/",
    "i18n/setlang/",
    "healthz",
    "favicon.ico",
    "invitations/<str:token>/",
    "assistant-invitations/<str:token>/",  # a data-entry assistant's invitation: by token
    "api/schema/",
    "api/docs/",
    "api/v1/token/",
    "accounts/password_reset/",
    "accounts/password_reset/done/",
    "accounts/reset/<uidb64>/<token>/",
    "accounts/reset/done/",
    "s/<str:token>/",  # a screening survey's open link: anonymous by design
}
SIGNED_IN = {
    "",
    "evaluations/new/",
    "panels/",
    "accounts/tokens/",
    "accounts/password_change/",
    "accounts/password_change/done/",
}
# The coordinator's paper actions, which their data-entry assistant may not take (403).
PAPER_OWNER = {
    "evaluations/<int:evaluation_id>/panel/add-named/",
    "evaluations/<int:evaluation_id>/paper/assistants/",
    "evaluations/<int:evaluation_id>/paper/assistants/<int:assistant_id>/remove/",
    "evaluations/<int:evaluation_id>/paper/entries/<int:entry_id>/discard/",
    "evaluations/<int:evaluation_id>/paper/invitations/<int:invitation_id>/resend/",
    "evaluations/<int:evaluation_id>/paper/invitations/<int:invitation_id>/cancel/",
}
API_LISTS = {"api/v1/", "api/v1/evaluations/", "api/v1/panels/"}


# Routes of paper entry and of the spreadsheet questionnaires: the coordinator's and their
# data-entry assistant's.
PAPER_API = tuple(
    f"api/v1/evaluations/<int:evaluation_id>/{tail}"
    for tail in ("paper/", "questionnaire.xlsx", "questionnaires/")
)
PAPER_PAGES = tuple(
    f"evaluations/<int:evaluation_id>/{tail}"
    for tail in (
        "paper/",
        "panel/questionnaire.xlsx",
        "panel/<int:membership_id>/questionnaire.xlsx",
        "panel/questionnaires/",
    )
)


def category(route: str) -> str | None:
    if route in PUBLIC:
        return "public"
    if route in SIGNED_IN:
        return "signed_in"
    if route in API_LISTS:
        return "api_list"
    if route.startswith("api/"):
        if route == "api/v1/evaluations/<int:evaluation_id>/experts/named/":
            return "api_paper_owner"
        if route.startswith("api/v1/evaluations/<int:evaluation_id>/paper/assistant"):
            return "api_paper_owner"  # assistants and their invitations
        if "/questionnaires/<str:token>/" in route:
            return "api_upload"  # a preview is its uploader's (here the owner's)
        if route.startswith(PAPER_API):
            return "api_paper"
        if "/results/" in route or "/export/" in route:
            return "api_results"
        if route.startswith("api/v1/panels/<int:evaluation_id>/"):
            return "api_expert"
        if route.startswith("api/v1/evaluations/<int:evaluation_id>/"):
            return "api_owner"
        return None
    if route in PAPER_OWNER:
        return "paper_owner"
    if route == "evaluations/<int:evaluation_id>/paper/entries/<int:entry_id>/":
        return "paper_review"  # the assistant reads it; the coordinator resolves (POST)
    if "/questionnaires/<str:token>/" in route:
        return "upload"  # a preview is its uploader's (here the owner's)
    if route.startswith(PAPER_PAGES):
        return "paper"
    if route.startswith("evaluations/<int:evaluation_id>/results"):
        return "results"
    if route.startswith("evaluations/<int:evaluation_id>/"):
        return "owner"
    if route == "accounts/tokens/<int:token_id>/revoke/":
        return "owner"  # one's own token: anyone else's is a 404
    if route.startswith("panels/<int:evaluation_id>/"):
        return "expert"
    return None


def all_routes() -> list[str]:
    routes = set()
    for route, _name in _routes(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue  # Django's admin: staff with model permissions only, tested by Django
        route = route.replace("^", "").replace("$", "")
        route = re.sub(r"\(\?P<pk>[^)]*\)", "<int:evaluation_id>", route)
        routes.add(re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<int:\1>", route))
    return sorted(routes)


def test_every_route_is_classified():
    assert [route for route in all_routes() if category(route) is None] == []


def expected(kind: str, persona: str, method: str) -> set[int]:
    """The statuses a persona may get from an allowed method of a route of this kind."""
    unsafe = method in UNSAFE
    if kind == "public":
        return {200, 201, 302, 400, 401, 404, 410}
    if not kind.startswith("api_"):  # pages: sessions only, so a token is nobody
        if persona in ("anonymous", "read_only"):
            return {302}  # to the sign-in page
        if persona == "data_entry" and kind in ("paper_owner", "paper_review"):
            return {403} if kind == "paper_owner" or unsafe else DONE
        allowed = {
            "signed_in": True,
            "paper": persona in ("owner", "data_entry"),
            "paper_owner": persona == "owner",
            "paper_review": persona == "owner",
            "upload": persona == "owner",
            "owner": persona == "owner",
            "results": persona == "owner",  # shared with the panel only when A says so
            "expert": persona == "panel_expert",
        }[kind]
        return DONE if allowed else {404}
    if persona == "anonymous":
        return {401}
    if persona == "read_only" and unsafe:
        return {403}
    reader = "owner" if persona == "read_only" else persona
    if reader == "data_entry" and kind == "api_paper_owner":
        return {403}
    allowed = {
        "api_list": True,
        "api_paper": reader in ("owner", "data_entry"),
        "api_paper_owner": reader == "owner",
        "api_upload": reader == "owner",
        "api_owner": reader == "owner",
        "api_results": reader == "owner",
        "api_expert": reader == "panel_expert",
    }[kind]
    return DONE | {201, 204} if allowed else {404}


@pytest.fixture
def world(db):
    User = get_user_model()
    users = {
        name: User.objects.create(username=name, is_staff=name == "staff")
        for name in (
            "owner", "coordinator_b", "panel_expert", "other_expert", "staff", "data_entry"
        )
    }  # fmt: skip
    evaluation = evaluation_create_from_template(
        owner=users["owner"], template_key="sme-management-measures", subjects=["A", "B"]
    )
    other = evaluation_create_from_template(
        owner=users["coordinator_b"], template_key="sme-management-measures", subjects=["C"]
    )
    Evaluation.objects.filter(pk__in=[evaluation.pk, other.pk]).update(status="open")
    accepted_membership(evaluation, users["panel_expert"])
    accepted_membership(other, users["other_expert"])
    results_recompute(evaluation_id=evaluation.pk)
    tokens = {
        name: api_token_create(user=user, name="matrix", read_only=False)
        for name, user in users.items()
    }
    read_only = api_token_create(user=users["owner"], name="ro", read_only=True)[1]
    survey = _screening_survey(evaluation, users["owner"])
    # A finished export job of the owner's: only they (and, were it an expert's, the
    # coordinator) read it; its routes are results routes.
    export_job = ExportJob.objects.create(
        evaluation=evaluation, version=evaluation.snapshots.get().version, fmt="csv",
        requested_by=users["owner"], status="done", content=b"a,b\r\n", size=5,
        queued_at=timezone.now(), finished_at=timezone.now(),
    )  # fmt: skip
    # A spreadsheet upload's preview, named by the routes' shared <token>.
    SpreadsheetUpload.objects.create(
        evaluation=evaluation, user=users["owner"], token="an-unknown-invitation", files=[]
    )
    paper_entry, assistant = _paper_entry(evaluation, users)
    evaluation.refresh_from_db()
    return {
        "users": users,
        "evaluation": evaluation,
        "tokens": {name: secret for name, (_token, secret) in tokens.items()},
        "read_only": read_only,
        "owner_token_id": tokens["owner"][0].pk,
        "survey": survey,
        "export_job": export_job,
        "paper_entry": paper_entry,
        "assistant": assistant,
        "assistant_invitation": _assistant_invitation(evaluation, users),
    }


def _paper_entry(evaluation, users):
    """A data-entry assistant, and a paper typing waiting for its second one."""
    assistant = DataEntryAssistant.objects.create(
        evaluation=evaluation, user=users["data_entry"], added_by=users["owner"]
    )
    member = PanelMembership.objects.create(evaluation=evaluation, name="On paper")
    entry = PaperEntry.objects.create(
        membership=member, subject=evaluation.subjects.first(), entered_by=users["data_entry"]
    )
    return entry, assistant


def _assistant_invitation(evaluation, users):
    """An assistant invitation waiting for an answer (surveys/paper/invitations.py)."""
    return AssistantInvitation.objects.create(
        evaluation=evaluation, email="typist@example.com", token_hash="0" * 64,
        invited_by=users["owner"], sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip


def _screening_survey(evaluation, owner):
    """A rating question on U1's children, round 1 answered nowhere and closed: every
    screening route (decisions, exports, round 2) has something to act on."""
    survey = screening.survey_create(evaluation=evaluation, actor=owner, title="Screening")
    screening.question_add(
        survey=survey,
        actor=owner,
        kind="rating",
        text="How important?",
        levels=5,
        items_from=evaluation.indicators.get(code="U1"),
    )
    first = rounds.round_open(survey=survey, actor=owner)
    rounds.round_close(round=first, actor=owner)
    return survey


def url_of(route: str, world) -> str:
    evaluation = world["evaluation"]
    ids = {
        "evaluation_id": evaluation.pk,
        "indicator_id": evaluation.indicators.get(code="U11").pk,
        "parent_id": evaluation.indicators.get(code="U1").pk,
        "subject_id": evaluation.subjects.first().pk,
        "membership_id": evaluation.memberships.first().pk,
        "token_id": world["owner_token_id"],
        "token": "an-unknown-invitation",
        "uidb64": "MQ",
        "fmt": "csv",
        "survey_id": world["survey"].pk,
        "question_id": world["survey"].questions.get().pk,
        "item_id": world["survey"].questions.get().items.first().pk,
        "round_number": 1,
        "job_id": world["export_job"].pk,
        "entry_id": world["paper_entry"].pk,
        "assistant_id": world["assistant"].pk,
        "invitation_id": world["assistant_invitation"].pk,
    }

    def fill(match: re.Match) -> str:
        name = match.group(2)
        assert name in ids, f"add <{name}> to url_of's ids"
        return str(ids[name])

    return "/" + re.sub(r"<(\w+):(\w+)>", fill, route)


def client_for(persona: str, world, api: bool) -> Client:
    client = Client()
    if api:
        secret = world["read_only"] if persona == "read_only" else world["tokens"].get(persona)
        if secret:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    elif persona in world["users"]:
        client.force_login(world["users"][persona])
    return client


def allowed_methods(route: str, url: str, world) -> set[str]:
    """The route's methods, from its own Allow header."""
    api = route.startswith("api/")
    prober = "panel_expert" if category(route) in ("api_expert", "expert") else "owner"
    client = client_for(prober, world, api)
    response = client.options(url) if api else client.generic("PATCH", url)
    if "Allow" in response:
        return {m.strip() for m in response["Allow"].split(",")} - {"OPTIONS", "HEAD"}
    return set(HTML_METHODS)  # a page view taking any method


def send(client: Client, method: str, url: str, api: bool):
    if api:
        return client.generic(method, url, "{}", content_type="application/json")
    return client.get(url) if method == "GET" else client.post(url, {})


@pytest.mark.parametrize("route", all_routes())
def test_each_persona_gets_the_expected_status(world, route):
    kind = category(route)
    api = route.startswith("api/")
    url = url_of(route, world)
    allowed = allowed_methods(route, url, world)
    mismatches = []
    for persona in PERSONAS:
        for method in API_METHODS if api else HTML_METHODS:
            status = send(client_for(persona, world, api), method, url, api).status_code
            if method in allowed:
                want = expected(kind, persona, method)
            else:  # a method the route does not take changes nothing, for anyone
                want = {405, 302, 401, 403, 404}
            if status not in want:
                mismatches.append((persona, method, status, sorted(want)))
    assert mismatches == [], f"{route} ({kind}, allows {sorted(allowed)})"


def test_lists_hold_only_the_callers_own(world):
    for persona in ("coordinator_b", "panel_expert", "other_expert", "staff", "data_entry"):
        client = client_for(persona, world, api=True)
        listed = client.get("/api/v1/evaluations/").json()["results"]
        assert world["evaluation"].pk not in {item["id"] for item in listed}, persona
        panels = client.get("/api/v1/panels/").json()
        expected_panels = [world["evaluation"].pk] if persona == "panel_expert" else []
        assert [p["evaluation"] for p in panels if p["evaluation"] == world["evaluation"].pk] == (
            expected_panels
        ), persona
