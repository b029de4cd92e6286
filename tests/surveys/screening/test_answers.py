"""The answers' layout and its rules (surveys.screening.answers): pure functions over a
questionnaire of light dataclasses, so most tests need no database. Hostile text goes through
the form reader under a timeout: a hang guard, not a speed target."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from surveys.models import ScreeningItem
from surveys.screening import answers as a
from surveys.screening.answers import (
    CHOICE,
    RANKING,
    RATING,
    SUGGESTION,
    AskedItem,
    AskedQuestion,
    Questionnaire,
    answers_clean,
    answers_from_form,
    attention_missed,
    changed_items,
    questionnaire,
)
from surveys.screening.limits import (
    ERROR_TEXT_TOO_LONG,
    OTHER_TEXT_LIMIT,
    REASON_LIMIT,
    SUGGESTION_LIMIT,
)
from tests.hostile import HOSTILE, HOSTILE_NUMBERS

RATED = AskedQuestion(id=1, kind=RATING, items=(AskedItem(11), AskedItem(12), AskedItem(13)))
RANKED = AskedQuestion(
    id=2, kind=RANKING, items=tuple(AskedItem(item) for item in (21, 22, 23, 24))
)
CHOSEN = AskedQuestion(
    id=3, kind=CHOICE, items=(AskedItem(31), AskedItem(32), AskedItem(33, is_other=True))
)
SUGGESTED = AskedQuestion(id=4, kind=SUGGESTION)
FORM = Questionnaire(questions=(RATED, RANKED, CHOSEN, SUGGESTED), authority=True)

AUTHORITY = {
    "basis": {"practice": "high", "theory": "medium", "literature": "low", "intuition": "low"},
    "familiarity": "familiar",
}
COMPLETE = {
    "1": {"11": 4, "12": None, "13": 5},
    "2": {"order": [22, 21]},
    "3": {"selected": [31], "other": ""},
}


def clean(answers, *, form=FORM, submit=True, reasons=None, authority=AUTHORITY):
    return answers_clean(
        answers=answers, reasons=reasons, authority=authority, form=form, submit=submit
    )


def errors_of(answers, **kwargs) -> dict:
    with pytest.raises(ValidationError) as refused:
        clean(answers, **kwargs)
    return refused.value.message_dict


def with_answer(key: str, answer) -> dict:
    return {**COMPLETE, key: answer}


def post(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        data.setlist(name.replace("_", "-"), value if isinstance(value, list) else [value])
    return data


# --- The layout --------------------------------------------------------------------------


def test_complete_answers_pass_and_come_back_as_stored():
    cleaned = clean({**COMPLETE, "4": {"text": "  Delivery time  "}})

    assert cleaned.answers == {**COMPLETE, "4": {"text": "Delivery time"}}
    assert cleaned.authority == AUTHORITY and cleaned.reasons == {}


def test_a_draft_may_be_empty_or_partial():
    assert clean({}, submit=False, authority=None).answers == {}
    partial = {"1": {"11": 3}, "2": {"order": [24]}}
    assert clean(partial, submit=False, authority={}).answers == partial


def test_a_ranking_of_the_first_place_only_may_be_submitted():
    assert clean(with_answer("2", {"order": [23]})).answers["2"] == {"order": [23]}


def test_a_submission_ranks_at_least_the_first_place():
    errors = errors_of(with_answer("2", {"order": []}))

    assert errors == {"answers.2.order": [a.ERROR_RANK_FIRST]}


def test_each_item_may_be_ranked_once():
    errors = errors_of(with_answer("2", {"order": [22, 21, 22]}))

    assert errors == {"answers.2.order.3": [a.ERROR_RANKED_TWICE]}


def test_a_ranking_names_only_items_asked_in_this_round():
    errors = errors_of(with_answer("2", {"order": [21, 31]}))

    assert errors == {"answers.2.order.2": [a.ERROR_UNKNOWN_ITEM.format(key="31")]}


def test_a_ranking_has_no_more_places_than_items():
    errors = errors_of(with_answer("2", {"order": [21, 22, 23, 24, 21]}))

    assert errors == {"answers.2.order": [a.ERROR_TOO_MANY_PLACES.format(count=4)]}


@pytest.mark.parametrize("level", [0, 6, -1, 4.0, "4", True, [4], {"level": 4}])
def test_a_rating_off_the_scale_is_refused_naming_the_item(level):
    errors = errors_of(with_answer("1", {"11": level, "12": 1, "13": 1}))

    assert errors == {"answers.1.11": [a.ERROR_LEVEL.format(levels=5)]}


def test_a_nine_point_question_takes_levels_up_to_nine():
    nine = AskedQuestion(id=1, kind=RATING, items=(AskedItem(11),), levels=9)
    form = Questionnaire(questions=(nine,))

    assert clean({"1": {"11": 9}}, form=form, authority=None).answers == {"1": {"11": 9}}
    errors = errors_of({"1": {"11": 10}}, form=form, authority=None)
    assert errors == {"answers.1.11": [a.ERROR_LEVEL.format(levels=9)]}


def test_cannot_judge_is_an_answer_but_a_missing_item_is_not():
    errors = errors_of(with_answer("1", {"11": None, "12": None}))

    assert errors == {"answers.1.13": [a.ERROR_RATE_EVERY]}


def test_a_rating_of_an_item_not_asked_is_refused():
    errors = errors_of(with_answer("1", {**COMPLETE["1"], "21": 3}))

    assert errors == {"answers.1": [a.ERROR_UNKNOWN_ITEM.format(key="21")]}


def test_a_single_answer_question_takes_one_answer():
    errors = errors_of(with_answer("3", {"selected": [31, 32]}))

    assert errors == {"answers.3.selected": [a.ERROR_ONE_CHOICE]}


def test_a_several_answers_question_takes_several_but_each_once():
    several = AskedQuestion(id=3, kind=CHOICE, items=CHOSEN.items, multiple=True)
    form = Questionnaire(questions=(several,))

    assert clean({"3": {"selected": [32, 31]}}, form=form, authority=None).answers == {
        "3": {"selected": [32, 31], "other": ""}
    }
    errors = errors_of({"3": {"selected": [31, 31]}}, form=form, authority=None)
    assert errors == {"answers.3.selected": [a.ERROR_CHOSEN_TWICE]}


def test_a_submission_chooses_an_answer():
    errors = errors_of(with_answer("3", {"selected": []}))

    assert errors == {"answers.3.selected": [a.ERROR_CHOOSE]}


def test_other_needs_its_text_on_submit_and_only_then_is_it_taken():
    errors = errors_of(with_answer("3", {"selected": [33]}))
    assert errors == {"answers.3.other": [a.ERROR_OTHER_REQUIRED]}

    draft = clean(with_answer("3", {"selected": [33]}), submit=False).answers
    assert draft["3"] == {"selected": [33], "other": ""}
    named = clean(with_answer("3", {"selected": [33], "other": " Taxes "})).answers
    assert named["3"] == {"selected": [33], "other": "Taxes"}


def test_other_text_is_refused_when_other_is_not_chosen():
    errors = errors_of(with_answer("3", {"selected": [31], "other": "Taxes"}))

    assert errors == {"answers.3.other": [a.ERROR_OTHER_NOT_CHOSEN]}


@pytest.mark.parametrize(
    ("key", "answer", "path", "limit"),
    [
        (
            "3",
            {"selected": [33], "other": "x" * (OTHER_TEXT_LIMIT + 1)},
            "3.other",
            OTHER_TEXT_LIMIT,
        ),
        ("4", {"text": "x" * (SUGGESTION_LIMIT + 1)}, "4.text", SUGGESTION_LIMIT),
    ],
)
def test_text_longer_than_its_limit_is_refused(key, answer, path, limit):
    errors = errors_of(with_answer(key, answer))

    assert errors == {f"answers.{path}": [ERROR_TEXT_TOO_LONG.format(limit=limit)]}


def test_text_at_its_limit_is_taken():
    answer = {"text": "x" * SUGGESTION_LIMIT}

    assert clean(with_answer("4", answer)).answers["4"] == answer


def test_text_with_a_nul_character_is_refused():
    errors = errors_of(with_answer("4", {"text": "a\x00b"}))

    assert errors == {"answers.4.text": [a.ERROR_TEXT_NUL]}


def test_reasons_are_kept_for_asked_items_within_their_limit():
    cleaned = clean(COMPLETE, reasons={"11": " Changed my mind ", "21": "  "})
    assert cleaned.reasons == {"11": "Changed my mind"}

    errors = errors_of(COMPLETE, reasons={"11": "x" * (REASON_LIMIT + 1), "99": "Why"})
    assert errors == {
        "reasons.11": [ERROR_TEXT_TOO_LONG.format(limit=REASON_LIMIT)],
        "reasons": [a.ERROR_UNKNOWN_ITEM.format(key="99")],
    }


def test_a_submission_needs_the_whole_self_rating_when_it_is_asked():
    errors = errors_of(COMPLETE, authority={"basis": {"practice": "high"}})

    assert errors == {
        "authority.basis.theory": [a.ERROR_CHOOSE_ONE],
        "authority.basis.literature": [a.ERROR_CHOOSE_ONE],
        "authority.basis.intuition": [a.ERROR_CHOOSE_ONE],
        "authority.familiarity": [a.ERROR_CHOOSE_ONE],
    }
    draft = clean(COMPLETE, submit=False, authority={"basis": {"practice": "high"}})
    assert draft.authority == {"basis": {"practice": "high"}}


def test_a_self_rating_holds_only_its_own_words():
    authority = {
        "basis": {**AUTHORITY["basis"], "practice": "very high", "gut": "high"},
        "familiarity": "very familiar",
    }

    errors = errors_of(COMPLETE, authority=authority)

    assert errors == {
        "authority.basis": [a.ERROR_UNKNOWN_KEY.format(key="gut")],
        "authority.basis.practice": [a.ERROR_INFLUENCE],
        "authority.familiarity": [a.ERROR_FAMILIARITY],
    }


def test_a_self_rating_is_neither_needed_nor_taken_where_it_is_not_asked():
    form = Questionnaire(questions=FORM.questions, authority=False)

    assert clean(COMPLETE, form=form, authority=None).authority == {}
    errors = errors_of(COMPLETE, form=form, authority=AUTHORITY)
    assert errors == {"authority": [a.ERROR_AUTHORITY_NOT_ASKED]}


# --- Strict JSON -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ([], {"answers": [a.ERROR_JSON_TYPE.format(kind="object")]}),
        (with_answer("9", {}), {"answers": [a.ERROR_UNKNOWN_QUESTION.format(key="9")]}),
        (with_answer("02", {}), {"answers": [a.ERROR_UNKNOWN_QUESTION.format(key="02")]}),
        (
            with_answer("2", {"order": [22], "ties": []}),
            {"answers.2": [a.ERROR_UNKNOWN_KEY.format(key="ties")]},
        ),
        (with_answer("2", [22]), {"answers.2": [a.ERROR_JSON_TYPE.format(kind="object")]}),
        (
            with_answer("2", {"order": "22"}),
            {"answers.2.order": [a.ERROR_JSON_TYPE.format(kind="array")]},
        ),
        (
            with_answer("2", {"order": ["22"]}),
            {"answers.2.order.1": [a.ERROR_JSON_TYPE.format(kind="integer")]},
        ),
        (
            with_answer("3", {"selected": [True]}),
            {"answers.3.selected": [a.ERROR_JSON_TYPE.format(kind="integer")]},
        ),
        (
            with_answer("4", {"text": 5}),
            {"answers.4.text": [a.ERROR_JSON_TYPE.format(kind="string")]},
        ),
    ],
)
def test_json_of_the_wrong_shape_is_refused_naming_the_field(answers, errors):
    assert errors_of(answers) == errors


def test_reasons_and_self_rating_must_be_objects():
    errors = errors_of(COMPLETE, reasons=["why"], authority="high")

    assert errors == {
        "reasons": [a.ERROR_JSON_TYPE.format(kind="object")],
        "authority": [a.ERROR_JSON_TYPE.format(kind="object")],
    }


@pytest.mark.timeout(10)
@pytest.mark.parametrize("literal", HOSTILE_NUMBERS)
def test_hostile_json_numbers_are_off_the_scale(literal):
    level = json.loads(literal)

    errors = errors_of(with_answer("1", {"11": level, "12": 1, "13": 1}))

    assert errors == {"answers.1.11": [a.ERROR_LEVEL.format(levels=5)]}


@pytest.mark.timeout(10)
def test_a_huge_id_is_quoted_back_cut_short():
    errors = errors_of(with_answer("2", {"order": [-(10**4000)]}))

    assert errors == {"answers.2.order.1": [a.ERROR_UNKNOWN_ITEM.format(key="…")]}


# --- The form reader ---------------------------------------------------------------------


def test_a_filled_in_form_reads_into_the_layout():
    data = post(
        rating_11="4",
        rating_12="none",
        rating_13=" 5 ",
        ranking_2_1="22",
        ranking_2_2="21",
        ranking_2_3="",
        choice_3="33",
        other_3="Taxes",
        suggestion_4="Delivery time",
        reason_11="Read the report",
        authority_practice="high",
        authority_theory="medium",
        authority_literature="low",
        authority_intuition="low",
        authority_familiarity="familiar",
        csrfmiddlewaretoken="abc",
    )

    read = answers_from_form(data, FORM)

    assert read.answers == {
        "1": {"11": 4, "12": None, "13": 5},
        "2": {"order": [22, 21]},
        "3": {"selected": [33], "other": "Taxes"},
        "4": {"text": "Delivery time"},
    }
    assert read.reasons == {"11": "Read the report"}
    assert read.authority == AUTHORITY
    cleaned = clean(read.answers, reasons=read.reasons, authority=read.authority)
    assert cleaned.answers == read.answers


def test_a_form_with_several_answers_posts_one_field_each():
    several = AskedQuestion(id=3, kind=CHOICE, items=CHOSEN.items, multiple=True)
    form = Questionnaire(questions=(several,))

    read = answers_from_form(post(choice_3=["31", "32"]), form)

    assert read.answers == {"3": {"selected": [31, 32], "other": ""}}


def test_an_empty_form_reads_as_no_answers():
    read = answers_from_form(post(), FORM)

    assert (read.answers, read.reasons, read.authority) == ({}, {}, {})


def test_a_ranking_form_fills_its_places_in_order():
    with pytest.raises(ValidationError) as refused:
        answers_from_form(post(ranking_2_1="22", ranking_2_3="21"), FORM)

    assert refused.value.message_dict == {
        "answers.2.order.2": [a.ERROR_PLACE_EMPTY.format(place=2)]
    }


def test_a_duplicate_in_a_ranking_form_is_named_by_its_place():
    read = answers_from_form(post(ranking_2_1="22", ranking_2_2="22"), FORM)

    with pytest.raises(ValidationError) as refused:
        clean(read.answers, submit=False, authority=None)
    assert refused.value.message_dict == {"answers.2.order.2": [a.ERROR_RANKED_TWICE]}


def read_and_clean(data: QueryDict) -> dict:
    """What a page does with a post: read the form, then check the layout."""
    with pytest.raises(ValidationError) as refused:
        read = answers_from_form(data, FORM)
        clean(read.answers, submit=False, reasons=read.reasons, authority=read.authority)
    return refused.value.message_dict


@pytest.mark.timeout(30)
@pytest.mark.parametrize("value", HOSTILE, ids=lambda value: repr(value[:12]))
@pytest.mark.parametrize(
    ("field", "path"),
    [
        ("rating_11", "answers.1.11"),
        ("ranking_2_1", "answers.2.order.1"),
        ("choice_3", "answers.3.selected"),
        ("authority_practice", "authority.basis.practice"),
        ("authority_familiarity", "authority.familiarity"),
    ],
)
def test_hostile_text_in_a_number_or_choice_field_is_refused_naming_it(field, path, value):
    errors = read_and_clean(post(**{field: value}))

    assert list(errors) == [path]


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("field", "path", "limit"),
    [
        ("reason_11", "reasons.11", REASON_LIMIT),
        ("other_3", "answers.3.other", OTHER_TEXT_LIMIT),
        ("suggestion_4", "answers.4.text", SUGGESTION_LIMIT),
    ],
)
def test_hostile_text_in_a_text_field_is_refused_naming_it(field, path, limit):
    fields = {field: "9" * 100_000}
    if field == "other_3":
        fields["choice_3"] = "33"
    assert read_and_clean(post(**fields)) == {path: [ERROR_TEXT_TOO_LONG.format(limit=limit)]}
    fields[field] = "3\x00"
    assert read_and_clean(post(**fields)) == {path: [a.ERROR_TEXT_NUL]}


# --- Reading complete answers ------------------------------------------------------------


def test_a_changed_level_or_cannot_judge_counts_as_changed():
    before = {"1": {"11": 4, "12": None, "13": 5}}
    after = {"1": {"11": 4, "12": 3, "13": 2}}

    assert changed_items(before, after, FORM) == [12, 13]


def test_a_changed_place_counts_as_changed():
    form = Questionnaire(questions=(RANKED,), round_number=2)

    assert changed_items({"2": {"order": [21, 22]}}, {"2": {"order": [22, 21]}}, form) == [
        21,
        22,
    ]
    assert changed_items({"2": {"order": [21, 22]}}, {"2": {"order": [21]}}, form) == [22]
    assert changed_items({"2": {"order": [21, 22]}}, {"2": {"order": [21, 22]}}, form) == []


def test_places_are_compared_among_the_items_both_rounds_asked():
    # Round 1 asked 21 to 24 and 25; 25 was dropped, and 26 joins in round 2.
    items = (AskedItem(21), AskedItem(22), AskedItem(23), AskedItem(26, first_round=2))
    form = Questionnaire(
        questions=(AskedQuestion(id=2, kind=RANKING, items=items),), round_number=2
    )
    before = {"2": {"order": [25, 21, 22, 23]}}
    after = {"2": {"order": [26, 21, 22, 23]}}

    assert changed_items(before, after, form) == []


def test_an_item_not_answered_before_has_not_changed():
    assert changed_items({}, COMPLETE, FORM) == []


def test_an_attention_question_answered_otherwise_is_missed():
    attention = AskedQuestion(id=3, kind=CHOICE, items=CHOSEN.items, attention_answer=32)
    form = Questionnaire(questions=(attention,))

    assert attention_missed({"3": {"selected": [32], "other": ""}}, form) is False
    assert attention_missed({"3": {"selected": [31], "other": ""}}, form) is True
    assert attention_missed({}, form) is True
    assert attention_missed({"3": {"selected": [31]}}, FORM) is False


def test_the_questionnaire_asks_active_and_kept_items_from_their_first_round(
    rating_question, ranking_question
):
    rated = list(rating_question.items.all())
    ScreeningItem.objects.filter(pk=rated[0].pk).update(status=ScreeningItem.Status.DROPPED)
    ScreeningItem.objects.filter(pk=rated[1].pk).update(status=ScreeningItem.Status.KEPT)
    ScreeningItem.objects.filter(pk=rated[2].pk).update(first_round=2)
    items = ScreeningItem.objects.all()
    questions = [ranking_question, rating_question]

    first = questionnaire(questions, items, round_number=1, authority=True)
    second = questionnaire(questions, items, round_number=2, authority=False)

    assert [q.id for q in first.questions] == [rating_question.pk, ranking_question.pk]
    asked = [item.id for item in first.questions[0].items]
    assert asked == [item.pk for item in rated[1:] if item.pk != rated[2].pk]
    assert [item.id for item in second.questions[0].items] == [item.pk for item in rated[1:]]
    assert first.questions[0].levels == 5 and first.authority and not second.authority
