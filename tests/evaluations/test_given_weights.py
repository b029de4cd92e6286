"""Direct ("given") weights for a node (evaluations/given_weights): parsing, the services and
their audit, structure edits clearing them, the results (hand-computed), the expert's forms,
the editor page and the exports."""

import csv
import io
import json
import math

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.given_weights.parsing import (
    SUM_TOLERANCE,
    given_weights_clean,
    parse_weight,
)
from evaluations.given_weights.services import given_weights_clear, given_weights_set
from evaluations.models import AuditEntry, Evaluation, Indicator
from evaluations.services import evaluation_copy
from evaluations.services.results import results_compute, results_recompute
from evaluations.services.structure import (
    indicator_add,
    indicator_delete,
    indicator_move,
    indicator_reorder,
)
from experts.selectors import panel_requirements
from surveys import services as ballots
from surveys.selectors import questionnaire
from tests.evaluations.test_results_compute import RATINGS, WEIGHTS
from tests.evaluations.test_results_compute import panel as compute_panel
from tests.evaluations.test_results_pages import (
    add_experts,
    open_for_ballots,
    submit_judgments,
    submit_ratings,
)
from tests.results_equal import assert_same

U2_GIVEN = {"U21": "50%", "U22": "3/10", "U23": "0.2"}


def node(evaluation, code) -> Indicator:
    return evaluation.indicators.get(code=code)


def by_id(evaluation, typed: dict) -> dict:
    """{child code: text} as the services take it: {child id: text}."""
    return {str(node(evaluation, code).pk): value for code, value in typed.items()}


def give(evaluation, actor, code="U2", weights=None, source="Regulation X, 2024"):
    typed = weights or {"U21": "40%", "U22": "30%", "U23": "20%", "U24": "10%"}
    return given_weights_set(
        indicator=node(evaluation, code),
        actor=actor,
        weights=by_id(evaluation, typed),
        source=source,
    )


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [("0.4", 0.4), (".4", 0.4), ("40%", 0.4), ("40 %", 0.4), ("40％", 0.4), ("2/5", 0.4),
     (" 0.25 ", 0.25), (3, 3.0), (0.5, 0.5), ("0", 0.0)],
)  # fmt: skip
def test_it_reads_decimals_fractions_and_percentages(text, expected):
    assert float(parse_weight(text)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "hostile",
    ["1e5", "nan", "inf", "-0.4", "0x10", "1/0", "", ".", "%", "4O%", "1,5", "٣",
     "9" * 25, "0." + "3" * 30, "1/" + "9" * 7, True, None, [0.4], {"a": 1},
     10**400, float("nan"), float("inf"), -(10**7)],
)  # fmt: skip
def test_it_refuses_what_is_not_a_bounded_weight(hostile):
    assert parse_weight(hostile) is None


def children_of(evaluation, code):
    return list(node(evaluation, code).children.order_by("order", "pk"))


def test_weights_are_normalised_to_add_up_to_exactly_one(evaluation):
    u1 = node(evaluation, "U1")
    raw = by_id(evaluation, {"U11": "0.333", "U12": "0.333", "U13": "0.167", "U14": "0.167"})
    cleaned = given_weights_clean(parent=u1, children=children_of(evaluation, "U1"), raw=raw)
    assert math.fsum(cleaned.values()) == pytest.approx(1.0, abs=1e-15)
    assert cleaned[str(node(evaluation, "U11").pk)] == pytest.approx(0.333 / 1.0, abs=1e-12)


def test_a_sum_off_by_more_than_the_tolerance_is_refused_with_the_sum(evaluation):
    raw = by_id(evaluation, {"U11": "0.4", "U12": "0.35", "U13": "0.2", "U14": "0.1"})
    with pytest.raises(ValidationError) as error:
        given_weights_clean(
            parent=node(evaluation, "U1"), children=children_of(evaluation, "U1"), raw=raw
        )
    message = error.value.message_dict["given_weights"][0]
    assert "1.05" in message and "within 0.01" in message
    assert SUM_TOLERANCE == pytest.approx(0.01)


def test_percentages_without_the_sign_get_a_hint(evaluation):
    raw = by_id(evaluation, {"U11": "40", "U12": "30", "U13": "20", "U14": "10"})
    with pytest.raises(ValidationError) as error:
        given_weights_clean(
            parent=node(evaluation, "U1"), children=children_of(evaluation, "U1"), raw=raw
        )
    assert "% sign" in error.value.message_dict["given_weights"][0]


def test_each_error_names_the_child_and_the_rule(evaluation):
    u11, u12, u13 = (node(evaluation, c) for c in ("U11", "U12", "U13"))
    raw = {str(u11.pk): "0", str(u12.pk): "lots", str(u13.pk): ""}
    with pytest.raises(ValidationError) as error:
        given_weights_clean(
            parent=node(evaluation, "U1"), children=children_of(evaluation, "U1"), raw=raw
        )
    errors = error.value.message_dict
    assert errors[str(u11.pk)] == [f"U11 {u11.name}: the weight must be greater than 0."]
    assert f"U12 {u12.name}: “lots” is not a weight" in errors[str(u12.pk)][0]
    assert errors[str(u13.pk)] == [f"U13 {u13.name}: enter a weight."]
    u14 = node(evaluation, "U14")
    assert errors[str(u14.pk)] == [f"U14 {u14.name}: enter a weight."]


def test_an_unknown_child_is_refused(evaluation):
    raw = {**by_id(evaluation, {"U11": "1/4", "U12": "1/4", "U13": "1/4", "U14": "1/4"})}
    raw[str(node(evaluation, "U21").pk)] = "0"
    with pytest.raises(ValidationError) as error:
        given_weights_clean(
            parent=node(evaluation, "U1"), children=children_of(evaluation, "U1"), raw=raw
        )
    assert "is not a sub-indicator of U1" in error.value.message_dict["given_weights"][0]


# --- services and audit ----------------------------------------------------------------------


def test_setting_given_weights_stores_them_by_child_id_and_records_an_audit_entry(
    evaluation, coordinator
):
    indicator = give(evaluation, coordinator)
    ids = [str(c.pk) for c in children_of(evaluation, "U2")]
    assert [indicator.given_weights[pk] for pk in ids] == pytest.approx([0.4, 0.3, 0.2, 0.1])
    assert indicator.given_weights_source == "Regulation X, 2024"
    entry = AuditEntry.objects.filter(evaluation=evaluation).first()
    assert entry.action == AuditEntry.Action.EDITED_HIERARCHY
    assert entry.params["change"] == "given_weights"
    assert entry.params["weights"] == pytest.approx(
        {"U21": 0.4, "U22": 0.3, "U23": 0.2, "U24": 0.1}
    )
    assert "Regulation X, 2024" in entry.detail


def test_a_refused_set_changes_nothing(evaluation, coordinator):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        give(evaluation, coordinator, weights={"U21": "0.9", "U22": "0.3", "U23": "0.2"})
    assert node(evaluation, "U2").given_weights is None
    assert AuditEntry.objects.count() == before


def test_a_source_too_long_or_with_control_characters_is_refused(evaluation, coordinator):
    for source, rule in (("x" * 301, "at most 300"), ("a\x00b", "control characters")):
        with pytest.raises(ValidationError) as error:
            give(evaluation, coordinator, source=source)
        assert rule in error.value.message_dict["given_weights_source"][0]
    assert node(evaluation, "U2").given_weights is None


def test_a_node_with_fewer_than_two_children_has_no_weights_to_give(evaluation, coordinator):
    with pytest.raises(ValidationError) as error:
        given_weights_set(
            indicator=node(evaluation, "U11"), actor=coordinator, weights={}, source=""
        )
    assert "fewer than two" in error.value.message_dict["given_weights"][0]


def test_clearing_goes_back_to_pairwise_and_is_audited(evaluation, coordinator):
    give(evaluation, coordinator)
    indicator = given_weights_clear(indicator=node(evaluation, "U2"), actor=coordinator)
    assert indicator.given_weights is None and indicator.given_weights_source == ""
    entry = AuditEntry.objects.filter(evaluation=evaluation).first()
    assert entry.params == {
        "change": "given_weights_cleared",
        "code": "U2",
        "name": entry.params["name"],
    }


def test_the_activity_log_words_the_entries(evaluation, coordinator):
    from evaluations.audit_wording import audit_entry_detail

    give(evaluation, coordinator)
    given_weights_clear(indicator=node(evaluation, "U2"), actor=coordinator)
    cleared, given = AuditEntry.objects.filter(evaluation=evaluation)[:2]
    assert audit_entry_detail(given) == (
        "gave the weights under U2: U21 0.4, U22 0.3, U23 0.2, U24 0.1 "
        "(source: “Regulation X, 2024”)"
    )
    assert audit_entry_detail(cleared) == "back to pairwise comparisons under U2"


# --- structure edits ---------------------------------------------------------------------------


def test_adding_a_child_clears_the_given_weights_and_says_so(evaluation, coordinator):
    give(evaluation, coordinator)
    indicator_add(parent=node(evaluation, "U2"), actor=coordinator, name="New one")
    assert node(evaluation, "U2").given_weights is None
    entry = AuditEntry.objects.filter(evaluation=evaluation).first()
    assert entry.params["given_weights_cleared"] == ["U2"]
    assert "cleared the given weights under U2" in entry.detail


def test_deleting_a_child_clears_them(evaluation, coordinator):
    give(evaluation, coordinator)
    indicator_delete(indicator=node(evaluation, "U24"), actor=coordinator)
    assert node(evaluation, "U2").given_weights is None


def test_moving_a_child_out_clears_them_and_moving_another_node_does_not(evaluation, coordinator):
    give(evaluation, coordinator)
    give(evaluation, coordinator, code="U1", weights={"U11": "1/4", "U12": "1/4", "U13": "1/4",
                                                      "U14": "1/4"})  # fmt: skip
    indicator_move(
        indicator=node(evaluation, "U24"), actor=coordinator, new_parent=node(evaluation, "U3")
    )
    assert node(evaluation, "U2").given_weights is None
    assert node(evaluation, "U1").given_weights is not None


def test_reordering_children_keeps_them_with_their_children(evaluation, coordinator):
    give(evaluation, coordinator)
    u21 = node(evaluation, "U21")
    indicator_reorder(indicator=u21, actor=coordinator, direction="down")
    u2 = node(evaluation, "U2")
    assert u2.given_weights[str(u21.pk)] == pytest.approx(0.4)
    assert Indicator.objects.get(pk=u21.pk).code == "U22"


def test_a_copy_keys_the_given_weights_by_the_copied_children(evaluation, coordinator):
    give(evaluation, coordinator)
    copy = evaluation_copy(owner=coordinator, source=evaluation)
    u2 = node(copy, "U2")
    expected = {str(node(copy, c).pk): w for c, w in
                (("U21", 0.4), ("U22", 0.3), ("U23", 0.2), ("U24", 0.1))}  # fmt: skip
    assert u2.given_weights == pytest.approx(expected)
    assert u2.given_weights_source == "Regulation X, 2024"


# --- results: hand-computed ----------------------------------------------------------------


def test_a_given_node_and_pairwise_nodes_combine_into_hand_computed_global_weights():
    """U and U1 from the three experts' ballots (AIJ, root method, expert weights 1, 1, 2),
    U2's weights given as 0.5, 0.3, 0.2; its ballots are left out."""
    data = compute_panel()
    for row in data.indicators:
        row["given_weights"] = [0.5, 0.3, 0.2] if row["code"] == "U2" else None
        row["given_weights_source"] = "Earlier study" if row["code"] == "U2" else ""
    data.pairwise = [b for b in data.pairwise if b["parent_code"] != "U2"]
    result = results_compute(data)
    # 2 × 2 matrices: the group judgment is the weighted geometric mean of the judgments,
    # b = (3 · 2 · 4²)^(1/4) for U and (2 · 3 · 1²)^(1/4) for U1; then w = (b, 1) / (b + 1).
    b_u, b_u1 = 96**0.25, 6**0.25
    f1, f2 = b_u / (1 + b_u), 1 / (1 + b_u)
    d11, d12 = b_u1 / (1 + b_u1), 1 / (1 + b_u1)
    expected = {"U1": f1, "U2": f2, "U11": f1 * d11, "U12": f1 * d12,
                "U21": f2 * 0.5, "U22": f2 * 0.3, "U23": f2 * 0.2}  # fmt: skip
    assert expected["U11"] == pytest.approx(0.4624194485, abs=1e-9)
    assert expected["U21"] == pytest.approx(0.1210604168, abs=1e-9)
    rows = {row["code"]: row for row in result["indicators"]}
    for code, weight in expected.items():
        assert rows[code]["global_weight"] == pytest.approx(weight, abs=1e-12), code
    matrices = {m["parent"]: m for m in result["matrices"]}
    assert matrices["U2"]["source"] == "given"
    assert matrices["U2"]["given_source"] == "Earlier study"
    assert matrices["U2"]["weights"] == [0.5, 0.3, 0.2]
    assert [matrices["U2"][k] for k in ("lambda_max", "ci", "ri", "cr")] == [None] * 4
    assert matrices["U"]["source"] == matrices["U1"]["source"] == "pairwise"
    assert result["complete"] is True
    # E = F · (D1 R1, D2 R2) by hand, from the weighted votes.
    counts = {leaf: np.zeros(4) for leaf in ("U11", "U12", "U21", "U22", "U23")}
    for expert, chosen in RATINGS.items():
        for leaf, grade in chosen.items():
            counts[leaf][grade] += WEIGHTS[expert]
    r = {leaf: c / c.sum() for leaf, c in counts.items()}
    g1 = d11 * r["U11"] + d12 * r["U12"]
    g2 = 0.5 * r["U21"] + 0.3 * r["U22"] + 0.2 * r["U23"]
    e = f1 * g1 + f2 * g2
    assert result["subjects"][0]["vector"] == pytest.approx(e / e.sum(), abs=1e-12)
    # The flip points read the local weights: U2's children are among the criteria.
    assert {row["node"] for row in result["robustness"]["flip_points"]} >= {"U2"}


@pytest.fixture
def panel_with_given_u2(evaluation, coordinator):
    """The three experts of the results pages answer everything, U2 included (their U2
    matrices are inconsistent: a CR warning without given weights); then U2 is given."""
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)
    before = results_recompute(evaluation_id=evaluation.pk)
    give(evaluation, coordinator)
    return before, results_recompute(evaluation_id=evaluation.pk), memberships


def test_a_given_nodes_ballots_are_kept_but_left_out_of_the_results(
    evaluation, panel_with_given_u2
):
    before, after, _memberships = panel_with_given_u2
    assert "U2" in [w["parent"] for w in before.data["warnings"]]
    assert "U2" not in [w["parent"] for w in after.data["warnings"]]
    u2 = next(m for m in after.data["matrices"] if m["parent"] == "U2")
    assert u2["source"] == "given" and u2["ignored_ballots"] == 3
    assert u2["weights"] == pytest.approx([0.4, 0.3, 0.2, 0.1])
    rows = {row["code"]: row for row in after.data["indicators"]}
    assert rows["U21"]["local_weight"] == pytest.approx(0.4)
    assert rows["U21"]["global_weight"] == pytest.approx(rows["U2"]["global_weight"] * 0.4)
    # U's weights and the other matrices are as before: only U2 changed.
    others = {m["parent"]: m["weights"] for m in before.data["matrices"] if m["parent"] != "U2"}
    assert_same({m["parent"]: m["weights"] for m in after.data["matrices"]
                 if m["parent"] != "U2"}, others)  # fmt: skip
    assert ballots.PairwiseBallot.objects.filter(parent=node(evaluation, "U2")).count() == 3


def test_switching_back_brings_the_kept_ballots_in_again(
    evaluation, coordinator, panel_with_given_u2
):
    before, _after, _memberships = panel_with_given_u2
    given_weights_clear(indicator=node(evaluation, "U2"), actor=coordinator)
    again = results_recompute(evaluation_id=evaluation.pk)
    assert_same(again.data["matrices"], before.data["matrices"])


def test_the_evaluation_is_complete_without_ballots_for_the_given_node(evaluation, coordinator):
    give(evaluation, coordinator)
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships, parents=("U", "U1", "U3"))
    submit_ratings(evaluation, memberships)
    snapshot = results_recompute(evaluation_id=evaluation.pk)
    assert snapshot.data["complete"] is True, snapshot.data["missing"]
    assert len(snapshot.data["ranking"]) == 2


# --- the experts' side ----------------------------------------------------------------------


def test_the_questionnaire_and_the_panel_no_longer_ask_for_a_given_node(
    open_evaluation, coordinator, expert
):
    from tests.conftest import accepted_membership

    membership = accepted_membership(open_evaluation, expert)
    asked = [p.code for p, _b in questionnaire(membership=membership)["matrices"]]
    assert "U2" in asked
    give(open_evaluation, coordinator)
    asked = [p.code for p, _b in questionnaire(membership=membership)["matrices"]]
    assert asked == ["U", "U1", "U3"]
    required = panel_requirements(evaluation_ids=[open_evaluation.pk])[open_evaluation.pk]
    assert node(open_evaluation, "U2").pk not in required.parent_ids


def test_the_pairwise_form_of_a_given_node_is_gone_and_a_save_is_refused(
    client, open_evaluation, coordinator, expert
):
    from tests.conftest import accepted_membership

    membership = accepted_membership(open_evaluation, expert)
    u2 = node(open_evaluation, "U2")
    give(open_evaluation, coordinator)
    client.force_login(expert)
    response = client.get(reverse("pairwise-form", args=[open_evaluation.pk, u2.pk]))
    assert response.status_code == 404
    with pytest.raises(ValidationError) as error:
        ballots.pairwise_ballot_save(membership=membership, parent=u2, judgments={}, submit=False)
    assert "given the weights" in error.value.message_dict["parent"][0]
    page = client.get(reverse("questionnaire", args=[open_evaluation.pk]))
    assert f"/{u2.pk}/" not in page.content.decode()


# --- the editor page ------------------------------------------------------------------------


def editor_url(evaluation, code="U2"):
    return reverse("given-weights-edit", args=[evaluation.pk, node(evaluation, code).pk])


def test_the_hierarchy_page_links_each_node_with_two_children_to_its_weights(
    coordinator_client, evaluation
):
    page = coordinator_client.get(reverse("hierarchy-edit", args=[evaluation.pk]))
    html = page.content.decode()
    assert editor_url(evaluation) in html
    assert editor_url(evaluation, "U11") not in html  # a leaf


def test_the_editor_saves_and_the_tree_shows_the_given_weights(coordinator_client, evaluation):
    children = children_of(evaluation, "U2")
    data = {f"weight_{c.pk}": v for c, v in zip(children, ["40%", "0.3", "1/5", "10 %"],
                                                 strict=True)}  # fmt: skip
    response = coordinator_client.post(editor_url(evaluation), {**data, "source": "Reg. X"})
    assert response.status_code == 302
    page = coordinator_client.get(response["Location"])
    html = page.content.decode()
    assert "Given weights:" in html and "U21 0.4" in html and "source: Reg. X" in html


def test_the_editor_answers_400_with_the_childs_error_and_saves_nothing(
    coordinator_client, evaluation
):
    children = children_of(evaluation, "U2")
    data = {f"weight_{c.pk}": v for c, v in zip(children, ["40%", "abc", "1/5", "10 %"],
                                                 strict=True)}  # fmt: skip
    response = coordinator_client.post(editor_url(evaluation), data)
    assert response.status_code == 400
    assert f"{children[1].code} {children[1].name}: “abc” is not a weight" in (
        response.content.decode()
    )
    assert node(evaluation, "U2").given_weights is None


def test_the_editor_switches_back(coordinator_client, evaluation, coordinator):
    give(evaluation, coordinator)
    url = reverse("given-weights-clear", args=[evaluation.pk, node(evaluation, "U2").pk])
    assert coordinator_client.post(url).status_code == 302
    assert node(evaluation, "U2").given_weights is None


def test_an_outsider_cannot_reach_the_editor(outsider_client, evaluation):
    assert outsider_client.get(editor_url(evaluation)).status_code == 404
    url = reverse("given-weights-clear", args=[evaluation.pk, node(evaluation, "U2").pk])
    assert outsider_client.post(url).status_code == 404


def test_deleting_a_child_on_the_page_warns_that_the_weights_were_cleared(
    coordinator_client, evaluation, coordinator
):
    give(evaluation, coordinator)
    url = reverse("hierarchy-delete", args=[evaluation.pk, node(evaluation, "U24").pk])
    page = coordinator_client.post(url, follow=True)
    assert "The given weights under U2 were cleared" in page.content.decode()


# --- results page and exports ------------------------------------------------------------------


def test_the_results_page_says_given_with_the_source(
    coordinator_client, evaluation, panel_with_given_u2
):
    page = coordinator_client.get(reverse("results", args=[evaluation.pk]))
    html = page.content.decode()
    assert "Given weights U2" in html
    assert "Source: Regulation X, 2024." in html
    assert "3 pairwise answers submitted earlier are kept but not used" in html


def export(client, evaluation, fmt):
    return client.get(reverse("results-export", args=[evaluation.pk, fmt]))


def test_the_exports_say_given_and_the_source(coordinator_client, evaluation, panel_with_given_u2):
    text = export(coordinator_client, evaluation, "csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    consistency = next(r for r in rows if r and r[0].startswith("U2 "))
    # Weights from, their source, then the pairs skipped (none: no ballot for a given node).
    assert consistency[-3:] == ["given", "Regulation X, 2024", "0"]
    u1 = next(r for r in rows if r and r[0].startswith("U1 ") and len(r) == len(consistency))
    assert u1[-3] == "pairwise comparisons"
    u21 = next(r for r in rows if r and r[0] == "U21" and r[2] == "U2")
    assert u21[-1] == "given"
    book = load_workbook(io.BytesIO(export(coordinator_client, evaluation, "xlsx").content))
    sheet = book["Given U2"]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "Regulation X, 2024" in cells and 0.4 in [round(v, 12) for v in cells
                                                        if isinstance(v, float)]  # fmt: skip
    data = json.loads(export(coordinator_client, evaluation, "json").content)
    u2 = next(m for m in data["data"]["matrices"] if m["parent"] == "U2")
    assert (u2["source"], u2["given_source"], u2["cr"]) == ("given", "Regulation X, 2024", None)


def test_a_formula_in_the_source_is_neutralised_in_the_csv(
    coordinator_client, evaluation, coordinator, panel_with_given_u2
):
    give(evaluation, coordinator, source='=HYPERLINK("http://x")')
    results_recompute(evaluation_id=evaluation.pk)
    text = export(coordinator_client, evaluation, "csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_defaults_unchanged_every_matrix_is_pairwise_without_given_weights(evaluation):
    assert not evaluation.indicators.filter(given_weights__isnull=False).exists()
    assert Evaluation.objects.get(pk=evaluation.pk).status == Evaluation.Status.DRAFT


def test_the_what_if_moves_a_given_nodes_weights_like_any_other(evaluation, panel_with_given_u2):
    from evaluations.robustness.whatif import whatif_data

    _before, after, _memberships = panel_with_given_u2
    nodes = {n["code"]: n for n in whatif_data(data=after.data)["nodes"]}
    assert [c["weight"] for c in nodes["U2"]["children"]] == pytest.approx([0.4, 0.3, 0.2, 0.1])
    flips = {row["node"] for row in after.data["robustness"]["flip_points"]}
    assert "U2" in flips


@pytest.mark.parametrize(
    "value, source, shown",
    [
        ("9" * 5000, "", "is not a weight"),
        ("1e308", "", "“1e308” is not a weight"),
        ("0.25", "x" * 5000, "The source may have at most 300 characters."),
        ("0.25", "=cmd|' /C calc'!A0\x07", "The source must not contain control characters."),
    ],
)
def test_hostile_input_on_the_page_is_a_400_naming_the_rule(
    coordinator_client, evaluation, value, source, shown
):
    children = children_of(evaluation, "U2")
    data = {f"weight_{c.pk}": "0.25" for c in children}
    data[f"weight_{children[0].pk}"] = value
    response = coordinator_client.post(editor_url(evaluation), {**data, "source": source})
    assert response.status_code == 400
    assert shown in response.content.decode()
    assert node(evaluation, "U2").given_weights is None


def test_the_page_of_a_leaf_says_there_is_nothing_to_weigh(coordinator_client, evaluation):
    response = coordinator_client.get(editor_url(evaluation, "U11"))
    assert response.status_code == 200
    assert "U11 has fewer than two sub-indicators" in response.content.decode()
    assert coordinator_client.post(editor_url(evaluation, "U11"), {}).status_code == 400
