"""In a real browser: an expert skips a pair ("I cannot compare these two"), sees the live
panel weigh the incomplete matrix and submits; skipping too many is refused naming the pair
that would link the rest (issue 15 §1)."""

from pathlib import Path

import pytest

from surveys import services
from surveys.models import PairwiseBallot
from tests.browser.test_accessibility import axe
from tests.conftest import accepted_membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/skip")
CYCLE = ["2", None, "4", "2", None, "2"]  # U11–U13 and U12–U14 skipped: CR 0.035
UNLINKED = ["2", "4", None, "2", None, None]  # nobody compares with the fourth


@pytest.fixture
def skipping(open_evaluation, expert):
    open_evaluation.allow_skipped_comparisons = True
    open_evaluation.save()
    return accepted_membership(open_evaluation, expert)


def keys_of(parent) -> list[str]:
    children = list(parent.children.all())
    return [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]


def answer(page, parent, values) -> None:
    for key, value in zip(keys_of(parent), values, strict=True):
        page.check(f'input[name="pair-{key}"][value="{value or "skip"}"]')


def shot(page, screenshot, step: str) -> None:
    screenshot(step)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{step}.png"), full_page=True)


def test_an_expert_skips_a_pair_and_submits(
    page, live_server, sign_in, expert, open_evaluation, skipping, screenshot
):
    u1 = open_evaluation.indicators.get(code="U1")
    sign_in(expert)
    page.goto(f"{live_server.url}/panels/{open_evaluation.pk}/pairwise/{u1.pk}/")
    assert page.get_by_text("I cannot compare these two").count() == 6

    answer(page, u1, CYCLE)
    page.wait_for_selector("text=2 comparisons skipped")  # the autosaved panel, redrawn
    page.wait_for_selector("text=Consistent: CR = 0.035")
    shot(page, screenshot, "form-two-skipped")
    assert axe(page) == []

    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(f"{live_server.url}/**")
    page.wait_for_selector("text=Submitted")
    ballot = PairwiseBallot.objects.get(membership=skipping, parent=u1)
    assert ballot.submitted_at is not None
    skipped = [k for k, a in ballot.submitted_judgments.items() if a.get("skipped")]
    assert skipped == [keys_of(u1)[1], keys_of(u1)[4]]

    page.goto(f"{live_server.url}/panels/{open_evaluation.pk}/pairwise/{u1.pk}/")
    assert page.locator('input[value="skip"]:checked').count() == 2


def test_skipping_too_many_is_refused_naming_the_pair(
    page, live_server, sign_in, expert, open_evaluation, skipping, screenshot
):
    u2 = open_evaluation.indicators.get(code="U2")
    first, last = u2.children.first().code, u2.children.last().code
    sign_in(expert)
    page.goto(f"{live_server.url}/panels/{open_evaluation.pk}/pairwise/{u2.pk}/")

    answer(page, u2, UNLINKED)
    hint = f"Answer {first} vs {last} to connect them"
    page.wait_for_selector(f"#consistency >> text={hint}")  # said live, before submitting
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_selector(".warn-box[role=alert]")
    assert hint in page.locator(".warn-box[role=alert]").inner_text()
    assert (
        page.locator(f"#pair-{keys_of(u2)[2]} .errorlist")
        .inner_text()
        .endswith("then submit again.")
    )
    shot(page, screenshot, "form-too-many-skipped")
    assert axe(page) == []
    ballot = PairwiseBallot.objects.get(membership=skipping, parent=u2)
    assert ballot.submitted_at is None and ballot.status == "draft"  # kept as a draft only


def test_the_coordinator_allows_skipping_and_reads_the_counts_in_the_results(
    page, live_server, sign_in, coordinator, evaluation, screenshot
):
    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/settings/")
    page.get_by_label("Experts may skip comparisons").check()
    shot(page, screenshot, "settings")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_selector("text=Settings saved.")
    evaluation.refresh_from_db()
    assert evaluation.allow_skipped_comparisons is True

    from tests.evaluations.test_results_skipped import run

    run(evaluation)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/results/")
    details = page.locator("details.matrix-details", has_text="Judgment matrix U1")
    details.locator("summary").click()
    page.wait_for_selector("text=3 pairs skipped")
    assert page.get_by_text("Nobody answered U11 – U13").is_visible()
    shot(page, screenshot, "results")
    assert axe(page) == []
    section = page.locator("section", has=details)
    section.screenshot(path=str(SHOTS / "results-matrices.png"))
