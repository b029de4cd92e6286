"""What a coordinator's screening request may reach: every object starts from the caller's own
evaluation (evaluations/api/scoping.py), then the survey, question, item or round inside it.
Anything else answers 404, "missing" and "not yours" alike."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from evaluations.api import scoping
from evaluations.models import Evaluation
from experts.authentication import TokenScope

from ..models import (
    ScreeningItem,
    ScreeningQuestion,
    ScreeningResponse,
    ScreeningRound,
    ScreeningSurvey,
)
from ..selectors import survey_for_coordinator

PERMISSIONS = [IsAuthenticated, TokenScope]
SUBMITTED = ScreeningResponse.Status.SUBMITTED


def rounds_counted() -> QuerySet[ScreeningRound]:
    """Rounds with their submitted and valid responses counted, in one query."""
    return ScreeningRound.objects.annotate(
        submitted=Count("responses", filter=Q(responses__status=SUBMITTED)),
        valid=Count("responses", filter=Q(responses__status=SUBMITTED, responses__valid=True)),
    ).order_by("number")


def items_read() -> QuerySet[ScreeningItem]:
    return ScreeningItem.objects.select_related("indicator", "place_under").order_by("order", "pk")


def questions_read() -> QuerySet[ScreeningQuestion]:
    return ScreeningQuestion.objects.prefetch_related(
        Prefetch("items", queryset=items_read())
    ).order_by("order", "pk")


class CoordinatorView(APIView):
    """Base of the coordinator's screening endpoints: the objects of the URL, or 404."""

    permission_classes = PERMISSIONS

    def evaluation_of(self, evaluation_id: int) -> Evaluation:
        evaluation = scoping.coordinated(self.request.user).filter(pk=evaluation_id).first()
        if evaluation is None:
            raise Http404
        return evaluation

    def survey_of(self, evaluation_id: int, survey_id: int) -> ScreeningSurvey:
        survey = survey_for_coordinator(user=self.request.user, survey_id=survey_id)
        if survey.evaluation_id != evaluation_id:
            raise Http404
        return survey

    def question_of(self, survey: ScreeningSurvey, question_id: int) -> ScreeningQuestion:
        question = survey.questions.filter(pk=question_id).first()
        if question is None:
            raise Http404
        question.survey = survey
        return question

    def item_of(self, question: ScreeningQuestion, item_id: int) -> ScreeningItem:
        item = question.items.filter(pk=item_id).first()
        if item is None:
            raise Http404
        item.question = question
        return item

    def round_of(self, survey: ScreeningSurvey, round_number: int) -> ScreeningRound:
        round = survey.rounds.filter(number=round_number).first()
        if round is None:
            raise Http404
        round.survey = survey
        return round
