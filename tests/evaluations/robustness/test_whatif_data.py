"""The what-if data of the results page (evaluations/robustness/whatif.py): what the browser's
script needs, nothing the reader may not see, and JSON a page can carry.

`deep_results` is the demo's 12-indicator template with U11 split into three, so the tree is
three levels deep, answered by three experts for two of three subjects (the third is not
rated). The browser test (tests/browser/test_whatif.py) uses it too.
"""

import json
import math
import re

import pytest
from django.urls import reverse

from evaluations.models import Evaluation, ResultSnapshot
from evaluations.results_selectors import results_data_for
from evaluations.robustness.whatif import whatif_data
from evaluations.services import evaluation_create_from_template
from evaluations.services.results import PanelInput, results_compute, results_recompute
from evaluations.services.structure import indicator_add
from experts.models import PanelMembership
from surveys import services
from tests.evaluations.test_results_pages import (
    JUDGMENTS,
    accept,
    add_experts,
    judgments_for,
    open_for_ballots,
    submit_ratings,
)

SUBJECTS = ["Enterprise A", "Enterprise B", "Enterprise C"]
U11_JUDGMENTS = [[2, 3, 2], [3, 2, 1], [2, 4, 2]]  # per expert: U111–U112, U111–U113, U112–U113
DEEP_NODES = ["U", "U1", "U11", "U2", "U3"]
WHATIF_JSON = re.compile(r'<script id="whatif-data" type="application/json">(.*?)</script>', re.S)


def deep_results(coordinator) -> tuple[Evaluation, ResultSnapshot]:
    """Three levels (U → U1 → U11 → U111…U113), three experts, subjects A and B rated."""
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=SUBJECTS
    )
    u11 = evaluation.indicators.get(code="U11")
    for name in ("Supplier lists", "Quotes compared", "Second opinion"):
        indicator_add(parent=u11, actor=coordinator, name=name)
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation)
    for k, membership in enumerate(memberships):
        answers = {**JUDGMENTS[k], "U11": U11_JUDGMENTS[k]}
        for code, values in answers.items():
            parent = evaluation.indicators.get(code=code)
            services.pairwise_ballot_save(
                membership=membership,
                parent=parent,
                judgments=judgments_for(parent, values),
                submit=True,
            )
    submit_ratings(evaluation, memberships, subjects=list(evaluation.subjects.all())[:2])
    results_recompute(evaluation_id=evaluation.pk)
    return evaluation, evaluation.snapshots.order_by("-version").first()


def page_whatif(response) -> dict | None:
    found = WHATIF_JSON.search(response.content.decode())
    return json.loads(found.group(1)) if found else None


@pytest.fixture
def deep(coordinator):
    return deep_results(coordinator)


@pytest.fixture
def expert_on_deep_panel(deep, make_user):
    evaluation, _snapshot = deep
    expert = make_user("erin")
    accept(PanelMembership.objects.get(evaluation=evaluation, name="Prof. Wang"), expert)
    return expert


# --- the data ---------------------------------------------------------------------------------


def test_it_gives_the_tree_with_names_parents_and_local_weights_depth_first(deep):
    _evaluation, snapshot = deep

    data = whatif_data(data=snapshot.data)

    rows = snapshot.data["indicators"]
    assert [row["code"] for row in data["indicators"]] == [row["code"] for row in rows]
    assert data["indicators"][0] == {"code": "U", "name": rows[0]["name"], "parent": None,
                                     "local_weight": 1.0}  # fmt: skip
    for given, row in zip(data["indicators"], rows, strict=True):
        assert (given["name"], given["parent"]) == (row["name"], row["parent"])
        assert given["local_weight"] == row["local_weight"]
    assert [row["parent"] for row in data["indicators"] if row["code"].startswith("U11")] == [
        "U1", "U11", "U11", "U11"
    ]  # fmt: skip


def test_the_nodes_that_can_move_are_those_with_two_or_more_children(deep):
    _evaluation, snapshot = deep

    data = whatif_data(data=snapshot.data)

    assert [node["code"] for node in data["nodes"]] == DEEP_NODES
    u11 = data["nodes"][2]
    assert [child["code"] for child in u11["children"]] == ["U111", "U112", "U113"]
    assert [child["name"] for child in u11["children"]] == [
        "Supplier lists", "Quotes compared", "Second opinion"
    ]  # fmt: skip
    matrix = next(m for m in snapshot.data["matrices"] if m["parent"] == "U11")
    assert [child["weight"] for child in u11["children"]] == matrix["weights"]
    assert math.isclose(sum(child["weight"] for child in u11["children"]), 1, abs_tol=1e-12)


def test_it_carries_the_grades_the_operator_and_the_scored_subjects_results(deep):
    _evaluation, snapshot = deep

    data = whatif_data(data=snapshot.data)

    assert data["grades"] == [
        {"name": g["name"], "score": g["score"]} for g in snapshot.data["grades"]
    ]
    assert data["operator"] == "product_sum"
    assert data["operator_label"] == "M(·,+) ordinary product"
    scored = [s for s in snapshot.data["subjects"] if s["score"] is not None]
    assert [s["id"] for s in data["subjects"]] == [s["id"] for s in scored]
    leaves = [row["code"] for row in snapshot.data["indicators"] if row["is_leaf"]]
    for given, subject in zip(data["subjects"], scored, strict=True):
        assert given["name"] == subject["name"]
        assert list(given["membership"]) == leaves
        assert given["membership"] == subject["membership"]
        for key in ("vector", "grade", "score", "rank"):
            assert given[key] == subject[key]


def test_a_subject_without_a_result_is_left_out(deep):
    evaluation, snapshot = deep

    data = whatif_data(data=snapshot.data)

    unrated = evaluation.subjects.get(name="Enterprise C")
    assert [s["name"] for s in data["subjects"]] == ["Enterprise A", "Enterprise B"]
    assert unrated.pk not in {s["id"] for s in data["subjects"]}
    assert {s["rank"] for s in data["subjects"]} == {1, 2}


def test_it_is_json_a_page_can_carry_without_loss(deep):
    _evaluation, snapshot = deep
    data = whatif_data(data=snapshot.data)

    text = json.dumps(data, allow_nan=False)

    assert json.loads(text) == data


def test_it_does_not_change_the_data_it_reads(deep):
    _evaluation, snapshot = deep
    before = json.dumps(snapshot.data, sort_keys=True)

    data = whatif_data(data=snapshot.data)
    data["subjects"][0]["membership"]["U12"][0] = 99.0
    data["subjects"][0]["vector"][0] = 99.0

    assert json.dumps(snapshot.data, sort_keys=True) == before


def test_there_is_nothing_to_move_when_no_subject_has_a_result(coordinator):
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=SUBJECTS
    )
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation)
    for k, membership in enumerate(memberships):
        for code, values in JUDGMENTS[k].items():
            parent = evaluation.indicators.get(code=code)
            services.pairwise_ballot_save(
                membership=membership,
                parent=parent,
                judgments=judgments_for(parent, values),
                submit=True,
            )
    snapshot = results_recompute(evaluation_id=evaluation.pk)

    assert snapshot.data["indicators"][1]["local_weight"] is not None
    assert whatif_data(data=snapshot.data) is None


def test_there_is_nothing_to_move_while_a_matrix_has_no_weights(coordinator):
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=SUBJECTS
    )
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation)
    for k, membership in enumerate(memberships):
        parent = evaluation.indicators.get(code="U")  # U1–U3 never answered
        services.pairwise_ballot_save(
            membership=membership,
            parent=parent,
            judgments=judgments_for(parent, JUDGMENTS[k]["U"]),
            submit=True,
        )
    submit_ratings(evaluation, memberships)
    snapshot = results_recompute(evaluation_id=evaluation.pk)

    assert any(row["local_weight"] is None for row in snapshot.data["indicators"])
    assert whatif_data(data=snapshot.data) is None


def test_an_operator_the_script_does_not_compose_with_gives_nothing(deep):
    _evaluation, snapshot = deep
    data = {
        **snapshot.data,
        "settings": {**snapshot.data["settings"], "operator": "min_balanced_sum"},
    }

    assert whatif_data(data=data) is None


def test_a_single_child_weighs_1_and_its_parent_is_not_offered(coordinator):
    # U → U1 (U11, U12), U2 (U21 alone): U2 has nothing to trade its child's weight with.
    indicators = [("U", None, 0), ("U1", "U", 1), ("U11", "U1", 2), ("U12", "U1", 2),
                  ("U2", "U", 1), ("U21", "U2", 2)]  # fmt: skip
    panel = PanelInput(
        settings={
            "weighting_method": "geometric",
            "ri_table": "paper",
            "cr_threshold": 0.1,
            "cr_policy": "block",
            "aggregation": "aij",
            "ballot_inclusion": "submitted",
            "operator": "min_max",
        },  # fmt: skip
        indicators=[
            {
                "id": n,
                "code": c,
                "name": f"name {c}",
                "parent_code": p,
                "recommendation": "",
                "depth": d,
            }
            for n, (c, p, d) in enumerate(indicators)
        ],  # fmt: skip
        grades=[{"id": 1, "name": "good", "score": 2}, {"id": 2, "name": "poor", "score": 1}],
        subjects=[{"id": 7, "name": "Acme"}],
        experts={1: {"name": "Dr. Li", "weight": 1.0}},
        pairwise=[
            {"membership": 1, "parent_code": "U", "matrix": [[1, 3], [1 / 3, 1]]},
            {"membership": 1, "parent_code": "U1", "matrix": [[1, 1 / 2], [2, 1]]},
        ],
        ratings=[{"membership": 1, "subject": 7, "grades": {"U11": 0, "U12": 1, "U21": 0}}],
    )

    data = whatif_data(data=results_compute(panel))

    assert [node["code"] for node in data["nodes"]] == ["U", "U1"]
    assert next(r for r in data["indicators"] if r["code"] == "U21")["local_weight"] == 1.0
    assert data["operator"] == "min_max"
    assert "Dr. Li" not in json.dumps(data)


# --- who sees it: the results page's rules ------------------------------------------------------


def test_the_coordinators_results_page_carries_the_data_for_the_script(client, coordinator, deep):
    evaluation, snapshot = deep
    client.force_login(coordinator)

    response = client.get(reverse("results", args=[evaluation.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page_whatif(response) == whatif_data(data=snapshot.data)
    assert 'id="whatif"' in page and "js/whatif.js" in page and "css/whatif.css" in page
    assert "What if the weights were different?" in page
    # One slider and one typed field per child of every node that can move.
    assert page.count('type="range"') == 3 + 4 + 3 + 4 + 4


def test_an_expert_sees_the_same_data_when_the_results_are_shared_without_any_names(
    client, deep, expert_on_deep_panel
):
    evaluation, snapshot = deep
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)
    evaluation.refresh_from_db()
    client.force_login(expert_on_deep_panel)

    response = client.get(reverse("results", args=[evaluation.pk]))

    data = page_whatif(response)
    seen = results_data_for(evaluation=evaluation, snapshot=snapshot, user=expert_on_deep_panel)
    assert response.status_code == 200
    assert data == whatif_data(data=seen) == whatif_data(data=snapshot.data)
    text = json.dumps(data)
    assert not any(name in text for name in ("Prof. Wang", "Dr. Li", "Ms. Chen"))


def test_an_expert_gets_a_404_while_the_results_are_not_shared(client, deep, expert_on_deep_panel):
    evaluation, _snapshot = deep
    client.force_login(expert_on_deep_panel)

    assert client.get(reverse("results", args=[evaluation.pk])).status_code == 404


def test_an_outsider_gets_a_404(client, deep, outsider):
    evaluation, _snapshot = deep
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)
    client.force_login(outsider)

    assert client.get(reverse("results", args=[evaluation.pk])).status_code == 404


def test_an_older_version_asked_for_gets_that_versions_data(client, coordinator, deep):
    evaluation, snapshot = deep
    subjects = snapshot.data["subjects"]
    older = {
        **snapshot.data,
        "subjects": [{**s, "score": None} if s["name"] == "Enterprise B" else s for s in subjects],
    }
    ResultSnapshot.objects.create(evaluation=evaluation, version=0, data=older)
    client.force_login(coordinator)

    response = client.get(reverse("results", args=[evaluation.pk]) + "?version=0")

    assert [s["name"] for s in page_whatif(response)["subjects"]] == ["Enterprise A"]


def test_a_page_with_nothing_to_move_has_no_what_if(client, coordinator):
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=SUBJECTS
    )
    open_for_ballots(evaluation)
    results_recompute(evaluation_id=evaluation.pk)
    client.force_login(coordinator)

    response = client.get(reverse("results", args=[evaluation.pk]))

    assert response.status_code == 200
    assert page_whatif(response) is None
    assert "js/whatif.js" not in response.content.decode()


def test_in_another_language_the_names_keep_the_evaluations_language(client, coordinator, deep):
    evaluation, _snapshot = deep
    client.force_login(coordinator)

    response = client.get(reverse("results", args=[evaluation.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    section = page[page.index('id="whatif"') : page.index('id="whatif-data"')]
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert '<th scope="row" class="name" lang="en">Enterprise A</th>' in section
    assert '<option value="U11" lang="en">U11 ' in section
