"""The overview's activity log words each entry in the reader's language, from its params."""

import pytest
from django.urls import reverse
from django.utils import translation

from evaluations import services
from evaluations.audit_wording import audit_entry_detail
from evaluations.models import AuditEntry
from evaluations.services import structure
from experts.services import (
    invitation_accept,
    invitation_decline,
    membership_update_weight,
    panel_add_experts,
)


def _activity(client, evaluation, language: str) -> str:
    response = client.get(
        reverse("evaluation-detail", args=[evaluation.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="activity"') :]


def _links(evaluation, coordinator, text: str) -> list[str]:
    return panel_add_experts(
        evaluation=evaluation, actor=coordinator, text=text, base_url="http://testserver"
    )


@pytest.mark.django_db
def test_a_settings_change_names_the_fields_in_the_readers_language(
    coordinator_client, coordinator, evaluation
):
    services.evaluation_update_settings(
        evaluation=evaluation, actor=coordinator, cr_policy="warn", ri_table="saaty"
    )

    entry = evaluation.audit_entries.get(action=AuditEntry.Action.EDITED_SETTINGS)
    assert entry.params == {"fields": ["cr_policy", "ri_table"]}
    english = _activity(coordinator_client, evaluation, "en")
    chinese = _activity(coordinator_client, evaluation, "zh-hans")
    assert "CR policy, RI table" in english
    assert "cr_policy" not in chinese and "ri_table" not in chinese
    assert "CR 策略" in chinese


@pytest.mark.django_db
def test_creation_from_a_template_shows_the_templates_title_not_its_key(
    coordinator_client, evaluation
):
    english = _activity(coordinator_client, evaluation, "en")
    chinese = _activity(coordinator_client, evaluation, "zh-hans")

    assert "sme-management-measures" not in english + chinese
    assert "E-commerce SME management measures" in english
    assert "中小电子商务企业管理措施" in chinese


@pytest.mark.django_db
def test_copies_structure_grades_subjects_and_weights_are_worded_from_params(
    coordinator, evaluation
):
    copy = services.evaluation_copy(owner=coordinator, source=evaluation, title="Again")
    u1 = copy.indicators.get(code="U1")
    structure.indicator_add(parent=u1, actor=coordinator, name="Returns handling")
    u11 = copy.indicators.get(code="U11")
    structure.indicator_update_text(
        indicator=u11, actor=coordinator, name="Suppliers", recommendation=u11.recommendation
    )
    structure.indicator_delete(indicator=copy.indicators.get(code="U2"), actor=coordinator)
    structure.subject_set_replace(
        evaluation=copy,
        actor=coordinator,
        subjects=[structure.SubjectRow(name="Shop A"), structure.SubjectRow(name="Shop B")],
    )
    _links(copy, coordinator, "pat@example.com")
    membership = copy.memberships.get()
    membership_update_weight(membership=membership, actor=coordinator, weight=2.5)

    with translation.override("en"):
        details = [audit_entry_detail(entry) for entry in copy.audit_entries.order_by("id")]

    assert details[0] == f"from “{evaluation.title}” (no. {evaluation.pk})"
    assert details[1] == "added U15 “Returns handling”"
    assert details[2] == "edited U11 “Suppliers”: name"
    assert details[3] == "deleted U2 “Human resource management” and 4 indicators below it"
    assert details[4].startswith("added Shop A, Shop B; removed ")
    assert details[5:] == [
        "1 expert: pat@example.com",
        "1 invitation",
        "weight of expert pat@example.com: 1 → 2.5",
    ]
    for entry in copy.audit_entries.all():
        assert entry.params, entry.action


@pytest.mark.django_db
def test_accepting_and_declining_an_invitation_are_logged(coordinator, expert, evaluation):
    accept_link, decline_link = _links(
        evaluation, coordinator, "erin@example.com\nnobody@example.com"
    )

    invitation_accept(token=accept_link.rstrip("/").rsplit("/", 1)[-1], user=expert)
    invitation_decline(token=decline_link.rstrip("/").rsplit("/", 1)[-1])

    accepted = evaluation.audit_entries.get(action=AuditEntry.Action.ACCEPTED)
    declined = evaluation.audit_entries.get(action=AuditEntry.Action.DECLINED)
    assert (accepted.actor, accepted.params) == (expert, {"email": "erin@example.com"})
    assert (declined.actor, declined.params) == (None, {"email": "nobody@example.com"})


@pytest.mark.django_db
def test_an_old_entry_without_params_keeps_its_detail_line(evaluation, coordinator):
    entry = AuditEntry.objects.create(
        evaluation=evaluation,
        actor=coordinator,
        action=AuditEntry.Action.EDITED_SETTINGS,
        detail="cr_policy",
    )

    assert audit_entry_detail(entry) == "cr_policy"
