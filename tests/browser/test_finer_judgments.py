"""Finer judgments in a real browser (issue 15 §1): a half step chosen on the intermediate form,
and on the continuous form a value set with the keyboard on the slider and values typed in the
number box, submitted and stored as given. Screenshots go to test-artifacts/screenshots/."""

import math
import re
import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template
from surveys import services
from surveys.models import PairwiseBallot
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_accessibility import axe
from tests.browser.test_expert_form_usability import DESKTOP, PHONE, form_url, keys
from tests.conftest import PASSWORD, accepted_membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/finer")


@pytest.fixture
def panel(coordinator, make_user):
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["Acme", "Beta"]
    )
    evaluation.status = Evaluation.Status.OPEN
    evaluation.cr_policy = Evaluation.CRPolicy.WARN  # any values may be submitted
    evaluation.save()
    return evaluation, accepted_membership(evaluation, make_user("erin"))


@pytest.fixture
def open_as(browser, live_server):
    contexts, blocked = [], []

    def open_(user, viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/panels/")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert blocked == [], blocked


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"finer-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    try:  # a copy for the person reviewing the change, where the brief asks for it
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / path.name)
    except OSError:
        pass


def draft(membership, parent, values: dict[int, float]) -> None:
    """Answers for some pairs, by their index, saved as a draft beforehand."""
    pair_keys = keys(parent)
    judgments = {pair_keys[i]: {"value": v} for i, v in values.items()}
    services.pairwise_ballot_save(
        membership=membership, parent=parent, judgments=judgments, submit=False
    )


def submitted_values(membership, parent) -> list[float]:
    ballot = PairwiseBallot.objects.get(membership=membership, parent=parent)
    return [ballot.submitted_judgments[key]["value"] for key in keys(parent)]


def test_a_half_step_is_chosen_and_submitted_on_the_intermediate_form(open_as, panel, live_server):
    evaluation, membership = panel
    evaluation.judgment_scale = Evaluation.JudgmentScale.INTERMEDIATE
    evaluation.save()
    u1 = evaluation.indicators.get(code="U1")
    draft(membership, u1, {1: 2.0, 2: 4.0, 3: 2.0, 4: 4.0, 5: 2.0})
    first = keys(u1)[0]
    page = open_as(membership.user)

    page.goto(form_url(live_server, evaluation, u1))
    assert page.locator(f'input[name="pair-{first}"]').count() == 33
    page.locator(f'label.opt-half:has(input[name="pair-{first}"][value="1/2.5"])').click()
    expect(page.locator(".save-status")).to_contain_text("Draft saved")
    shot(page, "intermediate-desktop")
    assert PairwiseBallot.objects.get().judgments[first]["value"] == 0.4
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(f"{live_server.url}/panels/**")

    assert submitted_values(membership, u1) == pytest.approx([0.4, 2, 4, 2, 4, 2])
    page.set_viewport_size(PHONE)
    page.goto(form_url(live_server, evaluation, u1))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    shot(page, "intermediate-phone")


def test_the_slider_and_the_number_box_give_finer_values_that_are_stored(
    open_as, panel, live_server
):
    evaluation, membership = panel
    evaluation.judgment_scale = Evaluation.JudgmentScale.CONTINUOUS
    evaluation.save()
    u1 = evaluation.indicators.get(code="U1")
    draft(membership, u1, {3: 2.0, 4: 4.0, 5: 2.0})
    first, second, third = keys(u1)[:3]
    page = open_as(membership.user)
    page.goto(form_url(live_server, evaluation, u1))

    slider = page.locator(f'.judgment-slider[data-for="value-{first}"]')
    assert slider.is_visible() and slider.get_attribute("value") == "0"  # the centre: 1
    assert "not answered yet" in slider.get_attribute("aria-valuetext")
    # The keyboard: 42 steps to the left, toward the first indicator: 9^0.42 = 2.52.
    slider.focus()
    for _ in range(42):
        page.keyboard.press("ArrowLeft")
    box = page.locator(f"#value-{first}")
    assert box.input_value() == "2.52"
    assert slider.get_attribute("aria-valuetext").endswith("more important, 2.52")
    # The number box takes a fraction and a decimal; their sliders follow.
    page.fill(f"#value-{second}", "1/2.5")
    page.fill(f"#value-{third}", "0.8")
    second_slider = page.locator(f'.judgment-slider[data-for="value-{second}"]')
    assert second_slider.input_value() == str(round(-100 * math.log(0.4) / math.log(9)))
    expect(page.locator(".save-status")).to_contain_text("Draft saved")
    shot(page, "continuous-desktop")

    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(f"{live_server.url}/panels/**")

    values = submitted_values(membership, u1)
    assert values == pytest.approx([2.52, 0.4, 0.8, 2, 4, 2], rel=1e-12)
    # Back on the form, the stored values are shown as typed and the sliders stand at them.
    page.goto(form_url(live_server, evaluation, u1))
    assert page.locator(f"#value-{second}").input_value() == "1/2.5"
    assert page.locator(f"#value-{third}").input_value() == "0.8"
    assert slider.input_value() == "-42"
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    shot(page, "continuous-phone")


def test_a_value_outside_the_range_is_refused_in_the_form(open_as, panel, live_server):
    evaluation, membership = panel
    evaluation.judgment_scale = Evaluation.JudgmentScale.CONTINUOUS
    evaluation.save()
    u1 = evaluation.indicators.get(code="U1")
    first = keys(u1)[0]
    page = open_as(membership.user)
    page.goto(form_url(live_server, evaluation, u1))

    page.fill(f"#value-{first}", "12")
    page.get_by_role("button", name="Save draft and check").click()

    assert "12 is outside 1/9–9" in page.locator(".warn-box[role=alert]").inner_text()
    slider = page.locator(f'.judgment-slider[data-for="value-{first}"]')
    assert slider.input_value() == "0"  # not moved to an end for a value it cannot show
    assert slider.get_attribute("aria-valuetext") == "the value typed is outside 1/9–9"
    shot(page, "continuous-refused")
    assert not PairwiseBallot.objects.exists()


@pytest.mark.parametrize("judgment_scale", ["intermediate", "continuous"])
def test_axe_finds_no_violations_on_the_finer_forms(open_as, panel, live_server, judgment_scale):
    evaluation, membership = panel
    evaluation.judgment_scale = judgment_scale
    evaluation.save()
    u1 = evaluation.indicators.get(code="U1")
    draft(membership, u1, {0: 2.5, 1: 0.4, 2: 4.0, 3: 2.0, 4: 4.0, 5: 2.0})
    for viewport in (DESKTOP, PHONE):
        page = open_as(membership.user, viewport)
        page.goto(form_url(live_server, evaluation, u1))
        assert axe(page) == [], viewport
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]


def test_the_coordinator_chooses_the_continuous_scale_in_the_settings(
    page, sign_in, panel, live_server
):
    evaluation, _membership = panel
    sign_in(evaluation.owner)
    page.goto(f"{live_server.url}{reverse('evaluation-settings', args=[evaluation.pk])}")

    page.get_by_label("Continuous: any value from 1/9 to 9 (a slider)").check()
    shot(page, "settings")
    page.get_by_role("button", name="Save").first.click()

    expect(page.locator("body")).to_contain_text("Settings saved.")
    evaluation.refresh_from_db()
    assert evaluation.judgment_scale == "continuous"
    page.goto(f"{live_server.url}{reverse('evaluation-detail', args=[evaluation.pk])}")
    expect(page.locator("dl.settings")).to_contain_text(
        re.compile(r"Judgment scale\s*Continuous: any value from 1/9 to 9")
    )


def test_use_this_value_sets_the_number_box_and_the_slider(open_as, panel, live_server):
    evaluation, membership = panel
    evaluation.judgment_scale = Evaluation.JudgmentScale.CONTINUOUS
    evaluation.save()
    u1 = evaluation.indicators.get(code="U1")
    draft(membership, u1, dict(enumerate([9, 1 / 9, 9, 9, 1 / 9, 9])))  # inconsistent
    page = open_as(membership.user)
    page.goto(form_url(live_server, evaluation, u1))

    button = page.locator(".use-suggestion").first
    key, token = button.get_attribute("data-key"), button.get_attribute("data-token")
    button.click()

    box = page.locator(f"#value-{key}")
    assert box.input_value() == token
    expect(box).to_be_focused()
    slider = page.locator(f'.judgment-slider[data-for="value-{key}"]')
    value = float(token[2:]) ** -1 if token.startswith("1/") else float(token)
    assert slider.input_value() == str(round(-100 * math.log(value) / math.log(9)))
    expect(page.locator(".save-status")).to_contain_text("Draft saved")
    stored = PairwiseBallot.objects.get().judgments[key]["value"]
    assert stored == pytest.approx(value, rel=1e-12)
