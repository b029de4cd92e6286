"""A coordinator gives a node's weights directly in the hierarchy editor, in a real browser,
and sees them as "given" in the results."""

import shutil
from pathlib import Path

import pytest

from evaluations.models import ResultSnapshot
from tests.evaluations.test_results_pages import panel_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/givenweights")


def test_a_coordinator_gives_the_weights_of_a_node_and_sees_them_in_the_results(
    page, live_server, sign_in, coordinator, evaluation, screenshot
):
    panel_results(evaluation)  # three experts answered everything, U2 included
    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/hierarchy/")
    page.get_by_role("link", name="Give the weights under U2 directly…").click()
    children = list(evaluation.indicators.get(code="U2").children.order_by("order", "pk"))
    for child, value in zip(children, ["40%", "0.3", "abc", "10 %"], strict=True):
        page.get_by_label(f"{child.code} {child.name}").fill(value)
    page.get_by_label("Source").fill("Regulation X, 2024")
    page.get_by_role("button", name="Save the weights under U2").click()
    page.wait_for_selector(f"text={children[2].code} {children[2].name}: “abc” is not a weight")
    assert evaluation.indicators.get(code="U2").given_weights is None
    shot = screenshot("1-refused")

    page.get_by_label(f"{children[2].code} {children[2].name}").fill("1/5")
    page.get_by_role("button", name="Save the weights under U2").click()
    page.wait_for_selector("text=Saved the given weights under U2")
    node = page.locator(f"#indicator-{evaluation.indicators.get(code='U2').pk} .given-weights")
    assert "U21 0.4" in node.inner_text() and "Regulation X, 2024" in node.inner_text()
    tree = screenshot("2-tree")

    # The recompute ran in-process after the save: the results show U2 as given.
    latest = ResultSnapshot.objects.filter(evaluation=evaluation).order_by("-version").first()
    u2 = next(m for m in latest.data["matrices"] if m["parent"] == "U2")
    assert u2["source"] == "given"
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/results/")
    page.get_by_text("Given weights U2").click()
    page.wait_for_selector("text=Source: Regulation X, 2024.")
    assert page.locator(".given-verdict").first.inner_text() == "given"
    results = screenshot("3-results")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in (shot, tree, results):
        shutil.copy(path, SHOTS / path.name)
    for section in ("weights-heading", "consistency-heading"):
        page.locator(f"section:has(#{section})").screenshot(path=str(SHOTS / f"{section}.png"))
