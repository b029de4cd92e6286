"""The coordinator's panel page and its actions: add, resend, revoke, weight, remind."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import AuditEntry, Evaluation
from experts.models import Invitation, PanelMembership
from experts.paste import ERROR_LINE_EMAIL, ERROR_LINE_WEIGHT, MAX_EXPERT_WEIGHT
from experts.services import ERROR_WEIGHT, membership_update_weight

from .conftest import answer

MEMBER_ROUTES = ("panel-resend", "panel-revoke", "panel-restore", "panel-weight")


def panel_url(evaluation) -> str:
    return reverse("panel", kwargs={"evaluation_id": evaluation.pk})


def member_url(name: str, evaluation, membership) -> str:
    return reverse(name, kwargs={"evaluation_id": evaluation.pk, "membership_id": membership.pk})


def test_the_panel_page_asks_anonymous_visitors_to_sign_in(client, evaluation):
    response = client.get(panel_url(evaluation))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_coordinator_adds_experts_by_pasting_and_they_are_mailed(
    coordinator_client, evaluation, mailoutbox, django_capture_on_commit_callbacks
):
    text = 'name,email,organisation,weight\nWang Li, wang@example.com, "ZJU, Hangzhou", 2\n'
    text += "li@example.com"

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(panel_url(evaluation), {"text": text}, follow=True)

    assert response.redirect_chain == [(panel_url(evaluation), 302)]
    assert "Experts added and invited: 2." in response.content.decode()
    assert sorted(mail.to[0] for mail in mailoutbox) == ["li@example.com", "wang@example.com"]
    wang = PanelMembership.objects.get(email="wang@example.com")
    assert (wang.organisation, wang.weight) == ("ZJU, Hangzhou", 2.0)
    assert "http://testserver/invitations/" in mailoutbox[0].body


def test_a_bad_paste_shows_the_line_and_field_and_saves_nothing(
    coordinator_client, evaluation, mailoutbox, django_capture_on_commit_callbacks
):
    text = "wang@example.com\nLi Na, li-at-example.com\nZhang, zhang@example.com, , zero"

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(panel_url(evaluation), {"text": text})

    assert response.status_code == 400
    errors = response.context["add_form"].errors["text"]
    assert errors == [
        ERROR_LINE_EMAIL.format(line=2, value="li-at-example.com"),
        ERROR_LINE_WEIGHT.format(line=3, value="zero"),
    ]
    page = response.content.decode()
    assert "Nothing was added" in page
    assert "li-at-example.com" in page  # the pasted text is kept for correcting
    assert not PanelMembership.objects.exists() and mailoutbox == []


def test_the_page_shows_each_expert_with_status_progress_and_figures(
    coordinator_client, evaluation, invite, expert_membership
):
    invite("wang@example.com")
    answer(expert_membership)

    response = coordinator_client.get(panel_url(evaluation))

    page = response.content.decode()
    assert "bob@example.com" in page and "wang@example.com" in page
    assert "Comparisons 4/4" in page and "Ratings 2/2" in page
    assert "1 valid of 2 sent, 50.00 %" in page
    stages = [row.stage for row in response.context["overview"].rows]
    assert stages == ["submitted", "invited"]


def test_resend_gives_a_new_link_and_logs_it(
    coordinator_client, evaluation, invite, mailoutbox, django_capture_on_commit_callbacks
):
    invite("wang@example.com")
    membership = PanelMembership.objects.get()
    old_hash = membership.invitation.token_hash

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(member_url("panel-resend", evaluation, membership))

    assert response.status_code == 302
    assert Invitation.objects.get().token_hash != old_hash
    assert len(mailoutbox) == 1
    assert evaluation.audit_entries.filter(
        action=AuditEntry.Action.RESENT, detail="wang@example.com"
    ).exists()


def test_revoke_stops_the_link_and_logs_it(coordinator_client, evaluation, invite, client):
    (token,) = invite("wang@example.com")
    membership = PanelMembership.objects.get()

    coordinator_client.post(member_url("panel-revoke", evaluation, membership))

    assert Invitation.objects.get().status == Invitation.Status.REVOKED
    assert evaluation.audit_entries.filter(action=AuditEntry.Action.REVOKED).exists()
    coordinator_client.logout()
    assert client.get(reverse("invitation", kwargs={"token": token})).status_code == 410


def test_revoking_twice_says_so(coordinator_client, evaluation, invite):
    invite("wang@example.com")
    membership = PanelMembership.objects.get()
    url = member_url("panel-revoke", evaluation, membership)
    coordinator_client.post(url)

    response = coordinator_client.post(url, follow=True)

    assert "already revoked" in response.content.decode()


def test_the_weight_is_edited_per_expert(coordinator_client, evaluation, invite):
    invite("wang@example.com")
    membership = PanelMembership.objects.get()

    response = coordinator_client.post(
        member_url("panel-weight", evaluation, membership), {"weight": "2.5"}
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.weight == pytest.approx(2.5)
    assert evaluation.audit_entries.filter(
        detail="expert weight of wang@example.com: 1 → 2.5"
    ).exists()


@pytest.mark.parametrize("weight", ["0", "-1", "abc", "", "inf", "nan"])
def test_a_weight_that_is_not_positive_is_a_form_error(
    coordinator_client, evaluation, invite, weight
):
    invite("wang@example.com")
    membership = PanelMembership.objects.get()

    response = coordinator_client.post(
        member_url("panel-weight", evaluation, membership), {"weight": weight}
    )

    assert response.status_code == 400
    assert response.context["weight_membership_id"] == membership.pk
    page = response.content.decode()
    assert ERROR_WEIGHT in page or "This field is required." in page
    membership.refresh_from_db()
    assert membership.weight == 1.0


def test_the_service_refuses_a_weight_beyond_the_ceiling_as_the_forms_do(evaluation, invite):
    invite("wang@example.com")
    membership = PanelMembership.objects.get()

    with pytest.raises(ValidationError) as refused:
        membership_update_weight(
            membership=membership, actor=evaluation.owner, weight=MAX_EXPERT_WEIGHT * 2
        )

    assert "weight" in refused.value.message_dict
    assert str(MAX_EXPERT_WEIGHT) in refused.value.message_dict["weight"][0]
    membership.refresh_from_db()
    assert membership.weight == 1.0
    updated = membership_update_weight(
        membership=membership, actor=evaluation.owner, weight=float(MAX_EXPERT_WEIGHT)
    )
    assert updated.weight == MAX_EXPERT_WEIGHT


def test_remind_all_mails_the_unfinished_and_says_how_many(
    coordinator_client, evaluation, invite, mailoutbox, django_capture_on_commit_callbacks
):
    invite("wang@example.com", "li@example.com")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("panel-remind", kwargs={"evaluation_id": evaluation.pk}), follow=True
        )

    assert "Reminders sent: 2." in response.content.decode()
    assert len(mailoutbox) == 2


def test_panel_actions_refuse_get(coordinator_client, evaluation, invite):
    invite("wang@example.com")
    membership = PanelMembership.objects.get()

    for name in MEMBER_ROUTES:
        if name == "panel-revoke":
            continue  # its GET is the confirmation page (test_revocation.py)
        assert coordinator_client.get(member_url(name, evaluation, membership)).status_code == 405
    remind = reverse("panel-remind", kwargs={"evaluation_id": evaluation.pk})
    assert coordinator_client.get(remind).status_code == 405


def outsider_routes(evaluation, membership) -> list[str]:
    return [
        panel_url(evaluation),
        reverse("panel-remind", kwargs={"evaluation_id": evaluation.pk}),
        *(member_url(name, evaluation, membership) for name in MEMBER_ROUTES),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_on_every_panel_route(
    outsider_client, evaluation, invite, method, mailoutbox, django_capture_on_commit_callbacks
):
    invite("wang@example.com")
    membership = PanelMembership.objects.get()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for url in outsider_routes(evaluation, membership):
            response = getattr(outsider_client, method)(
                url, {"text": "x@example.com", "weight": "9"}
            )
            assert response.status_code == 404, url

    assert mailoutbox == []
    assert PanelMembership.objects.get().weight == 1.0
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_a_membership_of_another_evaluation_is_404(
    coordinator, coordinator_client, evaluation, invite
):
    other = Evaluation.objects.create(owner=coordinator, title="Other")
    invite("wang@example.com", to=other)
    foreign = PanelMembership.objects.get(evaluation=other)

    for name in MEMBER_ROUTES:
        response = coordinator_client.post(member_url(name, evaluation, foreign), {"weight": "2"})
        assert response.status_code == 404


@pytest.mark.parametrize("experts", [3, 12])
def test_the_panel_page_query_count_does_not_grow_with_experts(
    coordinator_client, evaluation, invite, answered, experts, django_assert_num_queries
):
    answered(*(f"done{n}@example.com" for n in range(experts // 3)))
    invite(*(f"new{n}@example.com" for n in range(experts - experts // 3)))
    assert evaluation.memberships.count() == experts

    # session, user, evaluation, required parents, subjects, experts with their progress
    with django_assert_num_queries(6):
        assert coordinator_client.get(panel_url(evaluation)).status_code == 200
