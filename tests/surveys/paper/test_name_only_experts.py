"""Experts known by name only: never invited or reminded, and counted like anyone else once
their paper forms are typed in."""

import pytest
from django.core.exceptions import ValidationError

from evaluations.models import ResultSnapshot
from evaluations.services.results import results_recompute
from experts import services as panel_services
from experts.selectors import evaluation_figures, panel_overview
from surveys.paper import services
from surveys.paper.services import PaperForm

from .conftest import judgments_for, ratings_for

CONSISTENT = {2: [3], 3: [2, 4, 2], 4: [2, 4, 8, 2, 4, 2]}


def type_in_everything(evaluation, membership, actor):
    requirements = panel_overview(evaluation=evaluation).requirements
    for parent in evaluation.indicators.filter(pk__in=requirements.parent_ids):
        values = CONSISTENT[parent.children.count()]
        services.paper_ballot_enter(
            form=PaperForm(membership=membership, parent=parent),
            answers=judgments_for(parent, values),
            form_number="P-1",
            actor=actor,
        )
    for subject in evaluation.subjects.all():
        services.paper_ballot_enter(
            form=PaperForm(membership=membership, subject=subject),
            answers=ratings_for(evaluation, 1),
            form_number="P-1",
            actor=actor,
        )


def test_before_any_form_a_name_only_expert_is_not_counted_nor_reminded(
    open_evaluation, paper_expert, coordinator, mailoutbox
):
    row = panel_overview(evaluation=open_evaluation).row_of(paper_expert)

    assert row.stage == "not_invited" and not row.can_resend and not row.can_remind
    assert evaluation_figures(evaluation=open_evaluation).sent == 0
    sent = panel_services.panel_remind(
        evaluation=open_evaluation, actor=coordinator, base_url="http://testserver/"
    )
    assert sent == 0 and mailoutbox == []


def test_once_typed_in_they_count_in_the_figures_and_the_results(
    open_evaluation, paper_expert, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        type_in_everything(open_evaluation, paper_expert, coordinator)

    row = panel_overview(evaluation=open_evaluation).row_of(paper_expert)
    assert row.stage == "submitted"
    figures = evaluation_figures(evaluation=open_evaluation)
    assert (figures.sent, figures.submitted, figures.valid) == (1, 1, 1)
    snapshot = results_recompute(evaluation_id=open_evaluation.pk) or ResultSnapshot.objects.get(
        evaluation=open_evaluation
    )
    requirements = panel_overview(evaluation=open_evaluation).requirements
    assert snapshot.pairwise_ballots == requirements.pairwise
    assert snapshot.rating_ballots == requirements.ratings
    assert mailoutbox == []
    assert (
        panel_services.panel_remind(
            evaluation=open_evaluation, actor=coordinator, base_url="http://testserver/"
        )
        == 0
    )


def test_an_invited_expert_who_answered_on_paper_counts_and_gets_the_invitation_reminder(
    open_evaluation, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    panel_services.panel_add_experts(
        evaluation=open_evaluation,
        actor=coordinator,
        text="ming@example.com",
        base_url="http://testserver/",
    )
    member = open_evaluation.memberships.get()
    u1 = open_evaluation.indicators.get(code="U1")
    services.paper_ballot_enter(
        form=PaperForm(membership=member, parent=u1),
        answers=judgments_for(u1, CONSISTENT[4]),
        form_number="",
        actor=coordinator,
    )

    row = panel_overview(evaluation=open_evaluation).row_of(member)
    assert row.stage == "in_progress" and row.can_remind
    with django_capture_on_commit_callbacks(execute=True):
        panel_services.panel_remind(
            evaluation=open_evaluation, actor=coordinator, base_url="http://testserver/"
        )
    # Not accepted: the reminder carries a fresh invitation link, not the panels page.
    assert "/invitations/" in mailoutbox[0].body


def test_resending_to_a_name_only_expert_is_refused(open_evaluation, paper_expert, coordinator):
    with pytest.raises(ValidationError) as error:
        panel_services.invitation_resend(
            membership=paper_expert, actor=coordinator, base_url="http://testserver/"
        )

    assert "no e-mail address" in str(error.value)
