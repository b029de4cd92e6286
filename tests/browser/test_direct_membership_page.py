"""The coordinator's Measured indicators page in a real browser (issue 15 §2): U11 set to
measured with thresholds, the subjects' values typed in, the derived row in the results."""

import shutil

import pytest

from evaluations.models import Evaluation
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_accessibility import axe
from tests.evaluations.test_results_pages import panel_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/shots/directmembership"


def keep(path) -> None:
    """A copy for the person reviewing the change, beside the test run's own artifacts."""
    try:
        shutil.copy(path, SHOTS)
    except OSError:
        pass  # no such folder outside this review


def test_a_coordinator_measures_a_leaf_and_sees_the_derived_row(
    page, live_server, sign_in, screenshot, coordinator, evaluation
):
    panel_results(evaluation)
    a, b = evaluation.subjects.all()
    grades = [grade.name for grade in evaluation.grades.all()]
    sign_in(coordinator)

    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/")
    page.click("nav.tabs >> text=Measured indicators")
    assert axe(page) == []
    page.click("#direct-leaves >> text=Edit U11")
    page.select_option("#id_membership_source", "measured")
    page.select_option("#id_better", "lower")
    page.fill("#id_thresholds", "2 5 10")
    page.select_option("#id_threshold_shape", "linear")
    page.fill("#id_unit", "%")
    page.click("#source-form button[type=submit]")
    page.wait_for_selector("text=Saved.")

    # A refused value names the rule and saves nothing.
    page.fill(f"#id_row_{b.pk}", "0.5 0.4 0 0")
    page.click("#inputs-form button[type=submit]")
    errors = page.inner_text("#direct-errors")
    assert "U11, membership row of “Enterprise B”" in errors and "they sum to 0.9" in errors
    keep(screenshot("refused"))

    page.fill(f"#id_row_{b.pk}", "")
    page.fill(f"#id_value_{a.pk}", "3.2")
    page.fill(f"#id_value_{b.pk}", "12")
    page.click("#inputs-form button[type=submit]")
    page.wait_for_selector("text=Saved.")
    keep(screenshot("edit"))
    assert axe(page) == []
    assert page.input_value(f"#id_value_{a.pk}") == "3.2"

    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/results/")
    text = page.inner_text("main")
    # Linear, cuts 2, 5, 10: anchors 2, 3.5, 7.5, 10; 3.2 → (0.2, 0.8, 0, 0), so "strong".
    assert f"measured: 3.2 % → {grades[1]}" in text
    assert f"measured: 12 % → {grades[3]}" in text
    row = page.locator("table.membership tr", has_text="measured: 3.2 %").first
    cells = row.locator("td.num").all_inner_texts()
    assert cells[1:] == ["–", "0.2000", "–", "0.8000", "–", "0.0000", "–", "0.0000"]
    keep(screenshot("results"))
    table = ARTIFACTS / "direct-membership-results-table.png"
    page.locator("table.membership", has_text="measured: 3.2 %").first.screenshot(path=str(table))
    keep(table)
    assert Evaluation.objects.get(pk=evaluation.pk).snapshots.latest().data["subjects"][0][
        "measured"
    ] == {"U11": 3.2}
    assert ARTIFACTS.exists()
