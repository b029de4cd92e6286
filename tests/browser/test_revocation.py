"""A coordinator revokes an expert who answered: the confirmation page first, then the greyed
row with the undo button; the page fits a phone's width."""

import pytest

from experts.services import panel_add_experts
from tests.experts.conftest import BASE_URL, token_of
from tests.experts.test_revocation import answering_panel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wang(evaluation, coordinator, make_user):
    def invite(*emails: str) -> list[str]:
        links = panel_add_experts(
            evaluation=evaluation, actor=coordinator, text="\n".join(emails), base_url=BASE_URL
        )
        return [token_of(link) for link in links]

    return answering_panel(evaluation, invite, make_user)[0]


@pytest.mark.parametrize("width", [1280, 390])
def test_revoking_keeps_the_answers_when_asked_and_can_be_undone(
    page, live_server, sign_in, screenshot, coordinator, evaluation, wang, width
):
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/panel/")

    page.locator(f"#expert-{wang.pk} a:has-text('Revoke')").click()

    rates = page.locator("#revoke-response-rate td").all_inner_texts()
    assert rates == ["75.00 %", "66.67 %", "75.00 %"]  # now, left out, kept
    assert not page.is_checked("input[name=keep_answers]")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"confirm-{width}")

    page.check("input[name=keep_answers]")
    page.click("main button.danger")

    row = page.locator(f"#expert-{wang.pk}")
    assert "answers kept in the results" in row.inner_text()
    assert "revoked" in (row.get_attribute("class") or "")
    screenshot(f"revoked-{width}")

    row.locator("button:has-text('Undo revocation')").click()
    assert "submitted" in page.locator(f"#expert-{wang.pk}").inner_text()
