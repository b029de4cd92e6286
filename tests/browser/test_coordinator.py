"""A coordinator in a real browser: create from a template, edit an indicator, invite experts."""

import pytest
from django.core import mail

from evaluations.models import Evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_creates_an_evaluation_edits_an_indicator_and_invites_three_experts(
    page, live_server, sign_in, coordinator, screenshot
):
    sign_in(coordinator)
    page.get_by_role("link", name="New evaluation").first.click()
    page.locator("#id_template").select_option("sme-management-measures")
    page.locator("#id_subjects").fill("Acme Online\nBeta Shop")
    screenshot("1-create")
    page.get_by_role("button", name="Create").click()
    page.wait_for_selector("text=Evaluation created.")
    evaluation = Evaluation.objects.get()
    assert page.url == f"{live_server.url}/evaluations/{evaluation.pk}/"
    screenshot("2-overview")

    page.get_by_role("link", name="Hierarchy", exact=True).click()
    page.get_by_text("Edit the texts of U11").click()
    u11 = page.locator(f"#indicator-{evaluation.indicators.get(code='U11').pk}")
    u11.get_by_label("Name").first.fill("Supplier selection and audit")
    u11.get_by_role("button", name="Save U11").click()
    page.wait_for_selector("text=Supplier selection and audit")
    assert evaluation.indicators.get(code="U11").name == "Supplier selection and audit"
    screenshot("3-hierarchy")

    page.get_by_role("link", name="Panel", exact=True).click()
    page.locator("textarea[name=text]").fill(
        "Li Wei, li.wei@example.com, Zhejiang University, 1\n"
        "Zhang Min, zhang.min@example.com, E-commerce Association, 1.5\n"
        "wang.fang@example.com"
    )
    page.get_by_role("button", name="Add and send invitations").click()
    for email in ("li.wei@example.com", "zhang.min@example.com", "wang.fang@example.com"):
        page.wait_for_selector(f"text={email}")
    screenshot("4-panel")

    assert evaluation.memberships.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "li.wei@example.com", "wang.fang@example.com", "zhang.min@example.com"
    ]  # fmt: skip
    assert page.get_by_text("invited", exact=True).count() >= 3
