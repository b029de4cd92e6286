"""Accessibility of the screening stage's pages, in English and Simplified Chinese, in a real
browser: axe finds no violation, every ARIA reference names an element that exists, and nothing
scrolls sideways at 320 px wide.

The pages, each in the state that shows the most: the evaluation's survey list; a survey's
setup page with questions of every kind (before round 1, every edit form there); the Adopt
confirm page (an item to add, one to rename, one left out); the rounds page with two closed
rounds (tables, chart, decision forms, what changed and why); an expert's round-2
questionnaire with the group's feedback, as loaded and after a submission refused for a
missing reason; and the open link's questionnaire, as loaded and after an empty submission.
Every <details> is unfolded before the checks, so the forms inside are checked too.

The helpers are test_accessibility.py's (axe, the ARIA reference check, the 320 px check).
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from evaluations.services import evaluation_create_from_template
from surveys.models import Channel, ScreeningItem, ScreeningQuestion
from surveys.screening import responses, services
from surveys.screening.open_link import open_link_enable
from tests.browser.test_accessibility import (
    LANGUAGES,
    MISSING_REFERENCES,
    _csp,
    axe,
    in_language,
    sideways,
    signed_in,
)
from tests.conftest import accepted_membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Kind = ScreeningQuestion.Kind
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}
RISKS = ["Credit risk", "Operational risk", "Market risk", "Legal risk"]
AUTHORITY = {
    "basis": {"practice": "high", "theory": "medium", "literature": "low", "intuition": "low"},
    "familiarity": "familiar",
}
UNFOLD = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"


@pytest.fixture(autouse=True)
def fresh_counts():
    """The open link's per-address limit counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


# --- the study's data, built through the stage's services ---------------------------------


def questions(survey, coordinator, evaluation) -> dict[str, ScreeningQuestion]:
    """A rating of U1's children with a typed candidate, a ranking of four typed risks, a
    choice with "other", and a suggestion box."""
    u1 = evaluation.indicators.get(code="U1")
    root = evaluation.indicators.get(parent__isnull=True)
    add = dict(survey=survey, actor=coordinator)
    rating = services.question_add(
        **add, kind=Kind.RATING, text="How important is each indicator?", levels=5, items_from=u1
    )
    services.item_add(
        question=rating, actor=coordinator, name="Cross-border logistics", place_under=u1
    )
    ranking = services.question_add(
        **add, kind=Kind.RANKING, text="Order the risks by importance.", items=RISKS,
        place_under=root, scoring="4, 3, 2, 1",
    )  # fmt: skip
    choice = services.question_add(
        **add, kind=Kind.CHOICE, text="What is your store's main problem?",
        items=["Stock", "Staff", "Payments"], allow_other=True,
    )  # fmt: skip
    suggestion = services.question_add(
        **add, kind=Kind.SUGGESTION, text="Which indicators are missing?"
    )
    return {"rating": rating, "ranking": ranking, "choice": choice, "suggestion": suggestion}


def ids(question, round_number: int = 1) -> list[int]:
    items = question.items.filter(first_round__lte=round_number).order_by("order", "pk")
    return list(items.values_list("pk", flat=True))


def sheet(asked: dict, levels, places, *, dropped=()) -> dict:
    """A complete answer: ratings in item order, the ranking by item positions, the first
    choice, a suggestion. Items in `dropped` are no longer asked."""
    rating, ranking, choice = asked["rating"], asked["ranking"], asked["choice"]
    rated = [item for item in ids(rating) if item not in dropped]
    ranked = ids(ranking)
    return {
        str(rating.pk): {str(item): level for item, level in zip(rated, levels, strict=True)},
        str(ranking.pk): {"order": [ranked[place] for place in places]},
        str(choice.pk): {"selected": [ids(choice)[0]]},
        str(asked["suggestion"].pk): {"text": "Delivery speed"},
    }


def submit(round, membership, answers, reasons=None) -> None:
    response = responses.response_for_expert(round=round, membership=membership)
    responses.response_save(
        response=response,
        answers=answers,
        reasons=reasons or {},
        authority=AUTHORITY,
        submit=True,
        channel=Channel.PAGE,
    )


def decide(round, coordinator, item_id: int, decision: str, **extra) -> None:
    item = ScreeningItem.objects.get(pk=item_id)
    services.decision_set(round=round, item=item, actor=coordinator, decision=decision, **extra)


def two_closed_rounds(evaluation, coordinator, members) -> dict:
    """Round 1 (three experts), the candidate dropped; round 2 (two experts, one changes an
    answer with a reason); after it U14 revised, one risk kept and the others dropped: Adopt
    would add one, rename one and leave the candidate out."""
    survey = services.survey_create(evaluation=evaluation, actor=coordinator, title="Screening")
    asked = questions(survey, coordinator, evaluation)
    rating, ranking = ids(asked["rating"]), ids(asked["ranking"])
    first = services.round_open(survey=survey, actor=coordinator)
    for membership, levels in zip(
        members, [(5, 4, 4, 2, 2), (3, 4, 4, 2, 1), (4, 4, 5, 3, 1)], strict=True
    ):
        submit(first, membership, sheet(asked, levels, (0, 1, 2, 3)))
    services.round_close(round=first, actor=coordinator)
    for item in rating[:4]:
        decide(first, coordinator, item, "keep")
    decide(first, coordinator, rating[4], "drop", note="Outside procurement")
    second = services.round_open(survey=survey, actor=coordinator)
    gone = {rating[4]}
    submit(second, members[0], sheet(asked, (5, 4, 4, 2), (0, 1, 2, 3), dropped=gone))
    reasons = {str(rating[0]): "The median convinced me"}
    submit(second, members[1], sheet(asked, (4, 4, 4, 2), (0, 1, 2, 3), dropped=gone), reasons)
    services.round_close(round=second, actor=coordinator)
    for item in rating[:3]:
        decide(second, coordinator, item, "keep")
    decide(second, coordinator, rating[3], "revise", new_name="Price and discount control")
    decide(second, coordinator, ranking[0], "keep")
    for item in ranking[1:]:
        decide(second, coordinator, item, "drop")
    return {"survey": survey}


def round_two_open(evaluation, coordinator, members) -> dict:
    """Round 1 answered by two experts and closed; round 2 open, with the open link on."""
    survey = services.survey_create(
        evaluation=evaluation, actor=coordinator, title="Second opinion"
    )
    asked = questions(survey, coordinator, evaluation)
    first = services.round_open(survey=survey, actor=coordinator)
    for membership, levels in zip(
        members[:2], [(5, 4, 4, 2, 2), (3, 4, 4, "none", 1)], strict=True
    ):
        levels = [None if level == "none" else level for level in levels]
        submit(first, membership, sheet(asked, levels, (0, 1, 2, 3)))
    services.round_close(round=first, actor=coordinator)
    services.round_open(survey=survey, actor=coordinator)
    token = open_link_enable(survey=survey, actor=coordinator)
    return {"survey": survey, "asked": asked, "token": token}


@pytest.fixture
def study(coordinator, make_user):
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["Acme", "Beta"]
    )
    erin = make_user("erin")
    members = [accepted_membership(evaluation, erin)]
    members += [accepted_membership(evaluation, make_user(name)) for name in ("kim", "lee")]
    closed = two_closed_rounds(evaluation, coordinator, members)
    running = round_two_open(evaluation, coordinator, members)
    draft = services.survey_create(evaluation=evaluation, actor=coordinator, title="Draft")
    questions(draft, coordinator, evaluation)
    return {
        "evaluation": evaluation,
        "coordinator": coordinator,
        "expert": erin,
        "closed": closed["survey"],
        "running": running,
        "draft": draft,
    }


# --- the pages and their states -----------------------------------------------------------


def refuse_a_changed_answer(page) -> None:
    """Change the first rating and submit without a reason: refused, nothing saved."""
    first = page.locator("table.screening-rating input[type=radio]:not(:checked)").first
    first.check()
    page.locator("button[name=action][value=submit]").click()  # "Submit" in either language
    page.wait_for_selector("#form-errors")


def submit_empty(page) -> None:
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_selector("#form-errors")


def pages(study) -> list[tuple[object, dict]]:
    """(persona, {page name: (path, what to do on it first or None)}) for each persona."""
    pk = study["evaluation"].pk
    closed, running, draft = study["closed"], study["running"]["survey"], study["draft"]
    coordinator = {
        "survey list": reverse("screening-setup", args=[pk]),
        "setup with questions": reverse("screening-setup-survey", args=[pk, draft.pk]),
        "setup after the rounds": reverse("screening-setup-survey", args=[pk, closed.pk]),
        "adopt confirm": reverse("screening-setup-adopt", args=[pk, closed.pk]),
        "rounds": reverse("screening-rounds", args=[pk, closed.pk]),
    }
    questionnaire = reverse("screening-respond", args=[pk, running.pk])
    open_link = reverse("screening-open-link", args=[study["running"]["token"]])
    return [
        (study["coordinator"], {name: (path, None) for name, path in coordinator.items()}),
        (
            study["expert"],
            {
                "questionnaire, round 2": (questionnaire, None),
                "questionnaire, reason missing": (questionnaire, refuse_a_changed_answer),
            },
        ),
        (
            None,
            {
                "open link": (open_link, None),
                "open link, submitted empty": (open_link, submit_empty),
            },
        ),
    ]


def visit(browser, live_server, study, language: str, check, viewport=DESKTOP) -> dict:
    """Run `check(page, name)` on every screening page, as the persona who reads it, with
    every <details> unfolded; returns {page name: what check found} where it found something."""
    found = {}
    for user, named in pages(study):
        context = browser.new_context(viewport=viewport)
        in_language(context, live_server, language)
        if user is not None:
            signed_in(context, live_server, user)
        page = context.new_page()
        page.set_default_timeout(15_000)
        blocked: list[str] = []
        page.on("console", lambda message, blocked=blocked: _csp(message, blocked))
        for name, (path, prepare) in named.items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, (name, path, response.status)
            if prepare is not None:
                prepare(page)
            page.wait_for_load_state("networkidle")
            page.evaluate(UNFOLD)
            result = check(page, name)
            if result:
                found[name] = result
        context.close()
        assert blocked == [], blocked
    return found


def test_the_pages_show_what_the_checks_are_meant_to_cover(browser, live_server, study):
    """The states the other tests rely on: a chart and decision forms on the rounds page,
    feedback and a reason error on the questionnaire, errors on the open link's."""
    expected = {
        "rounds": ["svg.chart", "#decide form", "#decide-heading"],
        "adopt confirm": ["form button[type=submit]"],
        "setup with questions": ["#new-question form", "details.node-form form"],
        "questionnaire, round 2": [".screening-feedback svg", "details[data-reason]"],
        "questionnaire, reason missing": ["textarea[aria-invalid=true]"],
        "open link, submitted empty": ["[aria-invalid=true]"],
    }

    def missing(page, name):
        return [
            selector for selector in expected.get(name, ()) if not page.locator(selector).count()
        ]

    assert visit(browser, live_server, study, "en", missing) == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_no_violations_on_the_screening_pages(browser, live_server, study, language):
    violations = visit(browser, live_server, study, language, lambda page, name: axe(page))

    assert violations == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_no_violations_on_the_screening_pages_at_320_pixels(
    browser, live_server, study, language
):
    """Zoomed in, the wide tables and charts scroll inside themselves and take the focus."""
    violations = visit(
        browser, live_server, study, language, lambda page, name: axe(page), viewport=PHONE
    )

    assert violations == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_aria_reference_on_the_screening_pages_names_an_element(
    browser, live_server, study, language
):
    missing = visit(
        browser,
        live_server,
        study,
        language,
        lambda page, name: page.evaluate(MISSING_REFERENCES),
    )

    assert missing == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_screening_page_scrolls_sideways_at_320_pixels(browser, live_server, study, language):
    found = visit(browser, live_server, study, language, sideways, viewport=PHONE)

    assert found == {}
