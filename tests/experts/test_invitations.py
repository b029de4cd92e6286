"""The invitation link's life: sent, opened (not used up), accepted or declined once, and
dead after it is replaced, revoked or expired."""

import base64
import hashlib
import logging
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from evaluations.models import AuditEntry
from experts import services
from experts.models import Invitation, PanelMembership, Profile
from experts.selectors import (
    ERROR_INVITATION_ACCEPTED,
    ERROR_INVITATION_UNKNOWN,
    InvitationUnusable,
)
from experts.services import (
    ERROR_ALREADY_ON_PANEL,
    ERROR_RESEND_ACCEPTED,
    TOKEN_BYTES,
    invitation_accept,
    invitation_accept_with_account,
    invitation_decline,
    invitation_open,
    invitation_resend,
    invitation_revoke,
    invitation_send,
)
from tests.conftest import PASSWORD

from .conftest import BASE_URL, token_of


def invitation_url(token: str) -> str:
    return reverse("invitation", kwargs={"token": token})


def test_a_token_has_256_bits_and_only_its_hash_is_stored(invite):
    (token,) = invite("wang@example.com")

    invitation = Invitation.objects.get()
    assert len(base64.urlsafe_b64decode(token + "=")) * 8 == TOKEN_BYTES * 8 >= 128
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash


@override_settings(INVITATION_EXPIRY_DAYS=7)
def test_the_expiry_follows_the_setting(invite):
    invite("wang@example.com")

    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)


def test_the_raw_token_is_never_logged(invite, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        (token,) = invite("wang@example.com")

    assert token not in caplog.text


def test_the_invitation_mail_is_sent_only_after_commit(
    invite, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (token,) = invite("wang@example.com")
    assert mailoutbox == []  # not yet committed

    for callback in callbacks:
        callback()

    (mail,) = mailoutbox
    assert mail.to == ["wang@example.com"]
    assert token in mail.body


def test_the_mail_names_the_evaluation_and_carries_the_link_in_its_language(
    evaluation, invite, mailoutbox, django_capture_on_commit_callbacks, coordinator
):
    coordinator.first_name, coordinator.last_name = "Alice", "Chen"
    coordinator.save()
    with django_capture_on_commit_callbacks(execute=True):
        (token,) = invite("wang@example.com")

    (mail,) = mailoutbox
    assert evaluation.title in mail.subject
    assert "\n" not in mail.subject
    assert evaluation.title in mail.body
    assert f"{BASE_URL}/invitations/{token}/" in mail.body
    assert "Alice Chen" in mail.body
    assert "Pairwise comparison forms to fill: 4. Subjects to rate: 2." in mail.body
    assert mail.reply_to == ["alice@example.com"]


def test_the_mail_is_rendered_under_the_evaluations_language(
    evaluation, invite, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    real_render = services.render_to_string

    def spy(template, context):
        seen.append((template, translation.get_language()))
        return real_render(template, context)

    monkeypatch.setattr("experts.services.render_to_string", spy)
    evaluation.language = "zh-hans"
    evaluation.save()

    with django_capture_on_commit_callbacks(execute=True):
        invite("wang@example.com")

    assert seen == [
        ("experts/email/invitation_subject.txt", "zh-hans"),
        ("experts/email/invitation_body.txt", "zh-hans"),
    ]
    assert evaluation.title in mailoutbox[0].body


def test_opening_the_link_marks_it_opened_without_using_it_up(client, invite):
    (token,) = invite("wang@example.com")

    for _visit in range(2):  # a mail scanner, then the expert
        response = client.get(invitation_url(token))
        assert response.status_code == 200

    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.OPENED
    assert invitation.opened_at is not None
    assert invitation.membership.last_activity_at is not None


def test_the_landing_page_says_who_invites_whom_to_what(client, invite, evaluation):
    evaluation.description = "Three modes, one panel."
    evaluation.deadline = timezone.now() + timedelta(days=10)
    evaluation.save()
    (token,) = invite("Wang Li <wang@example.com>")

    page = client.get(invitation_url(token)).content.decode()

    for text in (
        evaluation.title,
        "Three modes, one panel.",
        "alice@example.com",
        "Wang Li",
        "Enterprise A, Enterprise B",
        "Create account and accept",
        f"{reverse('login')}?next=/invitations/{token}/",
    ):
        assert text in page
    assert "none set" not in page  # the deadline is shown


def test_an_unknown_link_answers_404_with_a_clear_page(client, db):
    response = client.get(invitation_url("no-such-token"))

    assert response.status_code == 404
    assert ERROR_INVITATION_UNKNOWN in response.content.decode().replace("&#x27;", "'")


def test_resending_replaces_the_token_so_the_old_link_is_unknown(
    client, invite, evaluation, coordinator
):
    (old,) = invite("wang@example.com")
    membership = PanelMembership.objects.get()
    client.get(invitation_url(old))

    new = token_of(invitation_resend(membership=membership, actor=coordinator, base_url=BASE_URL))

    assert client.get(invitation_url(old)).status_code == 404
    assert client.get(invitation_url(new)).status_code == 200
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.OPENED  # the new link was opened above
    assert evaluation.audit_entries.filter(action=AuditEntry.Action.RESENT).exists()


def test_resending_renews_the_expiry(invite, coordinator):
    invite("wang@example.com")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))

    invitation_resend(
        membership=PanelMembership.objects.get(), actor=coordinator, base_url=BASE_URL
    )

    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.PENDING and not invitation.is_expired


def test_an_accepted_invitation_cannot_be_resent(expert_membership, coordinator):
    with pytest.raises(ValidationError) as caught:
        invitation_resend(membership=expert_membership, actor=coordinator, base_url=BASE_URL)

    assert caught.value.messages == [ERROR_RESEND_ACCEPTED.format(email="bob@example.com")]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_revoked_link_answers_410(client, invite, coordinator, method):
    (token,) = invite("wang@example.com")
    invitation_revoke(membership=PanelMembership.objects.get(), actor=coordinator)

    response = getattr(client, method)(invitation_url(token), {"action": "decline"})

    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert Invitation.objects.get().status == Invitation.Status.REVOKED


@pytest.mark.parametrize("status", ["pending", "opened"])
def test_an_expired_link_answers_410(client, invite, status):
    (token,) = invite("wang@example.com")
    Invitation.objects.update(status=status, expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(invitation_url(token))

    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_signed_in_visitor_accepts_and_lands_on_their_panels(
    client, invite, make_user, django_capture_on_commit_callbacks
):
    (token,) = invite("wang@example.com")
    user = make_user("wang")
    client.force_login(user)

    response = client.post(invitation_url(token), {"action": "accept"})

    assert response.status_code == 302 and response["Location"] == reverse("expert-home")
    membership = PanelMembership.objects.get()
    assert membership.user == user and membership.last_activity_at is not None
    invitation = membership.invitation
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.responded_at


def test_accepting_uses_the_link_up(client, invite, make_user):
    (token,) = invite("wang@example.com")
    client.force_login(make_user("wang"))
    client.post(invitation_url(token), {"action": "accept"})

    again = client.post(invitation_url(token), {"action": "accept"})
    page = client.get(invitation_url(token))

    assert again.status_code == 410 and page.status_code == 410
    assert ERROR_INVITATION_ACCEPTED.split(";")[0] in page.content.decode()


def test_the_service_refuses_a_used_link(invite, make_user):
    (token,) = invite("wang@example.com")
    invitation_accept(token=token, user=make_user("wang"))

    with pytest.raises(InvitationUnusable) as caught:
        invitation_accept(token=token, user=make_user("li"))

    assert (caught.value.status, caught.value.reason) == (410, "accepted")


def test_an_account_already_on_the_panel_cannot_accept_a_second_invitation(client, invite, expert):
    (token,) = invite("bob.other@example.com")
    client.force_login(expert)

    response = client.post(invitation_url(token), {"action": "accept"})

    assert response.status_code == 400
    message = ERROR_ALREADY_ON_PANEL.format(email="bob@example.com")
    assert message.split("(")[0] in response.content.decode()
    membership = PanelMembership.objects.get(email="bob.other@example.com")
    assert membership.user is None
    assert membership.invitation.status != Invitation.Status.ACCEPTED


def test_a_new_expert_creates_an_account_on_the_invitation_page(client, invite):
    (token,) = invite("Wang Li, wang.li@example.com, ZJU")
    page = client.get(invitation_url(token))
    assert page.context["signup_form"].initial["username"] == "wang.li"

    response = client.post(
        invitation_url(token),
        {
            "action": "signup",
            "username": "wang.li",
            "name": "Wang Li",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "field": "E-commerce logistics",
            "title": "Associate professor",
            "years_experience": "12",
        },
    )

    assert response.status_code == 302 and response["Location"] == reverse("expert-home")
    user = get_user_model().objects.get(username="wang.li")
    assert (user.first_name, user.email) == ("Wang Li", "wang.li@example.com")
    assert user.check_password(PASSWORD)
    profile = Profile.objects.get(user=user)
    assert (profile.organisation, profile.field, profile.title, profile.years_experience) == (
        "ZJU",
        "E-commerce logistics",
        "Associate professor",
        12,
    )
    assert PanelMembership.objects.get().user == user
    assert int(client.session["_auth_user_id"]) == user.pk  # signed in


def test_account_creation_checks_the_password_and_keeps_the_link_usable(client, invite):
    (token,) = invite("wang@example.com")

    response = client.post(
        invitation_url(token),
        {"action": "signup", "username": "wang", "password1": "12345678", "password2": "12345678"},
    )

    assert response.status_code == 400
    assert response.context["signup_form"].errors["password1"]
    assert Invitation.objects.get().status != Invitation.Status.ACCEPTED
    assert not get_user_model().objects.filter(username="wang").exists()


def test_account_creation_refuses_differing_passwords_and_taken_names(client, invite, make_user):
    make_user("wang")
    (token,) = invite("wang@example.com")

    response = client.post(
        invitation_url(token),
        {"action": "signup", "username": "WANG", "password1": PASSWORD, "password2": "other"},
    )

    errors = response.context["signup_form"].errors
    assert "username" in errors and "password2" in errors
    assert response.context["signup_form"].initial == {}


def test_the_username_is_suggested_as_the_whole_address_when_the_local_part_is_taken(
    client, invite, make_user
):
    make_user("wang")
    (token,) = invite("wang@example.com")

    page = client.get(invitation_url(token))

    assert page.context["signup_form"].initial["username"] == "wang@example.com"


def test_two_tabs_cannot_both_create_an_account_on_one_link(invite):
    (token,) = invite("wang@example.com")
    invitation_accept_with_account(token=token, username="wang", password=PASSWORD)

    with pytest.raises(InvitationUnusable):
        invitation_accept_with_account(token=token, username="wang2", password=PASSWORD)

    assert not get_user_model().objects.filter(username="wang2").exists()


def test_declining_answers_with_a_clear_page_and_uses_the_link_up(client, invite):
    (token,) = invite("wang@example.com")

    response = client.post(invitation_url(token), {"action": "decline"})

    assert response.status_code == 200
    assert "You have declined" in response.content.decode()
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.DECLINED and invitation.responded_at
    assert client.get(invitation_url(token)).status_code == 410


def test_the_decline_service_refuses_an_unknown_token(db):
    with pytest.raises(InvitationUnusable) as caught:
        invitation_decline(token="nope")

    assert caught.value.status == 404


def test_opening_does_not_change_an_already_opened_time(invite):
    (token,) = invite("wang@example.com")
    first = invitation_open(token=token).opened_at

    second = invitation_open(token=token).opened_at

    assert first == second


def test_an_anonymous_accept_without_an_account_goes_back_to_the_page(client, invite):
    (token,) = invite("wang@example.com")

    response = client.post(invitation_url(token), {"action": "accept"})

    assert response.status_code == 302 and response["Location"] == invitation_url(token)
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_a_rolled_back_invitation_sends_nothing(
    evaluation, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    membership = PanelMembership.objects.create(evaluation=evaluation, email="wang@example.com")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            invitation_send(membership=membership, actor=coordinator, base_url=BASE_URL)
            raise RuntimeError("the surrounding action failed")

    assert mailoutbox == []
    assert not Invitation.objects.exists()


def test_invitation_send_returns_the_only_copy_of_the_link(evaluation, coordinator):
    membership = PanelMembership.objects.create(evaluation=evaluation, email="wang@example.com")

    link = invitation_send(membership=membership, actor=coordinator, base_url=BASE_URL + "/")

    assert link.startswith(f"{BASE_URL}/invitations/")
    assert (
        Invitation.objects.get().token_hash == hashlib.sha256(token_of(link).encode()).hexdigest()
    )


def test_a_signed_in_visitor_is_offered_accept_and_decline(client, invite, make_user):
    (token,) = invite("wang@example.com")
    client.force_login(make_user("wang"))

    response = client.get(invitation_url(token))

    page = response.content.decode()
    assert "You are signed in as wang." in page
    assert 'value="accept"' in page and 'value="decline"' in page
    assert response.context["signup_form"] is None
