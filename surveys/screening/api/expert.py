"""The expert's screening API: the survey's latest round as a questionnaire (GET), and the
expert's answers saved or submitted (PUT), through the same service as the page
(responses.response_save) with channel "api".

Answers take the layout surveys/screening/answers documents, keyed by question and item ids;
the service checks it and names each error by its path ("answers.12.34",
"answers.12.order.2", "reasons.34", "authority.familiarity"). As with the ballots (surveys/
api.py), a round that is closed refuses answers with a 400 naming "round".
"""

import json

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.api.strict import ERROR_JSON_TYPE, StrictInput
from surveys.models import Channel

from ..answers import BASES, DEFAULT_LEVELS, FAMILIARITY, INFLUENCE_LEVELS, RATING
from ..limits import (
    ANSWERS_JSON_LIMIT,
    ERROR_TEXT_TOO_LONG,
    MAX_ITEMS,
    MAX_RANKED_ITEMS,
    OTHER_TEXT_LIMIT,
    REASON_LIMIT,
    SUGGESTION_LIMIT,
)
from ..models import ScreeningQuestion, ScreeningResponse, ScreeningRound, ScreeningSurvey
from ..responses import (
    ERROR_LINK_CLOSED,
    previous_answers,
    response_for_expert,
    response_save,
)
from ..selectors import round_items, round_latest, survey_for_expert
from ..statistics import RoundStatistics, round_statistics
from .access import PERMISSIONS

OPEN = ScreeningRound.Status.OPEN

RANKING_ANSWER = {
    "title": "ranking",
    "type": "object",
    "properties": {
        "order": {
            "type": "array",
            "items": {"type": "integer"},
            "maxItems": MAX_RANKED_ITEMS,
            "description": "Item ids, most important first; the first places only may do.",
        }
    },
    "additionalProperties": False,
}
RATING_ANSWER = {
    "title": "rating",
    "type": "object",
    "description": "A level 1 … L per item id, or null for “cannot judge / not my field”.",
    "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 9, "nullable": True},
}
CHOICE_ANSWER = {
    "title": "choice",
    "type": "object",
    "properties": {
        "selected": {"type": "array", "items": {"type": "integer"}, "maxItems": MAX_ITEMS},
        "other": {
            "type": "string",
            "maxLength": OTHER_TEXT_LIMIT,
            "description": "What “other” is, when the “other” option is selected.",
        },
    },
    "additionalProperties": False,
}
SUGGESTION_ANSWER = {
    "title": "suggestion",
    "type": "object",
    "properties": {"text": {"type": "string", "maxLength": SUGGESTION_LIMIT}},
    "additionalProperties": False,
}


class JsonObjectField(serializers.Field):
    """A JSON object handed to the service as it came: the service checks what is inside, with
    its field paths. Only the type is checked here, and the size before anything reads it."""

    def __init__(self, *, limit: int | None = None, **kwargs):
        self.limit = limit
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                str(ERROR_JSON_TYPE).format(kind="object"), code="type"
            )
        if self.limit is not None and len(json.dumps(data)) > self.limit:
            raise serializers.ValidationError(
                _(ERROR_TEXT_TOO_LONG).format(limit=self.limit), code="max_length"
            )
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(
    {
        "type": "object",
        "description": "An answer per question id, by the question's kind; a question not "
        "answered is left out.",
        "additionalProperties": {
            "anyOf": [RANKING_ANSWER, RATING_ANSWER, CHOICE_ANSWER, SUGGESTION_ANSWER]
        },
    }
)
class AnswersField(JsonObjectField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "description": "Why an answer changed since your previous round, per item id.",
        "additionalProperties": {"type": "string", "maxLength": REASON_LIMIT},
    }
)
class ReasonsField(JsonObjectField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "description": "Your self-rating, when the survey asks for it: the influence of each "
        "judgment basis on your answers, and your familiarity with the subject.",
        "properties": {
            "basis": {
                "type": "object",
                "properties": {
                    basis: {"type": "string", "enum": list(INFLUENCE_LEVELS)} for basis in BASES
                },
                "additionalProperties": False,
            },
            "familiarity": {"type": "string", "enum": list(FAMILIARITY)},
        },
        "additionalProperties": False,
    }
)
class AuthorityField(JsonObjectField):
    pass


class AnswersInSerializer(StrictInput, serializers.Serializer):
    """Your answers to the round, in the layout of surveys/screening/answers."""

    answers = AnswersField(limit=ANSWERS_JSON_LIMIT)
    reasons = ReasonsField(required=False, default=dict)
    authority = AuthorityField(required=False, default=dict)
    submit = serializers.BooleanField(
        default=False,
        help_text="Submit (complete answers, checked; they count in the round's statistics) "
        "or keep as a draft. Submitted answers change only by submitting again.",
    )


class FeedbackSerializer(serializers.Serializer):
    """How the group answered an item in the round before (its valid responses)."""

    median = serializers.FloatField(allow_null=True)
    iqr = serializers.FloatField(allow_null=True, help_text="Q3 − Q1.")
    valid = serializers.IntegerField(help_text="The answers counted (N).")
    distribution = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Answers per level 1 … L of a rating, or per place 1 … t of a ranking.",
    )


class AskedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    is_other = serializers.BooleanField()
    new = serializers.BooleanField(help_text="Asked for the first time in this round.")
    feedback = FeedbackSerializer(
        allow_null=True,
        help_text="From round 2, for a ranking or rating item asked in the round before: how "
        "the group answered it then. Null otherwise.",
    )


class AskedQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ScreeningQuestion.Kind.choices)
    text = serializers.CharField()
    help_text = serializers.CharField()
    levels = serializers.IntegerField(allow_null=True, help_text="A rating's scale points.")
    multiple = serializers.BooleanField(help_text="A choice question: several answers allowed.")
    items = AskedItemSerializer(many=True, help_text="The items asked, in the form's order.")


class QuestionnaireSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    title = serializers.CharField()
    introduction = serializers.CharField()
    round = serializers.IntegerField(
        allow_null=True, help_text="The number of the survey's latest round; null before round 1."
    )
    round_open = serializers.BooleanField(help_text="Whether that round takes answers.")
    ask_authority = serializers.BooleanField(help_text="Whether `authority` is asked.")
    reason_required = serializers.BooleanField(
        help_text="From round 2: a reason for every answer changed since your previous round."
    )
    status = serializers.ChoiceField(
        choices=["draft", "submitted"],
        allow_null=True,
        help_text="Of your answers in the round; null before the first save.",
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    questions = AskedQuestionSerializer(many=True)
    answers = AnswersField()
    reasons = ReasonsField()
    authority = AuthorityField()
    previous_answers = AnswersField(
        allow_null=True, help_text="Your submitted answers of the round before; null if none."
    )


class QuestionnaireView(APIView):
    """Your answers to a screening survey's latest round: the questions and items it asks,
    your answers so far and, from round 2, your previous round's answers (GET); save them as a
    draft or submit them (PUT) while the round is open.

    Reading the questionnaire of an open round starts your answering time, as opening the
    page does (a survey may not count answers submitted too soon after)."""

    permission_classes = PERMISSIONS

    def _objects(self, evaluation_id: int, survey_id: int):
        survey, membership = survey_for_expert(user=self.request.user, survey_id=survey_id)
        if survey.evaluation_id != evaluation_id:
            raise Http404
        return survey, membership

    @extend_schema(responses=QuestionnaireSerializer)
    def get(self, request, evaluation_id: int, survey_id: int):
        survey, membership = self._objects(evaluation_id, survey_id)
        round = round_latest(survey=survey)
        response = None
        if round is not None and round.status == OPEN:
            try:  # the clock of the least answering time starts here
                response = response_for_expert(round=round, membership=membership)
            except ValidationError:  # revoked since the access check a moment ago
                raise Http404 from None
        elif round is not None:
            response = ScreeningResponse.objects.filter(round=round, membership=membership).first()
        return Response(_questionnaire_out(survey, round, response))

    @extend_schema(request=AnswersInSerializer, responses=QuestionnaireSerializer)
    def put(self, request, evaluation_id: int, survey_id: int):
        survey, membership = self._objects(evaluation_id, survey_id)
        serializer = AnswersInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        round = round_latest(survey=survey)
        if round is None:
            raise ValidationError({"round": _(ERROR_LINK_CLOSED)})
        # A closed round: the service refuses with its message on "round".
        response = response_for_expert(round=round, membership=membership)
        response = response_save(
            response=response,
            answers=data["answers"],
            reasons=data["reasons"],
            authority=data["authority"],
            submit=data["submit"],
            channel=Channel.API,
        )
        return Response(_questionnaire_out(survey, round, response))


def _questionnaire_out(
    survey: ScreeningSurvey, round: ScreeningRound | None, response: ScreeningResponse | None
) -> dict:
    questions = list(survey.questions.all())
    items = list(round_items(round=round)) if round is not None else []
    return {
        "survey": survey.pk,
        "title": survey.title,
        "introduction": survey.introduction,
        "round": round.number if round is not None else None,
        "round_open": round is not None and round.status == OPEN,
        "ask_authority": survey.ask_authority,
        "reason_required": survey.reason_required,
        "status": response.status if response is not None else None,
        "submitted_at": response.submitted_at if response is not None else None,
        "questions": _asked(questions, items, round),
        "answers": response.answers if response is not None else {},
        "reasons": response.reasons if response is not None else {},
        "authority": response.authority if response is not None else {},
        "previous_answers": previous_answers(response=response) if response else None,
    }


def _feedback(round: ScreeningRound) -> RoundStatistics | None:
    """The statistics of the round before `round`, which the feedback reads; None in round 1."""
    before = ScreeningRound.objects.filter(survey_id=round.survey_id, number=round.number - 1)
    before = before.first()
    return round_statistics(round=before) if before is not None else None


def _feedback_of(figures: RoundStatistics | None, item_id: int) -> dict | None:
    item = figures.item(item_id) if figures is not None else None
    if item is None:
        return None
    return {
        "median": item.median,
        "iqr": item.iqr,
        "valid": item.valid,
        "distribution": list(item.distribution),
    }


def _asked(questions: list, items: list, round: ScreeningRound | None) -> list[dict]:
    """The questions with the items the round asks (selectors.round_items, in the form's
    order), and from round 2 the group's answers of the round before per item."""
    if round is None:
        return []
    figures = _feedback(round)
    asked: dict[int, list] = {}
    for item in items:
        asked.setdefault(item.question_id, []).append(item)
    return [
        {
            "id": question.pk,
            "kind": question.kind,
            "text": question.text,
            "help_text": question.help_text,
            "levels": (question.levels or DEFAULT_LEVELS) if question.kind == RATING else None,
            "multiple": question.multiple,
            "items": [
                {
                    "id": item.pk,
                    "name": item.name,
                    "description": item.description,
                    "is_other": item.is_other,
                    "new": item.first_round == round.number and round.number > 1,
                    "feedback": _feedback_of(figures, item.pk),
                }
                for item in asked.get(question.pk, [])
            ],
        }
        for question in sorted(questions, key=lambda q: (q.order, q.pk))
    ]
