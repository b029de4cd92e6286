"""The assistant invitation's pages: the Paper forms tab (invite, resend, cancel), the public
page by token (new account, signed in, decline), and the API."""

import re

import pytest
from django.contrib.auth import get_user_model

from surveys.paper.models import AssistantInvitation, DataEntryAssistant
from tests.api.conftest import token_client
from tests.conftest import PASSWORD


def token_of(message) -> str:
    return re.search(r"/assistant-invitations/([\w-]+)/", message.body).group(1)


@pytest.fixture
def tab(open_evaluation):
    return f"/evaluations/{open_evaluation.pk}/paper/"


@pytest.fixture
def link(coordinator_client, tab, mailoutbox, django_capture_on_commit_callbacks, client):
    """The invitation link mailed to typist@example.com (the coordinator then signs out)."""
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(f"{tab}assistants/", {"email": "typist@example.com"})
    coordinator_client.logout()
    return f"/assistant-invitations/{token_of(mailoutbox[-1])}/"


def test_the_tab_invites_an_address_and_lists_it_with_resend_and_cancel(
    coordinator_client, tab, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            f"{tab}assistants/", {"email": "typist@example.com"}, follow=True
        )

    body = response.content.decode()
    assert "an invitation was sent to it" in body
    invitation = AssistantInvitation.objects.get()
    assert f'id="assistant-invitation-{invitation.pk}"' in body
    assert f"{tab}invitations/{invitation.pk}/resend/" in body
    assert f"{tab}invitations/{invitation.pk}/cancel/" in body
    assert len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(f"{tab}invitations/{invitation.pk}/resend/")
    assert len(mailoutbox) == 2 and token_of(mailoutbox[0]) != token_of(mailoutbox[1])
    response = coordinator_client.post(f"{tab}invitations/{invitation.pk}/cancel/", follow=True)
    assert "is cancelled" in response.content.decode()
    assert AssistantInvitation.objects.get().status == "cancelled"
    assert f'id="assistant-invitation-{invitation.pk}"' not in response.content.decode()


def test_a_new_typist_creates_an_account_and_lands_on_the_paper_forms(
    client, link, tab, open_evaluation
):
    page = client.get(link)
    assert page.status_code == 200 and "Accept with a new account" in page.content.decode()
    assert AssistantInvitation.objects.get().status == "opened"

    response = client.post(
        link,
        {"action": "signup", "username": "typist", "name": "Ty", "password1": PASSWORD,
         "password2": PASSWORD},
    )  # fmt: skip

    assert response.status_code == 302 and response.url == tab
    user = get_user_model().objects.get(username="typist")
    assert DataEntryAssistant.objects.get(evaluation=open_evaluation).user == user
    assert client.get(tab).status_code == 200  # signed in, with the role
    assert client.get(link).status_code == 410  # used up


def test_a_weak_password_is_refused_by_the_validators_and_the_link_stays(client, link):
    response = client.post(
        link,
        {
            "action": "signup",
            "username": "typist",
            "password1": "12345678",
            "password2": "12345678",
        },
    )

    assert response.status_code == 400
    assert "too common" in response.content.decode() or "entirely numeric" in (
        response.content.decode()
    )
    assert AssistantInvitation.objects.get().is_open
    assert not get_user_model().objects.filter(username="typist").exists()


def test_a_signed_in_account_accepts(client, link, make_user, tab):
    client.force_login(make_user("dora"))

    page = client.get(link)
    assert "You are signed in as dora" in page.content.decode()
    response = client.post(link, {"action": "accept"})

    assert response.status_code == 302 and response.url == tab
    assert DataEntryAssistant.objects.get().user.username == "dora"


def test_the_coordinator_signed_in_is_refused_and_the_link_stays(client, link, coordinator):
    client.force_login(coordinator)

    response = client.post(link, {"action": "accept"})

    assert response.status_code == 400
    assert "You coordinate this evaluation" in response.content.decode()
    assert AssistantInvitation.objects.get().is_open


def test_declining_says_so_and_kills_the_link(client, link):
    response = client.post(link, {"action": "decline"})

    assert response.status_code == 200 and "Invitation declined" in response.content.decode()
    assert client.get(link).status_code == 410


@pytest.mark.parametrize("token", ["unknown", "x" * 5000, "%00", "a" * 43, "..%2F..%2Fetc"])
def test_unknown_or_hostile_tokens_answer_404(db, client, token):
    assert client.get(f"/assistant-invitations/{token}/").status_code == 404
    assert client.post(f"/assistant-invitations/{token}/", {"action": "decline"}).status_code == 404


def test_a_cancelled_link_answers_410_with_a_reason(client, link, coordinator):
    AssistantInvitation.objects.update(status="cancelled")

    response = client.get(link)

    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_an_assistant_cannot_resend_or_cancel(client, tab, link, assistant):
    invitation = AssistantInvitation.objects.get()
    assistant_client = client
    assistant_client.force_login(assistant)  # the link's coordinator has signed out

    assert assistant_client.post(f"{tab}invitations/{invitation.pk}/cancel/").status_code == 403
    assert assistant_client.post(f"{tab}invitations/{invitation.pk}/resend/").status_code == 403
    assert AssistantInvitation.objects.get().is_open


# --- API -----------------------------------------------------------------------------------


def test_the_api_adds_lists_resends_and_cancels(
    coordinator, open_evaluation, make_user, mailoutbox
):
    api = token_client(coordinator)
    base = f"/api/v1/evaluations/{open_evaluation.pk}/paper/"
    make_user("dana")

    added = api.post(f"{base}assistants/", {"email": "dana@example.com"}, format="json")
    invited = api.post(f"{base}assistants/", {"email": "typist@example.com"}, format="json")

    assert added.status_code == 201 and added.json()["assistant"]["username"] == "dana"
    assert added.json()["invitation"] is None
    assert invited.status_code == 201 and invited.json()["assistant"] is None
    invitation_id = invited.json()["invitation"]["id"]
    listed = api.get(f"{base}assistants/").json()
    assert [a["username"] for a in listed["assistants"]] == ["dana"]
    assert [i["email"] for i in listed["invitations"]] == ["typist@example.com"]
    again = api.post(f"{base}assistants/", {"email": "typist@example.com"}, format="json")
    assert again.status_code == 400 and "already invited" in str(again.json())

    resent = api.post(f"{base}assistant-invitations/{invitation_id}/resend/")
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    cancelled = api.delete(f"{base}assistant-invitations/{invitation_id}/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.delete(f"{base}assistant-invitations/{invitation_id}/").status_code == 409
    assert api.post(f"{base}assistant-invitations/{invitation_id}/resend/").status_code == 409

    assistant_id = added.json()["assistant"]["id"]
    assert api.delete(f"{base}assistants/{assistant_id}/").status_code == 204
    assert not DataEntryAssistant.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"email": ["a@b.c"]}, {"email": "x" * 300}, {"email": "a@b.c", "role": "owner"},
     {"email": "no-at-sign"}],
)  # fmt: skip
def test_the_api_refuses_hostile_bodies_with_400(coordinator, open_evaluation, body):
    api = token_client(coordinator)

    response = api.post(
        f"/api/v1/evaluations/{open_evaluation.pk}/paper/assistants/", body, format="json"
    )

    assert response.status_code == 400
    assert not AssistantInvitation.objects.exists()


def test_an_assistant_cannot_manage_assistants_through_the_api(open_evaluation, assistant):
    api = token_client(assistant)
    base = f"/api/v1/evaluations/{open_evaluation.pk}/paper/assistants/"

    assert api.get(base).status_code == 403
    assert api.post(base, {"email": "x@example.com"}, format="json").status_code == 403


def test_the_schema_documents_the_assistant_endpoints(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    base = "/api/v1/evaluations/{evaluation_id}/paper/"

    assert {"get", "post"} <= set(paths[f"{base}assistants/"])
    assert "delete" in paths[base + "assistants/{assistant_id}/"]
    assert "delete" in paths[base + "assistant-invitations/{invitation_id}/"]
    assert "post" in paths[base + "assistant-invitations/{invitation_id}/resend/"]
