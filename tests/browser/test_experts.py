"""Three experts answer through their invitation links in a real browser; one is inconsistent
at first and fixes the flagged judgment; the coordinator then reads results and profiles."""

import pytest
from django.conf import settings

from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template, evaluation_transition
from experts.services import panel_add_experts
from surveys.models import PairwiseBallot
from surveys.services import pair_key
from surveys.wording import token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long demo passphrase"
CONSISTENT = {3: [2, 4, 2], 4: [2, 4, 8, 2, 4, 2]}
SECOND = {3: [3, 4, 2], 4: [3, 4, 6, 2, 3, 2]}
FLAWED_U1 = [2, 1 / 4, 8, 2, 4, 2]  # U11 vs U13 backwards: CR 0.37
CARELESS_U3 = [1 / 9, 9, 1 / 9, 9, 1 / 9, 9]  # submitted anyway under the warn policy


@pytest.fixture
def panel(coordinator):
    evaluation = evaluation_create_from_template(
        owner=coordinator,
        template_key="sme-management-measures",
        subjects=["Acme Online", "Beta Shop"],
    )
    evaluation.cr_policy = Evaluation.CRPolicy.WARN
    evaluation.save()
    evaluation_transition(evaluation=evaluation, actor=coordinator, action="open")
    links = panel_add_experts(
        evaluation=evaluation,
        actor=coordinator,
        text="Li Wei, li@example.com\nZhang Min, zhang@example.com\nWang Fang, wang@example.com",
        base_url="",
    )
    return evaluation, links


def answer_pairs(page, parent, values) -> None:
    children = list(parent.children.all())
    keys = [pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    for key, value in zip(keys, values, strict=True):
        page.check(f'input[name="pair-{key}"][value="{token(value)}"]')


def accept(page, live_server, link: str, username: str) -> None:
    page.goto(live_server.url + link.removeprefix(settings.SITE_URL))
    page.fill("#id_username", username)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account and accept").click()
    page.wait_for_url(f"{live_server.url}/panels/")


def back_to_the_list(page) -> None:
    """A submit leads on to the next form still to answer; these steps go by the list."""
    if "/pairwise/" in page.url or "/ratings/" in page.url:
        page.locator(".back-link a").click()
        page.wait_for_selector("text=forms submitted.")


def fill_everything(page, evaluation, number: int, screenshot, fix_u1=False, careless=False):
    page.get_by_role("link", name=evaluation.title).click()
    for code in ("U", "U1", "U2", "U3"):
        parent = evaluation.indicators.get(code=code)
        page.get_by_role("link", name=f"{code} {parent.name}").click()
        values = (CONSISTENT if number != 2 else SECOND)[parent.children.count()]
        if fix_u1 and code == "U1":
            answer_pairs(page, parent, FLAWED_U1)
            page.wait_for_selector("text=Inconsistent: CR = 0.369")  # live, from the engine
            screenshot("flagged")
            worst = page.locator("fieldset.pair.flagged").filter(has_text="To revise: 1 of")
            worst.get_by_role("button", name="Use this value").click()
            page.wait_for_selector("text=Consistent: CR = 0.086")
            screenshot("fixed")
        elif careless and code == "U3":
            answer_pairs(page, parent, CARELESS_U3)
        else:
            answer_pairs(page, parent, values)
        page.get_by_role("button", name="Submit", exact=True).click()
        page.wait_for_selector(f"text=Submitted: your comparisons for {code} ")
        back_to_the_list(page)
    for position, subject in enumerate(evaluation.subjects.all()):
        page.get_by_role("link", name=subject.name).click()
        grades = list(evaluation.grades.all())
        for index, leaf in enumerate(evaluation.indicators.filter(children__isnull=True)):
            grade = grades[(index + number + 2 * position) % len(grades) // 2 + position]
            page.check(f'input[name="grade-{leaf.pk}"][value="{grade.pk}"]')
        page.get_by_role("button", name="Submit", exact=True).click()
        page.wait_for_selector(f"text=Submitted: your ratings of {subject.name}.")
        back_to_the_list(page)
    assert page.get_by_text("All done — thank you!", exact=False).is_visible()
    assert page.get_by_text("6 of 6 forms submitted.").is_visible()


def test_three_experts_answer_and_the_coordinator_reads_results_warnings_and_profiles(
    browser, live_server, panel, coordinator, screenshot, page, sign_in
):
    evaluation, links = panel
    for number, link in enumerate(links, start=1):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        expert_page = context.new_page()
        expert_page.set_default_timeout(15_000)
        accept(expert_page, live_server, link, f"expert{number}")

        def shot(step, expert_page=expert_page, number=number):
            screenshot(f"expert{number}-{step}", of=expert_page)

        fill_everything(
            expert_page, evaluation, number, shot, fix_u1=number == 1, careless=number == 3
        )
        context.close()

    u1 = evaluation.indicators.get(code="U1")
    fixed = PairwiseBallot.objects.get(parent=u1, membership__email="li@example.com")
    assert fixed.status == "submitted" and fixed.consistent is True
    careless = PairwiseBallot.objects.get(
        parent__code="U3", parent__evaluation=evaluation, membership__email="wang@example.com"
    )
    assert careless.consistent is False

    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/results/")
    page.wait_for_selector("text=U3")
    content = page.content()
    assert "Wang Fang" in content  # named as the cause of the U3 warning
    screenshot("results")
    page.get_by_role("link", name="Acme Online").first.click()
    page.wait_for_selector("text=Acme Online")
    screenshot("profile")
    assert "Weak points" in page.content() or "weak points" in page.content()
