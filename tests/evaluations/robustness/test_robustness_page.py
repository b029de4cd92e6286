"""The Robustness tab (issue 14): who may see it, what it says in each state of the analysis,
the score-line chart's choice, and the experts' section that only the coordinator sees.

The snapshot is a real one (three experts answer everything, as on the results pages); its
robustness data and the analysis are set here to known figures in the layout of the data
contract, so the page's numbers can be checked one by one. The end-to-end test at the bottom
computes both for the demo evaluation instead.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Evaluation, ResultSnapshot, RobustnessAnalysis
from evaluations.results.experts import with_experts
from evaluations.robustness.selectors import line_choice
from experts.models import PanelMembership
from tests.evaluations.test_results_pages import accept, panel_results

EVIL = "<script>alert('x')</script>"


def robustness_data(snapshot) -> dict:
    """Flip points for U's and U1's criteria, in the contract's layout. Subject ids are text."""
    a, b = (str(s["id"]) for s in snapshot.data["subjects"])
    row = dict.fromkeys(
        ("below", "above", "top_below", "top_above", "grade_below", "grade_above",
         "relative_change", "top_relative_change"),
    )  # fmt: skip
    return {
        "operator": "product_sum",
        "exact": True,
        "flip_points": [
            {**row, "node": "U", "criterion": "U1", "weight": 0.5, "global_weight": 1.0,
             "below": 0.4, "top_below": 0.4, "relative_change": 0.2, "top_relative_change": 0.2},
            {**row, "node": "U", "criterion": "U2", "weight": 0.3, "global_weight": 1.0,
             "above": 0.6, "top_above": 0.6, "grade_above": 0.75, "relative_change": 1.0,
             "top_relative_change": 1.0},
            {**row, "node": "U", "criterion": "U3", "weight": 0.2, "global_weight": 1.0},
            {**row, "node": "U1", "criterion": "U12", "weight": 0.25, "global_weight": 0.5},
        ],
        "most_critical": {"node": "U", "criterion": "U1", "weight": 0.5, "point": 0.4,
                          "relative_change": 0.2},
        "lines": {
            "U": {
                "U1": {"x": [0, 1], "totals": {a: [2.0, 3.0], b: [3.2, 2.0]}},
                "U2": {"x": [0, 1], "totals": {a: [2.6, 2.0], b: [2.4, 3.0]}},
                "U3": {"x": [0, 1], "totals": {a: [2.5, 2.5], b: [2.4, 2.4]}},
            },
            "U1": {"U12": {"x": [0, 1], "totals": {a: [2.5, 2.6], b: [2.4, 2.3]}}},
        },
    }  # fmt: skip


def analysis_data(snapshot) -> dict:
    a, b = (str(s["id"]) for s in snapshot.data["subjects"])
    experts = with_experts(snapshot)["matrices"][0]["per_expert"]
    memberships = [e["membership"] for e in experts]
    names = [e["name"] for e in experts]
    simulation = {
        "source": "noise", "draws": 10000, "seed": 424242, "k": 1, "complete": 10000,
        "top": int(snapshot.data["ranking"][0]), "top_probability": 0.873,
        "rank_probabilities": {a: [0.127, 0.873], b: [0.873, 0.127]},
        "grade_probabilities": {a: [0.5, 0.25, 0.25, 0.0], b: [0.9, 0.1, 0.0, 0.0]},
        "weight_percentiles": {"U": [1, 1, 1], "U1": [0.51, 0.556, 0.6], "U11": [0.2, 0.25, 0.3]},
    }  # fmt: skip
    experts = [
        {"membership": m, "number": n, "name": f"Expert {n}", "named": False,
         "overall": s, "flagged": s > 1.1, "matrices": [{"node": "U", "s": s, "r": 0.91}]}
        for n, (m, s) in enumerate(zip(memberships, [1.02, 1.35, 1.05], strict=True), start=1)
    ]  # fmt: skip
    loo = [
        {"membership": m, "number": n, "name": f"Expert {n}", "named": False, "complete": True,
         "ranking": [int(a), int(b)] if n == 2 else [int(b), int(a)],
         "top": int(a) if n == 2 else int(b), "top_changes": n == 2,
         "rank_changes": {a: 1, b: 2} if n == 2 else {}}
        for n, m in enumerate(memberships, start=1)
    ]  # fmt: skip
    return {
        "simulation": {"noise": simulation},
        "agreement": {"threshold": 1.1, "experts": experts},
        "leave_one_out": loo,
        "names": names,
    }


@pytest.fixture
def snapshot(evaluation):
    snapshot = panel_results(evaluation)
    snapshot.data["robustness"] = robustness_data(snapshot)
    snapshot.save(update_fields=["data"])
    RobustnessAnalysis.objects.filter(evaluation=evaluation).delete()  # set by each test
    return snapshot


def analyse(snapshot, status="done", error="") -> RobustnessAnalysis:
    data = analysis_data(snapshot)
    data.pop("names")
    return RobustnessAnalysis.objects.create(
        evaluation=snapshot.evaluation,
        snapshot=snapshot,
        version=snapshot.version,
        status=status,
        data=data if status == "done" else {},
        error=error,
        finished_at=timezone.now() if status in ("done", "failed") else None,
        compute_seconds=0.14 if status == "done" else None,
    )


@pytest.fixture
def analysed(snapshot):
    return analyse(snapshot)


@pytest.fixture
def shared_expert(evaluation, snapshot, make_user):
    expert = make_user("erin")
    accept(PanelMembership.objects.get(evaluation=evaluation, name="Prof. Wang"), expert)
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)
    return expert


def url(evaluation, query="") -> str:
    return reverse("results-robustness", args=[evaluation.pk]) + query


def get(client, evaluation, query=""):
    return client.get(url(evaluation, query))


def text(response) -> str:
    """The page's text without tags and with runs of white space as one space."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", page)


# --- access ---------------------------------------------------------------------------------


def test_the_coordinator_reads_the_flip_points_with_names_and_nones(
    coordinator_client, evaluation, analysed
):
    response = get(coordinator_client, evaluation)
    page = text(response)

    assert response.status_code == 200
    assert "Most critical criterion: U1 Procurement and sales management under U " in page
    assert "from 0.5000 to 0.4000 , a relative change of 20.0 %" in page.replace(
        "0.4000,", "0.4000 ,"
    )
    assert "Under U1 Procurement and sales management" in page
    assert "U12 Procurement authorisation" in page
    assert "none within [0, 1]" in page
    assert "100.0 %" in page and "0.7500" in page  # U2's relative change and grade flip
    assert "most critical" in page


def test_the_coordinator_reads_the_simulation_and_its_charts(
    coordinator_client, evaluation, analysed, snapshot
):
    top = next(s["name"] for s in snapshot.data["subjects"] if s["rank"] == 1)
    response = get(coordinator_client, evaluation)
    page = text(response)
    html = response.content.decode()

    assert f"The top subject, {top} , stays on top in 87.3 % of the draws." in page
    assert "10000 draws, seed 424242" in page
    assert f"Analysis of results version {snapshot.version}, finished " in page
    assert "It took 0.1 s of computing." in page
    for chart in ("chart-score-lines", "chart-noise-ranks", "chart-noise-grades"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    assert 'aria-labelledby="chart-noise-weights-title chart-noise-weights-desc"' in html
    assert "0.556 (0.510–0.600)" in html  # U1's median and range, printed in the chart
    assert "87.3 %" in page and "12.7 %" in page  # the rank table
    assert "Panel resampling" not in page  # only the noise was simulated


def test_an_outsider_gets_a_404_as_on_the_results_page(outsider_client, evaluation, analysed):
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)

    assert get(outsider_client, evaluation).status_code == 404
    assert outsider_client.get(reverse("results", args=[evaluation.pk])).status_code == 404


def test_signing_in_comes_first(client, evaluation, analysed):
    response = get(client, evaluation)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_expert_sees_nothing_while_results_are_not_shared(
    client, evaluation, analysed, make_user
):
    expert = make_user("erin")
    accept(PanelMembership.objects.get(evaluation=evaluation, name="Prof. Wang"), expert)
    client.force_login(expert)

    assert get(client, evaluation).status_code == 404


def test_an_expert_sees_the_simulation_but_not_the_experts_agreement(
    client, evaluation, analysed, shared_expert
):
    client.force_login(shared_expert)
    response = get(client, evaluation)
    page = text(response)

    assert response.status_code == 200
    assert "Flip points" in page and "87.3 %" in page
    assert "agreement with the group" not in page
    assert "Overall S" not in page and "flagged" not in page
    assert "Dr. Li" not in page and "Expert 2" not in page
    assert "Evaluation sections" not in response.content.decode()  # the coordinator's tabs


def test_an_expert_finds_the_robustness_page_from_the_shared_results(
    client, evaluation, analysed, shared_expert
):
    client.force_login(shared_expert)

    page = client.get(reverse("results", args=[evaluation.pk])).content.decode()

    assert f'href="{reverse("results-robustness", args=[evaluation.pk])}"' in page


# --- the experts' section -----------------------------------------------------------------------


def test_flagged_experts_are_numbered_as_on_the_results_page_unless_named(
    coordinator_client, evaluation, analysed
):
    page = text(get(coordinator_client, evaluation))

    flagged = page.split("Flagged experts and the ranking without each of them")[1]
    flagged = flagged.split("Every expert (3)")[0]
    assert "Expert 2 flagged 1.3500" in flagged  # Dr. Li answers second on the results page
    assert "Expert 1" not in flagged and "Expert 3" not in flagged
    assert "(changes)" in flagged and "rank 2 → 1" in flagged
    assert "Dr. Li" not in page and "Prof. Wang" not in page


def test_flagged_experts_are_named_when_the_evaluation_says_so(
    coordinator_client, evaluation, snapshot
):
    analysis = analyse(snapshot)
    experts = with_experts(snapshot)["matrices"][0]["per_expert"]
    by_name = {e["membership"]: e["name"] for e in experts}
    for expert in analysis.data["agreement"]["experts"]:
        expert.update(name=by_name[expert["membership"]], named=True)
    analysis.save()
    Evaluation.objects.filter(pk=evaluation.pk).update(flagged_experts_named=True)

    page = text(get(coordinator_client, evaluation))

    assert "Dr. Li flagged 1.3500" in page
    assert "Experts are named" in page


def test_naming_switched_on_after_the_analysis_keeps_the_numbers_it_stored(
    coordinator_client, evaluation, analysed
):
    """The stored data has no names (it was computed unnamed): no name is made up."""
    Evaluation.objects.filter(pk=evaluation.pk).update(flagged_experts_named=True)

    page = text(get(coordinator_client, evaluation))

    assert "Expert 2 flagged" in page and "Dr. Li" not in page


def test_no_flagged_expert_is_said_in_words(coordinator_client, evaluation, snapshot):
    analysis = analyse(snapshot)
    for expert in analysis.data["agreement"]["experts"]:
        expert["flagged"] = False
    analysis.save()

    page = text(get(coordinator_client, evaluation))

    assert "No expert is flagged: every overall S is at most 1.1." in page


# --- the states of the analysis -------------------------------------------------------------------


@pytest.mark.parametrize("status", ["queued", "running"])
def test_an_analysis_under_way_is_shown_as_being_computed(
    coordinator_client, evaluation, snapshot, status
):
    analyse(snapshot, status=status)

    response = get(coordinator_client, evaluation)
    page = text(response)

    assert response.status_code == 200
    assert "Being computed" in page
    assert "Flip points" in page and "Most critical criterion" in page  # they come with results
    assert "stays on top" not in page


def test_a_failed_analysis_says_so_and_shows_its_error_to_the_coordinator_only(
    coordinator_client, client, evaluation, snapshot, shared_expert
):
    analyse(snapshot, status="failed", error="ValueError: no evaluation to analyse")

    owner_page = text(get(coordinator_client, evaluation))
    client.force_login(shared_expert)
    expert_page = text(get(client, evaluation))

    assert f"The robustness analysis of results version {snapshot.version} failed." in owner_page
    assert "ValueError: no evaluation to analyse" in owner_page
    assert "failed." in expert_page and "ValueError" not in expert_page


def test_no_analysis_at_all_is_said(coordinator_client, evaluation, snapshot):
    page = text(get(coordinator_client, evaluation))

    assert "No simulation has been run for these results" in page
    assert "Being computed" not in page


def test_without_a_snapshot_the_page_says_there_are_no_results_yet(coordinator_client, evaluation):
    response = get(coordinator_client, evaluation)

    assert response.status_code == 200
    assert "No results yet" in text(response)
    assert "<svg" not in response.content.decode()


def test_a_snapshot_from_before_the_flip_points_says_they_come_with_the_next_recompute(
    coordinator_client, evaluation, snapshot
):
    del snapshot.data["robustness"]
    snapshot.save(update_fields=["data"])

    response = get(coordinator_client, evaluation)

    assert response.status_code == 200
    assert "they appear with the next recompute" in text(response)


def test_the_analysis_of_an_older_snapshot_is_not_shown_as_the_latest(
    coordinator_client, evaluation, snapshot
):
    analyse(snapshot)
    newer = ResultSnapshot.objects.create(
        evaluation=evaluation, version=snapshot.version + 1, data=snapshot.data
    )

    page = text(get(coordinator_client, evaluation))

    assert newer.version > snapshot.version
    assert "stays on top" not in page
    assert "No simulation has been run for these results" in page


# --- the score-line chart -------------------------------------------------------------------------


def test_the_chart_shows_the_most_critical_criterion_by_default(
    coordinator_client, evaluation, analysed
):
    html = get(coordinator_client, evaluation).content.decode()

    assert '<option value="U1" selected>' in html
    assert "Scores as the weight of U1 Procurement and sales management changes" in html


def test_the_chart_shows_the_criterion_chosen_in_the_form(coordinator_client, evaluation, analysed):
    response = get(coordinator_client, evaluation, "?criterion=U12")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<option value="U12" selected>' in html
    assert "Scores as the weight of U12 Procurement authorisation changes" in html


def test_each_flip_row_links_to_its_chart(coordinator_client, evaluation, analysed):
    html = get(coordinator_client, evaluation).content.decode()

    assert 'href="?node=U1&amp;criterion=U12#score-lines"' in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?node=ZZ", "node", "There is no indicator “ZZ” with criteria to move in these results."),
        ("?node=U1&criterion=U2", "criterion", "There is no criterion “U2” to move"),
        ("?criterion=U99", "criterion", "There is no criterion “U99” to move"),
    ],
)
def test_a_code_not_in_the_results_is_a_400_naming_the_field_with_the_default_chart(
    coordinator_client, evaluation, analysed, query, field, message
):
    response = get(coordinator_client, evaluation, query)
    html = response.content.decode()

    assert response.status_code == 400
    assert f"<code>{field}</code>: {message}" in html
    assert 'aria-invalid="true" aria-describedby="chart-choice-errors"' in html
    assert "Scores as the weight of U1 Procurement and sales management changes" in html


def test_a_hostile_code_in_the_query_is_escaped_and_cut(coordinator_client, evaluation, analysed):
    response = get(coordinator_client, evaluation, "?node=" + EVIL * 20)
    html = response.content.decode()

    assert response.status_code == 400
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;script&gt;ale" in html


def test_a_node_alone_picks_its_first_criterion(evaluation, snapshot):
    chosen, errors = line_choice(data=snapshot.data, node="U1", criterion=None)

    assert errors == {}
    assert (chosen["node"], chosen["criterion"]) == ("U1", "U12")
    assert [name for name, _totals in chosen["series"]] == [
        s["name"] for s in sorted(snapshot.data["subjects"], key=lambda s: s["rank"])
    ]


def test_the_chart_marks_the_flip_points_once_each(evaluation, snapshot):
    chosen, _errors = line_choice(data=snapshot.data, node=None, criterion=None)

    assert chosen["marks"] == [("order changes, top changes", 0.4)]


# --- the way in and the cost --------------------------------------------------------------------


def test_the_coordinators_tabs_lead_to_the_robustness_tab(coordinator_client, evaluation, analysed):
    results = coordinator_client.get(reverse("results", args=[evaluation.pk])).content.decode()
    tab = get(coordinator_client, evaluation).content.decode()

    assert f'href="{url(evaluation)}"' in results
    assert f'<a href="{url(evaluation)}" aria-current="page">Robustness</a>' in tab


def test_the_page_takes_a_fixed_number_of_queries(
    coordinator_client, evaluation, analysed, django_assert_max_num_queries
):
    get(coordinator_client, evaluation)  # warm the session and caches

    # With the experts' own figures (results.experts), read in one query.
    with django_assert_max_num_queries(6):
        response = get(coordinator_client, evaluation)

    assert response.status_code == 200


# --- end to end: the demo, its flip points and its analysis as computed ---------------------------


@pytest.fixture
def demo(db):
    """seed_demo's evaluation: its snapshots carry the flip points, its last one the analysis
    (run in-process after the last ballot, as the command does)."""
    from django.core.management import call_command

    from evaluations.management.commands import seed_demo

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Evaluation.objects.get(title=seed_demo.DEMO_TITLE)


@pytest.mark.robustness_analysis
def test_the_demo_page_shows_the_computed_flip_points_simulations_and_experts(client, demo):
    from evaluations.robustness.analysis import analysis_latest

    snapshot = demo.snapshots.order_by("-version").first()
    robustness = snapshot.data["robustness"]
    analysis = analysis_latest(demo).analysis
    client.force_login(demo.owner)

    response = get(client, demo)
    page = text(response)
    html = response.content.decode()

    assert response.status_code == 200
    assert analysis is not None and analysis.status == "done"
    critical = robustness["most_critical"]
    if critical is None:  # the demo's platform store leads whatever one weight does
        assert "No single weight, moved anywhere within [0, 1], changes the top subject." in page
    else:
        assert f"from {critical['weight']:.4f} to {critical['point']:.4f}" in page
    assert page.count("Score lines of ") == len(robustness["flip_points"])
    for row in robustness["flip_points"]:
        assert f"{row['weight']:.4f}" in page
        if row["grade_above"] is not None:
            assert f"{row['grade_above']:.4f}" in page
    noise = analysis.data["simulation"]["noise"]
    assert f"stays on top in {noise['top_probability'] * 100:.1f} % of the draws" in page
    assert f"{noise['draws']} draws, seed {noise['seed']}" in page
    flagged = [e for e in analysis.data["agreement"]["experts"] if e["flagged"]]
    assert page.count(" flagged ") >= 2 * len(flagged)  # in both tables
    for chart in ("chart-score-lines", "chart-noise-ranks", "chart-bootstrap-weights"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html


def nearest_crossings(robustness: dict, row: dict) -> tuple[float | None, float | None]:
    """The crossings of the drawn score lines nearest to the row's weight, below and above."""
    from evaluations.robustness import charts

    line = robustness["lines"][row["node"]][row["criterion"]]
    xs = [x for _a, _b, x, _y in charts.crossings(line["x"], list(line["totals"].values()))]
    below = max((x for x in xs if x < row["weight"] - 1e-9), default=None)
    above = min((x for x in xs if x > row["weight"] + 1e-9), default=None)
    return below, above


def test_the_drawn_lines_cross_nearest_at_the_computed_flip_points(coordinator_client, evaluation):
    """Real flip points (three experts, as on the results pages): under M(·,+) the score lines
    are straight, so the crossings the chart marks nearest to each criterion's weight are the
    flip points the recompute stored, and the default chart marks the most critical one at
    its place on the weight axis."""
    from evaluations.robustness.charts import LINES_LEFT, LINES_RIGHT, LINES_WIDTH

    robustness = panel_results(evaluation).data["robustness"]
    flipping = [r for r in robustness["flip_points"] if r["above"] or r["below"]]

    assert robustness["exact"] is True and flipping
    for row in robustness["flip_points"]:
        assert nearest_crossings(robustness, row) == (
            pytest.approx(row["below"], abs=1e-9),
            pytest.approx(row["above"], abs=1e-9),
        ), row
    critical = robustness["most_critical"]
    html = get(coordinator_client, evaluation).content.decode()
    mark = re.search(
        r'<g class="weight-mark"><title>[^<]*top changes ([0-9.]+)</title><line x1="([0-9.]+)"',
        html,
    )
    plot = LINES_WIDTH - LINES_LEFT - LINES_RIGHT
    assert float(mark[1]) == pytest.approx(critical["point"], abs=1e-4)
    assert float(mark[2]) == pytest.approx(LINES_LEFT + plot * critical["point"], abs=0.1)


@pytest.mark.robustness_analysis
def test_the_demos_drawn_lines_cross_nearest_at_its_flip_points(demo):
    robustness = demo.snapshots.order_by("-version").first().data["robustness"]

    for row in robustness["flip_points"]:
        assert nearest_crossings(robustness, row) == (
            pytest.approx(row["below"], abs=1e-9),
            pytest.approx(row["above"], abs=1e-9),
        ), row


def test_under_a_main_factor_operator_the_page_says_the_points_were_searched_for(
    coordinator_client, evaluation
):
    """M(∧,∨) has no crossing formula: the flip points come from a search, the score lines
    from 21 weights, and the page says both."""
    Evaluation.objects.filter(pk=evaluation.pk).update(operator=Evaluation.Operator.MIN_MAX)
    evaluation.refresh_from_db()
    robustness = panel_results(evaluation).data["robustness"]

    response = get(coordinator_client, evaluation)
    page = text(response)

    assert robustness["exact"] is False
    assert response.status_code == 200
    assert "Under M(∧,∨) main factor the points were found by a search" in page
    assert "The lines join the scores computed at 21 evenly spaced weights." in page
    points = re.search(r'<polyline points="([^"]+)"', response.content.decode())[1]
    assert len(points.split()) == 21


def test_results_with_nothing_to_move_show_the_rows_without_a_chart(
    coordinator_client, evaluation, snapshot
):
    """Fewer than two scored subjects: rows with no flip anywhere, no lines to draw."""
    robustness = snapshot.data["robustness"]
    robustness.update(most_critical=None, lines={})
    for row in robustness["flip_points"]:
        row.update(dict.fromkeys(("below", "above", "top_below", "top_above",
                                  "relative_change", "top_relative_change")))  # fmt: skip
    snapshot.save(update_fields=["data"])

    response = get(coordinator_client, evaluation, "?criterion=U12")
    page = text(response)

    assert response.status_code == 200  # nothing to choose from: the query is not checked
    assert "No single weight, moved anywhere within [0, 1], changes the top subject." in page
    assert "Scores against one weight" not in page and "Score lines of" not in page
    assert page.count("none within [0, 1]") >= 4 * 6
