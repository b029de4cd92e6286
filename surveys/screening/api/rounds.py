"""The coordinator's screening API, running the Delphi rounds: open and close them, decide per
item after a round, add suggested items, and adopt the kept items as the hierarchy.

Every state refusal (a round still open or already closed, decisions made final by the next
round, a survey without questions, ballots that lock the hierarchy) is a 409 with the
service's message (refusals.py); input refusals are 400s naming the field.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from evaluations.api.conflicts import CONFLICT_RESPONSE, state_conflicts

from ..answers import ERROR_UNKNOWN_ITEM, ERROR_UNKNOWN_QUESTION
from ..models import ItemDecision, ScreeningItem, ScreeningRound
from ..services import decision_set, round_close, round_open, suggested_item_add, survey_adopt
from ..statistics import round_statistics
from .access import CoordinatorView, items_read, rounds_counted
from .refusals import STATE_FIELDS, service_refusals
from .serializers import (
    AdoptSummarySerializer,
    DecisionsSerializer,
    ItemDecisionSerializer,
    ScreeningItemSerializer,
    ScreeningRoundSerializer,
    SuggestedItemSerializer,
)
from .setup import indicator_by_code

ERROR_DECIDED_TWICE = gettext_noop("Each item may have one decision per request.")
# Adopt: the survey's state refuses (ballots exist, a round is open, nothing to adopt) with a
# 409; the hierarchy the kept items would make (undecided items, no place, a parent with more
# than nine children) with a 400 naming what to fix.
ADOPT_STATE_FIELDS = ("structure", "round", "survey")


def decisions_read(round) -> list[ItemDecision]:
    order = ("item__question__order", "item__question_id", "item__order", "item_id")
    return list(ItemDecision.objects.filter(round=round).order_by(*order))


def _rule_verdicts(round: ScreeningRound) -> dict[int, str]:
    """What the survey's rule says of each ranking and rating item of a closed round, kept
    beside the coordinator's decision (an open round's decisions are refused anyway)."""
    if round.status != ScreeningRound.Status.CLOSED:
        return {}
    figures = round_statistics(round=round)
    return {
        item.item_id: item.verdict
        for question in figures.questions
        for item in getattr(question, "items", ())
    }


class RoundListView(CoordinatorView):
    """The survey's rounds with their status and responses (GET); POST opens round 1, or the
    next round once the last one is closed."""

    @extend_schema(responses=ScreeningRoundSerializer(many=True))
    def get(self, request, evaluation_id: int, survey_id: int):
        survey = self.survey_of(evaluation_id, survey_id)
        rounds = rounds_counted().filter(survey=survey)
        return Response(ScreeningRoundSerializer(rounds, many=True).data)

    @extend_schema(
        request=None,
        responses={201: ScreeningRoundSerializer, 409: CONFLICT_RESPONSE},
        description="Open the next round: items kept, revised or undecided after the last "
        "round are asked again, dropped and merged ones are not. 409 while the last round is "
        "open, before the survey has questions with enough items, or after the last round a "
        "survey may run.",
    )
    def post(self, request, evaluation_id: int, survey_id: int):
        survey = self.survey_of(evaluation_id, survey_id)
        with state_conflicts():
            round = round_open(survey=survey, actor=request.user)
        data = ScreeningRoundSerializer(rounds_counted().get(pk=round.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class RoundCloseView(CoordinatorView):
    """Close an open round: its responses stop changing and its decisions can be taken. 409
    when it is closed already."""

    @extend_schema(request=None, responses={200: ScreeningRoundSerializer, 409: CONFLICT_RESPONSE})
    def post(self, request, evaluation_id: int, survey_id: int, round_number: int):
        round = self.round_of(self.survey_of(evaluation_id, survey_id), round_number)
        with state_conflicts():
            round_close(round=round, actor=request.user)
        return Response(ScreeningRoundSerializer(rounds_counted().get(pk=round.pk)).data)


class DecisionsView(CoordinatorView):
    """The decisions after a closed round (GET), or some of them set (PUT): keep, drop,
    revise (with `new_name`) or merge (with `merged_into`), per item asked in the round.

    A PUT is all or nothing: any refused entry changes none, and each error names its entry
    (`decisions.2.new_name`). Decisions left out stay as they are; a decision can change
    until the next round opens (then 409, as while the round is still open)."""

    @extend_schema(responses=ItemDecisionSerializer(many=True))
    def get(self, request, evaluation_id: int, survey_id: int, round_number: int):
        round = self.round_of(self.survey_of(evaluation_id, survey_id), round_number)
        return Response(ItemDecisionSerializer(decisions_read(round), many=True).data)

    @extend_schema(
        request=DecisionsSerializer,
        responses={200: ItemDecisionSerializer(many=True), 409: CONFLICT_RESPONSE},
    )
    def put(self, request, evaluation_id: int, survey_id: int, round_number: int):
        survey = self.survey_of(evaluation_id, survey_id)
        round = self.round_of(survey, round_number)
        serializer = DecisionsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entries = serializer.validated_data["decisions"]
        wanted = {entry["item"] for entry in entries}
        wanted |= {entry["merged_into"] for entry in entries if entry["merged_into"] is not None}
        items = ScreeningItem.objects.filter(question__survey=survey, pk__in=wanted).in_bulk()
        verdicts = _rule_verdicts(round) if entries else {}
        with transaction.atomic():  # all or nothing: an error below undoes every entry
            errors: dict[str, list] = {}
            decided: set[int] = set()
            for index, entry in enumerate(entries):
                path = f"decisions.{index}"
                item = items.get(entry["item"])
                if item is None or item.pk in decided:
                    message = (
                        _(ERROR_DECIDED_TWICE)
                        if item is not None
                        else _(ERROR_UNKNOWN_ITEM).format(key=entry["item"])
                    )
                    errors[f"{path}.item"] = [ValidationError(message, code="invalid")]
                    continue
                decided.add(item.pk)
                try:
                    self._decide(round, item, entry, items, verdicts.get(item.pk, ""))
                except ValidationError as error:
                    for field, field_errors in error.error_dict.items():
                        errors[f"{path}.{field}"] = field_errors
            if errors:
                raise ValidationError(errors)
        return Response(ItemDecisionSerializer(decisions_read(round), many=True).data)

    def _decide(self, round, item: ScreeningItem, entry: dict, items: dict, verdict: str) -> None:
        merged = entry["merged_into"]
        # An id of no item of this survey: the service refuses it as a merge target.
        target = None if merged is None else items.get(merged, ScreeningItem(pk=merged))
        with service_refusals(state_fields={"round"}):
            decision_set(
                round=round,
                item=item,
                actor=self.request.user,
                decision=entry["decision"],
                new_name=entry["new_name"],
                merged_into=target,
                note=entry["note"],
                rule_verdict=verdict,
            )


class SuggestedItemView(CoordinatorView):
    """Add an item after a closed round (a respondent's suggestion, say): the next round asks
    it. Until then it can be changed or deleted like a typed item (…/items/{item_id}/). 409
    while the round is open or once the next has opened."""

    @extend_schema(
        request=SuggestedItemSerializer,
        responses={201: ScreeningItemSerializer, 409: CONFLICT_RESPONSE},
    )
    def post(self, request, evaluation_id: int, survey_id: int, round_number: int):
        survey = self.survey_of(evaluation_id, survey_id)
        round = self.round_of(survey, round_number)
        serializer = SuggestedItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        question = survey.questions.filter(pk=data.pop("question")).first()
        if question is None:
            message = _(ERROR_UNKNOWN_QUESTION).format(key=serializer.validated_data["question"])
            raise ValidationError({"question": message})
        data["place_under"] = indicator_by_code(
            survey.evaluation, data.get("place_under"), field="place_under"
        )
        # The question is the request's: a suggestion question (no items) is a 400 on it.
        with service_refusals(state_fields=STATE_FIELDS - {"question"}):
            item = suggested_item_add(round=round, question=question, actor=request.user, **data)
        data = ScreeningItemSerializer(items_read().get(pk=item.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class AdoptView(CoordinatorView):
    """Build or update the evaluation's hierarchy from the survey's kept items, with codes, so
    the AHP stage starts from the screened indicators."""

    @extend_schema(
        request=None,
        responses={
            200: AdoptSummarySerializer,
            400: OpenApiResponse(
                description="The hierarchy the kept items would make is refused; the error's "
                "field names what to fix: `decisions` (an item undecided, or kept under two "
                "names) or `place_under` (a kept item without a place, or under an indicator "
                "that would be deleted, or a parent that would have more than 9 children)."
            ),
            409: CONFLICT_RESPONSE,
        },
        description="409 while a round is open, once the evaluation has ballots (the "
        "hierarchy is locked), or when the survey has no ranking or rating items.",
    )
    def post(self, request, evaluation_id: int, survey_id: int):
        survey = self.survey_of(evaluation_id, survey_id)
        with service_refusals(state_fields=ADOPT_STATE_FIELDS):
            summary = survey_adopt(survey=survey, actor=request.user)
        return Response(AdoptSummarySerializer(summary).data)
