"""Where each expert stands, the paper's response figures, and reminders to the unfinished."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluations.models import AuditEntry, Evaluation
from evaluations.services import evaluation_create_from_template
from experts.models import Invitation, PanelMembership
from experts.selectors import (
    PanelFigures,
    Stage,
    evaluation_figures,
    figures_for_evaluations,
    panel_rows,
)
from experts.services import (
    ERROR_PANEL_CLOSED,
    invitation_accept,
    invitation_decline,
    invitation_open,
    invitation_revoke,
    panel_remind,
)
from surveys.models import BallotStatus, PairwiseBallot

from .conftest import BASE_URL, answer, token_of


def stages(evaluation) -> dict[str, Stage]:
    return {row.membership.email: row.stage for row in panel_rows(evaluation=evaluation)}


def test_the_funnel_follows_each_expert(evaluation, invite, make_user, coordinator):
    tokens = invite(*(f"{name}@example.com" for name in "abcdefgh"))
    invitation_open(token=tokens[1])
    for token, name in zip(tokens[2:5], "cde", strict=True):
        invitation_accept(token=token, user=make_user(name))
    answer(PanelMembership.objects.get(email="d@example.com"), pairwise=1)
    answer(PanelMembership.objects.get(email="e@example.com"))
    invitation_decline(token=tokens[5])
    Invitation.objects.filter(membership__email="g@example.com").update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    invitation_revoke(
        membership=PanelMembership.objects.get(email="h@example.com"), actor=coordinator
    )
    PanelMembership.objects.create(evaluation=evaluation, email="z@example.com")

    assert stages(evaluation) == {
        "a@example.com": Stage.INVITED,
        "b@example.com": Stage.OPENED,
        "c@example.com": Stage.ACCEPTED,
        "d@example.com": Stage.IN_PROGRESS,
        "e@example.com": Stage.SUBMITTED,
        "f@example.com": Stage.DECLINED,
        "g@example.com": Stage.EXPIRED,
        "h@example.com": Stage.REVOKED,
        "z@example.com": Stage.NOT_INVITED,
    }


def test_a_draft_ballot_is_in_progress_but_not_submitted(expert_membership, evaluation):
    answer(expert_membership)
    PairwiseBallot.objects.filter(membership=expert_membership).update(
        status=BallotStatus.DRAFT, submitted_at=None, submitted_judgments=None
    )

    (row,) = panel_rows(evaluation=evaluation)

    assert row.stage == Stage.IN_PROGRESS
    assert (row.pairwise_submitted, row.ratings_submitted) == (0, 2)
    assert (row.requirements.pairwise, row.requirements.ratings) == (4, 2)


def test_the_last_activity_is_the_latest_thing_the_expert_did(expert_membership, evaluation):
    answer(expert_membership, pairwise=1, ratings=0)
    ballot = PairwiseBallot.objects.get()

    (row,) = panel_rows(evaluation=evaluation)

    assert row.last_activity_at == ballot.updated_at


def test_figures_report_the_papers_line(evaluation, answered, invite):
    answered(*(f"valid{n}@example.com" for n in range(9)))
    invite("silent@example.com")

    figures = evaluation_figures(evaluation=evaluation)

    assert (figures.sent, figures.submitted, figures.valid) == (10, 9, 9)
    assert figures.valid_rate == Decimal("90.00")
    assert figures.summary == "9 valid of 10 sent, 90.00 %"
    assert figures.response_rate_display == "90.00 %"


def test_the_papers_own_example_reads_as_printed():
    assert str(PanelFigures(sent=200, submitted=190, valid=180)) == "180 valid of 200 sent, 90.00 %"


def test_rates_round_half_up_to_two_decimals():
    figures = PanelFigures(sent=32, submitted=1, valid=1)  # 3.125 %

    assert figures.valid_rate_display == "3.13 %"
    assert PanelFigures(sent=3, submitted=2, valid=2).valid_rate == Decimal("66.67")


def test_no_invitation_sent_has_no_rate_instead_of_dividing_by_zero():
    figures = PanelFigures()

    assert figures.response_rate is None and figures.valid_rate is None
    assert figures.summary == "0 valid of 0 sent"
    assert figures.valid_rate_display == "—"


def test_under_the_block_policy_an_inconsistent_answer_is_submitted_but_not_valid(
    evaluation, answered
):
    answered("good@example.com")
    answered("rash@example.com", consistent=False)

    figures = evaluation_figures(evaluation=evaluation)

    assert (figures.sent, figures.submitted, figures.valid) == (2, 2, 1)
    assert figures.summary == "1 valid of 2 sent, 50.00 %"


def test_under_the_warn_policy_a_complete_answer_is_valid(evaluation, answered):
    evaluation.cr_policy = Evaluation.CRPolicy.WARN
    evaluation.save()
    answered("good@example.com")
    answered("rash@example.com", consistent=False)

    assert evaluation_figures(evaluation=evaluation).valid == 2


def test_revoked_invitations_are_not_counted_as_sent(evaluation, answered, coordinator):
    (membership,) = answered("gone@example.com")
    answered("kept@example.com")
    invitation_revoke(membership=membership, actor=coordinator)

    figures = evaluation_figures(evaluation=evaluation)

    assert (figures.sent, figures.submitted, figures.valid) == (1, 1, 1)


def test_declined_and_expired_invitations_count_as_sent(evaluation, invite):
    tokens = invite("no@example.com", "late@example.com")
    invitation_decline(token=tokens[0])
    Invitation.objects.filter(membership__email="late@example.com").update(
        expires_at=timezone.now() - timedelta(days=1)
    )

    assert evaluation_figures(evaluation=evaluation).sent == 2


def test_figures_of_many_evaluations_take_a_constant_number_of_queries(
    coordinator, evaluation, answered, invite, django_assert_num_queries
):
    others = [
        evaluation_create_from_template(
            owner=coordinator, template_key="sme-management-measures", subjects=["S"]
        )
        for _ in range(3)
    ]
    answered("a@example.com", "b@example.com")
    invite("c@example.com", to=others[0])
    evaluations = list(Evaluation.objects.filter(owner=coordinator))

    with django_assert_num_queries(3):
        figures = figures_for_evaluations(evaluations=evaluations)

    assert figures[evaluation.pk].summary == "2 valid of 2 sent, 100.00 %"
    assert figures[others[0].pk].summary == "0 valid of 1 sent, 0.00 %"
    assert figures[others[1].pk].summary == "0 valid of 0 sent"


def test_reminders_go_only_to_experts_who_can_still_answer_and_have_not_finished(
    evaluation,
    invite,
    answered,
    make_user,
    coordinator,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    answered("done@example.com")
    tokens = invite("new@example.com", "seen@example.com", "busy@example.com", "no@example.com")
    invitation_open(token=tokens[1])
    busy = invitation_accept(token=tokens[2], user=make_user("busy"))
    answer(busy, pairwise=2, ratings=0)
    invitation_decline(token=tokens[3])
    invite("gone@example.com")
    invitation_revoke(
        membership=PanelMembership.objects.get(email="gone@example.com"), actor=coordinator
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        count = panel_remind(evaluation=evaluation, actor=coordinator, base_url=BASE_URL)

    reminded = sorted(mail.to[0] for mail in mailoutbox)
    assert count == 3
    assert reminded == ["busy@example.com", "new@example.com", "seen@example.com"]
    invitations = Invitation.objects.filter(membership__email__in=reminded)
    assert all(i.reminder_count == 1 and i.last_reminded_at for i in invitations)
    assert Invitation.objects.get(membership__email="done@example.com").reminder_count == 0
    entry = evaluation.audit_entries.get(action=AuditEntry.Action.REMINDED)
    assert entry.detail == "3 experts"


def test_a_reminder_carries_a_fresh_link_to_an_expert_who_has_not_accepted(
    client, evaluation, invite, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    (old,) = invite("new@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        panel_remind(evaluation=evaluation, actor=coordinator, base_url=BASE_URL)

    (mail,) = mailoutbox
    link = next(line for line in mail.body.splitlines() if "/invitations/" in line)
    assert client.get(f"/invitations/{token_of(link)}/").status_code == 200
    assert client.get(f"/invitations/{old}/").status_code == 404
    assert "replaces the one in earlier e-mails" in mail.body


def test_a_reminder_sends_an_accepted_expert_to_their_panels(
    evaluation, expert, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        panel_remind(evaluation=evaluation, actor=coordinator, base_url=BASE_URL)

    (mail,) = mailoutbox
    assert f"{BASE_URL}/panels/" in mail.body
    assert "Pairwise comparison forms submitted: 0 of 4." in mail.body
    assert evaluation.title in mail.subject


def test_nobody_left_to_remind_sends_nothing(
    evaluation, answered, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    answered("done@example.com")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        count = panel_remind(evaluation=evaluation, actor=coordinator, base_url=BASE_URL)

    assert count == 0 and mailoutbox == []
    assert not evaluation.audit_entries.filter(action=AuditEntry.Action.REMINDED).exists()


def test_a_closed_panel_sends_no_reminders(evaluation, invite, coordinator):
    invite("new@example.com")
    evaluation.status = Evaluation.Status.CLOSED
    evaluation.save()

    with pytest.raises(ValidationError) as caught:
        panel_remind(evaluation=evaluation, actor=coordinator, base_url=BASE_URL)

    assert caught.value.messages == [ERROR_PANEL_CLOSED]
