"""REST: an expert's weights, overall and per first-level criterion (the coordinator's).

GET /api/v1/evaluations/{id}/experts/{membership}/weights/ reads them; PUT sets them through
the service the panel pages use (experts.criterion_weights), all or nothing: a refusal is a
400 naming the expert, the criterion and the rule, and changes nothing.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.api.scoping import coordinated
from evaluations.api.strict import StrictInput
from evaluations.models import Evaluation
from evaluations.models.evaluation import MAX_CHILDREN

from .authentication import TokenScope
from .criterion_weights import (
    effective_criterion_weights,
    first_level_criteria,
    membership_weights_set,
)
from .models import PanelMembership
from .paste import MAX_EXPERT_WEIGHT
from .selectors import access_membership

CRITERIA_HELP = (
    "Keyed by first-level criterion code: the expert's weight for every matrix and rating "
    f"under it (a positive number, at most {MAX_EXPERT_WEIGHT}); a criterion left out, or "
    "null, takes the overall weight. PUT replaces the whole object; {} clears it."
)


POSITIVE_WEIGHT = {
    "type": "number",
    "format": "double",
    "minimum": 0,
    "exclusiveMinimum": True,
    "maximum": MAX_EXPERT_WEIGHT,
}


@extend_schema_field(POSITIVE_WEIGHT)
class WeightField(serializers.FloatField):
    """The overall weight: the schema states the service's range (positive, at most 1000)."""


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": MAX_CHILDREN,
        "additionalProperties": {**POSITIVE_WEIGHT, "nullable": True},
    }
)
class CriterionWeightsField(serializers.DictField):
    """{criterion code: weight or null}; the values pass through as sent, for the service to
    read bounded, with errors naming the expert, the criterion and the rule."""

    child = serializers.JSONField(allow_null=True)


class ExpertWeightsSerializer(StrictInput, serializers.Serializer):
    weight = WeightField(
        required=False,
        help_text=f"The overall weight (default 1; positive, at most {MAX_EXPERT_WEIGHT}); "
        "also the goal's matrix. Left out: unchanged.",
    )
    criterion_weights = CriterionWeightsField(
        required=False,
        help_text=CRITERIA_HELP + " Left out: unchanged.",
    )


EXPERT_WEIGHTS = inline_serializer(
    "ExpertWeights",
    {
        "membership": serializers.IntegerField(),
        "weight": serializers.FloatField(),
        "criterion_weights": serializers.DictField(
            child=serializers.FloatField(), help_text=CRITERIA_HELP
        ),
    },
)


class ExpertWeightsView(APIView):
    """An expert's overall weight and weights per first-level criterion."""

    permission_classes = [IsAuthenticated, TokenScope]

    def _membership(self, request, evaluation_id: int, membership_id: int) -> PanelMembership:
        evaluation = access_evaluation_api(request.user, evaluation_id)
        return access_membership(evaluation=evaluation, membership_id=membership_id)

    @extend_schema(responses=EXPERT_WEIGHTS)
    def get(self, request, evaluation_id: int, membership_id: int):
        membership = self._membership(request, evaluation_id, membership_id)
        return Response(_weights(membership))

    @extend_schema(request=ExpertWeightsSerializer, responses=EXPERT_WEIGHTS)
    def put(self, request, evaluation_id: int, membership_id: int):
        membership = self._membership(request, evaluation_id, membership_id)
        serializer = ExpertWeightsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = membership_weights_set(
            membership=membership,
            actor=request.user,
            weight=data.get("weight"),
            criterion_weights=data.get("criterion_weights"),
        )
        return Response(_weights(membership))


def access_evaluation_api(user, evaluation_id: int) -> Evaluation:
    """The caller's own evaluation; 404 for anyone else's (scoping.coordinated)."""
    evaluation = coordinated(user).filter(pk=evaluation_id).first()
    if evaluation is None:
        raise Http404
    return evaluation


def _weights(membership: PanelMembership) -> dict:
    criteria = first_level_criteria(membership.evaluation)
    return {
        "membership": membership.pk,
        "weight": membership.weight,
        "criterion_weights": effective_criterion_weights(membership, criteria),
    }
