"""The coordinator's screening API, setting a survey up: surveys, their settings, questions and
items. Writes go through the same services as the pages (surveys/screening/services.py); the
services' refusals of the survey's state are 409s (refusals.py), of the input 400s."""

from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from evaluations.api.conflicts import CONFLICT_RESPONSE
from evaluations.models import Evaluation, Indicator

from ..checks import ERROR_NOT_THIS_EVALUATION, error
from ..models import ScreeningItem, ScreeningQuestion, ScreeningRound, ScreeningSurvey
from ..selectors import surveys_for_coordinator
from ..services import (
    item_add,
    item_delete,
    item_update,
    question_add,
    question_delete,
    question_update,
    survey_create,
    survey_update_settings,
)
from .access import CoordinatorView, items_read, questions_read, rounds_counted
from .refusals import service_refusals
from .serializers import (
    ItemInSerializer,
    QuestionCreateSerializer,
    QuestionUpdateSerializer,
    ScreeningItemSerializer,
    ScreeningQuestionSerializer,
    ScreeningSurveyListSerializer,
    ScreeningSurveySerializer,
    SurveySettingsSerializer,
)

STARTED = "409: round 1 has opened, so the questions and their items are fixed."


def indicator_by_code(evaluation: Evaluation, code: str | None, *, field: str) -> Indicator | None:
    """The evaluation's indicator with this code; None for none; a 400 on `field` otherwise."""
    if code is None:
        return None
    indicator = evaluation.indicators.filter(code=code).first()
    if indicator is None:
        raise error(field, _(ERROR_NOT_THIS_EVALUATION))
    return indicator


def survey_read(survey_id: int) -> ScreeningSurvey:
    """The survey with its questions, items and rounds, in four queries."""
    return ScreeningSurvey.objects.prefetch_related(
        Prefetch("questions", queryset=questions_read()),
        Prefetch("rounds", queryset=rounds_counted()),
    ).get(pk=survey_id)


def question_read(question_id: int) -> ScreeningQuestion:
    return questions_read().get(pk=question_id)


class SurveyListView(CoordinatorView):
    """The evaluation's screening surveys (GET), or a new one without questions (POST)."""

    @extend_schema(responses=ScreeningSurveyListSerializer(many=True))
    def get(self, request, evaluation_id: int):
        evaluation = self.evaluation_of(evaluation_id)
        surveys = (
            surveys_for_coordinator(user=request.user, evaluation=evaluation)
            .annotate(
                question_count=Count("questions", distinct=True),
                round_count=Count("rounds", distinct=True),
                open_round=Max(
                    "rounds__number", filter=Q(rounds__status=ScreeningRound.Status.OPEN)
                ),
            )
            .order_by("created_at", "pk")
        )
        return Response(ScreeningSurveyListSerializer(surveys, many=True).data)

    @extend_schema(
        request=SurveySettingsSerializer,
        responses={201: ScreeningSurveySerializer, 409: CONFLICT_RESPONSE},
        description="A new survey; settings left out take their defaults. 409 when the "
        "evaluation has as many surveys as it may.",
    )
    def post(self, request, evaluation_id: int):
        evaluation = self.evaluation_of(evaluation_id)
        serializer = SurveySettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_refusals():
            survey = survey_create(
                evaluation=evaluation, actor=request.user, **serializer.validated_data
            )
        data = ScreeningSurveySerializer(survey_read(survey.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class SurveyDetailView(CoordinatorView):
    """A survey: its settings, questions with their items, and rounds (GET); its settings
    (PUT, PATCH). The rule and its thresholds may change at any time (verdicts are computed
    when read); what respondents answer to not while a round is open (409)."""

    @extend_schema(responses=ScreeningSurveySerializer)
    def get(self, request, evaluation_id: int, survey_id: int):
        survey = self.survey_of(evaluation_id, survey_id)
        return Response(ScreeningSurveySerializer(survey_read(survey.pk)).data)

    @extend_schema(
        request=SurveySettingsSerializer,
        responses={200: ScreeningSurveySerializer, 409: CONFLICT_RESPONSE},
    )
    def put(self, request, evaluation_id: int, survey_id: int):
        return self._update(request, evaluation_id, survey_id, partial=False)

    @extend_schema(
        request=SurveySettingsSerializer,
        responses={200: ScreeningSurveySerializer, 409: CONFLICT_RESPONSE},
    )
    def patch(self, request, evaluation_id: int, survey_id: int):
        return self._update(request, evaluation_id, survey_id, partial=True)

    def _update(self, request, evaluation_id: int, survey_id: int, *, partial: bool):
        survey = self.survey_of(evaluation_id, survey_id)
        serializer = SurveySettingsSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with service_refusals():
            survey_update_settings(survey=survey, actor=request.user, **serializer.validated_data)
        return Response(ScreeningSurveySerializer(survey_read(survey.pk)).data)


class QuestionListView(CoordinatorView):
    """The survey's questions with their items (GET), or one more at the end (POST), before
    round 1 opens."""

    @extend_schema(responses=ScreeningQuestionSerializer(many=True))
    def get(self, request, evaluation_id: int, survey_id: int):
        survey = self.survey_of(evaluation_id, survey_id)
        questions = questions_read().filter(survey=survey)
        return Response(ScreeningQuestionSerializer(questions, many=True).data)

    @extend_schema(
        request=QuestionCreateSerializer,
        responses={201: ScreeningQuestionSerializer, 409: CONFLICT_RESPONSE},
        description="A question with its items: the children of an indicator (`items_from`) "
        "or names typed in (`items`); a multiple-choice question's `allow_other` adds an "
        f"“other” option last. {STARTED} 409 too when the survey has as many questions as it "
        "may.",
    )
    def post(self, request, evaluation_id: int, survey_id: int):
        survey = self.survey_of(evaluation_id, survey_id)
        serializer = QuestionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        evaluation = survey.evaluation
        for field in ("items_from", "place_under"):
            data[field] = indicator_by_code(evaluation, data.get(field), field=field)
        with service_refusals():
            question = question_add(survey=survey, actor=request.user, **data)
        data = ScreeningQuestionSerializer(question_read(question.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class QuestionDetailView(CoordinatorView):
    """One question with its items (GET); its wording and options (PUT, PATCH); deleted with
    its items (DELETE). Changes only before round 1 opens."""

    @extend_schema(responses=ScreeningQuestionSerializer)
    def get(self, request, evaluation_id: int, survey_id: int, question_id: int):
        survey = self.survey_of(evaluation_id, survey_id)
        question = self.question_of(survey, question_id)
        return Response(ScreeningQuestionSerializer(question_read(question.pk)).data)

    @extend_schema(
        request=QuestionUpdateSerializer,
        responses={200: ScreeningQuestionSerializer, 409: CONFLICT_RESPONSE},
        description=STARTED,
    )
    def put(self, request, evaluation_id: int, survey_id: int, question_id: int):
        return self._update(request, evaluation_id, survey_id, question_id, partial=False)

    @extend_schema(
        request=QuestionUpdateSerializer,
        responses={200: ScreeningQuestionSerializer, 409: CONFLICT_RESPONSE},
        description=STARTED,
    )
    def patch(self, request, evaluation_id: int, survey_id: int, question_id: int):
        return self._update(request, evaluation_id, survey_id, question_id, partial=True)

    @extend_schema(responses={204: None, 409: CONFLICT_RESPONSE}, description=STARTED)
    def delete(self, request, evaluation_id: int, survey_id: int, question_id: int):
        question = self.question_of(self.survey_of(evaluation_id, survey_id), question_id)
        with service_refusals():
            question_delete(question=question, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, evaluation_id, survey_id, question_id, *, partial: bool):
        question = self.question_of(self.survey_of(evaluation_id, survey_id), question_id)
        serializer = QuestionUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with service_refusals():
            question_update(question=question, actor=request.user, **serializer.validated_data)
        return Response(ScreeningQuestionSerializer(question_read(question.pk)).data)


ITEM_FIXED = (
    "409 once a round has asked the item (change it through a decision after the round), or "
    "when a ranking's set points per place fix its items."
)


class ItemListView(CoordinatorView):
    """A question's items (GET), or one more typed in (POST) before round 1 opens (after a
    round: …/rounds/{round_number}/items/)."""

    @extend_schema(responses=ScreeningItemSerializer(many=True))
    def get(self, request, evaluation_id: int, survey_id: int, question_id: int):
        question = self.question_of(self.survey_of(evaluation_id, survey_id), question_id)
        items = items_read().filter(question=question)
        return Response(ScreeningItemSerializer(items, many=True).data)

    @extend_schema(
        request=ItemInSerializer,
        responses={201: ScreeningItemSerializer, 409: CONFLICT_RESPONSE},
        description=f"{STARTED} 409 too when a ranking's set points per place fix its items.",
    )
    def post(self, request, evaluation_id: int, survey_id: int, question_id: int):
        question = self.question_of(self.survey_of(evaluation_id, survey_id), question_id)
        serializer = ItemInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        evaluation = question.survey.evaluation
        data["place_under"] = indicator_by_code(
            evaluation, data.get("place_under"), field="place_under"
        )
        with service_refusals():
            item = item_add(question=question, actor=request.user, **data)
        data = ScreeningItemSerializer(items_read().get(pk=item.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class ItemDetailView(CoordinatorView):
    """One item (GET); its name, description or place (PATCH) or the item itself (DELETE),
    until a round asks it. Deleting the "other" option turns it off."""

    def _item(self, evaluation_id, survey_id, question_id, item_id) -> ScreeningItem:
        question = self.question_of(self.survey_of(evaluation_id, survey_id), question_id)
        return self.item_of(question, item_id)

    @extend_schema(responses=ScreeningItemSerializer)
    def get(self, request, evaluation_id: int, survey_id: int, question_id: int, item_id: int):
        item = self._item(evaluation_id, survey_id, question_id, item_id)
        return Response(ScreeningItemSerializer(items_read().get(pk=item.pk)).data)

    @extend_schema(
        request=ItemInSerializer,
        responses={200: ScreeningItemSerializer, 409: CONFLICT_RESPONSE},
        description=ITEM_FIXED,
    )
    def patch(self, request, evaluation_id: int, survey_id: int, question_id: int, item_id: int):
        item = self._item(evaluation_id, survey_id, question_id, item_id)
        serializer = ItemInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "place_under" in changes:
            evaluation = item.question.survey.evaluation
            changes["place_under"] = indicator_by_code(
                evaluation, changes["place_under"], field="place_under"
            )
        with service_refusals():
            item_update(item=item, actor=request.user, **changes)
        return Response(ScreeningItemSerializer(items_read().get(pk=item.pk)).data)

    @extend_schema(responses={204: None, 409: CONFLICT_RESPONSE}, description=ITEM_FIXED)
    def delete(self, request, evaluation_id: int, survey_id: int, question_id: int, item_id: int):
        item = self._item(evaluation_id, survey_id, question_id, item_id)
        with service_refusals():
            item_delete(item=item, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
