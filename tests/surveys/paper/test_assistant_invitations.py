"""Data-entry assistants without an account: an invitation by e-mail, modelled on the expert's
(hashed token, expiry, single use, decline, resend, cancel), accepted with a new account or a
signed-in one."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluations.audit_wording import audit_entry_detail
from evaluations.models import AuditEntry
from experts.selectors import InvitationUnusable, hash_token
from surveys.paper import invitations, roster
from surveys.paper.models import AssistantInvitation, DataEntryAssistant
from tests.conftest import PASSWORD

BASE = "http://testserver/"


def token_of(message) -> str:
    return re.search(r"/assistant-invitations/([\w-]+)/", message.body).group(1)


@pytest.fixture
def invite(open_evaluation, coordinator, mailoutbox, django_capture_on_commit_callbacks):
    """Invite an address through the add-assistant service; returns its token."""

    def send(email="typist@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            roster.assistant_add(
                evaluation=open_evaluation, actor=coordinator, email=email, base_url=BASE
            )
        return token_of(mailoutbox[-1])

    return send


def test_adding_an_address_without_an_account_invites_it_after_commit(
    open_evaluation, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        added = roster.assistant_add(
            evaluation=open_evaluation, actor=coordinator, email="typist@example.com", base_url=BASE
        )
        assert mailoutbox == []  # not before the commit

    for callback in callbacks:
        callback()
    assert isinstance(added, AssistantInvitation) and added.status == "pending"
    (message,) = mailoutbox
    assert message.to == ["typist@example.com"]
    assert "data-entry assistant" in message.body
    token = token_of(message)
    stored = AssistantInvitation.objects.get()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert not DataEntryAssistant.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADDED_ASSISTANT)
    assert entry.params == {"user": "typist@example.com", "invitation": "invited"}


def test_an_address_with_an_account_is_still_added_at_once(
    open_evaluation, coordinator, make_user, mailoutbox
):
    user = make_user("dana")

    added = roster.assistant_add(
        evaluation=open_evaluation, actor=coordinator, email="dana@example.com", base_url=BASE
    )

    assert isinstance(added, DataEntryAssistant) and added.user == user
    assert not AssistantInvitation.objects.exists()


def test_accepting_with_a_new_account_makes_an_assistant(open_evaluation, invite):
    token = invite()
    invitations.assistant_invitation_open(token=token)

    user = invitations.assistant_invitation_accept_with_account(
        token=token, username="typist", password=PASSWORD, name="Ty Pist"
    )

    assert user.email == "typist@example.com" and user.check_password(PASSWORD)
    assert DataEntryAssistant.objects.get().user == user
    invitation = AssistantInvitation.objects.get()
    assert (invitation.status, invitation.user) == ("accepted", user)
    assert AuditEntry.objects.filter(actor=user, params__invitation="accepted").exists()


def test_accepting_signed_in_gives_that_account_the_role(open_evaluation, invite, make_user):
    token = invite("other-address@example.com")
    user = make_user("dora")

    assistant = invitations.assistant_invitation_accept(token=token, user=user)

    assert assistant.user == user and assistant.evaluation == open_evaluation


def test_the_coordinator_signed_in_cannot_use_it_and_it_stays_open(invite, coordinator):
    token = invite()

    with pytest.raises(ValidationError, match="You coordinate this evaluation"):
        invitations.assistant_invitation_accept(token=token, user=coordinator)

    assert AssistantInvitation.objects.get().is_open
    assert not DataEntryAssistant.objects.exists()


def test_an_expired_link_is_refused(invite, make_user):
    token = invite()
    AssistantInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(InvitationUnusable) as refused:
        invitations.assistant_invitation_accept(token=token, user=make_user("dora"))

    assert (refused.value.reason, refused.value.status) == ("expired", 410)
    assert not DataEntryAssistant.objects.exists()


def test_a_link_works_once(invite, make_user):
    token = invite()
    invitations.assistant_invitation_accept_with_account(
        token=token, username="typist", password=PASSWORD
    )

    with pytest.raises(InvitationUnusable) as refused:
        invitations.assistant_invitation_accept(token=token, user=make_user("dora"))

    assert refused.value.reason == "accepted" and refused.value.status == 410
    assert DataEntryAssistant.objects.count() == 1


def test_a_cancelled_link_is_dead(invite, coordinator, make_user):
    token = invite()
    invitation = AssistantInvitation.objects.get()

    invitations.assistant_invitation_cancel(invitation=invitation, actor=coordinator)

    with pytest.raises(InvitationUnusable) as refused:
        invitations.assistant_invitation_open(token=token)
    assert refused.value.reason == "cancelled"
    with pytest.raises(ValidationError, match="can no longer be resent or cancelled"):
        invitations.assistant_invitation_cancel(invitation=invitation, actor=coordinator)


def test_resending_replaces_the_link(invite, coordinator, mailoutbox, make_user):
    old = invite()
    invitation = AssistantInvitation.objects.get()
    AssistantInvitation.objects.update(expires_at=timezone.now() - timedelta(days=1))

    invitations.assistant_invitation_resend(invitation=invitation, actor=coordinator, base_url=BASE)

    with pytest.raises(InvitationUnusable):
        invitations.assistant_invitation_open(token=old)
    invitation.refresh_from_db()
    assert not invitation.is_expired
    assert len(mailoutbox) == 1  # sent after commit: the test's transaction never commits


def test_declining_kills_the_link(invite):
    token = invite()

    invitations.assistant_invitation_decline(token=token)

    assert AssistantInvitation.objects.get().status == "declined"
    with pytest.raises(InvitationUnusable):
        invitations.assistant_invitation_open(token=token)


def test_an_address_already_invited_is_refused_and_the_open_links_are_bounded(
    invite, open_evaluation, coordinator, monkeypatch
):
    invite("typist@example.com")
    with pytest.raises(ValidationError, match="already invited"):
        roster.assistant_add(
            evaluation=open_evaluation, actor=coordinator, email="TYPIST@example.com"
        )
    monkeypatch.setattr(invitations, "MAX_OPEN_INVITATIONS", 2)
    invite("second@example.com")
    with pytest.raises(ValidationError, match="At most 2 assistant invitations"):
        roster.assistant_add(
            evaluation=open_evaluation, actor=coordinator, email="third@example.com"
        )
    assert AssistantInvitation.objects.count() == 2


@pytest.mark.parametrize(
    "email",
    ["", "not-an-address", "a@b@c", "x" * 250 + "@example.com", "evil\n@example.com", "a\x00@b.c"],
)
def test_hostile_addresses_are_refused_naming_the_field(open_evaluation, coordinator, email):
    with pytest.raises(ValidationError) as refused:
        roster.assistant_add(evaluation=open_evaluation, actor=coordinator, email=email)

    assert "email" in refused.value.message_dict
    assert not AssistantInvitation.objects.exists()


def test_a_taken_user_name_is_refused_and_the_link_stays_usable(invite, make_user):
    make_user("typist")  # typist@example.com: someone else's account
    token = invite("newcomer@example.com")

    with pytest.raises(ValidationError, match="is taken"):
        invitations.assistant_invitation_accept_with_account(
            token=token, username="TYPIST", password=PASSWORD
        )

    assert AssistantInvitation.objects.get().is_open
    assert get_user_model().objects.count() == 2  # coordinator and the earlier typist


def test_the_activity_log_says_what_became_of_the_invitation(invite, coordinator):
    token = invite()
    invitations.assistant_invitation_decline(token=token)

    details = [
        audit_entry_detail(entry)
        for entry in AuditEntry.objects.filter(params__invitation__isnull=False).order_by("pk")
    ]
    assert details == [
        "typist@example.com, invited by e-mail",
        "typist@example.com declined the invitation",
    ]
