"""A screening survey on the demo template's evaluation, built straight in the database so the
tests of each service start from the same questions: a rating of U1's children (5 points), a
ranking of four typed risk factors (the micro-store study's question), a single-answer choice
with "other", and a suggestion box. Round 1 is open."""

import pytest

from surveys.models import ScreeningItem, ScreeningQuestion, ScreeningRound, ScreeningSurvey

Kind = ScreeningQuestion.Kind
Source = ScreeningItem.Source

RISKS = ["Credit risk", "Operational risk", "Market risk", "Legal risk"]


@pytest.fixture
def survey(evaluation):
    return ScreeningSurvey.objects.create(evaluation=evaluation, title="Indicator screening")


@pytest.fixture
def rating_question(survey, evaluation):
    question = ScreeningQuestion.objects.create(
        survey=survey, kind=Kind.RATING, text="How important is each indicator?", levels=5
    )
    u1 = evaluation.indicators.get(code="U1")
    for order, child in enumerate(u1.children.order_by("order")):
        ScreeningItem.objects.create(
            question=question,
            name=child.name,
            source=Source.HIERARCHY,
            indicator=child,
            place_under=u1,
            order=order,
        )
    return question


@pytest.fixture
def ranking_question(survey, evaluation):
    question = ScreeningQuestion.objects.create(
        survey=survey, kind=Kind.RANKING, text="Order the risks by importance.", order=1
    )
    root = evaluation.indicators.get(parent__isnull=True)
    for order, name in enumerate(RISKS):
        ScreeningItem.objects.create(
            question=question, name=name, source=Source.TYPED, place_under=root, order=order
        )
    return question


@pytest.fixture
def choice_question(survey):
    question = ScreeningQuestion.objects.create(
        survey=survey,
        kind=Kind.CHOICE,
        text="What is your store's main problem?",
        allow_other=True,
        order=2,
    )
    for order, name in enumerate(["Stock", "Staff", "Payments"]):
        ScreeningItem.objects.create(question=question, name=name, source=Source.TYPED, order=order)
    ScreeningItem.objects.create(
        question=question, name="Other", source=Source.TYPED, is_other=True, order=3
    )
    return question


@pytest.fixture
def suggestion_question(survey):
    return ScreeningQuestion.objects.create(
        survey=survey, kind=Kind.SUGGESTION, text="Which indicators are missing?", order=3
    )


@pytest.fixture
def first_round(survey, rating_question, ranking_question, choice_question, suggestion_question):
    return ScreeningRound.objects.create(survey=survey, number=1, invited=3)
