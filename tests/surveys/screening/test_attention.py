"""An attention question: a single-answer choice whose right answer the coordinator sets, on the
setup page or through question_update; a response that answers otherwise is not valid.
(The API's door: tests/api/test_screening_api.py.)"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from surveys.models import ScreeningResponse, ScreeningRound
from surveys.screening import services
from surveys.screening.attention import ERROR_ATTENTION_KIND, ERROR_ATTENTION_OPTION
from surveys.screening.checks import ERROR_SURVEY_STARTED
from surveys.screening.responses import INVALID_ATTENTION, response_for_expert, response_save
from tests.conftest import accepted_membership

pytestmark = pytest.mark.django_db


def options(question) -> dict[str, int]:
    return dict(question.items.values_list("name", "pk"))


@pytest.fixture
def questions(rating_question, ranking_question, choice_question, suggestion_question):
    return rating_question, ranking_question, choice_question, suggestion_question


def test_a_choice_question_takes_one_of_its_options_as_the_right_answer(
    questions, choice_question, coordinator
):
    staff = options(choice_question)["Staff"]

    services.question_update(question=choice_question, actor=coordinator, attention_answer=staff)
    choice_question.refresh_from_db()
    assert choice_question.attention_answer_id == staff

    services.question_update(question=choice_question, actor=coordinator, attention_answer=None)
    choice_question.refresh_from_db()
    assert choice_question.attention_answer_id is None


def test_the_other_option_or_another_questions_option_is_refused_and_changes_nothing(
    questions, choice_question, ranking_question, coordinator
):
    message = _(ERROR_ATTENTION_OPTION)
    others = [
        options(choice_question)["Other"],
        ranking_question.items.first().pk,
        True,
        "2",
        2.0,
        10**30,
    ]
    for value in others:
        with pytest.raises(ValidationError) as caught:
            services.question_update(
                question=choice_question, actor=coordinator, text="Changed", attention_answer=value
            )
        assert caught.value.message_dict == {"attention_answer": [message]}, value
        choice_question.refresh_from_db()
        assert (choice_question.text, choice_question.attention_answer_id) != ("Changed", None)
        assert choice_question.text == "What is your store's main problem?"


@pytest.mark.parametrize("kind", ["rating", "ranking", "suggestion"])
def test_only_a_choice_question_checks_attention(questions, coordinator, kind):
    question = next(q for q in questions if q.kind == kind)
    some_item = question.items.first() or questions[2].items.first()

    with pytest.raises(ValidationError) as caught:
        services.question_update(
            question=question, actor=coordinator, attention_answer=some_item.pk
        )

    assert caught.value.message_dict == {"attention_answer": [_(ERROR_ATTENTION_KIND)]}
    question.refresh_from_db()
    assert question.attention_answer_id is None


def test_the_right_answer_is_fixed_once_round_1_opens(questions, choice_question, coordinator):
    ScreeningRound.objects.create(survey=choice_question.survey, number=1)

    with pytest.raises(ValidationError) as caught:
        services.question_update(
            question=choice_question,
            actor=coordinator,
            attention_answer=options(choice_question)["Staff"],
        )

    assert _(ERROR_SURVEY_STARTED) in caught.value.messages
    choice_question.refresh_from_db()
    assert choice_question.attention_answer_id is None


# --- the setup page ------------------------------------------------------------------------


def question_url(question) -> str:
    kwargs = {
        "evaluation_id": question.survey.evaluation_id,
        "survey_id": question.survey_id,
        "question_id": question.pk,
    }
    return reverse("screening-setup-question-update", kwargs=kwargs)


def survey_page(client, survey) -> str:
    kwargs = {"evaluation_id": survey.evaluation_id, "survey_id": survey.pk}
    return client.get(reverse("screening-setup-survey", kwargs=kwargs)).content.decode()


def edit_data(question, **changes) -> dict:
    data = {"text": question.text, "help_text": "", "allow_other": "on"}
    data.update(changes)
    return data


def test_the_setup_page_sets_the_right_answer_and_says_so(
    coordinator_client, questions, choice_question
):
    staff = options(choice_question)["Staff"]
    page = survey_page(coordinator_client, choice_question.survey)
    select = re.search(
        rf'<select[^>]*id="question-{choice_question.pk}-attention_answer"[^>]*>.*?</select>',
        page,
        re.S,
    ).group()
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select) == [
        "None: an ordinary question",
        "Stock",
        "Staff",
        "Payments",
    ]

    response = coordinator_client.post(
        question_url(choice_question), edit_data(choice_question, attention_answer=str(staff))
    )

    assert response.status_code == 302
    choice_question.refresh_from_db()
    assert choice_question.attention_answer_id == staff
    assert "Attention check: a response that does not choose “Staff” alone is not valid." in (
        survey_page(coordinator_client, choice_question.survey)
    )


def test_the_setup_page_refuses_an_option_it_does_not_list(
    coordinator_client, questions, choice_question, ranking_question
):
    for value in [str(options(choice_question)["Other"]), str(ranking_question.items.first().pk)]:
        response = coordinator_client.post(
            question_url(choice_question), edit_data(choice_question, attention_answer=value)
        )

        assert response.status_code == 400
        choice_question.refresh_from_db()
        assert choice_question.attention_answer_id is None


# --- what it does to the responses ---------------------------------------------------------


def test_a_response_that_misses_the_check_set_on_the_page_is_not_valid(
    coordinator_client, questions, choice_question, rating_question, ranking_question,
    suggestion_question, expert,
):  # fmt: skip
    staff, stock = options(choice_question)["Staff"], options(choice_question)["Stock"]
    coordinator_client.post(
        question_url(choice_question), edit_data(choice_question, attention_answer=str(staff))
    )
    survey = choice_question.survey
    survey.ask_authority = False
    survey.save()
    round_1 = services.round_open(survey=survey, actor=survey.evaluation.owner)
    membership = accepted_membership(survey.evaluation, expert)
    response = response_for_expert(round=round_1, membership=membership)
    answers = {
        str(rating_question.pk): {str(item.pk): 4 for item in rating_question.items.all()},
        str(ranking_question.pk): {"order": [item.pk for item in ranking_question.items.all()]},
        str(choice_question.pk): {"selected": [stock], "other": ""},
        str(suggestion_question.pk): {"text": ""},
    }  # fmt: skip

    response_save(response=response, answers=answers, submit=True, channel="page")

    saved = ScreeningResponse.objects.get(pk=response.pk)
    assert saved.status == ScreeningResponse.Status.SUBMITTED
    assert (saved.valid, saved.invalid_reason) == (False, INVALID_ATTENTION)
