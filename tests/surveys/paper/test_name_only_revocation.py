"""Taking a name-only expert off the panel: the same revocation as an invited expert's (the
answers leave the results unless kept, ballots are never deleted, an undo), and no paper form
of theirs can be typed in while they are revoked."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import AuditEntry, ResultSnapshot
from evaluations.services.results import results_recompute
from experts import services as panel_services
from experts.models import Invitation
from experts.selectors import evaluation_figures, panel_overview
from surveys.models import PairwiseBallot, RatingBallot
from surveys.paper import services
from surveys.paper.services import PaperForm
from tests.api.conftest import token_client

from .conftest import judgments_for
from .test_name_only_experts import CONSISTENT, type_in_everything


def snapshot_of(evaluation):
    return results_recompute(evaluation_id=evaluation.pk) or ResultSnapshot.objects.get(
        evaluation=evaluation
    )


@pytest.fixture
def answered(open_evaluation, paper_expert, coordinator):
    type_in_everything(open_evaluation, paper_expert, coordinator)
    return paper_expert


def test_revoking_a_name_only_expert_takes_their_ballots_out_of_the_results(
    open_evaluation, answered, coordinator
):
    needs = panel_overview(evaluation=open_evaluation).requirements
    assert snapshot_of(open_evaluation).pairwise_ballots == needs.pairwise

    revocation = panel_services.invitation_revoke(membership=answered, actor=coordinator)

    assert revocation.results_changed and not revocation.answers_kept
    assert (revocation.effect.before.sent, revocation.figures_after.sent) == (1, 0)
    row = panel_overview(evaluation=open_evaluation).row_of(answered)
    assert row.stage == "revoked" and row.can_restore and not row.can_revoke
    assert not row.can_resend and not row.can_remind
    assert evaluation_figures(evaluation=open_evaluation).sent == 0
    snapshot = snapshot_of(open_evaluation)
    assert (snapshot.pairwise_ballots, snapshot.rating_ballots) == (0, 0)
    # Never deleted.
    assert PairwiseBallot.objects.filter(membership=answered).count() == needs.pairwise
    assert RatingBallot.objects.filter(membership=answered).count() == needs.ratings
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.REVOKED).get()
    assert entry.params["email"] == "Wang Fang" and entry.params["answers_kept"] is False


def test_a_name_only_expert_revoked_with_answers_kept_stays_in_the_results(
    open_evaluation, answered, coordinator
):
    needs = panel_overview(evaluation=open_evaluation).requirements

    revocation = panel_services.invitation_revoke(
        membership=answered, actor=coordinator, keep_answers=True
    )

    assert revocation.answers_kept and not revocation.results_changed
    row = panel_overview(evaluation=open_evaluation).row_of(answered)
    assert row.stage == "revoked" and row.answers_kept
    assert evaluation_figures(evaluation=open_evaluation).submitted == 1
    assert snapshot_of(open_evaluation).pairwise_ballots == needs.pairwise


def test_undoing_it_brings_the_ballots_back_and_leaves_no_invitation(
    open_evaluation, answered, coordinator
):
    needs = panel_overview(evaluation=open_evaluation).requirements
    panel_services.invitation_revoke(membership=answered, actor=coordinator)
    assert snapshot_of(open_evaluation).pairwise_ballots == 0

    restoration = panel_services.invitation_restore(membership=answered, actor=coordinator)

    assert restoration.invitation is None and not restoration.needs_new_link
    assert (restoration.pairwise, restoration.ratings) == (needs.pairwise, needs.ratings)
    assert not Invitation.objects.filter(membership=answered).exists()
    answered.refresh_from_db()
    assert not answered.answers_kept_after_revocation
    row = panel_overview(evaluation=open_evaluation).row_of(answered)
    assert row.stage == "submitted" and row.can_revoke and not row.can_resend
    assert snapshot_of(open_evaluation).pairwise_ballots == needs.pairwise


def test_undoing_a_revocation_that_kept_the_answers_returns_nothing(
    open_evaluation, answered, coordinator
):
    panel_services.invitation_revoke(membership=answered, actor=coordinator, keep_answers=True)

    restoration = panel_services.invitation_restore(membership=answered, actor=coordinator)

    assert (restoration.pairwise, restoration.ratings) == (0, 0)
    answered.refresh_from_db()
    assert not answered.answers_kept_after_revocation


def test_a_name_only_expert_without_answers_can_be_revoked_and_not_twice(
    open_evaluation, paper_expert, coordinator
):
    revocation = panel_services.invitation_revoke(membership=paper_expert, actor=coordinator)
    assert not revocation.effect.has_answers and not revocation.answers_kept

    with pytest.raises(ValidationError, match="already revoked"):
        panel_services.invitation_revoke(membership=paper_expert, actor=coordinator)
    panel_services.invitation_restore(membership=paper_expert, actor=coordinator)
    with pytest.raises(ValidationError, match="not revoked"):
        panel_services.invitation_restore(membership=paper_expert, actor=coordinator)


def test_the_revocation_row_is_no_link(open_evaluation, paper_expert, coordinator, mailoutbox):
    panel_services.invitation_revoke(membership=paper_expert, actor=coordinator)

    invitation = Invitation.objects.get(membership=paper_expert)
    assert invitation.status == "revoked" and invitation.status_before_revocation == ""
    assert mailoutbox == []
    with pytest.raises(ValidationError, match="no e-mail"):
        panel_services.invitation_resend(
            membership=paper_expert, actor=coordinator, base_url="http://testserver/"
        )


def test_no_paper_form_of_a_revoked_expert_can_be_typed_in(
    open_evaluation, paper_expert, coordinator
):
    panel_services.invitation_revoke(membership=paper_expert, actor=coordinator)
    u1 = open_evaluation.indicators.get(code="U1")

    with pytest.raises(ValidationError, match="Wang Fang was revoked"):
        services.paper_ballot_enter(
            form=PaperForm(membership=paper_expert, parent=u1),
            answers=judgments_for(u1, CONSISTENT[4]),
            form_number="",
            actor=coordinator,
        )
    assert not PairwiseBallot.objects.filter(membership=paper_expert).exists()


def test_under_double_entry_a_first_typing_is_refused_too(
    open_evaluation, paper_expert, coordinator
):
    open_evaluation.double_entry = True
    open_evaluation.save(update_fields=["double_entry"])
    panel_services.invitation_revoke(membership=paper_expert, actor=coordinator)
    u1 = open_evaluation.indicators.get(code="U1")

    with pytest.raises(ValidationError, match="was revoked"):
        services.paper_ballot_enter(
            form=PaperForm(membership=paper_expert, parent=u1),
            answers=judgments_for(u1, CONSISTENT[4]),
            form_number="",
            actor=coordinator,
        )
    assert not paper_expert.paper_entries.exists()


# --- Pages and API ---------------------------------------------------------------------------


def test_the_panel_page_revokes_and_restores_a_name_only_expert(
    coordinator_client, open_evaluation, answered
):
    url = reverse("panel-revoke", args=[open_evaluation.pk, answered.pk])
    page = coordinator_client.get(url)
    assert page.status_code == 200
    assert "Take Wang Fang off the panel?" in page.content.decode()
    assert 'name="keep_answers"' in page.content.decode()

    response = coordinator_client.post(url, {"keep_answers": "on"}, follow=True)

    body = response.content.decode()
    assert "Wang Fang is revoked" in body and "stay in the results" in body
    assert 'class="revoked"' in body and "Undo revocation" in body
    restore = reverse("panel-restore", args=[open_evaluation.pk, answered.pk])
    response = coordinator_client.post(restore, follow=True)
    assert "The revocation of Wang Fang is undone" in response.content.decode()
    assert not Invitation.objects.filter(membership=answered).exists()


def test_the_paper_pages_refuse_a_revoked_expert_with_a_clear_message(
    coordinator_client, open_evaluation, paper_expert, coordinator
):
    panel_services.invitation_revoke(membership=paper_expert, actor=coordinator)
    u1 = open_evaluation.indicators.get(code="U1")
    member = reverse("paper-member", args=[open_evaluation.pk, paper_expert.pk])
    form = reverse("paper-pairwise", args=[open_evaluation.pk, paper_expert.pk, u1.pk])

    page = coordinator_client.get(form, follow=True)
    assert page.redirect_chain[-1][0] == member
    assert "Wang Fang was revoked from the panel" in page.content.decode()
    assert form not in page.content.decode()  # no "Type in" link while revoked

    posted = {f"pair-{key}": "3" for key in judgments_for(u1, CONSISTENT[4])}
    response = coordinator_client.post(form, posted)
    assert response.status_code == 400
    assert "Wang Fang was revoked from the panel" in response.content.decode()
    assert not PairwiseBallot.objects.filter(membership=paper_expert).exists()


def test_the_api_revokes_and_restores_a_name_only_expert(coordinator, open_evaluation, answered):
    coordinator_api = token_client(coordinator)
    base = f"/api/v1/evaluations/{open_evaluation.pk}/experts/{answered.pk}"

    preview = coordinator_api.get(f"{base}/revoke/")
    assert preview.status_code == 200 and preview.json()["ballots"]["pairwise"] > 0
    revoked = coordinator_api.post(f"{base}/revoke/", {"keep_answers": False}, format="json")
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["ballots_leaving_results"]["pairwise"] > 0
    assert coordinator_api.post(f"{base}/revoke/", {}, format="json").status_code == 409

    restored = coordinator_api.post(f"{base}/restore/")
    assert restored.status_code == 200, restored.content
    assert restored.json()["new_link_needed"] is False
    assert restored.json()["stage"] == "submitted"


def test_the_paper_api_refuses_a_revoked_expert_with_400(
    coordinator, open_evaluation, paper_expert
):
    panel_services.invitation_revoke(membership=paper_expert, actor=coordinator)
    u1 = open_evaluation.indicators.get(code="U1")
    children = list(u1.children.all())
    pairs = [(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    body = {
        "membership": paper_expert.pk,
        "parent": u1.pk,
        "judgments": [
            {"row": r.code, "col": c.code, "value": v}
            for (r, c), v in zip(pairs, CONSISTENT[4], strict=True)
        ],
    }

    response = token_client(coordinator).post(
        f"/api/v1/evaluations/{open_evaluation.pk}/paper/pairwise/", body, format="json"
    )

    assert response.status_code == 400
    assert "Wang Fang was revoked from the panel" in str(response.json())
    assert not PairwiseBallot.objects.filter(membership=paper_expert).exists()
