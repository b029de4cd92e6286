"""The coordinator's screening setup pages (surveys/screening/views_setup.py): the evaluation's
surveys, a survey's questions and items, its settings and open link, round 1 and Adopt. Every
refused form answers 400 with the service's message and changes nothing; another coordinator
gets 404 everywhere."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.models import AuditEntry
from experts.selectors import hash_token
from surveys.models import ScreeningItem, ScreeningQuestion, ScreeningRound, ScreeningSurvey
from surveys.screening import services
from surveys.screening.checks import ERROR_ITEM_ASKED, ERROR_SURVEY_STARTED
from surveys.screening.rounds import ERROR_NO_QUESTIONS
from surveys.screening.views_setup import ERROR_ALREADY_STARTED, rounds_url
from tests.hostile import HOSTILE

Kind = ScreeningQuestion.Kind

SETTINGS = {
    "title": "Indicator screening",
    "introduction": "",
    "rule": "mean_threshold",
    "threshold_share": "0.8",
    "agreement_level": "",
    "consensus_max_iqr": "1",
    "consensus_min_agreement": "0.7",
    "ask_authority": "on",
    "reason_required": "on",
    "min_seconds": "0",
}


def at(evaluation, code: str):
    return evaluation.indicators.get(code=code)


def url(name: str, survey=None, evaluation=None, **ids) -> str:
    kwargs = {"evaluation_id": (evaluation or survey.evaluation).pk, **ids}
    if survey is not None:
        kwargs["survey_id"] = survey.pk
    return reverse(name, kwargs=kwargs)


def survey_url(survey) -> str:
    return url("screening-setup-survey", survey)


def question_data(**fields) -> dict:
    data = {"kind": "ranking", "text": "Order the risks.", "help_text": "", "levels": "5"}
    data.update(fields)
    return data


def add_question(client, survey, **fields):
    return client.post(url("screening-setup-question-add", survey), question_data(**fields))


def page_text(response) -> str:
    return response.content.decode()


def snapshot(survey) -> tuple:
    """What a refused request must leave as it was."""
    survey.refresh_from_db()
    questions = list(survey.questions.values_list("pk", "text", "scoring", "levels"))
    items = list(
        ScreeningItem.objects.filter(question__survey=survey).values_list(
            "pk", "name", "description", "place_under_id"
        )
    )
    settings = {name: getattr(survey, name) for name in services.SETTINGS_FIELDS}
    return questions, items, settings, survey.rounds.count()


# ---------------------------------------------------------------------------------------------
# The evaluation's surveys


@pytest.mark.django_db
def test_the_evaluations_tabs_lead_to_the_screening_surveys(coordinator_client, evaluation):
    response = coordinator_client.get(reverse("evaluation-detail", args=[evaluation.pk]))

    assert f'href="{url("screening-setup", evaluation=evaluation)}"' in page_text(response)


@pytest.mark.django_db
def test_the_list_shows_each_surveys_state(coordinator_client, coordinator, evaluation):
    fresh = ScreeningSurvey.objects.create(evaluation=evaluation, title="Fresh")
    running = ScreeningSurvey.objects.create(evaluation=evaluation, title="Running")
    ScreeningRound.objects.create(survey=running, number=1)
    done = ScreeningSurvey.objects.create(evaluation=evaluation, title="Done")
    ScreeningRound.objects.create(survey=done, number=1, status="closed")
    ScreeningRound.objects.create(survey=done, number=2, status="closed")
    AuditEntry.objects.create(
        evaluation=evaluation,
        actor=coordinator,
        action=AuditEntry.Action.EDITED_HIERARCHY,
        params={"change": "adopted", "survey": done.pk},
    )

    response = coordinator_client.get(url("screening-setup", evaluation=evaluation))

    assert response.status_code == 200
    rows = {row.survey.title: row for row in response.context["rows"]}
    assert rows["Fresh"].latest is None and rows["Fresh"].adopted is None
    assert rows["Running"].latest.number == 1 and rows["Running"].latest.status == "open"
    assert rows["Done"].latest.number == 2 and rows["Done"].adopted is not None
    html = page_text(response)
    assert "No round yet" in html and "Round 1 open" in html and "Round 2 closed" in html
    assert "adopted" in html
    assert survey_url(fresh) in html


@pytest.mark.django_db
def test_the_list_reads_as_many_queries_for_three_surveys_as_for_one(
    coordinator_client, evaluation
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert (
                coordinator_client.get(url("screening-setup", evaluation=evaluation)).status_code
                == 200
            )
        return len(queries)

    survey = ScreeningSurvey.objects.create(evaluation=evaluation, title="One")
    ScreeningRound.objects.create(survey=survey, number=1)
    one = count()
    for title in ("Two", "Three"):
        other = ScreeningSurvey.objects.create(evaluation=evaluation, title=title)
        ScreeningRound.objects.create(survey=other, number=1, status="closed")

    assert count() == one


@pytest.mark.django_db
def test_the_survey_page_reads_as_many_queries_for_three_questions_as_for_one(
    coordinator_client, coordinator, survey, evaluation
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get(survey_url(survey)).status_code == 200
        return len(queries)

    def add(kind: str, **fields) -> None:
        services.question_add(survey=survey, actor=coordinator, kind=kind, text=kind, **fields)

    add("rating", levels=5, items_from=at(evaluation, "U1"))
    one = count()
    add("ranking", items=["A", "B", "C"], place_under=at(evaluation, "U2"))
    add("choice", items=["Yes", "No"], allow_other=True)

    assert count() == one


@pytest.mark.django_db
def test_a_coordinator_creates_a_survey_with_its_rule_and_settings(coordinator_client, evaluation):
    data = {
        **SETTINGS,
        "rule": "consensus",
        "agreement_level": "4",
        "consensus_max_iqr": "1.5",
        "min_seconds": "90",
        "reason_required": "",
    }
    del data["reason_required"]  # an unticked box is not posted

    response = coordinator_client.post(url("screening-setup", evaluation=evaluation), data)

    survey = evaluation.screening_surveys.get()
    assert response.status_code == 302 and response["Location"] == survey_url(survey)
    assert survey.title == "Indicator screening" and survey.rule == "consensus"
    assert survey.agreement_level == 4 and survey.consensus_max_iqr == pytest.approx(1.5)
    assert survey.min_seconds == 90 and survey.ask_authority and not survey.reason_required


@pytest.mark.django_db
def test_a_refused_new_survey_answers_400_with_the_services_message_on_its_field(
    coordinator_client, evaluation
):
    response = coordinator_client.post(
        url("screening-setup", evaluation=evaluation), {**SETTINGS, "threshold_share": "1.5"}
    )

    assert response.status_code == 400
    assert _(services.ERROR_THRESHOLD_SHARE) in response.context["form"].errors["threshold_share"]
    assert "Share of the full score" in page_text(response)  # the field named in the summary
    assert not evaluation.screening_surveys.exists()


# Hostile strings that are a valid setting after all: no answering-time limit, and an IQR of 0
# (full agreement; "1e-400" reads as 0 too).
VALID_SETTINGS = {"min_seconds": {"0"}, "consensus_max_iqr": {"0", "0.0", "-0", "1e-400"}}
HOSTILE_SETTINGS = [
    (name, value)
    for name in ("threshold_share", "min_seconds", "consensus_max_iqr", "agreement_level")
    for value in HOSTILE
    if value not in VALID_SETTINGS.get(name, ())
]


@pytest.mark.parametrize(("name", "value"), HOSTILE_SETTINGS)
@pytest.mark.django_db
def test_hostile_numbers_in_the_settings_answer_400_naming_the_field(
    coordinator_client, survey, name, value
):
    before = snapshot(survey)

    response = coordinator_client.post(
        url("screening-setup-settings", survey), {**SETTINGS, name: value}
    )

    assert response.status_code == 400
    assert name in response.context["settings_form"].errors
    assert snapshot(survey) == before


@pytest.mark.django_db
def test_the_settings_are_saved_through_the_survey_page(coordinator_client, survey):
    response = coordinator_client.post(
        url("screening-setup-settings", survey),
        {**SETTINGS, "title": "Round robin", "rule": "boundary_value", "min_seconds": "60"},
    )

    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.rule, survey.min_seconds) == ("Round robin", "boundary_value", 60)


@pytest.mark.django_db
def test_the_validity_rule_cannot_change_while_a_round_is_open(
    coordinator_client, survey, first_round
):
    before = snapshot(survey)

    response = coordinator_client.post(
        url("screening-setup-settings", survey), {**SETTINGS, "min_seconds": "60"}
    )

    assert response.status_code == 400
    message = _(services.ERROR_SETTING_DURING_ROUND).format(number=1)
    assert message in response.context["settings_form"].errors["min_seconds"]
    assert snapshot(survey) == before


# ---------------------------------------------------------------------------------------------
# Questions and items before round 1


@pytest.mark.django_db
def test_a_rating_question_from_the_hierarchy_takes_the_indicators_children(
    coordinator_client, survey, evaluation
):
    u1 = at(evaluation, "U1")

    response = add_question(
        coordinator_client,
        survey,
        kind="rating",
        text="How important?",
        levels="9",
        items_from=str(u1.pk),
    )

    question = survey.questions.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert (question.kind, question.levels) == (Kind.RATING, 9)
    items = list(question.items.all())
    assert [item.indicator.code for item in items] == ["U11", "U12", "U13", "U14"]
    assert all(item.source == "hierarchy" and item.place_under == u1 for item in items)
    page = page_text(coordinator_client.get(survey_url(survey)))
    assert "Supplier selection" in page and "9-point scale" in page


@pytest.mark.django_db
def test_a_ranking_question_takes_typed_items_their_place_and_points_per_place(
    coordinator_client, survey, evaluation
):
    u2 = at(evaluation, "U2")

    response = add_question(
        coordinator_client,
        survey,
        kind="ranking",
        items="Credit risk\nOperational risk\n\n  Market risk  \nLegal risk\n",
        place_under=str(u2.pk),
        scoring="4, 3, 2, 1",
    )

    assert response.status_code == 302
    question = survey.questions.get()
    assert question.scoring == [4.0, 3.0, 2.0, 1.0]
    assert question.levels is None  # the scale's default counts for a rating only
    names = list(question.items.values_list("name", flat=True))
    assert names == ["Credit risk", "Operational risk", "Market risk", "Legal risk"]
    assert set(question.items.values_list("place_under", flat=True)) == {u2.pk}
    assert "Points per place: 4, 3, 2, 1." in page_text(coordinator_client.get(survey_url(survey)))


@pytest.mark.django_db
def test_a_choice_question_takes_typed_options_and_an_other_option(coordinator_client, survey):
    response = add_question(
        coordinator_client,
        survey,
        kind="choice",
        text="Main problems?",
        items="Stock\nStaff",
        multiple="on",
        allow_other="on",
    )

    assert response.status_code == 302
    question = survey.questions.get()
    assert question.multiple and question.allow_other
    assert [(item.name, item.is_other) for item in question.items.all()] == [
        ("Stock", False),
        ("Staff", False),
        ("Other", True),
    ]


@pytest.mark.django_db
def test_a_suggestion_question_has_no_items(coordinator_client, survey):
    response = add_question(coordinator_client, survey, kind="suggestion", text="What is missing?")

    assert response.status_code == 302
    question = survey.questions.get()
    assert question.kind == Kind.SUGGESTION and not question.items.exists()


@pytest.mark.django_db
def test_a_question_with_items_from_both_sources_is_refused_on_its_field(
    coordinator_client, survey, evaluation
):
    response = add_question(
        coordinator_client,
        survey,
        kind="rating",
        items_from=str(at(evaluation, "U1").pk),
        items="Something else",
    )

    assert response.status_code == 400
    assert _(services.ERROR_TWO_SOURCES) in response.context["question_form"].errors["items_from"]
    assert not survey.questions.exists()


@pytest.mark.parametrize("value", ["9" * 100_000, "1" + "0" * 5000, "-3", "１", "3\x00"])
@pytest.mark.django_db
def test_an_indicator_id_that_lists_nothing_is_refused_unread(coordinator_client, survey, value):
    response = add_question(coordinator_client, survey, kind="rating", items_from=value)

    assert response.status_code == 400
    assert "items_from" in response.context["question_form"].errors
    assert not survey.questions.exists()


@pytest.mark.django_db
def test_an_indicator_of_another_evaluation_is_not_a_choice(
    coordinator_client, coordinator, survey
):
    from evaluations.services import evaluation_create_from_template

    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )

    response = add_question(
        coordinator_client, survey, kind="rating", items_from=str(at(other, "U1").pk)
    )

    assert response.status_code == 400
    assert "items_from" in response.context["question_form"].errors


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.django_db
def test_hostile_points_per_place_answer_400_naming_the_field_and_change_nothing(
    coordinator_client, survey, value
):
    before = snapshot(survey)

    for scoring in (value, ", ".join([value] * 4)):
        response = add_question(
            coordinator_client, survey, kind="ranking", items="A\nB\nC\nD", scoring=scoring
        )

        assert response.status_code == 400, scoring[:40]
        assert "scoring" in response.context["question_form"].errors
        assert "Points per place" in page_text(response)
    assert snapshot(survey) == before


@pytest.mark.django_db
def test_points_per_place_that_rise_are_refused_with_the_rule(coordinator_client, survey):
    response = add_question(
        coordinator_client, survey, kind="ranking", items="A\nB\nC", scoring="1, 2, 3"
    )

    assert response.status_code == 400
    [message] = response.context["question_form"].errors["scoring"]
    assert "must not increase" in message
    assert not survey.questions.exists()


@pytest.fixture
def ranking(survey, coordinator, evaluation):
    return services.question_add(
        survey=survey,
        actor=coordinator,
        kind="ranking",
        text="Order the risks.",
        items=["Credit risk", "Operational risk", "Market risk"],
        place_under=at(evaluation, "U2"),
    )


@pytest.mark.django_db
def test_a_question_is_edited_before_round_1(coordinator_client, survey, ranking):
    response = coordinator_client.post(
        url("screening-setup-question-update", survey, question_id=ranking.pk),
        {
            "text": "Order the three risks.",
            "help_text": "First is most important.",
            "scoring": "5, 3, 1",
        },
    )

    assert response.status_code == 302
    ranking.refresh_from_db()
    assert ranking.text == "Order the three risks." and ranking.scoring == [5.0, 3.0, 1.0]
    assert ranking.help_text == "First is most important."


@pytest.mark.django_db
def test_a_question_is_deleted_before_round_1(coordinator_client, survey, ranking):
    response = coordinator_client.post(
        url("screening-setup-question-delete", survey, question_id=ranking.pk)
    )

    assert response.status_code == 302
    assert not survey.questions.exists()
    assert not ScreeningItem.objects.filter(question_id=ranking.pk).exists()


@pytest.mark.django_db
def test_an_item_is_added_edited_and_deleted_before_round_1(
    coordinator_client, survey, ranking, evaluation
):
    u3 = at(evaluation, "U3")

    added = coordinator_client.post(
        url("screening-setup-item-add", survey, question_id=ranking.pk),
        {"name": "Legal risk", "description": "Lawsuits.", "place_under": str(u3.pk)},
    )
    item = ranking.items.get(name="Legal risk")
    edited = coordinator_client.post(
        url("screening-setup-item-update", survey, item_id=item.pk),
        {"name": "Compliance risk", "description": "", "place_under": ""},
    )
    item.refresh_from_db()
    renamed = (item.name, item.description, item.place_under)
    deleted = coordinator_client.post(url("screening-setup-item-delete", survey, item_id=item.pk))

    assert [added.status_code, edited.status_code, deleted.status_code] == [302, 302, 302]
    assert renamed == ("Compliance risk", "", None)
    assert not ranking.items.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_a_duplicate_item_name_is_refused_on_the_name_field(coordinator_client, survey, ranking):
    response = coordinator_client.post(
        url("screening-setup-item-add", survey, question_id=ranking.pk),
        {"name": "credit RISK", "description": "", "place_under": ""},
    )

    assert response.status_code == 400
    cards = {card.question.pk: card for card in response.context["cards"]}
    assert "name" in cards[ranking.pk].add_item_form.errors
    assert cards[ranking.pk].open_form == "add"
    assert ranking.items.count() == 3


# ---------------------------------------------------------------------------------------------
# After round 1: the services refuse, the page says why


@pytest.mark.django_db
def test_the_page_offers_no_question_forms_once_round_1_is_open(
    coordinator_client, survey, first_round
):
    response = coordinator_client.get(survey_url(survey))

    assert response.status_code == 200
    assert response.context["question_form"] is None
    assert all(
        card.edit_form is None and card.add_item_form is None for card in response.context["cards"]
    )
    assert all(row.edit_form is None for card in response.context["cards"] for row in card.items)
    assert rounds_url(survey) in page_text(response)


@pytest.mark.django_db
def test_edits_after_round_1_answer_400_with_the_services_message_and_change_nothing(
    coordinator_client, survey, first_round, ranking_question
):
    item = ranking_question.items.first()
    before = snapshot(survey)
    posts = [
        ("screening-setup-question-update", {"question_id": ranking_question.pk}, {"text": "New?"}),
        ("screening-setup-question-delete", {"question_id": ranking_question.pk}, {}),
        ("screening-setup-item-add", {"question_id": ranking_question.pk}, {"name": "New risk"}),
        ("screening-setup-question-add", {}, question_data(items="A\nB")),
    ]
    started = _(ERROR_SURVEY_STARTED)
    for name, ids, data in posts:
        response = coordinator_client.post(url(name, survey, **ids), data)
        assert response.status_code == 400, name
        assert started in page_text(response).replace("&#x27;", "'"), name

    asked = _(ERROR_ITEM_ASKED).format(name=item.name, number=1)
    for name, data in [
        ("screening-setup-item-update", {"name": "Renamed"}),
        ("screening-setup-item-delete", {}),
    ]:
        response = coordinator_client.post(url(name, survey, item_id=item.pk), data)
        assert response.status_code == 400, name
        assert asked in page_text(response), name
    assert snapshot(survey) == before


@pytest.mark.django_db
def test_an_item_added_after_a_round_can_be_edited_until_a_round_asks_it(
    coordinator_client, coordinator, survey, first_round, ranking_question
):
    services.round_close(round=first_round, actor=coordinator)
    suggested = services.suggested_item_add(
        round=first_round, question=ranking_question, actor=coordinator, name="Tax risk"
    )

    page = coordinator_client.get(survey_url(survey))
    rows = {row.item.pk: row for card in page.context["cards"] for row in card.items}
    response = coordinator_client.post(
        url("screening-setup-item-update", survey, item_id=suggested.pk),
        {"name": "Tax and duty risk", "description": "", "place_under": ""},
    )

    assert rows[suggested.pk].edit_form is not None
    assert all(row.edit_form is None for pk, row in rows.items() if pk != suggested.pk)
    assert response.status_code == 302
    suggested.refresh_from_db()
    assert suggested.name == "Tax and duty risk"


# ---------------------------------------------------------------------------------------------
# The open link


def open_link(client, survey, action: str):
    return client.post(url("screening-setup-open-link", survey), {"action": action})


def shown_link(response) -> str:
    return response.context["open_link"]


@pytest.mark.django_db
def test_enabling_the_open_link_shows_the_full_url_once_and_stores_only_its_hash(
    coordinator_client, survey
):
    response = open_link(coordinator_client, survey, "enable")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    link = shown_link(response)
    assert link.startswith("http://testserver/s/") and link.endswith("/")
    token = link.removeprefix("http://testserver/s/").removesuffix("/")
    assert link in page_text(response)
    survey.refresh_from_db()
    assert survey.open_link_enabled and survey.open_token_hash == hash_token(token)
    assert token not in str(ScreeningSurvey.objects.filter(pk=survey.pk).values().get())
    again = coordinator_client.get(survey_url(survey))
    assert token not in page_text(again) and "The open link is on." in page_text(again)


@pytest.mark.django_db
def test_a_new_link_replaces_the_old_one(coordinator_client, survey):
    first = shown_link(open_link(coordinator_client, survey, "enable"))
    second = shown_link(open_link(coordinator_client, survey, "enable"))

    survey.refresh_from_db()
    assert first != second
    assert survey.open_token_hash == hash_token(second.rstrip("/").rsplit("/", 1)[1])


@pytest.mark.django_db
def test_disabling_the_open_link_forgets_it(coordinator_client, survey):
    open_link(coordinator_client, survey, "enable")

    response = open_link(coordinator_client, survey, "disable")

    assert response.status_code == 302
    survey.refresh_from_db()
    assert not survey.open_link_enabled and survey.open_token_hash == ""
    assert "The open link is off." in page_text(coordinator_client.get(survey_url(survey)))


@pytest.mark.parametrize("action", ["", "delete", "9" * 1000])
@pytest.mark.django_db
def test_an_unknown_open_link_action_answers_400_and_changes_nothing(
    coordinator_client, survey, action
):
    before = (survey.open_link_enabled, survey.open_token_hash)

    response = open_link(coordinator_client, survey, action)

    assert response.status_code == 400
    survey.refresh_from_db()
    assert (survey.open_link_enabled, survey.open_token_hash) == before


# ---------------------------------------------------------------------------------------------
# Round 1


@pytest.mark.django_db
def test_round_1_is_opened_through_the_page(coordinator_client, survey, ranking):
    response = coordinator_client.post(url("screening-setup-start", survey))

    assert response.status_code == 302 and response["Location"] == rounds_url(survey)
    assert list(survey.rounds.values_list("number", "status")) == [(1, "open")]


@pytest.mark.django_db
def test_round_1_without_questions_is_refused_with_the_services_message(coordinator_client, survey):
    response = coordinator_client.post(url("screening-setup-start", survey))

    assert response.status_code == 400
    assert _(ERROR_NO_QUESTIONS) in page_text(response)
    assert not survey.rounds.exists()


@pytest.mark.django_db
def test_the_start_button_never_opens_a_second_round(
    coordinator_client, coordinator, survey, first_round
):
    services.round_close(round=first_round, actor=coordinator)

    response = coordinator_client.post(url("screening-setup-start", survey))

    assert response.status_code == 400
    assert _(ERROR_ALREADY_STARTED) in page_text(response)
    assert survey.rounds.count() == 1


# ---------------------------------------------------------------------------------------------
# Adopt


@pytest.fixture
def decided(survey, coordinator, evaluation):
    """Round 1 closed and decided: of U1's children U11 and U14 kept, U12 revised, U13
    dropped; of two typed risks placed under U2 one kept, one dropped."""
    rating = services.question_add(
        survey=survey,
        actor=coordinator,
        kind="rating",
        text="How important?",
        levels=5,
        items_from=at(evaluation, "U1"),
    )
    ranking = services.question_add(
        survey=survey,
        actor=coordinator,
        kind="ranking",
        text="Order the costs.",
        items=["Logistics cost", "Delivery time"],
        place_under=at(evaluation, "U2"),
    )
    round = services.round_open(survey=survey, actor=coordinator)
    services.round_close(round=round, actor=coordinator)
    items = {item.name: item for item in ScreeningItem.objects.filter(question__survey=survey)}
    plan = {
        "Supplier selection": ("keep", ""),
        "Procurement authorisation": ("revise", "Procurement approval"),
        "Payment risk management": ("drop", ""),
        "Price control": ("keep", ""),
        "Logistics cost": ("keep", ""),
        "Delivery time": ("drop", ""),
    }
    for name, (decision, new_name) in plan.items():
        services.decision_set(
            round=round, item=items[name], actor=coordinator, decision=decision, new_name=new_name
        )
    return rating, ranking


@pytest.mark.django_db
def test_the_adopt_page_says_what_will_be_added_renamed_and_deleted(
    coordinator_client, survey, decided
):
    response = coordinator_client.get(url("screening-setup-adopt", survey))

    assert response.status_code == 200
    outcomes = {row.item.name: row.outcome for row in response.context["outcomes"]}
    assert outcomes == {
        "Supplier selection": "keep",
        "Procurement approval": "rename",
        "Payment risk management": "delete",
        "Price control": "keep",
        "Logistics cost": "add",
        "Delivery time": "leave_out",
    }
    assert response.context["blockers"] == []
    html = page_text(response)
    assert "To add: 1 · to rename: 1 · to delete: 1" in html
    assert "U13 Payment risk management is deleted" in html
    assert "added under U2 Human resource management" in html


@pytest.mark.django_db
def test_adopting_through_the_page_shows_the_summary_and_the_hierarchy_link(
    coordinator_client, survey, decided, evaluation
):
    response = coordinator_client.post(url("screening-setup-adopt", survey))

    assert response.status_code == 200
    html = page_text(response)
    assert response.context["added"] == [("U25", "Logistics cost")]
    assert response.context["renamed"] == [("U12", "Procurement approval")]
    assert response.context["deleted"] == ["U13"]
    assert reverse("hierarchy-edit", args=[evaluation.pk]) in html
    codes = dict(evaluation.indicators.values_list("code", "name"))
    assert codes["U12"] == "Procurement approval" and codes["U25"] == "Logistics cost"
    assert "Payment risk management" not in codes.values()
    listing = coordinator_client.get(url("screening-setup", evaluation=evaluation))
    assert listing.context["rows"][0].adopted is not None


@pytest.mark.django_db
def test_the_adopt_page_gives_each_new_indicator_the_code_adopt_then_gives_it(
    coordinator_client, survey, decided
):
    page = coordinator_client.get(url("screening-setup-adopt", survey))
    response = coordinator_client.post(url("screening-setup-adopt", survey))

    assert "added under U2 Human resource management as U25" in page_text(page)
    assert page.context["plan"].summary().added == ["U25"]
    assert response.context["added"] == [("U25", "Logistics cost")]


@pytest.mark.django_db
def test_adopt_while_a_round_is_open_is_refused_and_changes_nothing(
    coordinator_client, survey, first_round, evaluation
):
    tree = list(evaluation.indicators.values_list("pk", "code", "name"))

    page = coordinator_client.get(url("screening-setup-adopt", survey))
    response = coordinator_client.post(url("screening-setup-adopt", survey))

    assert page.status_code == 200 and page.context["blockers"]
    assert 'method="post"' not in page_text(page).split("<main", 1)[1].split("</nav>", 1)[1]
    assert response.status_code == 400
    assert response.context["errors"]
    assert list(evaluation.indicators.values_list("pk", "code", "name")) == tree


# ---------------------------------------------------------------------------------------------
# Access and languages


def every_route(survey, question, item) -> list[tuple[str, str]]:
    """Each setup route as (URL, the methods it takes)."""
    both, post = ("GET", "POST"), ("POST",)
    return [
        (url("screening-setup", evaluation=survey.evaluation), both),
        (survey_url(survey), ("GET",)),
        (url("screening-setup-settings", survey), post),
        (url("screening-setup-question-add", survey), post),
        (url("screening-setup-question-update", survey, question_id=question.pk), post),
        (url("screening-setup-question-delete", survey, question_id=question.pk), post),
        (url("screening-setup-item-add", survey, question_id=question.pk), post),
        (url("screening-setup-item-update", survey, item_id=item.pk), post),
        (url("screening-setup-item-delete", survey, item_id=item.pk), post),
        (url("screening-setup-open-link", survey), post),
        (url("screening-setup-start", survey), post),
        (url("screening-setup-adopt", survey), both),
    ]


@pytest.mark.django_db
def test_an_outsider_gets_404_on_every_route_and_changes_nothing(outsider_client, survey, ranking):
    item = ranking.items.first()
    before = snapshot(survey)

    for address, methods in every_route(survey, ranking, item):
        for method in methods:
            data = {**SETTINGS, **question_data(), "action": "enable", "name": "X"}
            response = getattr(outsider_client, method.lower())(address, data)
            assert response.status_code == 404, (method, address)
    assert snapshot(survey) == before
    assert not survey.open_link_enabled


@pytest.mark.django_db
def test_a_route_names_its_survey_under_its_own_evaluation_only(
    coordinator_client, coordinator, survey, ranking
):
    from evaluations.services import evaluation_create_from_template

    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    elsewhere = ScreeningSurvey.objects.create(evaluation=other, title="Elsewhere")

    wrong = reverse(
        "screening-setup-survey", kwargs={"evaluation_id": other.pk, "survey_id": survey.pk}
    )
    item = url("screening-setup-item-update", elsewhere, item_id=ranking.items.first().pk)

    assert coordinator_client.get(wrong).status_code == 404
    assert coordinator_client.post(item, {"name": "X"}).status_code == 404


@pytest.mark.django_db
def test_the_pages_render_in_chinese(coordinator_client, survey, decided, evaluation):
    for address in (
        url("screening-setup", evaluation=evaluation),
        survey_url(survey),
        url("screening-setup-adopt", survey),
    ):
        response = coordinator_client.get(address, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, address
        html = page_text(response)
        assert '<html lang="zh-hans">' in html and "概览" in html, address


@pytest.mark.django_db
def test_a_fresh_survey_page_offers_every_form(coordinator_client, survey):
    response = coordinator_client.get(survey_url(survey))

    assert response.status_code == 200
    html = page_text(response)
    assert "screening_setup.js" in html
    for action in ("question-add", "open-link", "settings", "start"):
        assert url(f"screening-setup-{action}", survey) in html, action
