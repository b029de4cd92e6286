"""What-if weights on the results page, in a real browser (static/js/whatif.js).

The page's full-precision figures (data-value) after each move are compared with the engine
run here in Python on the same moved weights: robustness.node.moved_weights for the siblings,
hierarchy.global_weights, fuzzy.evaluate_tree with the evaluation's operator, the root's
vector normalised as the results service does, fuzzy.grade, fuzzy.score and the ranking by
score. Moves at the root, one and two levels down, to 0 and to 1, by slider and typed, under
every operator; the keyboard; Reset; a 390 px phone.
"""

import numpy as np
import pytest
from django.core.management import call_command

from evaluations.engine import fuzzy, hierarchy
from evaluations.engine.hierarchy import Node
from evaluations.engine.robustness.node import moved_weights
from evaluations.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TITLE, DEMO_USERNAME
from evaluations.models import Evaluation
from evaluations.services.lifecycle import evaluation_update_settings
from evaluations.services.results import results_recompute
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_accessibility import AXE
from tests.conftest import PASSWORD
from tests.evaluations.robustness.test_whatif_data import deep_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPERATORS = [choice.value for choice in Evaluation.Operator]
TOLERANCE = 1e-9
PHONE = {"width": 390, "height": 844}
# Touch targets on a phone, as the expert forms' test asks of theirs.
MIN_TARGET = 44

READ = """() => {
  const value = (el) => Number(el.dataset.value);
  const section = document.getElementById("whatif");
  const subjects = section.querySelectorAll("#whatif-subjects tbody tr[data-subject]");
  const rows = [...subjects].map((tr) => ({
    id: Number(tr.dataset.subject),
    rank: value(tr.querySelector("[data-role=rank]")),
    change: value(tr.querySelector("[data-role=change]")),
    grade: value(tr.querySelector("[data-role=grade]")),
    score: value(tr.querySelector("[data-role=score]")),
    vector: [...tr.querySelectorAll("[data-role=degree]")].map(value),
  }));
  const moved = {};
  section.querySelectorAll("#whatif-moved tr[data-code]").forEach((tr) => {
    if (!tr.hidden) moved[tr.dataset.code] = [
      value(tr.querySelector("[data-role=local]")), value(tr.querySelector("[data-role=global]")),
    ];
  });
  const weights = {};
  section.querySelectorAll("fieldset[data-node]").forEach((fieldset) => {
    weights[fieldset.dataset.node] = [...fieldset.querySelectorAll(".whatif-weight")].map(value);
  });
  return {rows, moved, weights, summary: section.querySelector("#whatif-summary").textContent,
          none: !section.querySelector("#whatif-moved tr[data-role=none]").hidden};
}"""


class Engine:
    """The snapshot's numbers recomputed by the engine under moved local weights.

    A run of moves of one child starts from the weights before the run, as the page does (so
    dragging through 1 and back keeps the siblings' proportions); a move of another child, or
    at another node, starts a new run from the weights as they are.
    """

    def __init__(self, data: dict):
        self.data = data
        self.children: dict[str, list[str]] = {}
        for row in data["indicators"]:
            if row["parent"] is not None:
                self.children.setdefault(row["parent"], []).append(row["code"])
        weight = {row["code"]: row["local_weight"] for row in data["indicators"]}
        self.snapshot = {p: np.array([weight[c] for c in cs]) for p, cs in self.children.items()}
        self.root = self._node(data["indicators"][0]["code"])
        self.reset()

    def _node(self, code: str) -> Node:
        return Node(code, tuple(self._node(child) for child in self.children.get(code, [])))

    def reset(self) -> None:
        self.local = {p: w.copy() for p, w in self.snapshot.items()}
        self.run = None

    def move(self, node: str, child: str, x: float) -> None:
        k = self.children[node].index(child)
        if self.run is None or self.run[:2] != (node, k):
            self.run = (node, k, self.local[node].copy())
        self.local[node] = moved_weights(self.run[2], k, x)[0]

    def results(self) -> dict[int, dict]:
        scores = np.array([g["score"] for g in self.data["grades"]])
        rows = []
        for subject in self.data["subjects"]:
            if subject["score"] is None:
                continue
            membership = {code: np.array(row) for code, row in subject["membership"].items()}
            vectors = fuzzy.evaluate_tree(
                self.root, self.local, membership, operator=self.data["settings"]["operator"]
            )
            e = vectors[self.root.code] / vectors[self.root.code].sum()  # as the service's _graded
            rows.append(
                {
                    "id": subject["id"],
                    "vector": e,
                    "grade": fuzzy.grade(e),
                    "score": fuzzy.score(e, scores),
                    "was": subject["rank"],
                }
            )
        rows.sort(key=lambda row: -row["score"])
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        return {row["id"]: row for row in rows}

    def moved(self) -> dict[str, tuple[float, float]]:
        now = hierarchy.global_weights(self.local, self.root)
        return {
            code: (self.local[parent][k], now[code])
            for parent, codes in self.children.items()
            for k, code in enumerate(codes)
            if abs(self.local[parent][k] - self.snapshot[parent][k]) > 1e-12
        }


def assert_page_is_the_engines(page, engine: Engine) -> dict:
    shown = page.evaluate(READ)
    expected = engine.results()
    assert {row["id"] for row in shown["rows"]} == set(expected)
    for row in shown["rows"]:
        want = expected[row["id"]]
        assert np.abs(np.array(row["vector"]) - want["vector"]).max() <= TOLERANCE, row
        assert abs(row["score"] - want["score"]) <= TOLERANCE, row
        assert (row["grade"], row["rank"]) == (want["grade"], want["rank"]), row
        assert row["change"] == want["was"] - want["rank"]
    assert [row["rank"] for row in shown["rows"]] == list(range(1, len(expected) + 1))
    for node, weights in shown["weights"].items():
        assert np.abs(np.array(weights) - engine.local[node]).max() <= TOLERANCE, node
    moved = engine.moved()
    assert set(shown["moved"]) == set(moved)
    for code, (local, global_weight) in moved.items():
        assert abs(shown["moved"][code][0] - local) <= TOLERANCE, code
        assert abs(shown["moved"][code][1] - global_weight) <= TOLERANCE, code
    assert shown["none"] == (not moved)
    return shown


def axe_violations(page) -> list[str]:
    """axe-core's violations inside the what-if section (the whole page is
    test_accessibility's)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => (await axe.run("#whatif", {resultTypes: ["violations"]})).violations
             .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)"""
    )


def shoot(locator, name: str) -> None:
    """The section alone, for a person to look at: test-artifacts/screenshots/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def weight_box(page, node: str, child: str):
    return page.locator(
        f'#whatif fieldset[data-node="{node}"] .whatif-weight[data-child="{child}"]'
    )


def slide(page, engine: Engine, node: str, child: str, x: float) -> None:
    page.select_option("#whatif-node", node)
    weight_box(page, node, child).locator("input[type=range]").fill(str(x))
    engine.move(node, child, x)


def type_in(page, engine: Engine, node: str, child: str, x: float) -> None:
    page.select_option("#whatif-node", node)
    number = weight_box(page, node, child).locator("input[type=number]")
    number.fill(repr(x))
    number.press("Enter")
    engine.move(node, child, x)


def sign_in_as(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/**")


def open_results(page, live_server, evaluation) -> None:
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/results/")
    page.wait_for_selector("#whatif:not([hidden])")


@pytest.fixture
def demo(db):
    call_command("seed_demo")
    return Evaluation.objects.get(title=DEMO_TITLE)


@pytest.mark.parametrize("operator", OPERATORS)
def test_the_pages_figures_are_the_engines_after_every_move_under_every_operator(
    page, live_server, sign_in, coordinator, operator
):
    evaluation, snapshot = deep_results(coordinator)
    if operator != evaluation.operator:
        evaluation_update_settings(evaluation=evaluation, actor=coordinator, operator=operator)
        results_recompute(evaluation_id=evaluation.pk)
        snapshot = evaluation.snapshots.order_by("-version").first()
    assert snapshot.data["settings"]["operator"] == operator
    engine = Engine(snapshot.data)
    sign_in(coordinator)
    open_results(page, live_server, evaluation)
    assert_page_is_the_engines(page, engine)

    slide(page, engine, "U", "U2", 0.5)  # a child of the root
    assert_page_is_the_engines(page, engine)
    type_in(page, engine, "U1", "U12", 0.123456789)  # one level down, a typed weight
    assert_page_is_the_engines(page, engine)
    slide(page, engine, "U11", "U112", 1)  # two levels down, all the weight
    assert_page_is_the_engines(page, engine)
    type_in(page, engine, "U11", "U111", 0)  # another child to 0: U112 keeps its 1
    shown = assert_page_is_the_engines(page, engine)
    assert shown["weights"]["U11"] == [0, 1, 0]
    slide(page, engine, "U", "U1", 0)  # the whole U1 branch weighs nothing
    assert_page_is_the_engines(page, engine)
    type_in(page, engine, "U", "U1", 0.37)  # the same run: U2 and U3 keep their proportions
    assert_page_is_the_engines(page, engine)

    page.get_by_role("button", name="Reset all weights").click()
    engine.reset()
    shown = assert_page_is_the_engines(page, engine)
    assert shown["none"] and "Every weight is back to the snapshot’s." in shown["summary"]


def test_a_child_moved_from_1_gives_its_siblings_equal_shares_and_a_drag_keeps_proportions(
    page, live_server, sign_in, coordinator
):
    evaluation, snapshot = deep_results(coordinator)
    engine = Engine(snapshot.data)
    sign_in(coordinator)
    open_results(page, live_server, evaluation)
    before = engine.local["U"].copy()

    slide(page, engine, "U", "U2", 1)
    slide(page, engine, "U", "U2", 0.25)  # dragged back: U1 and U3 as before, scaled
    shown = assert_page_is_the_engines(page, engine)
    assert np.allclose(shown["weights"]["U"], [*before[:1] * 0.75 / (1 - before[1]), 0.25,
                                               before[2] * 0.75 / (1 - before[1])])  # fmt: skip

    slide(page, engine, "U", "U2", 1)
    slide(page, engine, "U1", "U11", 0.5)  # elsewhere, so the next move at U starts afresh
    type_in(page, engine, "U", "U2", 0.4)  # from (0, 1, 0): the siblings share 0.6 equally
    shown = assert_page_is_the_engines(page, engine)
    assert np.allclose(shown["weights"]["U"], [0.3, 0.4, 0.3], atol=1e-15)


def test_a_typed_weight_outside_0_to_1_is_refused_with_a_message_and_moves_nothing(
    page, live_server, sign_in, coordinator
):
    evaluation, snapshot = deep_results(coordinator)
    engine = Engine(snapshot.data)
    sign_in(coordinator)
    open_results(page, live_server, evaluation)
    number = weight_box(page, "U", "U1").locator("input[type=number]")

    for text in ("1.5", "-0.1"):
        number.fill(text)
        number.press("Enter")
        assert number.get_attribute("aria-invalid") == "true"
        assert weight_box(page, "U", "U1").get_by_text("Give a weight from 0 to 1").is_visible()
        assert_page_is_the_engines(page, engine)

    type_in(page, engine, "U", "U1", 0.6)
    assert number.get_attribute("aria-invalid") == "false"
    assert_page_is_the_engines(page, engine)


def test_on_the_demo_the_keyboard_moves_a_weight_and_reset_restores_the_snapshot(
    page, live_server, demo
):
    engine = Engine(demo.snapshots.order_by("-version").first().data)
    sign_in_as(page, live_server, DEMO_USERNAME, DEMO_PASSWORD)
    open_results(page, live_server, demo)
    assert_page_is_the_engines(page, engine)
    assert axe_violations(page) == []

    page.focus("#whatif-node")
    page.keyboard.press("ArrowDown")  # the next node, U1, without a mouse
    assert page.locator("#whatif-node").input_value() == "U1"
    assert page.locator('#whatif fieldset[data-node="U1"]').is_visible()
    assert page.locator('#whatif fieldset[data-node="U"]').is_hidden()
    page.keyboard.press("Tab")  # Reset
    page.keyboard.press("Tab")  # U11's slider
    slider = weight_box(page, "U1", "U11").locator("input[type=range]")
    assert slider.evaluate("el => el === document.activeElement")
    was = float(slider.input_value())
    page.keyboard.press("ArrowRight")
    now = float(slider.input_value())
    assert now == pytest.approx(was + 0.01, abs=1e-12)
    engine.move("U1", "U11", now)
    assert_page_is_the_engines(page, engine)
    page.wait_for_function(
        "() => document.getElementById('whatif-summary').textContent.includes('ranks first')"
    )
    page.keyboard.press("ArrowRight")
    engine.move("U1", "U11", float(slider.input_value()))
    assert_page_is_the_engines(page, engine)
    assert axe_violations(page) == []
    shoot(page.locator("#whatif"), "whatif-desktop")

    page.focus("#whatif-reset")
    page.keyboard.press("Enter")
    engine.reset()
    assert_page_is_the_engines(page, engine)
    assert abs(float(slider.input_value()) - engine.snapshot["U1"][0]) <= 0.005


def test_on_a_390_pixel_phone_nothing_scrolls_sideways_and_the_controls_are_big_enough(
    browser, live_server, demo
):
    context = browser.new_context(viewport=PHONE, locale="en-GB", has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_as(page, live_server, DEMO_USERNAME, DEMO_PASSWORD)
        open_results(page, live_server, demo)
        engine = Engine(demo.snapshots.order_by("-version").first().data)
        slide(page, engine, "U", "U3", 0.6)
        assert_page_is_the_engines(page, engine)

        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        small = page.eval_on_selector_all(
            "#whatif select, #whatif button, #whatif input",
            """els => els.filter(e => e.offsetParent !== null)
                 .map(e => [e.id, e.getBoundingClientRect().height])""",
        )
        assert small and [item for item in small if item[1] < MIN_TARGET] == []
        shoot(page.locator("#whatif"), "whatif-phone")
    finally:
        context.close()


def test_an_expert_reads_and_moves_shared_results_too(page, live_server, coordinator, make_user):
    from tests.evaluations.test_results_pages import accept

    evaluation, snapshot = deep_results(coordinator)
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)
    expert = make_user("erin")
    accept(evaluation.memberships.get(name="Dr. Li"), expert)
    engine = Engine(snapshot.data)
    sign_in_as(page, live_server, expert.get_username(), PASSWORD)
    open_results(page, live_server, evaluation)

    slide(page, engine, "U2", "U23", 0.8)

    assert_page_is_the_engines(page, engine)
