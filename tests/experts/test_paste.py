"""Pasting experts: plain e-mails or CSV, every line checked before anything is saved."""

import pytest
from django.core.exceptions import ValidationError

from evaluations.models import AuditEntry
from experts.models import Invitation, PanelMembership
from experts.paste import (
    ERROR_LINE_EMAIL,
    ERROR_LINE_EMAIL_MISSING,
    ERROR_LINE_EMAIL_TWICE,
    ERROR_LINE_FIELDS,
    ERROR_LINE_ON_PANEL,
    ERROR_LINE_QUOTE,
    ERROR_LINE_TOO_LONG,
    ERROR_LINE_WEIGHT,
    ERROR_PASTE_EMPTY,
    expert_lines_parse,
)
from experts.services import ERROR_PANEL_CLOSED, panel_add_experts

from .conftest import BASE_URL


def errors_of(text: str, existing=()) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        expert_lines_parse(text=text, existing_emails=existing)
    return caught.value.message_dict["text"]


def test_it_reads_one_email_per_line_with_weight_one():
    lines = expert_lines_parse(text="wang@example.com\n\n  li@example.cn  \n")

    assert [(e.line, e.email, e.name, e.weight) for e in lines] == [
        (1, "wang@example.com", "", 1.0),
        (3, "li@example.cn", "", 1.0),
    ]


def test_it_reads_csv_lines_with_name_organisation_and_weight():
    text = "Wang Li, wang@example.com, Zhejiang University, 2\nZhang Wei, zhang@example.com"

    lines = expert_lines_parse(text=text)

    assert [(e.name, e.email, e.organisation, e.weight) for e in lines] == [
        ("Wang Li", "wang@example.com", "Zhejiang University", 2.0),
        ("Zhang Wei", "zhang@example.com", "", 1.0),
    ]


def test_it_skips_a_header_line():
    text = "name,e-mail,organisation,weight\nWang Li,wang@example.com,ZJU,1.5"

    lines = expert_lines_parse(text=text)

    assert [(e.line, e.email, e.weight) for e in lines] == [(2, "wang@example.com", 1.5)]


def test_it_reads_quoted_fields_with_commas():
    text = '"Li, Na", li@example.com, "Tmall, Alibaba Group", "0.5"'

    (line,) = expert_lines_parse(text=text)

    assert (line.name, line.organisation, line.weight) == ("Li, Na", "Tmall, Alibaba Group", 0.5)


def test_it_reads_tab_separated_lines_copied_from_a_spreadsheet():
    (line,) = expert_lines_parse(text="Wang Li\twang@example.com\tZJU\t3")

    assert (line.name, line.email, line.organisation, line.weight) == (
        "Wang Li",
        "wang@example.com",
        "ZJU",
        3.0,
    )


def test_it_reads_an_address_with_a_name_as_mail_programs_copy_it():
    (line,) = expert_lines_parse(text="Wang Li <wang@example.com>")

    assert (line.name, line.email) == ("Wang Li", "wang@example.com")


def test_a_malformed_email_names_its_line_and_field():
    errors = errors_of("ok@example.com\nWang Li, wang-at-example.com")

    assert errors == [ERROR_LINE_EMAIL.format(line=2, value="wang-at-example.com")]


@pytest.mark.parametrize("weight", ["0", "-1", "abc", "inf", "nan", "1e999"])
def test_a_weight_that_is_not_a_positive_finite_number_names_its_line(weight):
    errors = errors_of(f"Wang Li, wang@example.com, ZJU, {weight}")

    assert errors == [ERROR_LINE_WEIGHT.format(line=1, value=weight)]


def test_an_email_twice_in_the_paste_is_refused_whatever_its_case():
    errors = errors_of("wang@example.com\nli@example.com\nWANG@Example.com")

    assert errors == [ERROR_LINE_EMAIL_TWICE.format(line=3, email="WANG@Example.com", first=1)]


def test_an_email_already_on_the_panel_is_refused():
    errors = errors_of("Wang@Example.com", existing={"wang@example.com"})

    assert errors == [ERROR_LINE_ON_PANEL.format(line=1, email="Wang@Example.com")]


def test_every_bad_line_is_reported_at_once():
    text = 'a@example.com, b@example.com, x, 1, extra\n"open quote\nok@example.com,,,-2'

    errors = errors_of(text)

    assert errors == [
        ERROR_LINE_FIELDS.format(line=1, count=5),
        ERROR_LINE_QUOTE.format(line=2),
        ERROR_LINE_EMAIL_MISSING.format(line=3),
        ERROR_LINE_WEIGHT.format(line=3, value="-2"),
    ]


def test_an_overlong_name_is_refused():
    errors = errors_of(f"{'x' * 201}, wang@example.com")

    assert errors == [ERROR_LINE_TOO_LONG.format(line=1, field="name", limit=200)]


def test_an_empty_paste_is_refused():
    assert errors_of(" \n\n") == [ERROR_PASTE_EMPTY]


def test_adding_creates_memberships_invitations_and_audit_entries(evaluation, coordinator):
    links = panel_add_experts(
        evaluation=evaluation,
        actor=coordinator,
        text="Wang Li, wang@example.com, ZJU, 2\nli@example.com",
        base_url=BASE_URL,
    )

    memberships = list(evaluation.memberships.order_by("pk"))
    assert [(m.email, m.name, m.organisation, m.weight) for m in memberships] == [
        ("wang@example.com", "Wang Li", "ZJU", 2.0),
        ("li@example.com", "", "", 1.0),
    ]
    assert all(m.invitation.status == Invitation.Status.PENDING for m in memberships)
    assert len(links) == 2 and all(link.startswith(f"{BASE_URL}/invitations/") for link in links)
    actions = set(evaluation.audit_entries.values_list("action", "detail"))
    assert (AuditEntry.Action.ADDED_EXPERTS, "2 experts: wang@example.com, li@example.com") in (
        actions
    )
    assert (AuditEntry.Action.INVITED, "2 invitations") in actions


def test_one_bad_line_saves_nobody_and_sends_nothing(
    evaluation, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        panel_add_experts(
            evaluation=evaluation,
            actor=coordinator,
            text="wang@example.com\nnot-an-address",
            base_url=BASE_URL,
        )

    assert not PanelMembership.objects.exists()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_a_closed_panel_takes_no_new_experts(evaluation, coordinator):
    evaluation.status = evaluation.Status.CLOSED
    evaluation.save()

    with pytest.raises(ValidationError) as caught:
        panel_add_experts(
            evaluation=evaluation, actor=coordinator, text="a@example.com", base_url=BASE_URL
        )

    assert caught.value.message_dict == {"text": [ERROR_PANEL_CLOSED]}
