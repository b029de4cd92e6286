"""The Robustness tab in a real browser, in English and Simplified Chinese: it loads without a
console error, axe finds no violation, every ARIA reference names an element, nothing scrolls
sideways on a 390 px phone (nor at 320 px, 400 % zoom), and the chart's criterion can be
chosen with the keyboard alone.

The page is in the state that shows the most: flip points with a most critical criterion,
a finished analysis with judgment noise and panel resampling, a flagged expert (the
coordinator's section, every <details> unfolded). Screenshots go to /tmp/shots/ for a person
to look at.
"""

from pathlib import Path

import pytest
from django.urls import reverse

from evaluations.models import RobustnessAnalysis
from evaluations.services import evaluation_transition
from tests.browser.test_accessibility import (
    LANGUAGES,
    MISSING_REFERENCES,
    _csp,
    axe,
    in_language,
    signed_in,
)
from tests.evaluations.robustness.test_robustness_page import analysis_data, robustness_data
from tests.evaluations.test_results_pages import add_experts, submit_judgments, submit_ratings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ZOOMED = {"width": 320, "height": 640}
SHOTS = Path("/tmp/shots")
UNFOLD = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
# Elements wider than the window that are not inside a region scrolling on its own.
WIDE = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1)
  .filter(e => !e.closest('.table-scroll, .chart-figure'))
  .slice(0, 4)
  .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


@pytest.fixture
def robust(coordinator):
    """An open evaluation with results, their flip points and a finished analysis with both
    sources of uncertainty and a flagged expert."""
    from evaluations.services import evaluation_create_from_template

    evaluation = evaluation_create_from_template(
        owner=coordinator,
        template_key="sme-management-measures",
        subjects=["Acme Online", "Beta Shop"],
    )
    evaluation.cr_policy = "warn"
    evaluation.save()
    evaluation_transition(evaluation=evaluation, actor=coordinator, action="open")
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)  # results computed in-process after commit
    snapshot = evaluation.snapshots.order_by("-version").first()
    snapshot.data["robustness"] = robustness_data(snapshot)
    snapshot.save(update_fields=["data"])
    data = analysis_data(snapshot)
    data.pop("names")
    data["simulation"]["bootstrap"] = {
        **data["simulation"]["noise"], "source": "bootstrap", "draws": 2000, "complete": 1987,
        "k": None,
    }  # fmt: skip
    RobustnessAnalysis.objects.filter(evaluation=evaluation).delete()
    RobustnessAnalysis.objects.create(
        evaluation=evaluation, snapshot=snapshot, version=snapshot.version, status="done",
        data=data,
    )  # fmt: skip
    return {"evaluation": evaluation, "coordinator": coordinator}


def open_page(browser, live_server, robust, language="en", viewport=DESKTOP, query=""):
    """The coordinator's Robustness tab, loaded; returns (page, console errors, context)."""
    context = browser.new_context(viewport=viewport)
    in_language(context, live_server, language)
    signed_in(context, live_server, robust["coordinator"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    blocked: list[str] = []
    page.on("console", lambda message: _csp(message, blocked))
    path = reverse("results-robustness", args=[robust["evaluation"].pk]) + query
    response = page.goto(live_server.url + path)
    assert response.status == 200, response.status
    page.wait_for_load_state("networkidle")
    page.evaluate(UNFOLD)
    return page, errors + blocked, context


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"robustness-{name}.png"), full_page=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_loads_without_console_errors_and_axe_finds_nothing(
    browser, live_server, robust, language
):
    page, errors, context = open_page(browser, live_server, robust, language)
    shot(page, f"desktop-{language}")

    assert page.locator("#chart-score-lines-title").count() == 1
    assert page.locator("svg.chart").count() == 7  # lines; 2 × (ranks, grades, weights)
    assert page.locator(".flagged-experts").count() == 1
    assert axe(page) == []
    assert page.evaluate(MISSING_REFERENCES) == []
    context.close()
    assert errors == []


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("zoomed", ZOOMED)])
def test_nothing_scrolls_sideways_on_a_phone(browser, live_server, robust, name, viewport):
    page, errors, context = open_page(browser, live_server, robust, "zh-hans", viewport)
    shot(page, name)
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    wide = page.evaluate(WIDE, viewport["width"])

    assert (width, wide) == (viewport["width"], [])
    assert axe(page) == []  # the wide tables and charts scroll inside themselves, focusably
    context.close()
    assert errors == []


def test_the_criterion_is_chosen_with_the_keyboard(browser, live_server, robust):
    page, errors, context = open_page(browser, live_server, robust)

    page.focus("#chart-criterion")
    page.keyboard.press("End")  # the last option: U12, under U1
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the Show button
    shot(page, "chosen")

    assert page.url.endswith("?criterion=U12#score-lines")
    title = page.locator("#chart-score-lines-title").text_content()
    assert title.startswith("Scores as the weight of U12")
    context.close()
    assert errors == []
