"""In a real browser: the coordinator invites a typist who has no account from the Paper forms
tab; the typist opens the mailed link, creates an account and lands on the paper forms. And
the panel row of a name-only expert who was revoked."""

import re

import pytest

from experts import services as panel_services
from experts.models import PanelMembership
from surveys.paper.models import AssistantInvitation, DataEntryAssistant
from tests.conftest import PASSWORD
from tests.surveys.paper.test_name_only_experts import type_in_everything

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_typist_without_an_account_accepts_the_invitation_with_a_new_one(
    page, live_server, sign_in, coordinator, open_evaluation, mailoutbox, screenshot
):
    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{open_evaluation.pk}/paper/")
    page.fill("#assistant-email", "typist@example.com")
    page.get_by_role("button", name="Add assistant").click()
    page.wait_for_selector("text=an invitation was sent to it")
    assert page.get_by_role("button", name="Resend the invitation of typist@example.com")
    assert page.get_by_role("button", name="Cancel the invitation of typist@example.com")
    screenshot("paper-tab-pending")
    (message,) = mailoutbox
    link = re.search(r"http\S+/assistant-invitations/\S+/", message.body).group(0)

    page.context.clear_cookies()  # the typist's own browser
    page.goto(link)
    page.wait_for_selector("text=Invitation to type in paper forms")
    screenshot("invitation")
    page.fill("#id_username", "typist")
    page.fill("#id_name", "Ty Pist")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account and accept").click()

    page.wait_for_selector("text=You can now type in this evaluation's paper forms.")
    assert page.url == f"{live_server.url}/evaluations/{open_evaluation.pk}/paper/"
    screenshot("landed")
    assistant = DataEntryAssistant.objects.get(evaluation=open_evaluation)
    assert assistant.user.username == "typist" and assistant.user.email == "typist@example.com"
    assert AssistantInvitation.objects.get().status == "accepted"


def test_the_panel_row_of_a_revoked_name_only_expert(
    page, live_server, sign_in, coordinator, open_evaluation, screenshot
):
    member = PanelMembership.objects.create(evaluation=open_evaluation, email="", name="Wang Fang")
    type_in_everything(open_evaluation, member, coordinator)  # their paper forms, all counted
    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{open_evaluation.pk}/panel/")
    page.locator(f"#expert-{member.pk}").get_by_role("link", name="Revoke…").click()
    page.wait_for_selector("text=Take Wang Fang off the panel?")
    page.wait_for_selector("text=Unless you keep them, these ballots leave the results")
    screenshot("revoke-confirm")
    page.get_by_role("button", name="Revoke").click()

    page.wait_for_selector("text=Wang Fang is revoked")
    row = page.locator(f"#expert-{member.pk}")
    assert "answers left out of the results" in row.inner_text()
    row.scroll_into_view_if_needed()
    screenshot("panel-revoked")
    row.get_by_role("button", name="Undo revocation").click()
    page.wait_for_selector("text=The revocation of Wang Fang is undone")
    member.refresh_from_db()
    row = panel_services.panel_overview(evaluation=open_evaluation).row_of(member)
    assert row.stage == "submitted"
