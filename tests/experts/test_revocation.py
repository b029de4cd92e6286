"""Revoking an expert: the confirmation says what leaves the results and how the response
figures change; the answers leave by default or are kept; ballots are never deleted; a
revocation can be undone.

The panel: three experts who answered everything with real ballots (through the survey
services, so the recomputed snapshot contains them) and one who has not answered. Its figures
are 4 sent, 3 submitted, 3 valid: 75.00 %; without one answering expert 66.67 %.
"""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import AuditEntry, Evaluation, ResultSnapshot
from evaluations.services.results import panel_input
from experts.models import Invitation, PanelMembership
from experts.revocation import ERROR_NOT_REVOKED, invitation_restore, invitation_revoke
from experts.selectors import (
    InvitationUnusable,
    Stage,
    evaluation_figures,
    invitation_for_token,
    panel_rows,
    revocation_effect,
)
from experts.services import (
    ERROR_RESEND_REVOKED_ACCEPTED,
    invitation_accept,
    invitation_open,
    invitation_resend,
)
from surveys.models import PairwiseBallot, RatingBallot
from surveys.selectors import memberships_of
from tests.evaluations.test_results_pages import (
    open_for_ballots,
    submit_judgments,
    submit_ratings,
)

from .conftest import BASE_URL

ANSWERING = ("wang@example.com", "li@example.com", "chen@example.com")
SILENT = "zhao@example.com"


def answering_panel(evaluation, invite, make_user) -> list[PanelMembership]:
    """Three accepted experts with every ballot submitted, and one invited who is silent."""
    tokens = invite(*ANSWERING, SILENT)
    memberships = [
        invitation_accept(token=token, user=make_user(email.split("@")[0]))
        for token, email in zip(tokens, ANSWERING, strict=False)
    ]
    open_for_ballots(evaluation)  # the `warn` policy: every complete answer is valid
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)
    return memberships


@pytest.fixture
def panel(evaluation, invite, make_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the recompute after the ballots
        memberships = answering_panel(evaluation, invite, make_user)
    return memberships


@pytest.fixture
def wang(panel) -> PanelMembership:
    return panel[0]


def latest(evaluation) -> ResultSnapshot:
    return ResultSnapshot.objects.filter(evaluation=evaluation).order_by("-version").first()


def ballots_in(snapshot: ResultSnapshot) -> tuple[int, int]:
    return snapshot.pairwise_ballots, snapshot.rating_ballots


def figures(evaluation) -> tuple[int, int, int, Decimal | None]:
    f = evaluation_figures(evaluation=evaluation)
    return f.sent, f.submitted, f.valid, f.response_rate


def revoke_url(membership) -> str:
    return reverse(
        "panel-revoke",
        kwargs={"evaluation_id": membership.evaluation_id, "membership_id": membership.pk},
    )


def restore_url(membership) -> str:
    return reverse(
        "panel-restore",
        kwargs={"evaluation_id": membership.evaluation_id, "membership_id": membership.pk},
    )


def input_version(evaluation) -> int:
    evaluation.refresh_from_db()
    return evaluation.input_version


# --- The confirmation ----------------------------------------------------------------------


def test_the_panel_starts_with_every_answer_in_the_results(evaluation, panel):
    assert ballots_in(latest(evaluation)) == (12, 6)
    assert figures(evaluation) == (4, 3, 3, Decimal("75.00"))


def test_the_confirmation_shows_the_ballots_that_leave_and_the_rates_before_and_after(
    coordinator_client, wang
):
    response = coordinator_client.get(revoke_url(wang))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Comparisons 4" in page and "Ratings 2" in page
    assert "leave the results" in page
    rates = page.split('id="revoke-response-rate"')[1].split("</tr>")[0]
    # now, answers left out, answers kept
    assert rates.count("75.00 %") == 2 and rates.count("66.67 %") == 1
    valid_rates = page.split('id="revoke-valid-rate"')[1].split("</tr>")[0]
    assert valid_rates.count("75.00 %") == 2 and valid_rates.count("66.67 %") == 1
    # The choice to keep them is offered, and off: by default the answers leave, as before.
    assert 'name="keep_answers"' in page
    assert "checked" not in page.split('name="keep_answers"')[1].split(">")[0]
    # A page, not a script's confirm(): nothing has happened yet.
    assert Invitation.objects.get(membership=wang).status == Invitation.Status.ACCEPTED


def test_the_effect_of_revoking_a_silent_expert_raises_the_rates(evaluation, panel):
    silent = PanelMembership.objects.get(email=SILENT)

    effect = revocation_effect(evaluation=evaluation, membership=silent)

    assert not effect.has_answers
    assert (effect.before.sent, effect.before.response_rate) == (4, Decimal("75.00"))
    assert (effect.if_left_out.sent, effect.if_left_out.response_rate) == (3, Decimal("100.00"))
    assert effect.if_kept == effect.if_left_out  # nothing to keep


def test_the_confirmation_of_a_silent_expert_says_the_results_do_not_change(
    coordinator_client, panel
):
    page = coordinator_client.get(
        revoke_url(PanelMembership.objects.get(email=SILENT))
    ).content.decode()

    assert "submitted no ballot: the results do not change" in page
    assert 'name="keep_answers"' not in page
    assert "100.00 %" in page


def test_the_confirmation_of_a_revoked_expert_says_there_is_nothing_to_revoke(
    coordinator_client, wang, coordinator
):
    invitation_revoke(membership=wang, actor=coordinator)

    response = coordinator_client.get(revoke_url(wang))

    assert response.status_code == 200
    assert "already revoked" in response.content.decode()
    assert 'name="keep_answers"' not in response.content.decode()


# --- Revoking: the answers leave (default) or stay -----------------------------------------


def test_revoking_by_default_takes_the_ballots_out_of_the_results_and_the_figures(
    coordinator_client, evaluation, wang, django_capture_on_commit_callbacks
):
    before = input_version(evaluation)

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(revoke_url(wang), follow=True)

    assert "left the results" in response.content.decode()
    assert input_version(evaluation) == before + 1
    assert ballots_in(latest(evaluation)) == (8, 4)
    assert latest(evaluation).version == input_version(evaluation)
    assert figures(evaluation) == (3, 2, 2, Decimal("66.67"))
    # Never deleted: the ballots stay stored for an undo.
    assert PairwiseBallot.objects.filter(membership=wang).count() == 4
    assert RatingBallot.objects.filter(membership=wang).count() == 2
    entry = evaluation.audit_entries.get(action=AuditEntry.Action.REVOKED)
    assert entry.params == {
        "email": "wang@example.com",
        "answers_kept": False,
        "pairwise": 4,
        "ratings": 2,
    }


def test_keeping_the_answers_keeps_them_in_the_results_and_the_figures(
    coordinator_client, evaluation, wang, django_capture_on_commit_callbacks
):
    before = input_version(evaluation)

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(revoke_url(wang), {"keep_answers": "on"}, follow=True)

    assert "stay in the results" in response.content.decode()
    invitation = Invitation.objects.get(membership=wang)
    assert invitation.status == Invitation.Status.REVOKED  # the link is dead all the same
    assert invitation.status_before_revocation == Invitation.Status.ACCEPTED
    wang.refresh_from_db()
    assert wang.answers_kept_after_revocation
    assert input_version(evaluation) == before  # the results' input did not change
    data = panel_input(evaluation=evaluation)
    assert (len(data.pairwise), len(data.ratings)) == (12, 6)
    assert wang.pk in data.experts  # with their name and weight, as before
    assert figures(evaluation) == (4, 3, 3, Decimal("75.00"))
    # ...but the expert can no longer answer or change anything.
    assert not memberships_of(user=wang.user).exists()


def test_a_revoked_expert_stays_on_the_panel_page_greyed_with_an_undo(
    coordinator_client, evaluation, panel, coordinator
):
    invitation_revoke(membership=panel[0], actor=coordinator)
    invitation_revoke(membership=panel[1], actor=coordinator, keep_answers=True)

    page = coordinator_client.get(reverse("panel", args=[evaluation.pk])).content.decode()

    for membership in panel[:2]:
        row = page.split(f'id="expert-{membership.pk}"')[1].split("</tr>")[0]
        assert row.startswith(' class="revoked"')
        assert restore_url(membership) in row
        assert revoke_url(membership) not in row
        assert "Resend" not in row  # an accepted expert comes back by undoing, not by a link
    assert "answers left out of the results" in page.split(f'id="expert-{panel[0].pk}"')[1]
    kept_row = page.split(f'id="expert-{panel[1].pk}"')[1].split("</tr>")[0]
    assert "answers kept in the results" in kept_row
    chen = page.split(f'id="expert-{panel[2].pk}"')[1].split("</tr>")[0]
    assert revoke_url(panel[2]) in chen and restore_url(panel[2]) not in chen


def test_revoking_an_expert_without_submitted_ballots_leaves_the_results_alone(
    evaluation, panel, coordinator, make_user, invite
):
    (token,) = invite("new@example.com")
    newcomer = invitation_accept(token=token, user=make_user("new"))
    before = input_version(evaluation)

    revocation = invitation_revoke(membership=newcomer, actor=coordinator, keep_answers=True)

    assert input_version(evaluation) == before
    assert not revocation.answers_kept  # nothing to keep: a dead invitation counts nowhere
    assert figures(evaluation) == (4, 3, 3, Decimal("75.00"))


# --- Undoing -------------------------------------------------------------------------------


def test_undoing_brings_the_ballots_back_and_marks_the_results_stale(
    coordinator_client, evaluation, wang, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_revoke(membership=wang, actor=coordinator)
    assert ballots_in(latest(evaluation)) == (8, 4)
    before = input_version(evaluation)

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(restore_url(wang), follow=True)

    assert "count again" in response.content.decode()
    assert input_version(evaluation) == before + 1
    assert ballots_in(latest(evaluation)) == (12, 6)
    assert figures(evaluation) == (4, 3, 3, Decimal("75.00"))
    invitation = Invitation.objects.get(membership=wang)
    assert (invitation.status, invitation.status_before_revocation) == ("accepted", "")
    assert invitation.revoked_at is None
    assert memberships_of(user=wang.user).filter(pk=wang.pk).exists()  # answers again
    entry = evaluation.audit_entries.get(action=AuditEntry.Action.RESTORED)
    assert entry.params == {
        "email": "wang@example.com",
        "status": "accepted",
        "pairwise": 4,
        "ratings": 2,
    }


def test_undoing_a_revocation_that_kept_the_answers_changes_no_results(
    evaluation, wang, coordinator
):
    invitation_revoke(membership=wang, actor=coordinator, keep_answers=True)
    before = input_version(evaluation)

    restoration = invitation_restore(membership=wang, actor=coordinator)

    assert (restoration.pairwise, restoration.ratings) == (0, 0)
    assert input_version(evaluation) == before
    wang.refresh_from_db()
    assert not wang.answers_kept_after_revocation
    assert [row.stage for row in panel_rows(evaluation=evaluation)][0] == Stage.SUBMITTED


def test_a_restored_unanswered_invitation_keeps_its_old_link_dead_until_resent(
    coordinator_client, evaluation, invite, coordinator, mailoutbox
):
    (token,) = invite("late@example.com")
    membership = PanelMembership.objects.get(email="late@example.com")
    invitation_revoke(membership=membership, actor=coordinator)

    response = coordinator_client.post(restore_url(membership), follow=True)

    assert "send them a new one with “Resend”" in response.content.decode()
    assert Invitation.objects.get(membership=membership).status == Invitation.Status.PENDING
    with pytest.raises(InvitationUnusable):
        invitation_for_token(token=token)
    link = invitation_resend(membership=membership, actor=coordinator, base_url=BASE_URL)
    assert invitation_for_token(token=link.rstrip("/").rsplit("/", 1)[-1]).membership == membership


def test_an_opened_invitation_returns_to_opened(evaluation, invite, coordinator):
    (token,) = invite("seen@example.com")
    invitation_open(token=token)
    membership = PanelMembership.objects.get(email="seen@example.com")
    invitation_revoke(membership=membership, actor=coordinator)

    restoration = invitation_restore(membership=membership, actor=coordinator)

    assert restoration.invitation.status == Invitation.Status.OPENED
    assert restoration.needs_new_link


def test_undoing_what_is_not_revoked_says_so(coordinator_client, wang, coordinator):
    with pytest.raises(ValidationError) as raised:
        invitation_restore(membership=wang, actor=coordinator)

    assert raised.value.messages == [ERROR_NOT_REVOKED.format(email="wang@example.com")]
    response = coordinator_client.post(restore_url(wang), follow=True)
    assert "no revocation to undo" in response.content.decode()


def test_a_revoked_expert_who_had_accepted_is_not_sent_a_new_link(wang, coordinator):
    invitation_revoke(membership=wang, actor=coordinator)

    with pytest.raises(ValidationError) as raised:
        invitation_resend(membership=wang, actor=coordinator, base_url=BASE_URL)

    assert raised.value.messages == [ERROR_RESEND_REVOKED_ACCEPTED.format(email=wang.email)]
    assert Invitation.objects.get(membership=wang).status == Invitation.Status.REVOKED


def test_the_undo_takes_post_only(coordinator_client, wang):
    assert coordinator_client.get(restore_url(wang)).status_code == 405


# --- Closed panels, outsiders, earlier revocations ------------------------------------------


def test_on_a_closed_panel_revoking_and_undoing_still_decide_whose_answers_count(
    coordinator_client, evaluation, wang, django_capture_on_commit_callbacks
):
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.CLOSED)

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(revoke_url(wang))
    assert ballots_in(latest(evaluation)) == (8, 4)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(restore_url(wang))
    assert ballots_in(latest(evaluation)) == (12, 6)


def test_on_a_closed_panel_a_restored_invitation_waits_for_the_panel_to_reopen(
    coordinator_client, evaluation, panel, coordinator
):
    silent = PanelMembership.objects.get(email=SILENT)
    invitation_revoke(membership=silent, actor=coordinator)
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.CLOSED)

    response = coordinator_client.post(restore_url(silent), follow=True)

    assert "reopen the panel to send them a new one" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404_on_the_confirmation_and_the_undo(outsider_client, wang, method):
    for url in (revoke_url(wang), restore_url(wang)):
        assert getattr(outsider_client, method)(url).status_code == 404
    assert Invitation.objects.get(membership=wang).status == Invitation.Status.ACCEPTED


def test_revocations_from_before_the_migration_can_be_undone(evaluation, invite, make_user):
    tokens = invite("a@example.com", "o@example.com", "d@example.com", "p@example.com")
    invitation_accept(token=tokens[0], user=make_user("a"))
    invitation_open(token=tokens[1])
    Invitation.objects.filter(membership__email="d@example.com").update(
        status=Invitation.Status.DECLINED, responded_at="2026-01-01T00:00:00Z"
    )
    Invitation.objects.update(status=Invitation.Status.REVOKED, status_before_revocation="")
    migration = __import__(
        "experts.migrations.0004_revocation_undo", fromlist=["guess_status_before_revocation"]
    )

    migration.guess_status_before_revocation(apps, None)

    guessed = dict(Invitation.objects.values_list("membership__email", "status_before_revocation"))
    assert guessed == {
        "a@example.com": "accepted",
        "o@example.com": "opened",
        "d@example.com": "declined",
        "p@example.com": "pending",
    }
