"""The coordinator sets an expert's weight for one criterion from the panel page, saves, and
sees it: on the per-criterion page, as "set" on the panel page, and in the results."""

import shutil
from pathlib import Path

import pytest

from evaluations.services.results import results_recompute
from tests.evaluations.test_results_pages import (
    EXPERTS,
    add_experts,
    open_for_ballots,
    submit_judgments,
    submit_ratings,
)

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/shots/criterion")


def keep(path: Path) -> None:
    """A copy for the person reviewing this change (the artifacts folder is not committed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_a_criterion_weight_is_set_saved_and_seen(
    page, live_server, sign_in, screenshot, coordinator, evaluation
):
    open_for_ballots(evaluation)
    wang, li = add_experts(evaluation, names=EXPERTS[:2])
    submit_judgments(evaluation, [wang, li])
    submit_ratings(evaluation, [wang, li])
    u2 = evaluation.indicators.get(code="U2")
    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/panel/")
    page.locator(f"#expert-{wang.pk} a.criterion-weights-link").click()
    page.wait_for_url(f"**/panel/{wang.pk}/criterion-weights/")

    page.fill(f"#criterion-{u2.pk}", "-2")
    page.click("main form.criterion-weights-form button[type=submit]")
    errors = page.locator("#criterion-weight-errors").inner_text()
    assert "Prof. Wang, criterion U2: “-2” is not a positive number" in errors
    keep(screenshot("refused"))

    page.fill(f"#criterion-{u2.pk}", "2.5")
    page.click("main form.criterion-weights-form button[type=submit]")
    assert "The weights per criterion of Prof. Wang are saved." in page.inner_text("main")
    assert page.input_value(f"#criterion-{u2.pk}") == "2.5"
    keep(screenshot("saved"))

    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/panel/")
    link = page.locator(f"#expert-{wang.pk} a.criterion-weights-link")
    assert link.inner_text() == "Weights per criterion (set)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(f"#expert-{wang.pk}").screenshot(path=str(SHOTS / "panel-row.png"))

    results_recompute(evaluation_id=evaluation.pk)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/results/")
    page.locator("details.method-settings summary").click()
    table = page.locator("#criterion-weights").inner_text()
    assert "Prof. Wang" in table and "U2" in table and "2.5" in table
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("details.method-settings").screenshot(path=str(SHOTS / "results-settings.png"))


@pytest.mark.robustness_analysis
def test_the_coordinator_picks_chang_and_sees_its_zero_weights(
    page, live_server, sign_in, coordinator, evaluation
):
    """The settings form offers the fuzzy methods; with Chang's, a matrix whose weights come
    out 0 is named on the results page, and the Robustness tab says why it has no simulation."""
    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/settings/")
    page.check("input[name=weighting_method][value=fuzzy_chang]")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("main form.settings-form").screenshot(path=str(SHOTS / "settings-form.png"))
    page.check("input[name=cr_policy][value=warn]")
    page.click("main form.settings-form button[type=submit]")
    page.wait_for_url(f"**/evaluations/{evaluation.pk}/**")
    evaluation.refresh_from_db()
    assert evaluation.weighting_method == "fuzzy_chang"

    evaluation.status = "open"
    evaluation.save()
    wang, li = add_experts(evaluation, names=EXPERTS[:2])
    submit_judgments(evaluation, [wang, li])
    submit_ratings(evaluation, [wang, li])
    results_recompute(evaluation_id=evaluation.pk)  # None when the ballots' own ran already
    zero = evaluation.snapshots.latest().data["zero_weight_warnings"]
    assert zero, "the panel's judgments give Chang's method a zero weight somewhere"

    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/results/")
    warning = page.locator("#zero-weights")
    assert f"in the matrix of {zero[0]['parent']}" in warning.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    warning.screenshot(path=str(SHOTS / "chang-zero-weights.png"))

    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/results/robustness/")
    unavailable = page.locator("#robustness-unavailable")
    assert "not available for fuzzy weighting methods" in unavailable.inner_text()
    page.screenshot(path=str(SHOTS / "chang-robustness-tab.png"))
