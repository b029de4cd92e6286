"""The coordinator's screening services: surveys, questions, items, rounds and decisions, and
the selectors that scope them. Every rule has a test that fails without it."""

import json
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.services import evaluation_create_from_template
from experts.models import Invitation, PanelMembership
from surveys.models import (
    ItemDecision,
    ScreeningItem,
    ScreeningQuestion,
    ScreeningRound,
    ScreeningSurvey,
)
from surveys.screening import checks, rounds, scoring, selectors, services
from surveys.screening import items as items_module
from surveys.screening.limits import (
    ERROR_TEXT_TOO_LONG,
    ERROR_TOO_MANY_ITEMS,
    ERROR_TOO_MANY_QUESTIONS,
    ERROR_TOO_MANY_RANKED,
    ERROR_TOO_MANY_ROUNDS,
    MAX_QUESTIONS,
    MAX_RANKED_ITEMS,
    MAX_ROUNDS,
)
from tests.conftest import accepted_membership
from tests.hostile import HOSTILE, HOSTILE_NUMBERS

Kind = ScreeningQuestion.Kind
Status = ScreeningItem.Status
Decision = ItemDecision.Decision


def refusal(error: ValidationError) -> tuple[str, str]:
    """(field, message) of a ValidationError keyed by one field."""
    ((field, messages),) = error.message_dict.items()
    return field, messages[0]


def at(evaluation, code):
    return evaluation.indicators.get(code=code)


@pytest.fixture
def closed_round(first_round, coordinator):
    return rounds.round_close(round=first_round, actor=coordinator)


def item(question, name):
    return question.items.get(name=name)


# ---------------------------------------------------------------------------------------------
# Surveys and their settings


def test_a_survey_is_created_with_its_settings(evaluation, coordinator):
    survey = services.survey_create(
        evaluation=evaluation,
        actor=coordinator,
        title="  Round of candidates  ",
        rule=ScreeningSurvey.Rule.BOUNDARY_VALUE,
        threshold_share=0.75,
        agreement_level=4,
        min_seconds=60,
    )

    survey.refresh_from_db()
    assert survey.title == "Round of candidates"
    assert (survey.rule, survey.agreement_level, survey.min_seconds) == ("boundary_value", 4, 60)
    assert survey.threshold_share == pytest.approx(0.75)


BAD_SETTINGS = [
    ("title", "   ", checks.ERROR_REQUIRED),
    ("title", "a\x00b", checks.ERROR_NUL),
    ("title", 12, checks.ERROR_NOT_TEXT),
    ("rule", "median", services.ERROR_UNKNOWN_RULE),
    ("rule", ["mean_threshold"], services.ERROR_UNKNOWN_RULE),
    ("threshold_share", 0, services.ERROR_THRESHOLD_SHARE),
    ("threshold_share", 1.01, services.ERROR_THRESHOLD_SHARE),
    ("threshold_share", float("nan"), services.ERROR_THRESHOLD_SHARE),
    ("threshold_share", float("inf"), services.ERROR_THRESHOLD_SHARE),
    ("threshold_share", 10**400, services.ERROR_THRESHOLD_SHARE),
    ("threshold_share", True, services.ERROR_THRESHOLD_SHARE),
    ("threshold_share", "0.8", services.ERROR_THRESHOLD_SHARE),
    ("agreement_level", 0, services.ERROR_AGREEMENT_LEVEL),
    ("agreement_level", 10, services.ERROR_AGREEMENT_LEVEL),
    ("agreement_level", 4.5, services.ERROR_AGREEMENT_LEVEL),
    ("consensus_max_iqr", -0.5, services.ERROR_CONSENSUS_IQR),
    ("consensus_max_iqr", 8.5, services.ERROR_CONSENSUS_IQR),
    ("consensus_min_agreement", 1.2, services.ERROR_CONSENSUS_AGREEMENT),
    ("ask_authority", "yes", services.ERROR_NOT_A_CHOICE),
    ("reason_required", 1, services.ERROR_NOT_A_CHOICE),
    ("min_seconds", -1, services.ERROR_MIN_SECONDS),
    ("min_seconds", 3601, services.ERROR_MIN_SECONDS),
    ("min_seconds", 2.5, services.ERROR_MIN_SECONDS),
    ("min_seconds", True, services.ERROR_MIN_SECONDS),
]
# What the messages' placeholders are filled with for these cases (a survey without a rating
# question: its agreement level may reach 9).
FILLED = {"value": "median", "limit": 9}
FILLED_BY_MESSAGE = {
    services.ERROR_CONSENSUS_IQR: {"limit": "8"},
    services.ERROR_MIN_SECONDS: {"limit": 3600},
}


@pytest.mark.parametrize(("name", "value", "message"), BAD_SETTINGS)
def test_a_setting_out_of_its_range_is_refused_naming_the_field(
    evaluation, coordinator, name, value, message
):
    settings = {"title": "Screening", name: value}
    with pytest.raises(ValidationError) as refused:
        services.survey_create(evaluation=evaluation, actor=coordinator, **settings)

    filled = {**FILLED, **FILLED_BY_MESSAGE.get(message, {})}
    if name == "rule" and not isinstance(value, str):
        filled["value"] = "list"
    assert refusal(refused.value) == (name, _(message).format(**filled))
    assert not ScreeningSurvey.objects.exists()


def test_an_unknown_setting_is_a_programming_error(evaluation, coordinator):
    with pytest.raises(TypeError):
        services.survey_create(evaluation=evaluation, actor=coordinator, title="S", colour="red")


def test_a_long_title_is_refused_with_the_limit(evaluation, coordinator):
    with pytest.raises(ValidationError) as refused:
        services.survey_create(evaluation=evaluation, actor=coordinator, title="x" * 201)

    assert refusal(refused.value) == ("title", _(ERROR_TEXT_TOO_LONG).format(limit=200))


def test_an_evaluation_holds_a_bounded_number_of_surveys(evaluation, coordinator):
    ScreeningSurvey.objects.bulk_create(
        ScreeningSurvey(evaluation=evaluation, title=f"S{n}") for n in range(services.MAX_SURVEYS)
    )

    with pytest.raises(ValidationError) as refused:
        services.survey_create(evaluation=evaluation, actor=coordinator, title="One more")

    message = _(services.ERROR_TOO_MANY_SURVEYS).format(limit=services.MAX_SURVEYS)
    assert refusal(refused.value) == ("survey", message)


def test_the_agreement_level_stays_within_the_smallest_rating_scale(
    survey, rating_question, coordinator
):
    with pytest.raises(ValidationError) as refused:
        services.survey_update_settings(survey=survey, actor=coordinator, agreement_level=7)

    assert refusal(refused.value) == (
        "agreement_level",
        _(services.ERROR_AGREEMENT_LEVEL).format(limit=5),
    )
    services.survey_update_settings(survey=survey, actor=coordinator, agreement_level=4)
    survey.refresh_from_db()
    assert survey.agreement_level == 4


def test_what_respondents_answer_to_is_fixed_while_a_round_is_open(
    survey, first_round, coordinator
):
    with pytest.raises(ValidationError) as refused:
        services.survey_update_settings(survey=survey, actor=coordinator, min_seconds=30)

    assert refusal(refused.value) == (
        "min_seconds",
        _(services.ERROR_SETTING_DURING_ROUND).format(number=1),
    )


def test_the_rule_may_change_while_a_round_is_open(survey, first_round, coordinator):
    # The whole settings form comes back: an unchanged answering setting is no change.
    services.survey_update_settings(
        survey=survey,
        actor=coordinator,
        rule="consensus",
        consensus_max_iqr=1.5,
        min_seconds=survey.min_seconds,
    )

    survey.refresh_from_db()
    assert survey.rule == "consensus"
    assert survey.consensus_max_iqr == pytest.approx(1.5)


# ---------------------------------------------------------------------------------------------
# Questions


def test_a_rating_question_takes_a_nodes_children_as_items(survey, evaluation, coordinator):
    u2 = at(evaluation, "U2")
    question = services.question_add(
        survey=survey,
        actor=coordinator,
        kind=Kind.RATING,
        text="How important is each?",
        levels=9,
        items_from=u2,
    )

    items = list(question.items.all())
    assert [i.name for i in items] == [c.name for c in u2.children.order_by("order")]
    assert {(i.source, i.place_under_id) for i in items} == {("hierarchy", u2.pk)}
    assert [i.indicator.code for i in items] == ["U21", "U22", "U23", "U24"]
    assert question.levels == 9


def test_a_typed_ranking_keeps_its_place_and_points(survey, evaluation, coordinator):
    root = at(evaluation, "U")
    question = services.question_add(
        survey=survey,
        actor=coordinator,
        kind=Kind.RANKING,
        text="Order the risks.",
        items=["  Credit risk ", "Market risk", "Legal risk"],
        place_under=root,
        scoring="10, 6, 3",
    )

    assert question.scoring == [10.0, 6.0, 3.0]
    assert [(i.name, i.source, i.place_under_id) for i in question.items.all()] == [
        ("Credit risk", "typed", root.pk),
        ("Market risk", "typed", root.pk),
        ("Legal risk", "typed", root.pk),
    ]


def test_a_choice_with_other_ends_with_the_other_option(survey, coordinator):
    question = services.question_add(
        survey=survey,
        actor=coordinator,
        kind=Kind.CHOICE,
        text="Main problem?",
        items=["Stock", "Staff"],
        multiple=True,
        allow_other=True,
    )

    items = list(question.items.all())
    assert [(i.name, i.is_other) for i in items] == [
        ("Stock", False),
        ("Staff", False),
        ("Other", True),
    ]
    assert question.multiple is True


def test_questions_are_numbered_after_the_last(survey, ranking_question, coordinator):
    added = services.question_add(
        survey=survey, actor=coordinator, kind=Kind.SUGGESTION, text="Anything missing?"
    )

    assert added.order == ranking_question.order + 1


QUESTION_REFUSALS = [
    ({"kind": "essay"}, "kind", services.ERROR_UNKNOWN_KIND, {"value": "essay"}),
    ({"kind": Kind.RATING, "levels": 7}, "levels", services.ERROR_LEVELS, {}),
    ({"kind": Kind.RATING, "levels": None}, "levels", services.ERROR_LEVELS, {}),
    ({"kind": Kind.RATING, "levels": True}, "levels", services.ERROR_LEVELS, {}),
    ({"kind": Kind.RANKING, "levels": 5}, "levels", services.ERROR_LEVELS_NOT_RATING, {}),
    ({"kind": Kind.RANKING, "multiple": True}, "multiple", services.ERROR_CHOICE_ONLY, {}),
    (
        {"kind": Kind.RATING, "levels": 5, "allow_other": True},
        "allow_other",
        services.ERROR_CHOICE_ONLY,
        {},
    ),
    ({"kind": Kind.CHOICE, "scoring": [2, 1]}, "scoring", scoring.ERROR_SCORING_KIND, {}),
    ({"kind": Kind.SUGGESTION, "items": ["A"]}, "items", checks.ERROR_SUGGESTION_NO_ITEMS, {}),
    ({"kind": Kind.CHOICE, "items": "A, B"}, "items", services.ERROR_ITEMS_NOT_A_LIST, {}),
    (
        {"kind": Kind.CHOICE, "items": ["A", "a "]},
        "items",
        checks.ERROR_DUPLICATE_ITEM,
        {"name": "a"},
    ),
    ({"kind": Kind.CHOICE, "items": ["A", ""]}, "items", checks.ERROR_REQUIRED, {}),
    ({"kind": Kind.CHOICE, "items": ["A", None]}, "items", checks.ERROR_REQUIRED, {}),
    ({"kind": Kind.CHOICE, "items": ["A", 3]}, "items", checks.ERROR_NOT_TEXT, {}),
    (
        {"kind": Kind.CHOICE, "items": ["A", "x" * 201]},
        "items",
        ERROR_TEXT_TOO_LONG,
        {"limit": 200},
    ),
    ({"kind": Kind.CHOICE, "text": "q" * 501}, "text", ERROR_TEXT_TOO_LONG, {"limit": 500}),
    ({"kind": Kind.CHOICE, "text": ""}, "text", checks.ERROR_REQUIRED, {}),
    (
        {"kind": Kind.CHOICE, "help_text": "h" * 2001},
        "help_text",
        ERROR_TEXT_TOO_LONG,
        {"limit": 2000},
    ),
]


@pytest.mark.parametrize(("options", "field", "message", "filled"), QUESTION_REFUSALS)
def test_a_question_breaking_a_rule_is_refused_and_nothing_is_added(
    survey, coordinator, options, field, message, filled
):
    arguments = {"text": "Question?", **options}
    with pytest.raises(ValidationError) as refused:
        services.question_add(survey=survey, actor=coordinator, **arguments)

    assert refusal(refused.value) == (field, _(message).format(**filled))
    assert not ScreeningQuestion.objects.exists()
    assert not ScreeningItem.objects.exists()


def test_a_rating_scale_below_the_surveys_agreement_level_is_refused(survey, coordinator):
    services.survey_update_settings(survey=survey, actor=coordinator, agreement_level=7)

    with pytest.raises(ValidationError) as refused:
        services.question_add(
            survey=survey, actor=coordinator, kind=Kind.RATING, text="Q?", levels=5
        )

    message = _(services.ERROR_LEVELS_BELOW_AGREEMENT).format(level=7, levels=5)
    assert refusal(refused.value) == ("levels", message)


def test_items_from_the_hierarchy_follow_its_rules(survey, evaluation, coordinator):
    u1, u11 = at(evaluation, "U1"), at(evaluation, "U11")
    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    cases = [
        ({"kind": Kind.RATING, "items_from": u1, "items": ["A"]}, "items_from"),
        ({"kind": Kind.CHOICE, "items_from": u1}, "items_from"),
        ({"kind": Kind.RATING, "items_from": at(other, "U1")}, "items_from"),
        ({"kind": Kind.RATING, "items_from": u11}, "items_from"),
        ({"kind": Kind.RATING, "items_from": u1, "place_under": u1}, "place_under"),
        ({"kind": Kind.CHOICE, "items": ["A", "B"], "place_under": u1}, "place_under"),
        ({"kind": Kind.RANKING, "items": ["A", "B"], "place_under": at(other, "U")}, "place_under"),
    ]
    for options, field in cases:
        options.setdefault("levels", 5 if options["kind"] == Kind.RATING else None)
        with pytest.raises(ValidationError) as refused:
            services.question_add(survey=survey, actor=coordinator, text="Q?", **options)
        assert refusal(refused.value)[0] == field, options
    assert not survey.questions.exists()


def test_a_leaf_has_no_children_to_take(survey, evaluation, coordinator):
    with pytest.raises(ValidationError) as refused:
        services.question_add(
            survey=survey,
            actor=coordinator,
            kind=Kind.RATING,
            text="Q?",
            levels=5,
            items_from=at(evaluation, "U11"),
        )

    assert refusal(refused.value) == (
        "items_from",
        _(services.ERROR_NO_CHILDREN).format(code="U11"),
    )


def test_a_survey_holds_at_most_max_questions(survey, coordinator):
    ScreeningQuestion.objects.bulk_create(
        ScreeningQuestion(survey=survey, kind=Kind.SUGGESTION, text=f"Q{n}", order=n)
        for n in range(MAX_QUESTIONS)
    )

    with pytest.raises(ValidationError) as refused:
        services.question_add(survey=survey, actor=coordinator, kind=Kind.SUGGESTION, text="Q")

    message = _(ERROR_TOO_MANY_QUESTIONS).format(limit=MAX_QUESTIONS)
    assert refusal(refused.value) == ("questions", message)


def test_a_question_holds_at_most_max_items_the_other_option_included(survey, coordinator):
    names = [f"Option {n}" for n in range(60)]
    services.question_add(survey=survey, actor=coordinator, kind=Kind.CHOICE, text="Q", items=names)

    with pytest.raises(ValidationError) as refused:
        services.question_add(
            survey=survey,
            actor=coordinator,
            kind=Kind.CHOICE,
            text="Q",
            items=names,
            allow_other=True,
        )

    assert refusal(refused.value) == ("items", _(ERROR_TOO_MANY_ITEMS).format(limit=60))


def test_a_ranking_holds_at_most_max_ranked_items(survey, coordinator):
    names = [f"Risk {n}" for n in range(MAX_RANKED_ITEMS)]
    services.question_add(
        survey=survey, actor=coordinator, kind=Kind.RANKING, text="Q", items=names
    )

    with pytest.raises(ValidationError) as refused:
        services.question_add(
            survey=survey,
            actor=coordinator,
            kind=Kind.RANKING,
            text="Q",
            items=[*names, "One more"],
        )

    message = _(ERROR_TOO_MANY_RANKED).format(limit=MAX_RANKED_ITEMS)
    assert refusal(refused.value) == ("items", message)


def test_a_question_changes_before_round_1_and_other_follows(choice_question, coordinator):
    services.question_update(
        question=choice_question, actor=coordinator, text="Main problems?", allow_other=False
    )

    choice_question.refresh_from_db()
    assert choice_question.text == "Main problems?"
    assert not choice_question.items.filter(is_other=True).exists()

    services.question_update(question=choice_question, actor=coordinator, allow_other=True)
    assert list(choice_question.items.values_list("name", "is_other"))[-1] == ("Other", True)


def test_a_question_update_checks_the_points_against_the_items(ranking_question, coordinator):
    with pytest.raises(ValidationError) as refused:
        services.question_update(question=ranking_question, actor=coordinator, scoring=[3, 2, 1])

    message = _(scoring.ERROR_SCORING_LENGTH).format(count=3, places=4)
    assert refusal(refused.value) == ("scoring", message)

    services.question_update(question=ranking_question, actor=coordinator, scoring=[5, 3, 2, 1])
    ranking_question.refresh_from_db()
    assert ranking_question.scoring == [5.0, 3.0, 2.0, 1.0]


def test_a_rating_scale_may_change_before_round_1(rating_question, coordinator):
    services.question_update(question=rating_question, actor=coordinator, levels=9)

    rating_question.refresh_from_db()
    assert rating_question.levels == 9


def test_an_unknown_question_field_is_a_programming_error(rating_question, coordinator):
    with pytest.raises(TypeError):
        services.question_update(question=rating_question, actor=coordinator, kind="ranking")


def test_questions_are_fixed_once_round_1_has_opened(first_round, rating_question, coordinator):
    survey = first_round.survey
    attempts = [
        lambda: services.question_add(
            survey=survey, actor=coordinator, kind="suggestion", text="Q"
        ),
        lambda: services.question_update(question=rating_question, actor=coordinator, text="New"),
        lambda: services.question_delete(question=rating_question, actor=coordinator),
        lambda: services.item_add(question=rating_question, actor=coordinator, name="New"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refusal(refused.value) == ("survey", _(checks.ERROR_SURVEY_STARTED))
    assert survey.questions.count() == 4


def test_a_question_is_deleted_with_its_items_before_round_1(ranking_question, coordinator):
    services.question_delete(question=ranking_question, actor=coordinator)

    assert not ScreeningQuestion.objects.filter(pk=ranking_question.pk).exists()
    assert not ScreeningItem.objects.filter(question_id=ranking_question.pk).exists()


def test_a_question_deleted_in_another_tab_is_reported(ranking_question, coordinator):
    ScreeningQuestion.objects.filter(pk=ranking_question.pk).delete()

    with pytest.raises(ValidationError) as refused:
        services.question_update(question=ranking_question, actor=coordinator, text="New")

    assert refusal(refused.value) == ("question", _(checks.ERROR_GONE))


# ---------------------------------------------------------------------------------------------
# Points per place (the scoring parser)


def test_points_may_be_typed_with_any_usual_separator():
    assert scoring.ranking_scoring_clean("4，3; 2 1", places=4) == [4.0, 3.0, 2.0, 1.0]
    assert scoring.ranking_scoring_clean(["2.5", 2, 1.5], places=3) == [2.5, 2.0, 1.5]
    assert scoring.ranking_scoring_clean("", places=4) is None
    assert scoring.ranking_scoring_clean([], places=4) is None


def test_equal_points_are_allowed_but_rising_points_are_not():
    assert scoring.ranking_scoring_clean([3, 3, 1], places=3) == [3.0, 3.0, 1.0]
    with pytest.raises(ValidationError) as refused:
        scoring.ranking_scoring_clean([3, 4, 1], places=3)

    message = _(scoring.ERROR_SCORING_ORDER).format(before="3", after="4")
    assert refusal(refused.value) == ("scoring", message)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_refused_by_the_scoring_parser_at_once(value):
    started = time.perf_counter()
    for attempt in (value, [value], [value, "1"]):
        with pytest.raises(ValidationError) as refused:
            scoring.ranking_scoring_clean(attempt, places=1 if attempt is value else len(attempt))
        assert refusal(refused.value)[0] == "scoring"
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("literal", HOSTILE_NUMBERS)
def test_hostile_json_numbers_are_refused_by_the_scoring_parser(literal):
    number = json.loads(literal)
    with pytest.raises(ValidationError) as refused:
        scoring.ranking_scoring_clean([number], places=1)

    assert refusal(refused.value)[0] == "scoring"


@pytest.mark.parametrize("value", [[True], [None], [[4]], [{"a": 1}], 4, {"4": 1}])
def test_points_of_the_wrong_type_are_refused(value):
    with pytest.raises(ValidationError):
        scoring.ranking_scoring_clean(value, places=1)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_points_through_question_add_change_nothing(survey, coordinator, value):
    with pytest.raises(ValidationError) as refused:
        services.question_add(
            survey=survey,
            actor=coordinator,
            kind=Kind.RANKING,
            text="Order them.",
            items=["A", "B"],
            scoring=[value, "1"],
        )

    assert refusal(refused.value)[0] == "scoring"
    assert not ScreeningQuestion.objects.exists()


# ---------------------------------------------------------------------------------------------
# Items


def test_an_item_is_added_before_the_other_option(choice_question, coordinator):
    services.item_add(question=choice_question, actor=coordinator, name="Delivery")

    names = list(choice_question.items.values_list("name", flat=True))
    assert names == ["Stock", "Staff", "Payments", "Delivery", "Other"]


ITEM_REFUSALS = [
    ("suggestion_question", {"name": "A"}, "question", checks.ERROR_SUGGESTION_NO_ITEMS, {}),
    ("choice_question", {"name": "stock"}, "name", checks.ERROR_DUPLICATE_ITEM, {"name": "stock"}),
    ("choice_question", {"name": " "}, "name", checks.ERROR_REQUIRED, {}),
    (
        "choice_question",
        {"name": "A", "description": "d" * 2001},
        "description",
        ERROR_TEXT_TOO_LONG,
        {"limit": 2000},
    ),
]


@pytest.mark.parametrize(("fixture", "arguments", "field", "message", "filled"), ITEM_REFUSALS)
def test_an_item_breaking_a_rule_is_refused(
    request, coordinator, fixture, arguments, field, message, filled
):
    question = request.getfixturevalue(fixture)
    before = question.items.count()
    with pytest.raises(ValidationError) as refused:
        services.item_add(question=question, actor=coordinator, **arguments)

    assert refusal(refused.value) == (field, _(message).format(**filled))
    assert question.items.count() == before


def test_a_question_takes_no_item_beyond_max_items(choice_question, coordinator):
    ScreeningItem.objects.bulk_create(
        ScreeningItem(question=choice_question, name=f"Option {n}", source="typed", order=10 + n)
        for n in range(60 - choice_question.items.count())
    )

    with pytest.raises(ValidationError) as refused:
        services.item_add(question=choice_question, actor=coordinator, name="One more")

    assert refusal(refused.value) == ("name", _(ERROR_TOO_MANY_ITEMS).format(limit=60))


def test_a_choice_option_is_not_placed(choice_question, evaluation, coordinator):
    with pytest.raises(ValidationError) as refused:
        services.item_add(
            question=choice_question, actor=coordinator, name="A", place_under=at(evaluation, "U")
        )

    assert refusal(refused.value) == ("place_under", _(checks.ERROR_CHOICE_NO_PLACE))


def test_a_ranking_with_set_points_keeps_its_items(ranking_question, coordinator):
    services.question_update(question=ranking_question, actor=coordinator, scoring="4 3 2 1")
    message = _(items_module.ERROR_SCORING_FIXED).format(places=4)

    with pytest.raises(ValidationError) as refused:
        services.item_add(question=ranking_question, actor=coordinator, name="Tax risk")
    assert refusal(refused.value) == ("scoring", message)
    with pytest.raises(ValidationError) as refused:
        services.item_delete(item=item(ranking_question, "Legal risk"), actor=coordinator)
    assert refusal(refused.value) == ("scoring", message)


def test_an_item_is_renamed_and_placed_before_it_is_asked(
    ranking_question, evaluation, coordinator
):
    u2 = at(evaluation, "U2")
    legal = services.item_update(
        item=item(ranking_question, "Legal risk"),
        actor=coordinator,
        name="Compliance risk",
        place_under=u2,
    )

    legal.refresh_from_db()
    assert (legal.name, legal.place_under_id) == ("Compliance risk", u2.pk)


def test_an_item_from_the_hierarchy_stays_where_its_indicator_is(
    rating_question, evaluation, coordinator
):
    first = rating_question.items.first()
    with pytest.raises(ValidationError) as refused:
        services.item_update(item=first, actor=coordinator, place_under=at(evaluation, "U2"))

    assert refusal(refused.value) == (
        "place_under",
        _(items_module.ERROR_PLACE_WITH_HIERARCHY),
    )


def test_deleting_the_other_option_turns_it_off(choice_question, coordinator):
    services.item_delete(item=choice_question.items.get(is_other=True), actor=coordinator)

    choice_question.refresh_from_db()
    assert choice_question.allow_other is False
    assert choice_question.items.count() == 3


def test_an_asked_item_is_fixed(first_round, ranking_question, coordinator):
    credit = item(ranking_question, "Credit risk")
    message = _(checks.ERROR_ITEM_ASKED).format(name="Credit risk", number=1)

    for attempt in (
        lambda: services.item_update(item=credit, actor=coordinator, name="Credit"),
        lambda: services.item_delete(item=credit, actor=coordinator),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refusal(refused.value) == ("item", message)
    credit.refresh_from_db()
    assert credit.name == "Credit risk"


# ---------------------------------------------------------------------------------------------
# Rounds


def _membership(evaluation, email, status):
    membership = PanelMembership.objects.create(evaluation=evaluation, email=email)
    if status is not None:
        Invitation.objects.create(
            membership=membership,
            token_hash=email.ljust(64, "0")[:64],
            status=status,
            sent_at=timezone.now(),
            expires_at=timezone.now() + timedelta(days=30),
        )
    return membership


def test_round_1_opens_counting_the_experts_who_joined(
    survey, evaluation, rating_question, ranking_question, coordinator, expert, make_user
):
    accepted_membership(evaluation, expert)
    accepted_membership(evaluation, make_user("sam"))
    _membership(evaluation, "pending@example.com", Invitation.Status.PENDING)
    _membership(evaluation, "revoked@example.com", Invitation.Status.REVOKED)
    _membership(evaluation, "declined@example.com", Invitation.Status.DECLINED)
    _membership(evaluation, "uninvited@example.com", None)

    opened = rounds.round_open(survey=survey, actor=coordinator)

    assert (opened.number, opened.status, opened.invited) == (1, "open", 2)


def test_a_second_round_cannot_open_while_one_is_open(survey, first_round, coordinator):
    with pytest.raises(ValidationError) as refused:
        rounds.round_open(survey=survey, actor=coordinator)

    message = _(rounds.ERROR_ROUND_STILL_OPEN).format(number=1, next=2)
    assert refusal(refused.value) == ("round", message)
    assert survey.rounds.count() == 1


def test_a_round_opened_at_the_same_moment_meets_the_constraint(
    survey, first_round, coordinator, monkeypatch
):
    # The other tab's round 1 was committed after this one read "no round yet".
    monkeypatch.setattr(rounds, "round_latest", lambda survey: None)

    with pytest.raises(ValidationError) as refused:
        rounds.round_open(survey=survey, actor=coordinator)

    assert refusal(refused.value) == ("round", _(rounds.ERROR_ROUND_RACE))
    assert list(survey.rounds.values_list("number", flat=True)) == [1]


def test_the_next_round_opens_after_a_closed_one(survey, closed_round, coordinator):
    second = rounds.round_open(survey=survey, actor=coordinator)

    assert second.number == 2
    closed_round.refresh_from_db()
    assert closed_round.status == "closed" and closed_round.closed_at is not None


def test_a_survey_runs_at_most_max_rounds(survey, choice_question, coordinator):
    ScreeningRound.objects.bulk_create(
        ScreeningRound(survey=survey, number=n, status="closed") for n in range(1, MAX_ROUNDS + 1)
    )

    with pytest.raises(ValidationError) as refused:
        rounds.round_open(survey=survey, actor=coordinator)

    assert refusal(refused.value) == ("round", _(ERROR_TOO_MANY_ROUNDS).format(limit=MAX_ROUNDS))


def test_round_1_needs_a_question(survey, coordinator):
    with pytest.raises(ValidationError) as refused:
        rounds.round_open(survey=survey, actor=coordinator)

    assert refusal(refused.value) == ("questions", _(rounds.ERROR_NO_QUESTIONS))


def test_a_ranking_of_one_item_is_no_question(survey, coordinator):
    services.question_add(survey=survey, actor=coordinator, kind="ranking", text="Q", items=["A"])

    with pytest.raises(ValidationError) as refused:
        rounds.round_open(survey=survey, actor=coordinator)

    message = _(rounds.ERROR_TOO_FEW_ITEMS).format(question="Q", count=1, number=1, least=2)
    assert refusal(refused.value) == ("questions", message)
    assert not survey.rounds.exists()


def test_a_closed_round_cannot_be_closed_again(closed_round, coordinator):
    with pytest.raises(ValidationError) as refused:
        rounds.round_close(round=closed_round, actor=coordinator)

    assert refusal(refused.value) == ("round", _(rounds.ERROR_ROUND_CLOSED).format(number=1))


# ---------------------------------------------------------------------------------------------
# Decisions


def decide(round, item, coordinator, decision, **extra):
    return rounds.decision_set(
        round=round, item=item, actor=coordinator, decision=decision, **extra
    )


def test_decisions_wait_for_the_round_to_close(first_round, ranking_question, coordinator):
    with pytest.raises(ValidationError) as refused:
        decide(first_round, item(ranking_question, "Legal risk"), coordinator, "drop")

    assert refusal(refused.value) == ("round", _(rounds.ERROR_DECIDE_AFTER_CLOSE).format(number=1))


def test_each_decision_sets_the_items_status(closed_round, ranking_question, coordinator):
    credit, operational, market, legal = ranking_question.items.all()
    decide(closed_round, credit, coordinator, "keep", rule_verdict="keep", note="clear")
    decide(closed_round, operational, coordinator, "revise", new_name="Operations risk")
    decide(closed_round, market, coordinator, "merge", merged_into=operational)
    record = decide(closed_round, legal, coordinator, "drop")

    for each in (credit, operational, market, legal):
        each.refresh_from_db()
    assert (credit.status, operational.status, market.status, legal.status) == (
        "kept",
        "active",
        "merged",
        "dropped",
    )
    assert operational.name == "Operations risk"
    assert market.merged_into_id == operational.pk
    revised = ItemDecision.objects.get(item=operational)
    assert (revised.previous_name, revised.new_name) == ("Operational risk", "Operations risk")
    assert record.decided_by == coordinator
    assert ItemDecision.objects.get(item=credit).rule_verdict == "keep"


def test_a_changed_decision_undoes_the_rename(closed_round, ranking_question, coordinator):
    legal = item(ranking_question, "Legal risk")
    decide(closed_round, legal, coordinator, "revise", new_name="Compliance risk")
    decide(closed_round, legal, coordinator, "revise", new_name="Regulatory risk")
    legal.refresh_from_db()
    assert ItemDecision.objects.get(item=legal).previous_name == "Legal risk"

    decide(closed_round, legal, coordinator, "keep")

    legal.refresh_from_db()
    assert (legal.name, legal.status) == ("Legal risk", "kept")
    assert ItemDecision.objects.filter(item=legal).count() == 1


def test_a_merge_goes_into_a_live_item_of_the_same_question(
    closed_round, ranking_question, rating_question, coordinator
):
    credit, operational, market, legal = ranking_question.items.all()
    decide(closed_round, legal, coordinator, "drop")
    for target in (None, credit, legal, rating_question.items.first()):
        with pytest.raises(ValidationError) as refused:
            decide(closed_round, credit, coordinator, "merge", merged_into=target)
        assert refusal(refused.value) == ("merged_into", _(rounds.ERROR_MERGE_TARGET))


def test_an_item_others_merge_into_cannot_be_dropped(closed_round, ranking_question, coordinator):
    credit, operational, market, _legal = ranking_question.items.all()
    decide(closed_round, market, coordinator, "merge", merged_into=credit)

    with pytest.raises(ValidationError) as refused:
        decide(closed_round, credit, coordinator, "drop")

    message = _(rounds.ERROR_MERGED_INTO_THIS).format(names="“Market risk”", number=1)
    assert refusal(refused.value) == ("decision", message)
    credit.refresh_from_db()
    assert credit.status == "active"


DECISION_REFUSALS = [
    ({"decision": "postpone"}, "decision", rounds.ERROR_UNKNOWN_DECISION, {"value": "postpone"}),
    ({"decision": "keep", "new_name": "X"}, "new_name", rounds.ERROR_NEW_NAME_ONLY, {}),
    ({"decision": "revise", "new_name": "  "}, "new_name", checks.ERROR_REQUIRED, {}),
    (
        {"decision": "revise", "new_name": "credit RISK"},
        "new_name",
        checks.ERROR_DUPLICATE_ITEM,
        {"name": "credit RISK"},
    ),
    ({"decision": "keep", "rule_verdict": "maybe"}, "rule_verdict", rounds.ERROR_RULE_VERDICT, {}),
    ({"decision": "keep", "note": "n" * 501}, "note", ERROR_TEXT_TOO_LONG, {"limit": 500}),
]


@pytest.mark.parametrize(("arguments", "field", "message", "filled"), DECISION_REFUSALS)
def test_a_decision_breaking_a_rule_is_refused(
    closed_round, ranking_question, coordinator, arguments, field, message, filled
):
    legal = item(ranking_question, "Legal risk")
    with pytest.raises(ValidationError) as refused:
        rounds.decision_set(round=closed_round, item=legal, actor=coordinator, **arguments)

    assert refusal(refused.value) == (field, _(message).format(**filled))
    assert not ItemDecision.objects.exists()
    legal.refresh_from_db()
    assert (legal.name, legal.status) == ("Legal risk", "active")


def test_a_merge_target_goes_with_merge_only(closed_round, ranking_question, coordinator):
    credit, legal = item(ranking_question, "Credit risk"), item(ranking_question, "Legal risk")
    with pytest.raises(ValidationError) as refused:
        decide(closed_round, legal, coordinator, "keep", merged_into=credit)

    assert refusal(refused.value) == ("merged_into", _(rounds.ERROR_MERGE_TARGET_ONLY))


def test_decisions_are_final_once_the_next_round_opens(
    survey, closed_round, ranking_question, coordinator
):
    legal = item(ranking_question, "Legal risk")
    decide(closed_round, legal, coordinator, "keep")
    rounds.round_open(survey=survey, actor=coordinator)

    with pytest.raises(ValidationError) as refused:
        decide(closed_round, legal, coordinator, "drop")

    message = _(rounds.ERROR_DECISIONS_FINAL).format(next=2, number=1)
    assert refusal(refused.value) == ("round", message)


def test_an_item_dropped_earlier_is_not_decided_on_again(
    survey, closed_round, ranking_question, coordinator
):
    legal = item(ranking_question, "Legal risk")
    decide(closed_round, legal, coordinator, "drop")
    second = rounds.round_open(survey=survey, actor=coordinator)
    rounds.round_close(round=second, actor=coordinator)

    with pytest.raises(ValidationError) as refused:
        decide(second, legal, coordinator, "keep")

    message = _(rounds.ERROR_ITEM_NOT_ASKED).format(name="Legal risk", number=2)
    assert refusal(refused.value) == ("item", message)


# ---------------------------------------------------------------------------------------------
# Items asked per round, and suggested items


def test_each_round_asks_what_the_decisions_before_it_left(
    survey, closed_round, ranking_question, coordinator
):
    credit, operational, market, legal = ranking_question.items.all()
    decide(closed_round, credit, coordinator, "keep")
    decide(closed_round, operational, coordinator, "revise", new_name="Operations risk")
    decide(closed_round, market, coordinator, "merge", merged_into=credit)
    decide(closed_round, legal, coordinator, "drop")
    tax = rounds.suggested_item_add(
        round=closed_round, question=ranking_question, actor=coordinator, name="Tax risk"
    )
    second = rounds.round_open(survey=survey, actor=coordinator)

    def asked(round):
        items = selectors.round_items(round=round).filter(question=ranking_question)
        return [i.pk for i in items]

    assert asked(second) == [credit.pk, operational.pk, tax.pk]
    # Round 1's history stays as it was, whatever was decided since.
    assert asked(closed_round) == [credit.pk, operational.pk, market.pk, legal.pk]


def test_a_suggested_item_joins_the_next_round(
    closed_round, rating_question, evaluation, coordinator
):
    u1 = at(evaluation, "U1")
    added = rounds.suggested_item_add(
        round=closed_round,
        question=rating_question,
        actor=coordinator,
        name="Logistics",
        place_under=u1,
    )

    assert (added.source, added.first_round, added.place_under_id) == ("suggested", 2, u1.pk)
    # Until round 2 opens it is edited like a typed item.
    services.item_update(item=added, actor=coordinator, name="Logistics control")
    rounds.round_open(survey=closed_round.survey, actor=coordinator)
    with pytest.raises(ValidationError):
        services.item_delete(item=added, actor=coordinator)


def test_suggested_items_wait_for_a_closed_round(first_round, rating_question, coordinator):
    with pytest.raises(ValidationError) as refused:
        rounds.suggested_item_add(
            round=first_round, question=rating_question, actor=coordinator, name="Logistics"
        )

    assert refusal(refused.value) == ("round", _(rounds.ERROR_SUGGEST_WHEN))


def test_a_suggested_item_respects_the_questions_rules(
    closed_round, ranking_question, suggestion_question, coordinator
):
    for question, name, field in (
        (suggestion_question, "A", "question"),
        (ranking_question, "credit risk", "name"),
    ):
        with pytest.raises(ValidationError) as refused:
            rounds.suggested_item_add(
                round=closed_round, question=question, actor=coordinator, name=name
            )
        assert refusal(refused.value)[0] == field


def test_a_full_ranking_takes_no_suggested_item(closed_round, ranking_question, coordinator):
    ScreeningItem.objects.bulk_create(
        ScreeningItem(question=ranking_question, name=f"Risk {n}", source="typed", order=10 + n)
        for n in range(MAX_RANKED_ITEMS - 4)
    )

    with pytest.raises(ValidationError) as refused:
        rounds.suggested_item_add(
            round=closed_round, question=ranking_question, actor=coordinator, name="Tax risk"
        )

    message = _(ERROR_TOO_MANY_RANKED).format(limit=MAX_RANKED_ITEMS)
    assert refusal(refused.value) == ("name", message)


# ---------------------------------------------------------------------------------------------
# Selectors: who sees what


def test_a_coordinator_reaches_only_their_own_surveys(survey, evaluation, coordinator, outsider):
    assert selectors.survey_for_coordinator(user=coordinator, survey_id=survey.pk) == survey
    assert list(selectors.surveys_for_coordinator(user=coordinator, evaluation=evaluation)) == [
        survey
    ]
    assert not selectors.surveys_for_coordinator(user=outsider, evaluation=evaluation).exists()
    with pytest.raises(Http404):
        selectors.survey_for_coordinator(user=outsider, survey_id=survey.pk)
    with pytest.raises(Http404):
        selectors.survey_for_coordinator(user=coordinator, survey_id=survey.pk + 1000)


def test_an_expert_sees_surveys_with_an_open_round_on_panels_they_joined(
    survey, first_round, evaluation, expert, outsider, coordinator
):
    membership = accepted_membership(evaluation, expert)

    assert list(selectors.surveys_for_expert(user=expert)) == [survey]
    assert selectors.survey_for_expert(user=expert, survey_id=survey.pk) == (survey, membership)
    assert not selectors.surveys_for_expert(user=outsider).exists()
    with pytest.raises(Http404):
        selectors.survey_for_expert(user=outsider, survey_id=survey.pk)

    rounds.round_close(round=first_round, actor=coordinator)
    assert not selectors.surveys_for_expert(user=expert).exists()


def test_a_revoked_expert_no_longer_sees_the_survey(survey, first_round, evaluation, expert):
    membership = accepted_membership(evaluation, expert)
    Invitation.objects.filter(membership=membership).update(status=Invitation.Status.REVOKED)

    assert not selectors.surveys_for_expert(user=expert).exists()
    with pytest.raises(Http404):
        selectors.survey_for_expert(user=expert, survey_id=survey.pk)
