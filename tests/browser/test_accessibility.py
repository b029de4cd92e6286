"""Accessibility of every app page, in English and Simplified Chinese, in a real browser.

axe-core (tests/browser/assets/axe.min.js, a test asset the app never serves) finds no
violations; what axe does not check is asserted on the DOM: every aria-describedby /
aria-labelledby names an element that exists, a skip link comes first, nothing scrolls
sideways at 320 px wide (400 % zoom), and data in the evaluation's language carries its `lang`
inside pages in another one.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluations.given_weights.services import given_weights_set
from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template, evaluation_transition
from experts.selectors import hash_token
from experts.services import panel_add_experts
from surveys.paper.models import AssistantInvitation
from surveys.services import rating_ballot_save
from tests.conftest import accepted_membership
from tests.evaluations.test_results_pages import add_experts, submit_judgments, submit_ratings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
LANGUAGES = ["en", "zh-hans"]

# axe.run over the whole document; the violations with the first few offending nodes each.
RUN_AXE = """async (exclude) => {
  const context = exclude.length ? {include: [document], exclude: exclude.map(s => [s])} : document;
  const result = await axe.run(context, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    rule: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""
MISSING_REFERENCES = """() => {
  const missing = [];
  for (const attribute of ["aria-describedby", "aria-labelledby", "aria-controls", "for"]) {
    for (const element of document.querySelectorAll(`[${attribute}]`)) {
      if (attribute === "for" && element.tagName !== "LABEL") continue;
      for (const id of element.getAttribute(attribute).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) missing.push(`${element.tagName} ${attribute}=${id}`);
      }
    }
  }
  return missing;
}"""


@pytest.fixture
def site(coordinator, make_user):
    """An open evaluation with results, an expert on its panel, a pending invitation, and a
    second evaluation in Chinese: every app page has something to show."""
    evaluation = evaluation_create_from_template(
        owner=coordinator,
        template_key="sme-management-measures",
        subjects=["Acme Online", "Beta Shop"],
    )
    evaluation.cr_policy = Evaluation.CRPolicy.WARN
    evaluation.allow_dont_know = True  # the forms' and results' "don't know" parts are checked
    evaluation.save()
    evaluation_transition(evaluation=evaluation, actor=coordinator, action="open")
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)  # results computed in-process after commit
    _one_dont_know(evaluation, memberships[0])
    u3 = evaluation.indicators.get(code="U3")  # given weights: the results show them too
    given_weights_set(
        indicator=u3,
        actor=coordinator,
        weights={str(c.pk): "1/4" for c in u3.children.all()},
        source="Regulation X, 2024",
    )
    expert = make_user("erin")
    accepted_membership(evaluation, expert)
    (link,) = panel_add_experts(
        evaluation=evaluation, actor=coordinator, text="Kim, kim@example.com", base_url=""
    )
    # An assistant invitation waiting (surveys/paper/): its page, and its row on Paper forms.
    AssistantInvitation.objects.create(
        evaluation=evaluation, email="typist@example.com", token_hash=hash_token("a11y-token"),
        invited_by=coordinator, sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    chinese = evaluation_create_from_template(
        owner=coordinator,
        template_key="ecommerce-platform-management",
        subjects=["甲企业"],
        language="zh-hans",
    )
    return {
        "evaluation": evaluation,
        "chinese": chinese,
        "coordinator": coordinator,
        "expert": expert,
        "invitation": link.removeprefix(settings.SITE_URL),
    }


def _one_dont_know(evaluation, membership) -> None:
    """A don't-know for U11 of the first subject: a count beside its row and, rated by two of
    three experts, a warning about few ratings."""
    subject = evaluation.subjects.first()
    ratings = dict(membership.rating_ballots.get(subject=subject).submitted_ratings)
    ratings[str(evaluation.indicators.get(code="U11").pk)] = {"grade": None, "dont_know": True}
    rating_ballot_save(membership=membership, subject=subject, ratings=ratings, submit=True)


def coordinator_pages(site) -> dict[str, str]:
    evaluation = site["evaluation"]
    pk = evaluation.pk
    subject = evaluation.subjects.first()
    return {
        "home": reverse("home"),
        "create": reverse("evaluation-create"),
        "overview": reverse("evaluation-detail", args=[pk]),
        "hierarchy": reverse("hierarchy-edit", args=[pk]),
        "given weights": reverse(
            "given-weights-edit", args=[pk, evaluation.indicators.get(code="U3").pk]
        ),
        "grades": reverse("grades-edit", args=[pk]),
        "subjects": reverse("subjects-edit", args=[pk]),
        "settings": reverse("evaluation-settings", args=[pk]),
        "panel": reverse("panel", args=[pk]),
        "panel (draft)": reverse("panel", args=[site["chinese"].pk]),
        "results": reverse("results", args=[pk]),
        "profile": reverse("results-profile", args=[pk, subject.pk]),
        "report": reverse("results-report", args=[pk]),
        "api tokens": reverse("api-tokens"),
        # Paper entry (surveys/paper/): the list, one expert's forms, and both entry forms.
        "paper forms": reverse("paper-home", args=[pk]),
        "paper forms of an expert": reverse("paper-member", args=[pk, _member(evaluation)]),
        "paper pairwise": reverse(
            "paper-pairwise",
            args=[pk, _member(evaluation), evaluation.indicators.get(code="U1").pk],
        ),
        "paper rating": reverse("paper-rating", args=[pk, _member(evaluation), subject.pk]),
    }


def _member(evaluation) -> int:
    return evaluation.memberships.order_by("pk").first().pk


def expert_pages(site) -> dict[str, str]:
    evaluation = site["evaluation"]
    pk = evaluation.pk
    return {
        "my panels": reverse("expert-home"),
        "questionnaire": reverse("questionnaire", args=[pk]),
        "pairwise": reverse("pairwise-form", args=[pk, evaluation.indicators.get(code="U1").pk]),
        "rating": reverse("rating-form", args=[pk, evaluation.subjects.first().pk]),
    }


def anonymous_pages(site) -> dict[str, str]:
    return {
        "invitation": site["invitation"],
        "assistant invitation": reverse("assistant-invitation", args=["a11y-token"]),
        "login": reverse("login"),
    }


def signed_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def in_language(context, live_server, language: str) -> None:
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )


def visit_all(browser, live_server, site, language: str, check, viewport=None):
    """Run `check(page, name)` on every app page as the persona who reads it; returns
    {page name: what check returned} for the pages where it returned something truthy."""
    found = {}
    personas = [
        (site["coordinator"], coordinator_pages(site)),
        (site["expert"], expert_pages(site)),
        (None, anonymous_pages(site)),
    ]
    for user, pages in personas:
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        in_language(context, live_server, language)
        if user is not None:
            signed_in(context, live_server, user)
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda message, blocked=blocked: _csp(message, blocked))
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, (name, path, response.status)
            page.wait_for_load_state("networkidle")
            result = check(page, name)
            if result:
                found[name] = result
        context.close()
        assert blocked == [], blocked
    return found


def _csp(message, blocked: list[str]) -> None:
    if "Content Security Policy" in message.text:
        blocked.append(message.text)


def axe(page, exclude=()) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated rather than added as a <script>: the site's CSP allows its own scripts only.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE, list(exclude))


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_no_violations_on_any_app_page(browser, live_server, site, language):
    violations = visit_all(browser, live_server, site, language, lambda page, name: axe(page))

    assert violations == {}


def test_axe_finds_no_violations_at_320_pixels_either(browser, live_server, site):
    """Zoomed in, wide tables and charts scroll inside themselves: they must take the focus."""
    violations = visit_all(
        browser,
        live_server,
        site,
        "en",
        lambda page, name: axe(page),
        viewport={"width": 320, "height": 640},
    )

    assert violations == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_aria_reference_names_an_element_that_exists(browser, live_server, site, language):
    missing = visit_all(
        browser, live_server, site, language, lambda page, name: page.evaluate(MISSING_REFERENCES)
    )

    assert missing == {}


def test_a_skip_link_is_the_first_thing_the_keyboard_reaches(browser, live_server, site):
    def first_focus(page, name):
        first = page.evaluate(
            """() => document.querySelector(
              'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]'
            ).className"""
        )
        if first != "skip-link":
            return first
        if page.evaluate("() => document.activeElement !== document.body"):
            return None  # a field with autofocus (sign-in): the skip link is still first
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => [document.activeElement.className, document.activeElement.getAttribute('href')]"
        )
        if focused != ["skip-link", "#main"]:
            return focused
        page.keyboard.press("Enter")
        if page.evaluate("() => document.activeElement.id") != "main":
            return "Enter on the skip link did not move the focus to the content"
        return None

    assert visit_all(browser, live_server, site, "en", first_focus) == {}


def sideways(page, name):
    """The page's width and its widest offenders when it scrolls sideways at 320 px."""
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    if width <= 320:
        return None
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 321)
            .filter(e => !e.closest('.table-scroll, .chart-figure, pre'))
            .slice(0, 4).map(e => e.tagName + '.' + e.className + ' ' +
              Math.round(e.getBoundingClientRect().right))"""
    )
    return width, wide


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_scrolls_sideways_at_320_pixels(browser, live_server, site, language):
    found = visit_all(
        browser, live_server, site, language, sideways, viewport={"width": 320, "height": 640}
    )

    assert found == {}


# Swagger UI (the API docs) is a vendored third-party widget whose markup we do not write.
# Three of its structures fail axe rules and are excluded from those rules only, each for the
# widget's own element: an operation's summary is a <button> holding the operation's deep link
# (nested-interactive); its tag headings are <h3> under the <h1> title (heading-order); the
# title block sits outside any landmark (region). Everything else is checked, after our
# contrast fixes (static/css/api-docs.css) and with the document's language set.
DOCS_EXCLUSIONS = {
    "nested-interactive": ".swagger-ui .opblock-summary-control",
    "heading-order": ".swagger-ui .opblock-tag",
    "region": ".swagger-ui .information-container",
}
RUN_AXE_EXCEPT = """async (rules) => {
  const names = Object.keys(rules);
  const off = Object.fromEntries(names.map(rule => [rule, {enabled: false}]));
  const everything = await axe.run(document, {resultTypes: ["violations"], rules: off});
  const found = everything.violations.map(v => v.id);
  for (const rule of names) {
    const only = await axe.run(
      {include: [document], exclude: [[rules[rule]]]},
      {resultTypes: ["violations"], runOnly: {type: "rule", values: [rule]}},
    );
    found.push(...only.violations.map(v => v.id + " " + v.nodes.map(n => n.target).join(" ")));
  }
  return found;
}"""


def test_the_api_docs_pass_axe_but_for_the_widgets_documented_exceptions(page, live_server):
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=/api/v1/evaluations/")
    page.wait_for_load_state("networkidle")
    axe(page)  # loads axe
    assert page.evaluate("() => document.documentElement.lang") == "en"

    collapsed = page.evaluate(RUN_AXE_EXCEPT, DOCS_EXCLUSIONS)
    page.locator(".opblock-summary-control").first.click()  # an operation opened
    page.wait_for_selector(".opblock-body")
    opened = page.evaluate(RUN_AXE_EXCEPT, DOCS_EXCLUSIONS)

    assert collapsed == [] and opened == []


MAIN_PAGES = {
    "home", "overview", "settings", "results", "profile", "report", "my panels",
    "questionnaire", "pairwise", "rating",
}  # fmt: skip


def test_english_data_in_a_chinese_page_is_marked_english(browser, live_server, site):
    evaluation = site["evaluation"]

    def unmarked(page, name):
        if name not in MAIN_PAGES:
            return None
        return page.evaluate(
            """(title) => {
              const hits = [...document.querySelectorAll('h1, h2, h3, td, th, a, strong, li')]
                .filter(e => e.childElementCount === 0 && e.textContent.includes(title));
              return hits.filter(e => !e.closest('[lang="en"]')).map(e => e.outerHTML).slice(0, 3);
            }""",
            evaluation.title,
        )

    found = visit_all(browser, live_server, site, "zh-hans", unmarked)

    assert found == {}


def test_the_favicon_answers_at_the_site_root(live_server):
    import urllib.request

    with urllib.request.urlopen(live_server.url + "/favicon.ico") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/x-icon"
        assert response.read()[:4] == b"\x00\x00\x01\x00"
