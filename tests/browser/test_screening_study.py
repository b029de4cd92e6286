"""A full two-round screening study in a real browser, as a coordinator and two experts do it:
the coordinator sets up a survey on the Screening tab (a rating of U1's children and a typed
candidate placed under U1) and opens round 1; both experts answer it from My panels (the second
by keyboard only); the coordinator closes the round, reads the statistics, keeps the template's
items, drops the candidate and opens round 2; an expert reads the group's median and IQR and
their own previous answer, changes one answer and must say why; the coordinator closes round 2,
keeps the items and adopts them after reading what Adopt will do.

Screenshots of the main steps go to test-artifacts/screenshots/."""

import re

import pytest

from evaluations.models import AuditEntry
from surveys.models import (
    ItemDecision,
    ScreeningItem,
    ScreeningQuestion,
    ScreeningResponse,
    ScreeningRound,
    ScreeningSurvey,
)
from tests.conftest import PASSWORD, accepted_membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Indicator screening"
QUESTION = "How important is each indicator of procurement and sales?"
CANDIDATE = "Cross-border logistics"
TEMPLATE_ITEMS = [
    "Supplier selection",
    "Procurement authorisation",
    "Payment risk management",
    "Price control",
]
# Round 1's ratings in the items' order (the four template items, then the candidate).
ERIN = [4, 3, 5, 4, 2]
KIM = [5, 3, 4, 2, 1]
ERIN_AUTHORITY = {
    "practice": "high",
    "theory": "medium",
    "literature": "low",
    "intuition": "low",
    "familiarity": "familiar",
}
# Kim's self-rating by keyboard: Space picks a group's first option ("high", "very familiar").
KIM_AUTHORITY = dict.fromkeys(("practice", "theory", "literature", "intuition"), "high") | {
    "familiarity": "very_familiar"
}
REASON = "The group's median convinced me: supplier selection matters most."
MAX_TABS = 80  # from the top of the questionnaire to its first radio button, and then some


@pytest.fixture
def panel(evaluation, expert, make_user):
    """The draft evaluation (screening comes before the AHP stage) with two experts who have
    joined its panel: Erin and Kim."""
    kim = make_user("kim")
    accepted_membership(evaluation, expert)
    accepted_membership(evaluation, kim)
    return evaluation, expert, kim


@pytest.fixture
def open_as(browser, live_server):
    """A new browser context signed in through the sign-in form; it fails the test on any
    Content-Security-Policy violation and accepts every confirm() the pages ask."""
    contexts, blocked = [], []

    def open_(user):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/**")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert blocked == [], blocked


def confirmations(page) -> list[str]:
    """Accept every confirm() on the page, keeping what each asked."""
    asked: list[str] = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def items_in_order() -> list[ScreeningItem]:
    return list(ScreeningItem.objects.order_by("order", "pk"))


def rate(page, item: ScreeningItem, level: int) -> None:
    page.check(f'input[name="rating-{item.pk}"][value="{level}"]')


def rate_self(page, authority: dict[str, str]) -> None:
    for basis, level in authority.items():
        page.check(f'input[name="authority-{basis}"][value="{level}"]')


def focused(page) -> str:
    return page.evaluate(
        "() => [document.activeElement.name || '', document.activeElement.value || ''].join('=')"
    )


def tab_to(page, name: str) -> None:
    """Press Tab until the control named `name` has the focus."""
    for _press in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused(page).split("=")[0] == name:
            return
    raise AssertionError(f"Tab never reached {name}; the focus is on {focused(page)}")


def choose_by_keyboard(page, name: str, position: int) -> None:
    """In the radio group that has the focus, Space picks its first option and each arrow the
    next one: `position` 1 is the first option."""
    assert focused(page).split("=")[0] == name
    page.keyboard.press("Space")
    for _step in range(position - 1):
        page.keyboard.press("ArrowRight")
    assert page.is_checked(f'input[name="{name}"]:focus')


def answer_round_one_by_keyboard(page, items: list[ScreeningItem], levels: list[int]) -> None:
    """Kim's round 1 without the mouse: Tab into the first rating, pick each level, Tab on
    through the self-rating to Submit and press Enter."""
    tab_to(page, f"rating-{items[0].pk}")
    for n, (item, level) in enumerate(zip(items, levels, strict=True)):
        if n:
            page.keyboard.press("Tab")  # an unanswered group: its first option takes the focus
        choose_by_keyboard(page, f"rating-{item.pk}", level)
    for basis in ("practice", "theory", "literature", "intuition", "familiarity"):
        page.keyboard.press("Tab")
        choose_by_keyboard(page, f"authority-{basis}", 1)
    tab_to(page, "action")  # Save draft
    assert focused(page) == "action=save"
    page.keyboard.press("Tab")
    assert focused(page) == "action=submit"
    page.keyboard.press("Enter")


def row_cells(page, table_caption: str, name: str) -> list[str]:
    """The cells of the item's row in the rounds page's table with that caption."""
    table = page.locator("table", has=page.locator("caption", has_text=table_caption)).first
    row = table.locator("tbody tr", has=page.locator("th", has_text=name)).first
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def decide(page, item: ScreeningItem, decision: str) -> None:
    """Open the item's decision form on the rounds page, choose and save."""
    entry = page.locator(f"#decide-{item.pk}")
    entry.locator("summary").click()
    entry.get_by_label("Decision").select_option(decision)
    entry.get_by_role("button", name="Save decision").click()
    page.wait_for_selector(f"text=Decision saved for “{item.name}”.")


def test_a_two_round_study_from_setup_to_adopt_in_the_browser(
    page, live_server, sign_in, panel, open_as, screenshot
):
    evaluation, erin, kim = panel
    asked = confirmations(page)

    # --- The coordinator sets the survey up and opens round 1 ----------------------------
    sign_in(evaluation.owner)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/")
    page.get_by_role("link", name="Screening", exact=True).click()
    page.wait_for_selector("text=No screening surveys yet.")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("button", name="Create the survey").click()
    page.wait_for_selector(f"text=Survey “{TITLE}” created.")
    survey = ScreeningSurvey.objects.get()
    assert survey.reason_required and survey.ask_authority  # the defaults the study needs

    form = page.locator("#new-question form")
    form.get_by_label("importance rating").check()
    form.get_by_label("Question:", exact=True).fill(QUESTION)
    u1 = evaluation.indicators.get(code="U1")
    form.get_by_label("Items from the hierarchy").select_option(str(u1.pk))
    form.get_by_role("button", name="Add the question").click()
    page.wait_for_selector("text=Question added.")
    question = ScreeningQuestion.objects.get()
    assert question.kind == "rating" and question.levels == 5

    adding = page.locator(
        "details", has=page.locator(f"form[action$='/questions/{question.pk}/items/']")
    )
    adding.get_by_text("Add an item", exact=True).click()
    adding.get_by_label("Name").fill(CANDIDATE)
    adding.get_by_label("Place under").select_option(str(u1.pk))
    adding.get_by_role("button", name="Add the item").click()
    page.wait_for_selector("text=Item added.")
    items = items_in_order()
    assert [item.name for item in items] == [*TEMPLATE_ITEMS, CANDIDATE]
    assert items[-1].place_under_id == u1.pk and items[-1].indicator_id is None
    screenshot("1-setup", of=page)

    page.get_by_role("button", name="Open round 1").click()
    page.wait_for_selector("text=Round 1 is open: the panel's experts can answer it.")
    assert asked[-1] == "Open round 1? From then on the questions are fixed."
    assert re.search(r"/screening/\d+/rounds/$", page.url)

    # --- Erin answers every item and her self-rating, saves a draft, then submits ---------
    erin_page = open_as(erin)
    assert erin_page.url == f"{live_server.url}/panels/"
    erin_page.get_by_role("link", name=TITLE).click()
    erin_page.wait_for_selector(f"text={QUESTION}")
    for item, level in zip(items, ERIN, strict=True):
        rate(erin_page, item, level)
    rate_self(erin_page, ERIN_AUTHORITY)
    erin_page.get_by_role("button", name="Save draft").click()
    erin_page.wait_for_selector("text=Draft saved.")
    assert ScreeningResponse.objects.get(membership__user=erin).status == "draft"
    assert erin_page.is_checked(f'input[name="rating-{items[2].pk}"][value="5"]')
    erin_page.get_by_role("button", name="Submit").click()
    erin_page.wait_for_selector("text=Your answers are submitted.")
    screenshot("2-erin-round-1", of=erin_page)

    # --- Kim answers by keyboard only -----------------------------------------------------
    kim_page = open_as(kim)
    kim_page.get_by_role("link", name=TITLE).click()
    kim_page.wait_for_selector(f"text={QUESTION}")
    answer_round_one_by_keyboard(kim_page, items, KIM)
    kim_page.wait_for_selector("text=Your answers are submitted.")
    response = ScreeningResponse.objects.get(membership__user=kim)
    assert response.status == "submitted"
    assert response.answers[str(question.pk)] == {
        str(item.pk): level for item, level in zip(items, KIM, strict=True)
    }
    assert response.authority["familiarity"] == KIM_AUTHORITY["familiarity"]
    screenshot("3-kim-round-1-by-keyboard", of=kim_page)

    # --- The coordinator closes round 1, reads it, decides and opens round 2 --------------
    page.reload()
    page.get_by_role("button", name="Close round 1").click()
    page.wait_for_selector("text=Round 1 is closed.")
    assert asked[-1] == "Close round 1? Its answers can no longer change."
    # Supplier selection: 4 and 5 → N 2, mean 4.5; the candidate: 2 and 1 → mean 1.5.
    supplier = row_cells(page, "Descriptive statistics", "Supplier selection")
    assert supplier[:3] == ["2", "0", "0"] and supplier[3] == "4.500"
    assert row_cells(page, "Descriptive statistics", CANDIDATE)[3] == "1.500"
    chart = page.locator(f"#question-{question.pk} figure.chart-figure svg")
    assert chart.count() == 1 and "Threshold" in chart.inner_html()
    screenshot("4-round-1-closed", of=page)

    for item in items[:-1]:
        decide(page, item, "keep")
    decide(page, items[-1], "drop")
    page.get_by_role("button", name="Open round 2").click()
    page.wait_for_selector("text=Round 2 is open.")
    assert ItemDecision.objects.filter(round__number=1).count() == 5

    # --- Erin reads the group's answers, changes one and must say why ----------------------
    erin_page.goto(f"{live_server.url}/panels/")
    erin_page.get_by_role("link", name=TITLE).click()
    erin_page.wait_for_selector("text=Round 2")
    supplier_row = erin_page.locator(f"tr#rating-{items[0].pk}")
    # Round 1's 4 and 5: median 4.5, IQR 0.5; her own answer was 4.
    assert "median 4.50, IQR 0.50 (N = 2)" in supplier_row.inner_text()
    assert "Your answer in the round before: 4" in supplier_row.inner_text()
    assert supplier_row.locator("svg").count() == 1  # the distribution, drawn
    assert erin_page.get_by_text(CANDIDATE).count() == 0  # dropped: not asked again
    assert erin_page.is_checked(f'input[name="rating-{items[0].pk}"][value="4"]')  # prefilled

    reason_box = erin_page.locator(f"#reason-{items[0].pk}")
    assert not reason_box.is_visible()
    rate(erin_page, items[0], 5)
    assert reason_box.is_visible()  # the script unfolds the box beside the changed answer
    erin_page.get_by_role("button", name="Submit").click()
    erin_page.wait_for_selector("text=Nothing was saved:")
    error = erin_page.locator(f"#reason-{items[0].pk}-error")
    assert error.is_visible() and error.inner_text().strip()
    assert reason_box.get_attribute("aria-invalid") == "true"
    assert reason_box.get_attribute("aria-describedby") == f"reason-{items[0].pk}-error"
    submitted = ScreeningResponse.objects.filter(status="submitted", round__number=2)
    assert not submitted.exists()  # nothing saved
    screenshot("5-erin-round-2-reason-asked", of=erin_page)

    assert erin_page.is_checked(f'input[name="rating-{items[0].pk}"][value="5"]')  # as sent
    reason_box.fill(REASON)
    erin_page.get_by_role("button", name="Submit").click()
    erin_page.wait_for_selector("text=Your answers are submitted.")
    second = ScreeningResponse.objects.get(round__number=2, membership__user=erin)
    assert second.status == "submitted" and second.reasons == {str(items[0].pk): REASON}
    assert second.answers[str(question.pk)][str(items[0].pk)] == 5
    first = ScreeningResponse.objects.get(round__number=1, membership__user=erin)
    assert first.answers[str(question.pk)][str(items[0].pk)] == 4  # round 1 kept as it was

    # Kim keeps every answer: no reason is asked.
    kim_page.goto(f"{live_server.url}/panels/")
    kim_page.get_by_role("link", name=TITLE).click()
    kim_page.wait_for_selector("text=Round 2")
    kim_page.get_by_role("button", name="Submit").click()
    kim_page.wait_for_selector("text=Your answers are submitted.")

    # --- The coordinator closes round 2, keeps the items and adopts --------------------------
    page.reload()
    page.get_by_role("button", name="Close round 2").click()
    page.wait_for_selector("text=Round 2 is closed.")
    supplier = row_cells(page, "Descriptive statistics", "Supplier selection")
    assert supplier[3] == "4.500" and supplier[7 + 3] == "5.000"  # round 1, then round 2
    assert page.get_by_text(REASON).count() >= 1  # what changed and why
    screenshot("6-round-2-closed", of=page)
    for item in items[:-1]:
        decide(page, item, "keep")
    assert ScreeningRound.objects.filter(status="closed").count() == 2

    page.get_by_role("link", name=f"← {TITLE}").click()
    page.get_by_role("link", name="Adopt into the hierarchy…").click()
    page.wait_for_selector(f"text=Adopt “{TITLE}” into the hierarchy?")
    assert page.get_by_text("To add: 0 · to rename: 0 · to delete: 0").count() == 1
    outcomes = {
        row.locator("th").inner_text().strip(): row.locator("td").last.inner_text().strip()
        for row in page.locator("main table tbody tr").all()
    }
    assert outcomes == {
        **{name: f"U1{n} stays" for n, name in enumerate(TEMPLATE_ITEMS, start=1)},
        CANDIDATE: "not added (dropped or merged)",
    }
    screenshot("7-adopt-confirm", of=page)

    page.get_by_role("button", name="Adopt", exact=True).click()
    page.wait_for_selector(f"text=“{TITLE}” adopted")
    screenshot("8-adopted", of=page)
    page.get_by_role("link", name="Open the hierarchy editor").click()
    page.wait_for_selector("text=Indicator hierarchy")
    names = page.locator(f"#indicator-{u1.pk} .node-name").all_inner_texts()
    assert [name.strip() for name in names] == ["Procurement and sales management", *TEMPLATE_ITEMS]
    assert page.get_by_text(CANDIDATE).count() == 0
    screenshot("9-hierarchy", of=page)

    page.get_by_role("link", name="Overview", exact=True).click()
    assert page.get_by_text(f"adopted the screening survey “{TITLE}”").count() == 1
    assert AuditEntry.objects.filter(params__change="adopted", params__survey=survey.pk).exists()
