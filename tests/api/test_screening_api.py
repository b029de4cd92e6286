"""The screening stage through the REST API: the coordinator sets a survey up and runs its
rounds, an expert answers through the API, and Adopt builds the hierarchy; access, strict
input, state conflicts (409) and the services' field paths in the one error shape."""

import json
import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Indicator
from evaluations.services import evaluation_create_blank
from surveys.models import (
    ItemDecision,
    ScreeningItem,
    ScreeningQuestion,
    ScreeningResponse,
    ScreeningRound,
    ScreeningSurvey,
)
from surveys.screening.api import urls as screening_api_urls
from surveys.screening.limits import ANSWERS_JSON_LIMIT
from tests.api.conftest import token_client
from tests.conftest import accepted_membership

RISKS = ["Credit risk", "Operational risk", "Market risk", "Legal risk"]
AUTHORITY = {
    "basis": {"practice": "high", "theory": "medium", "literature": "low", "intuition": "low"},
    "familiarity": "familiar",
}


def url(name: str, *args) -> str:
    return reverse(f"v1:screening-{name}", args=args)


@pytest.fixture
def panel_expert(expert, evaluation):
    accepted_membership(evaluation, expert)
    return expert


@pytest.fixture
def api(coordinator):
    return token_client(coordinator)


@pytest.fixture
def expert_api(panel_expert):
    return token_client(panel_expert)


class Study:
    """A survey made through the API: a rating of U1's children (5 points), a ranking of four
    typed risks placed under U, a choice with "other", a suggestion box."""

    def __init__(self, api, evaluation):
        self.api, self.evaluation = api, evaluation
        created = api.post(url("surveys", evaluation.pk), {"title": "Screening"}, format="json")
        assert created.status_code == 201, created.json()
        self.id = created.json()["id"]
        self.rating = self.add(kind="rating", text="Rate each.", levels=5, items_from="U1")
        self.ranking = self.add(kind="ranking", text="Order.", items=RISKS, place_under="U")
        self.choice = self.add(
            kind="choice", text="Main problem?", items=["Stock", "Staff"], allow_other=True
        )
        self.suggestion = self.add(kind="suggestion", text="What is missing?")

    def add(self, **question) -> dict:
        response = self.api.post(self.at("questions"), question, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    def at(self, name: str, *more) -> str:
        return url(name, self.evaluation.pk, self.id, *more)

    def item(self, question: dict, name: str) -> int:
        return next(item["id"] for item in question["items"] if item["name"] == name)

    def rating_items(self) -> list[int]:
        return [item["id"] for item in self.rating["items"]]

    def open_round(self) -> dict:
        response = self.api.post(self.at("rounds"))
        assert response.status_code == 201, response.json()
        return response.json()

    def close_round(self, number: int) -> dict:
        response = self.api.post(self.at("round-close", number))
        assert response.status_code == 200, response.json()
        return response.json()

    def answers(self, levels: list, order: list[str], choice: str = "Stock") -> dict:
        rating, ranking, choice_q = self.rating, self.ranking, self.choice
        return {
            str(rating["id"]): dict(zip(map(str, self.rating_items()), levels, strict=True)),
            str(ranking["id"]): {"order": [self.item(ranking, name) for name in order]},
            str(choice_q["id"]): {"selected": [self.item(choice_q, choice)]},
            str(self.suggestion["id"]): {"text": "Delivery time"},
        }


@pytest.fixture
def study(api, evaluation):
    return Study(api, evaluation)


def answers_url(study: Study) -> str:
    return url("answers", study.evaluation.pk, study.id)


def fields(response) -> list:
    return [error["field"] for error in response.json()["errors"]]


# --- a whole study ----------------------------------------------------------------------------


def test_a_two_round_study_runs_from_the_questions_to_adopt(study, api, expert_api, evaluation):
    assert study.open_round()["number"] == 1

    # Round 1: the expert reads the questionnaire, saves a draft, then submits.
    asked = expert_api.get(answers_url(study)).json()
    assert (asked["round"], asked["round_open"], asked["status"]) == (1, True, "draft")
    assert [q["kind"] for q in asked["questions"]] == ["rating", "ranking", "choice", "suggestion"]
    assert len(asked["questions"][0]["items"]) == 4 and asked["previous_answers"] is None
    answers = study.answers([5, 4, 2, None], ["Credit risk", "Operational risk"])
    draft = {"answers": {str(study.rating["id"]): {str(study.rating_items()[0]): 5}}}
    saved = expert_api.put(answers_url(study), draft, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["status"] == "draft"
    body = {"answers": answers, "authority": AUTHORITY, "submit": True}
    submitted = expert_api.put(answers_url(study), body, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert ScreeningResponse.objects.get().channel == "api"

    closed = study.close_round(1)
    assert (closed["status"], closed["submitted"], closed["valid"]) == ("closed", 1, 1)

    figures = api.get(study.at("statistics", 1)).json()
    assert (figures["counts"]["valid"], figures["counts"]["invited"]) == (1, 1)
    assert figures["counts"]["positive_coefficient"] == pytest.approx(1.0)
    rating, ranking, choice, suggestion = figures["questions"]
    assert [item["mean"] for item in rating["items"]] == [5.0, 4.0, 2.0, None]
    assert rating["items"][0]["distribution"] == [0, 0, 0, 0, 1]
    assert [item["verdict"] for item in rating["items"]] == ["keep", "drop", "drop", "discuss"]
    assert [item["mean"] for item in ranking["items"][:2]] == [4.0, 3.0]
    assert [option["count"] for option in choice["options"]] == [1, 0, 0]
    assert suggestion["suggestions"][0]["text"] == "Delivery time"
    assert figures["authority"]["experts"][0]["cr"] == pytest.approx((0.8 + 0.8) / 2)

    # Decisions after round 1: keep, drop, revise, merge.
    u11, u12, u13, u14 = study.rating_items()
    credit, operational, market, legal = (study.item(study.ranking, name) for name in RISKS)
    decisions = [
        {"item": u11, "decision": "keep"},
        {"item": u12, "decision": "keep"},
        {"item": u13, "decision": "drop", "note": "Covered by U12."},
        {"item": u14, "decision": "revise", "new_name": "Price and discount control"},
        {"item": credit, "decision": "keep"},
        {"item": operational, "decision": "keep"},
        {"item": market, "decision": "drop"},
        {"item": legal, "decision": "merge", "merged_into": operational},
    ]
    decided = api.put(study.at("decisions", 1), {"decisions": decisions}, format="json")
    assert decided.status_code == 200, decided.json()
    rows = {row["item"]: row for row in decided.json()}
    assert rows[legal]["decision"] == "merge" and rows[legal]["merged_into"] == operational
    # The rule's verdict is kept beside the coordinator's decision.
    assert [rows[item]["rule_verdict"] for item in (u11, u12, u13)] == ["keep", "drop", "drop"]
    assert api.get(study.at("decisions", 1)).json() == decided.json()

    # Round 2: the previous answers come back; a changed answer needs its reason.
    assert study.open_round()["number"] == 2
    asked = expert_api.get(answers_url(study)).json()
    assert asked["previous_answers"] == submitted.json()["answers"]
    feedback = asked["questions"][0]["items"][0]["feedback"]
    assert feedback == {"median": 5.0, "iqr": 0.0, "valid": 1, "distribution": [0, 0, 0, 0, 1]}
    assert asked["questions"][2]["items"][0]["feedback"] is None  # a choice option
    rating_items = [item["name"] for item in asked["questions"][0]["items"]]
    assert rating_items == [
        "Supplier selection",
        "Procurement authorisation",
        "Price and discount control",
    ]
    changed = study.answers([5, 5, None, None], ["Credit risk", "Operational risk"])
    del changed[str(study.rating["id"])][str(u13)]  # dropped: not asked in round 2
    body = {"answers": changed, "authority": AUTHORITY, "submit": True}
    refused = expert_api.put(answers_url(study), body, format="json")
    assert refused.status_code == 400
    assert fields(refused) == [f"reasons.{u12}"]
    body["reasons"] = {str(u12): "The authorisation rules failed twice last year."}
    resubmitted = expert_api.put(answers_url(study), body, format="json")
    assert resubmitted.status_code == 200, resubmitted.json()
    assert resubmitted.json()["reasons"] == body["reasons"]

    study.close_round(2)
    decided = api.put(
        study.at("decisions", 2), {"decisions": [{"item": u14, "decision": "keep"}]}, format="json"
    )
    assert decided.status_code == 200, decided.json()

    adopted = api.post(study.at("adopt"))
    assert adopted.status_code == 200, adopted.json()
    assert adopted.json() == {"added": ["U4", "U5"], "renamed": ["U13"], "deleted": ["U13"]}
    names = dict(evaluation.indicators.values_list("code", "name"))
    assert [names["U13"], names["U4"], names["U5"]] == [
        "Price and discount control",
        "Credit risk",
        "Operational risk",
    ]


def test_the_coordinator_reads_the_survey_the_questions_and_the_rounds(study, api, evaluation):
    listed = api.get(url("surveys", evaluation.pk)).json()
    survey = api.get(study.at("survey")).json()

    assert listed == [
        {
            "id": study.id,
            "title": "Screening",
            "rule": "mean_threshold",
            "created_at": listed[0]["created_at"],
            "questions": 4,
            "rounds": 0,
            "open_round": None,
        }
    ]
    ids = [study.rating["id"], study.ranking["id"], study.choice["id"], study.suggestion["id"]]
    assert [q["id"] for q in survey["questions"]] == ids
    rating = survey["questions"][0]
    assert [item["indicator"] for item in rating["items"]] == ["U11", "U12", "U13", "U14"]
    assert {item["place_under"] for item in survey["questions"][1]["items"]} == {"U"}
    assert survey["questions"][2]["items"][-1]["is_other"] is True
    study.open_round()
    assert api.get(study.at("rounds")).json()[0]["status"] == "open"
    assert api.get(url("surveys", evaluation.pk)).json()[0]["open_round"] == 1


def test_settings_change_through_patch_and_put(study, api):
    patched = api.patch(study.at("survey"), {"rule": "boundary_value"}, format="json")
    put = api.put(study.at("survey"), {"title": "Second", "min_seconds": 30}, format="json")

    assert patched.status_code == 200 and patched.json()["rule"] == "boundary_value"
    assert put.status_code == 200, put.json()
    survey = ScreeningSurvey.objects.get(pk=study.id)
    assert (survey.title, survey.rule, survey.min_seconds) == ("Second", "boundary_value", 30)


def test_questions_and_items_change_until_round_1_opens(study, api):
    question = study.at("question", study.choice["id"])
    items = study.at("items", study.choice["id"])

    assert api.patch(question, {"multiple": True}, format="json").json()["multiple"] is True
    added = api.post(items, {"name": "Payments"}, format="json")
    assert added.status_code == 201, added.json()
    item = study.at("item", study.choice["id"], added.json()["id"])
    renamed = api.patch(item, {"name": "Online payments"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Online payments"
    assert api.delete(item).status_code == 204
    assert api.delete(question).status_code == 204
    assert not ScreeningQuestion.objects.filter(pk=study.choice["id"]).exists()


def test_a_choice_question_becomes_an_attention_check_through_patch(study, api):
    question = study.at("question", study.choice["id"])
    staff = study.item(study.choice, "Staff")
    other = next(item["id"] for item in study.choice["items"] if item["is_other"])

    changed = api.patch(question, {"attention_answer": staff}, format="json")
    refused = [
        api.patch(question, {"attention_answer": value}, format="json")
        for value in (other, study.rating_items()[0], "Staff", True, 0)
    ]
    not_a_choice = api.patch(
        study.at("question", study.rating["id"]), {"attention_answer": staff}, format="json"
    )
    on_create = api.post(
        study.at("questions"),
        {"kind": "choice", "text": "Pick one.", "items": ["A"], "attention_answer": staff},
        format="json",
    )

    assert changed.status_code == 200 and changed.json()["attention_answer"] == staff
    assert [r.status_code for r in refused] == [400] * 5
    assert all(fields(r) == ["attention_answer"] for r in refused)
    assert not_a_choice.status_code == 400 and fields(not_a_choice) == ["attention_answer"]
    assert on_create.status_code == 400 and fields(on_create) == ["attention_answer"]
    assert ScreeningQuestion.objects.get(pk=study.choice["id"]).attention_answer_id == staff
    cleared = api.patch(question, {"attention_answer": None}, format="json")
    assert cleared.json()["attention_answer"] is None


def test_a_suggested_item_joins_after_a_closed_round(study, api):
    study.open_round()
    body = {"question": study.ranking["id"], "name": "Logistics risk", "place_under": "U"}

    while_open = api.post(study.at("suggested-items", 1), body, format="json")
    study.close_round(1)
    added = api.post(study.at("suggested-items", 1), body, format="json")

    assert while_open.status_code == 409 and fields(while_open) == ["round"]
    assert added.status_code == 201, added.json()
    assert (added.json()["source"], added.json()["first_round"]) == ("suggested", 2)


# --- access ---------------------------------------------------------------------------------


def test_outsiders_get_404_everywhere(study, outsider, coordinator, expert, evaluation):
    study.open_round()
    stranger = token_client(outsider)
    routes = [
        url("surveys", evaluation.pk),
        study.at("survey"),
        study.at("questions"),
        study.at("rounds"),
        study.at("decisions", 1),
        study.at("adopt"),
    ]
    for route in routes:
        assert stranger.get(route).status_code in (404, 405), route
        assert stranger.post(route, {}, format="json").status_code in (404, 405), route
    # The coordinator is no expert of the panel, and an expert not on it reaches nothing.
    for user in (coordinator, expert):
        client = token_client(user)
        assert client.get(answers_url(study)).status_code == 404
        assert client.put(answers_url(study), {"answers": {}}, format="json").status_code == 404
    assert ScreeningRound.objects.get().status == "open"


def test_a_survey_of_another_evaluation_is_404_under_this_one(study, api, coordinator):
    other = evaluation_create_blank(owner=coordinator, title="Other", subjects=["A"])

    assert api.get(url("survey", other.pk, study.id)).status_code == 404


def test_a_read_only_token_reads_and_cannot_write(study, coordinator, evaluation):
    reader = token_client(coordinator, read_only=True)
    writes = [
        ("post", url("surveys", evaluation.pk), {"title": "More"}),
        ("patch", study.at("survey"), {"title": "Renamed"}),
        ("post", study.at("questions"), {"kind": "suggestion", "text": "More?"}),
        ("delete", study.at("question", study.choice["id"]), None),
        ("post", study.at("rounds"), None),
        ("post", study.at("adopt"), None),
    ]

    assert reader.get(study.at("survey")).status_code == 200
    for method, route, body in writes:
        response = getattr(reader, method)(route, body, format="json")
        assert response.status_code == 403, (method, route)
        assert response.json()["errors"][0]["rule"] == "permission_denied"
    assert ScreeningSurvey.objects.get().title == "Screening"
    assert ScreeningQuestion.objects.count() == 4 and not ScreeningRound.objects.exists()


def test_a_read_only_token_of_an_expert_cannot_answer(study, panel_expert):
    study.open_round()

    response = token_client(panel_expert, read_only=True).put(
        answers_url(study), {"answers": {}}, format="json"
    )

    assert response.status_code == 403


# --- bad input and refused states ------------------------------------------------------------


def test_a_ranking_with_an_item_twice_is_refused_naming_the_place(study, expert_api):
    study.open_round()
    credit = study.item(study.ranking, "Credit risk")
    body = {"answers": {str(study.ranking["id"]): {"order": [credit, credit]}}}

    response = expert_api.put(answers_url(study), body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": f"answers.{study.ranking['id']}.order.2",
            "rule": "invalid",
            "message": "Each item may be ranked once.",
        }
    ]
    assert ScreeningResponse.objects.get().answers == {}


def test_a_rating_off_the_scale_names_the_question_and_the_item(study, expert_api):
    study.open_round()
    item = study.rating_items()[1]
    body = {"answers": {str(study.rating["id"]): {str(item): 6}}}

    response = expert_api.put(answers_url(study), body, format="json")

    assert response.status_code == 400
    assert fields(response) == [f"answers.{study.rating['id']}.{item}"]


def test_unknown_keys_are_refused_at_every_door(study, api, expert_api, evaluation):
    study.open_round()
    survey = api.post(url("surveys", evaluation.pk), {"title": "X", "colour": "red"}, format="json")
    answers = expert_api.put(answers_url(study), {"answers": {}, "draft": True}, format="json")
    rating = study.at("question", study.rating["id"])
    question = api.patch(rating, {"kind": "choice"}, format="json")
    decision = {"item": study.rating_items()[0], "decision": "keep", "weight": 2}
    decisions = api.put(study.at("decisions", 1), {"decisions": [decision]}, format="json")

    assert (survey.status_code, fields(survey)) == (400, ["colour"])
    assert (answers.status_code, fields(answers)) == (400, ["draft"])
    assert (question.status_code, fields(question)) == (400, ["kind"])
    assert (decisions.status_code, fields(decisions)) == (400, ["decisions.0.weight"])
    assert survey.json()["errors"][0]["rule"] == "unknown"
    assert ScreeningSurvey.objects.count() == 1


def test_answers_beyond_the_size_limit_are_refused_before_they_are_read(study, expert_api):
    study.open_round()
    question = str(study.rating["id"])
    body = {"answers": {question: {str(n): 1 for n in range(ANSWERS_JSON_LIMIT // 8)}}}

    response = expert_api.put(answers_url(study), body, format="json")

    assert response.status_code == 400
    assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [
        ("answers", "max_length")
    ]


def test_values_of_another_json_type_are_refused(study, api, expert_api):
    study.open_round()
    setting = api.patch(study.at("survey"), {"min_seconds": "30"}, format="json")
    answers = expert_api.put(answers_url(study), {"answers": []}, format="json")

    assert (setting.status_code, setting.json()["errors"][0]["rule"]) == (400, "type")
    assert (answers.status_code, fields(answers)) == (400, ["answers"])


def test_answers_to_a_closed_round_are_refused_naming_the_round(study, expert_api):
    study.open_round()
    study.close_round(1)
    body = {"answers": study.answers([5, 4, 2, None], ["Credit risk"]), "submit": True}

    response = expert_api.put(answers_url(study), body, format="json")
    asked = expert_api.get(answers_url(study)).json()

    assert response.status_code == 400
    assert fields(response) == ["round"]
    assert not ScreeningResponse.objects.exists()
    assert (asked["round"], asked["round_open"], asked["status"]) == (1, False, None)


def test_answers_before_round_1_are_refused_naming_the_round(study, expert_api):
    response = expert_api.put(answers_url(study), {"answers": {}}, format="json")

    assert response.status_code == 400 and fields(response) == ["round"]
    assert expert_api.get(answers_url(study)).json()["round"] is None


def test_state_refusals_are_409_with_the_services_message(study, api):
    study.open_round()

    again = api.post(study.at("rounds"))
    more = {"kind": "suggestion", "text": "More?"}
    question = api.post(study.at("questions"), more, format="json")
    keep = {"decisions": [{"item": study.rating_items()[0], "decision": "keep"}]}
    decide = api.put(study.at("decisions", 1), keep, format="json")
    adopt = api.post(study.at("adopt"))
    setting = api.patch(study.at("survey"), {"ask_authority": False}, format="json")
    study.close_round(1)
    close = api.post(study.at("round-close", 1))

    for response, field in [
        (again, "round"),
        (question, "survey"),
        (decide, "round"),
        (adopt, "round"),
        (setting, "ask_authority"),
        (close, "round"),
    ]:
        assert response.status_code == 409, (field, response.json())
        assert fields(response) == [field]
        assert response.json()["errors"][0]["rule"] == "conflict"
    assert "Round 1 is still open" in again.json()["errors"][0]["message"]
    assert ScreeningRound.objects.count() == 1
    assert ScreeningQuestion.objects.count() == 4 and not ItemDecision.objects.exists()


def test_adopt_with_undecided_items_is_a_400_naming_the_decisions(study, api, evaluation):
    study.open_round()
    study.close_round(1)
    before = list(evaluation.indicators.values_list("code", "name"))

    response = api.post(study.at("adopt"))

    assert response.status_code == 400
    assert fields(response) == ["decisions"]
    assert list(evaluation.indicators.values_list("code", "name")) == before


def test_decisions_are_all_or_nothing_and_name_the_entry(study, api):
    study.open_round()
    study.close_round(1)
    u11, u12, *_ = study.rating_items()
    decisions = [
        {"item": u11, "decision": "drop"},
        {"item": u12, "decision": "revise", "new_name": ""},
        {"item": 10**12, "decision": "keep"},
        {"item": u11, "decision": "keep"},
    ]

    response = api.put(study.at("decisions", 1), {"decisions": decisions}, format="json")

    assert response.status_code == 400
    assert fields(response) == ["decisions.1.new_name", "decisions.2.item", "decisions.3.item"]
    assert not ItemDecision.objects.exists()
    assert ScreeningItem.objects.get(pk=u11).status == "active"


def test_a_question_from_an_unknown_indicator_is_refused_on_its_field(study, api):
    body = {"kind": "rating", "text": "Rate", "levels": 5, "items_from": "U9"}

    response = api.post(study.at("questions"), body, format="json")

    assert response.status_code == 400 and fields(response) == ["items_from"]
    assert not Indicator.objects.filter(code="U9").exists()


# --- the authority tables ---------------------------------------------------------------------

BASIS_TABLE = {
    "practice": [0.4, 0.3, 0.2],
    "theory": [0.3, 0.2, 0.1],
    "literature": [0.2, 0.1, 0.1],
    "intuition": [0.1, 0.05, 0.0],
}
FAMILIARITY_TABLE = {
    "very_familiar": 0.9, "familiar": 0.7, "somewhat": 0.5, "little": 0.3, "unfamiliar": 0.1,
}  # fmt: skip


def test_the_authority_tables_round_trip_through_patch(study, api):
    body = {"basis_table": BASIS_TABLE, "familiarity_table": FAMILIARITY_TABLE}
    patched = api.patch(study.at("survey"), body, format="json")

    assert patched.status_code == 200, patched.json()
    read = api.get(study.at("survey")).json()
    assert (read["basis_table"], read["familiarity_table"]) == (BASIS_TABLE, FAMILIARITY_TABLE)
    cleared = api.patch(study.at("survey"), {"basis_table": None}, format="json").json()
    assert (cleared["basis_table"], cleared["familiarity_table"]) == (None, FAMILIARITY_TABLE)
    survey = ScreeningSurvey.objects.get(pk=study.id)
    assert (survey.basis_table, survey.familiarity_table) == (None, FAMILIARITY_TABLE)


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"basis_table": {**BASIS_TABLE, "practice": [0.3, 0.4, 0.2]}}, "basis_table.practice.1",
         "range"),
        ({"basis_table": {**BASIS_TABLE, "practice": [0.9, 0.4, 0.2]}}, "basis_table", "range"),
        ({"basis_table": {**BASIS_TABLE, "theory": [True, 0.2, 0.1]}}, "basis_table.theory.0",
         "type"),
        ({"basis_table": {**BASIS_TABLE, "theory": [1.5, 0.2, 0.1]}}, "basis_table.theory.0",
         "range"),
        ({"basis_table": {"practice": [0.5, 0.4, 0.3]}}, "basis_table.theory", "invalid"),
        ({"basis_table": "defaults"}, "basis_table", "type"),
        ({"basis_table": [0.5, 0.4, 0.3]}, "basis_table", "type"),
        ({"familiarity_table": {**FAMILIARITY_TABLE, "little": "0.3"}},
         "familiarity_table.little", "type"),
        ({"familiarity_table": {**FAMILIARITY_TABLE, "rarely": 0.3}}, "familiarity_table",
         "invalid"),
    ],
)  # fmt: skip
def test_a_bad_authority_table_is_a_400_naming_its_cell_and_changes_nothing(
    study, api, body, field, rule
):
    before = api.get(study.at("survey")).json()

    response = api.patch(study.at("survey"), body, format="json")

    assert response.status_code == 400
    assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [(field, rule)]
    assert api.get(study.at("survey")).json() == before


def test_nan_in_an_authority_table_is_refused_as_json(study, api):
    body = json.dumps({"basis_table": {**BASIS_TABLE, "practice": [math.nan, 0.3, 0.2]}})
    assert "NaN" in body  # Python writes it; strict JSON has no such number

    response = api.patch(study.at("survey"), body, content_type="application/json")

    assert response.status_code == 400
    assert ScreeningSurvey.objects.get(pk=study.id).basis_table is None


def test_the_statistics_say_which_authority_tables_were_read(study, api, evaluation, make_user):
    study.open_round()
    submit_as(make_user("rater"), study, evaluation, [5, 4, 3, 2])
    patched = api.patch(study.at("survey"), {"basis_table": BASIS_TABLE}, format="json")
    assert patched.status_code == 200  # while round 1 is open: it only changes the reading

    authority = api.get(study.at("statistics", 1)).json()["authority"]

    # practice high 0.4 + theory medium 0.2 + literature low 0.1 + intuition low 0 = 0.7;
    # "familiar" in the default table, 0.8; Cr = 0.75.
    assert authority["experts"][0]["ca"] == pytest.approx(0.7)
    assert authority["experts"][0]["cr"] == pytest.approx(0.75)
    assert authority["tables"]["basis"] == BASIS_TABLE
    assert authority["tables"]["familiarity"]["familiar"] == 0.8
    assert (authority["tables"]["basis_default"], authority["tables"]["familiarity_default"]) == (
        False,
        True,
    )


def test_the_schema_states_the_authority_tables_shapes(client):
    components = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    basis = components["PatchedSurveySettingsRequest"]["properties"]["basis_table"]
    familiarity = components["SurveySettingsRequest"]["properties"]["familiarity_table"]

    assert basis["nullable"] and basis["additionalProperties"] is False
    assert basis["required"] == ["practice", "theory", "literature", "intuition"]
    row = basis["properties"]["practice"]
    assert (row["minItems"], row["maxItems"]) == (3, 3)
    assert (row["items"]["minimum"], row["items"]["maximum"]) == (0, 1)
    assert set(familiarity["properties"]) == {
        "very_familiar", "familiar", "somewhat", "little", "unfamiliar",
    }  # fmt: skip
    assert "basis_default" in components["AuthorityTables"]["properties"]


# --- the schema -------------------------------------------------------------------------------


def test_every_screening_endpoint_is_in_the_schema_with_its_409s(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    screening = {path: ops for path, ops in paths.items() if "/screening/" in path}
    routes = {
        "/api/v1/" + re.sub(r"<int:(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in screening_api_urls.urlpatterns
    }

    assert set(screening) == routes and len(routes) == 13
    survey = "/api/v1/evaluations/{evaluation_id}/screening/{survey_id}/"
    assert "409" in screening[f"{survey}rounds/"]["post"]["responses"]
    assert "409" in screening[f"{survey}rounds/{{round_number}}/close/"]["post"]["responses"]
    assert "409" in screening[f"{survey}adopt/"]["post"]["responses"]
    assert set(screening["/api/v1/panels/{evaluation_id}/screening/{survey_id}/"]) == {"get", "put"}


# --- queries -----------------------------------------------------------------------------------


def submit_as(user, study: Study, evaluation, levels: list) -> None:
    accepted_membership(evaluation, user)
    body = {
        "answers": study.answers(levels, ["Market risk", "Credit risk"]),
        "authority": AUTHORITY,
        "submit": True,
    }
    response = token_client(user).put(answers_url(study), body, format="json")
    assert response.status_code == 200, response.json()


def statistics_queries(api, route: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(route).status_code == 200
    return len(queries)


def test_the_statistics_cost_as_many_queries_for_five_responses_as_for_one(
    study, api, evaluation, make_user
):
    study.open_round()
    submit_as(make_user("first"), study, evaluation, [5, 4, 3, 2])
    route = study.at("statistics", 1)
    one = statistics_queries(api, route)
    for n, levels in enumerate([[4, 4, 2, 1], [3, 5, None, 2], [5, 5, 4, 4], [2, 3, 1, 1]]):
        submit_as(make_user(f"more{n}"), study, evaluation, levels)

    five = statistics_queries(api, route)

    assert api.get(route).json()["counts"]["valid"] == 5
    assert five == one <= 12, (one, five)
