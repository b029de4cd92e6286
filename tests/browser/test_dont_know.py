""" "Don't know" on the expert's rating form in a real browser: the column appears where the
evaluation allows it, the autosave keeps the choice, a submit with grades and don't-knows is
accepted and the form shows the choice again; the coordinator's results count it.

Screenshots go to test-artifacts/screenshots/ (the form on a desktop and a phone, the results)."""

import pytest
from playwright.sync_api import expect

from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template
from evaluations.services.results import results_recompute
from surveys import services
from surveys.models import RatingBallot
from tests.browser import test_expert_form_usability as usability
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_expert_form_usability import DESKTOP, PHONE, too_small
from tests.conftest import accepted_membership
from tests.evaluations.test_results_pages import add_experts, submit_judgments, submit_ratings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

open_as = usability.open_as  # the signed-in page fixture of the form tests


@pytest.fixture
def panel(coordinator, make_user):
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["Acme", "Beta"]
    )
    evaluation.status = Evaluation.Status.OPEN
    evaluation.cr_policy = Evaluation.CRPolicy.WARN
    evaluation.allow_dont_know = True
    evaluation.save()
    return evaluation, accepted_membership(evaluation, make_user("erin"))


def rating_url(live_server, evaluation, subject) -> str:
    return f"{live_server.url}/panels/{evaluation.pk}/ratings/{subject.pk}/"


def test_an_expert_answers_dont_know_for_a_leaf_and_submits(
    open_as, panel, live_server, screenshot
):
    evaluation, membership = panel
    subject = evaluation.subjects.first()
    grade = evaluation.grades.first()
    u12 = evaluation.indicators.get(code="U12")
    page = open_as(membership.user, DESKTOP)
    page.goto(rating_url(live_server, evaluation, subject))

    assert page.get_by_role("columnheader", name="Don't know").count() == 3  # one per table
    page.get_by_role("radio", name=f"{u12.name}: Don't know").check()
    expect(page.locator(".save-status")).to_contain_text("Draft saved")
    assert RatingBallot.objects.get().ratings[str(u12.pk)]["dont_know"] is True
    for leaf in evaluation.indicators.filter(children__isnull=True).exclude(pk=u12.pk):
        page.check(f'input[name="grade-{leaf.pk}"][value="{grade.pk}"]')
    screenshot("form", of=page)

    page.get_by_role("button", name="Submit", exact=True).click()

    page.wait_for_url(lambda url: url != rating_url(live_server, evaluation, subject))
    assert page.get_by_text(f"Submitted: your ratings of {subject.name}.").is_visible()
    stored = RatingBallot.objects.get(subject=subject).submitted_ratings
    assert stored[str(u12.pk)] == {"grade": None, "dont_know": True, "comment": ""}
    page.goto(rating_url(live_server, evaluation, subject))
    assert page.get_by_role("radio", name=f"{u12.name}: Don't know").is_checked()
    assert page.get_by_text("Submitted").first.is_visible()


def test_on_a_phone_the_dont_know_targets_are_44px(open_as, panel, live_server, screenshot):
    evaluation, membership = panel
    page = open_as(membership.user, PHONE)
    page.goto(rating_url(live_server, evaluation, evaluation.subjects.first()))

    assert too_small(page, ".dont-know-cell label") == []
    screenshot("phone", of=page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("table.rating tbody tr").first.screenshot(
        path=str(ARTIFACTS / "dont-know-phone-row.png")
    )


def test_the_coordinator_sees_the_dont_know_beside_the_row(
    page, sign_in, panel, live_server, screenshot
):
    evaluation, _membership = panel
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)
    subject = evaluation.subjects.first()
    u11 = evaluation.indicators.get(code="U11")
    ballot = memberships[0].rating_ballots.get(subject=subject)
    ratings = {**ballot.submitted_ratings, str(u11.pk): {"grade": None, "dont_know": True}}
    services.rating_ballot_save(
        membership=memberships[0], subject=subject, ratings=ratings, submit=True
    )
    results_recompute(evaluation_id=evaluation.pk)
    sign_in(evaluation.owner)

    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/results/")

    warning = page.locator("section.few-ratings")
    assert warning.is_visible()
    assert "rated by 2 experts, 1 answered “don't know”" in warning.inner_text()
    row = page.locator("table.membership").first.locator("tr", has_text="U11").first
    assert row.locator("td.dont-know").inner_text() == "1"
    assert row.locator("td.rated").inner_text() == "2"
    screenshot("results")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    warning.screenshot(path=str(ARTIFACTS / "dont-know-results-warning.png"))
    page.locator("table.membership").first.screenshot(
        path=str(ARTIFACTS / "dont-know-results-membership.png")
    )
