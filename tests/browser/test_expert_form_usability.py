"""The expert's forms in a real browser, on a phone and a desktop: tap targets, the consistency
panel before the submit row, keyboard entry at "equal", focus after "Use this value", flagged
pairs after a refused submission, and the way on after a submit.

Screenshots of every page changed go to test-artifacts/screenshots/ (English and Chinese,
desktop and phone)."""

import re

import pytest

from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template
from surveys import services
from surveys.services import pair_key
from tests.browser.conftest import ARTIFACTS, CHROMIUM_FLAGS  # noqa: F401
from tests.conftest import PASSWORD, accepted_membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CONSISTENT = {3: [2.0, 4.0, 2.0], 4: [2.0, 4.0, 8.0, 2.0, 4.0, 2.0]}
INCONSISTENT = [9.0, 1 / 9, 9.0, 9.0, 1 / 9, 9.0]
MIN_TARGET = 44  # CSS px, WCAG 2.5.5


@pytest.fixture
def panel(coordinator, make_user):
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["Acme", "Beta"]
    )
    evaluation.status = Evaluation.Status.OPEN
    evaluation.save()
    expert = make_user("erin")
    return evaluation, accepted_membership(evaluation, expert)


def keys(parent) -> list[str]:
    children = list(parent.children.all())
    return [pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]


def save(membership, code: str, values, submit=False):
    parent = membership.evaluation.indicators.get(code=code)
    judgments = {key: {"value": v} for key, v in zip(keys(parent), values, strict=True)}
    services.pairwise_ballot_save(
        membership=membership, parent=parent, judgments=judgments, submit=submit
    )
    return parent


@pytest.fixture
def open_as(browser, live_server):
    """A signed-in page of the given size and language; fails on any CSP violation."""
    contexts, blocked = [], []

    def open_(user, viewport=DESKTOP, language="en"):
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
        page.wait_for_url(f"{live_server.url}/panels/")  # an expert lands on My panels
        if language != "en":
            page.select_option("#language-select", language)
            page.wait_for_function(f"document.documentElement.lang === '{language}'")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert blocked == [], blocked


def form_url(live_server, evaluation, parent) -> str:
    return f"{live_server.url}/panels/{evaluation.pk}/pairwise/{parent.pk}/"


def too_small(page, selector: str) -> list[str]:
    boxes = page.eval_on_selector_all(
        selector,
        """els => els.filter(e => e.offsetParent !== null).map(e => {
             const r = e.getBoundingClientRect();
             return [e.tagName + ' ' + (e.textContent || e.value || '').trim().slice(0, 20),
                     r.width, r.height];
           })""",
    )
    assert boxes, f"nothing matched {selector}"
    return [f"{name}: {w:.0f}×{h:.0f}" for name, w, h in boxes if w < MIN_TARGET or h < MIN_TARGET]


def test_on_a_phone_every_target_of_the_forms_is_at_least_44px(open_as, panel, live_server):
    evaluation, membership = panel
    u1 = save(membership, "U1", INCONSISTENT)  # so that flags and their buttons show
    page = open_as(membership.user, PHONE)

    page.goto(form_url(live_server, evaluation, u1))
    targets = {
        "scale boxes": ".scale .opt",
        "radios": ".scale input[type=radio]",
        "use this value": ".use-suggestion",
        "buttons": "main button",
        "disclosures": "main summary",
        "back link": ".back-link a",
    }
    small = {name: too_small(page, selector) for name, selector in targets.items()}
    assert small == {name: [] for name in targets}
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    page.goto(f"{live_server.url}/panels/{evaluation.pk}/ratings/{evaluation.subjects.first().pk}/")
    for selector in (".grade-cell label", "table.rating input[type=text]", "main button"):
        assert too_small(page, selector) == [], selector
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_on_a_phone_the_scale_keeps_one_radio_group_per_pair_in_three_rows(
    open_as, panel, live_server
):
    evaluation, membership = panel
    u1 = evaluation.indicators.get(code="U1")
    page = open_as(membership.user, PHONE)

    page.goto(form_url(live_server, evaluation, u1))

    first = page.locator("fieldset.pair").first
    tops = first.locator(".opt").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 3  # one side's 9…2, equal, the other side's 2…9
    assert (
        len(set(first.locator("input[type=radio]").evaluate_all("es => es.map(e => e.name)"))) == 1
    )


def test_the_consistency_panel_comes_before_submit_and_the_verdict_stays_in_view_on_a_phone(
    open_as, panel, live_server
):
    evaluation, membership = panel
    u1 = save(membership, "U1", INCONSISTENT)
    page = open_as(membership.user, PHONE)
    page.goto(form_url(live_server, evaluation, u1))

    submit = page.get_by_role("button", name="Submit", exact=True)
    status = page.locator(".form-status")
    # At the top of the page the verdict and Submit are already on screen (sticky row) …
    assert status.is_visible() and status.bounding_box()["y"] < PHONE["height"]
    assert "CR " in status.inner_text() and "inconsistent" in status.inner_text()
    assert submit.bounding_box()["y"] + submit.bounding_box()["height"] <= PHONE["height"]
    # … and at the end of the form the full panel sits above the submit row.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    panel_box = page.locator("#consistency").bounding_box()
    assert panel_box["y"] + panel_box["height"] <= submit.bounding_box()["y"]
    assert page.locator("#consistency").evaluate(
        "(aside, submit) => !!(aside.compareDocumentPosition(submit) & 4)",
        submit.element_handle(),
    )


def test_on_a_desktop_the_panel_stands_beside_the_pairs(open_as, panel, live_server):
    evaluation, membership = panel
    u1 = save(membership, "U1", INCONSISTENT)
    page = open_as(membership.user, DESKTOP)
    page.goto(form_url(live_server, evaluation, u1))

    pairs = page.locator(".pairs").bounding_box()
    aside = page.locator("#consistency").bounding_box()
    assert aside["x"] >= pairs["x"] + pairs["width"]
    assert aside["y"] < DESKTOP["height"]


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {name: e.name || '', value: e.value || '', checked: !!e.checked,
                           tag: e.tagName, cls: e.className}; }"""
    )


def test_the_keyboard_enters_an_unanswered_pair_at_equal(open_as, panel, live_server):
    evaluation, membership = panel
    u1 = evaluation.indicators.get(code="U1")
    first_key, second_key = keys(u1)[:2]
    page = open_as(membership.user, DESKTOP)
    page.goto(form_url(live_server, evaluation, u1))
    page.wait_for_function("document.querySelector('.scale input[tabindex=\"-1\"]') !== null")

    page.locator("details.descriptions summary").focus()
    page.keyboard.press("Tab")
    assert focused(page) == {
        "name": f"pair-{first_key}",
        "value": "1",
        "checked": False,
        "tag": "INPUT",
        "cls": "",
    }
    page.keyboard.press("Space")
    assert page.is_checked(f'input[name="pair-{first_key}"][value="1"]')
    page.keyboard.press("ArrowLeft")  # toward the first indicator: 2, then 3 …
    page.keyboard.press("ArrowLeft")
    assert focused(page)["value"] == "3" and focused(page)["checked"]

    page.keyboard.press("Tab")  # the comment's disclosure
    page.keyboard.press("Tab")  # the next pair, unanswered: again at "equal"
    assert focused(page)["name"] == f"pair-{second_key}" and focused(page)["value"] == "1"

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back into the answered pair: at its answer
    assert focused(page)["name"] == f"pair-{first_key}" and focused(page)["value"] == "3"


def test_use_this_value_keeps_the_focus_on_that_pair_and_comes_before_submit(
    open_as, panel, live_server
):
    evaluation, membership = panel
    u1 = save(membership, "U1", INCONSISTENT)
    page = open_as(membership.user, DESKTOP)
    page.goto(form_url(live_server, evaluation, u1))
    worst = page.locator("fieldset.pair.flagged").filter(has_text="To revise: 1 of 3")
    key = worst.get_attribute("id").removeprefix("pair-")
    button = worst.get_by_role("button", name="Use this value")
    token = button.get_attribute("data-token")
    submit = page.get_by_role("button", name="Submit", exact=True).element_handle()
    assert button.evaluate("(b, s) => !!(b.compareDocumentPosition(s) & 4)", submit)

    button.focus()
    page.keyboard.press("Enter")

    assert focused(page) == {
        "name": f"pair-{key}",
        "value": token,
        "checked": True,
        "tag": "INPUT",
        "cls": "",
    }
    before = page.locator(".cr-summary").inner_text()
    page.wait_for_function(
        "before => document.querySelector('.cr-summary').textContent !== before", arg=before
    )
    assert focused(page)["name"] == f"pair-{key}"  # still there after the redraw
    # The marks follow the new diagnosis, and each marked group is described by its note.
    marks = page.eval_on_selector_all(
        "fieldset.pair",
        """els => els.map(e => {
             const note = document.getElementById(e.getAttribute('aria-describedby'));
             return [e.classList.contains('flagged'), note ? note.textContent : ''];
           })""",
    )
    assert all(flagged == ("To revise" in note) for flagged, note in marks)
    page.keyboard.press("Tab")  # and on from there, not from the top of the form
    assert page.evaluate("document.activeElement.closest('fieldset.pair').id") == f"pair-{key}"


def test_one_status_line_announces_a_change_and_nothing_unchanged_is_redrawn(
    open_as, panel, live_server
):
    evaluation, membership = panel
    u1 = save(membership, "U1", INCONSISTENT)
    page = open_as(membership.user, DESKTOP)
    page.goto(form_url(live_server, evaluation, u1))

    assert page.locator("#consistency [aria-live], #consistency [role=alert]").count() == 0
    assert page.locator("#consistency").get_attribute("aria-live") is None
    assert page.locator("form [aria-live], form [role=status]").count() == 1
    page.evaluate("window.verdict = document.querySelector('[data-part=verdict] .warn-box')")

    page.locator("details.comment summary").first.click()
    page.locator("textarea").first.fill("Hard to say")  # saves, the consistency unchanged
    page.wait_for_selector("text=Draft saved")

    assert page.evaluate(
        "window.verdict === document.querySelector('[data-part=verdict] .warn-box')"
    )
    assert re.fullmatch(r"CR \d\.\d{3}, inconsistent", page.locator(".cr-summary").inner_text())


def test_a_blocked_submit_flags_the_pairs_in_the_form_and_says_the_draft_was_kept(
    open_as, panel, live_server, screenshot
):
    evaluation, membership = panel
    u1 = evaluation.indicators.get(code="U1")
    page = open_as(membership.user, DESKTOP)
    page.goto(form_url(live_server, evaluation, u1))
    for key, value in zip(keys(u1), ["9", "1/9", "9", "9", "1/9", "9"], strict=True):
        page.check(f'input[name="pair-{key}"][value="{value}"]')

    page.get_by_role("button", name="Submit", exact=True).click()

    page.wait_for_selector("text=Your answers were saved as a draft; they were not submitted")
    assert not page.get_by_text("Nothing was saved").count()
    flagged = page.locator("fieldset.pair.flagged")
    assert flagged.count() == 3
    for rank in (1, 2, 3):
        note = flagged.filter(has_text=f"To revise: {rank} of 3")
        assert note.count() == 1 and "Your other answers suggest" in note.inner_text()
    screenshot("blocked")


def test_a_submit_goes_on_to_the_next_form_and_the_last_says_all_done(open_as, panel, live_server):
    evaluation, membership = panel
    u = evaluation.indicators.get(code="U")
    u1 = evaluation.indicators.get(code="U1")
    page = open_as(membership.user, DESKTOP)
    page.goto(form_url(live_server, evaluation, u1))
    for key, value in zip(keys(u1), ["2", "4", "8", "2", "4", "2"], strict=True):
        page.check(f'input[name="pair-{key}"][value="{value}"]')

    page.get_by_role("button", name="Submit", exact=True).click()

    page.wait_for_url(form_url(live_server, evaluation, u))
    assert page.get_by_text(f"Submitted: your comparisons for U1 {u1.name}.").is_visible()
    assert page.get_by_text(f"Next: U {u.name}.").count() == 1

    for code in ("U", "U2", "U3"):
        save(
            membership,
            code,
            CONSISTENT[evaluation.indicators.get(code=code).children.count()],
            True,
        )
    first, last = list(evaluation.subjects.all())
    grade = evaluation.grades.first()
    ratings = {
        str(leaf.pk): {"grade": grade.pk}
        for leaf in evaluation.indicators.filter(children__isnull=True)
    }
    services.rating_ballot_save(membership=membership, subject=first, ratings=ratings, submit=True)
    page.goto(f"{live_server.url}/panels/{evaluation.pk}/ratings/{last.pk}/")
    for leaf in evaluation.indicators.filter(children__isnull=True):
        page.check(f'input[name="grade-{leaf.pk}"][value="{grade.pk}"]')
    page.get_by_role("button", name="Submit", exact=True).click()

    page.wait_for_url(f"{live_server.url}/panels/{evaluation.pk}/")
    assert page.get_by_text("All done — thank you!", exact=False).is_visible()
    assert page.get_by_text("6 of 6 forms submitted.").is_visible()


def test_on_a_phone_the_links_of_my_panels_and_the_panels_forms_are_44px(
    open_as, panel, live_server
):
    evaluation, membership = panel
    page = open_as(membership.user, PHONE)  # lands on My panels

    assert too_small(page, "main td a") == []
    page.goto(f"{live_server.url}/panels/{evaluation.pk}/")
    assert too_small(page, "main td a, .back-link a") == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


FOCUS_AND_BAR = """() => {
  const e = document.activeElement, bar = document.querySelector('.form-actions');
  if (bar.contains(e) || e === document.body) return null;
  const r = e.getBoundingClientRect(), b = bar.getBoundingClientRect();
  return {bottom: r.bottom, bar: b.top, what: e.name || e.textContent.trim()};
}"""


def test_on_a_phone_the_sticky_submit_row_never_hides_the_focused_control(
    open_as, panel, live_server
):
    evaluation, membership = panel
    u1 = save(membership, "U1", INCONSISTENT)
    page = open_as(membership.user, PHONE)
    page.goto(form_url(live_server, evaluation, u1))
    page.locator("details.descriptions summary").focus()

    hidden = []
    for step in range(40):
        page.keyboard.press("Tab")
        box = page.evaluate(FOCUS_AND_BAR)
        if box and box["bottom"] > box["bar"] + 1:
            hidden.append((step, box["what"]))
    assert hidden == []
