"""REST: a node's given weights. PUT sets them (or, with `given_weights` null, goes back to
pairwise comparisons), DELETE goes back; both through the services the editor page calls,
with the same rules and messages. Weights are keyed by child indicator id; error fields name
them "given_weights.<child id>"."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from experts.authentication import TokenScope

from ..api import scoping
from ..api.serializers import IndicatorSerializer
from ..api.strict import StrictInput
from ..models import MAX_CHILDREN, Indicator
from .services import given_weights_clear, given_weights_set

ERROR_TOO_MANY = gettext_lazy("At most {limit} weights: one per sub-indicator.")


@extend_schema_field(
    {"oneOf": [{"type": "number"}, {"type": "string", "example": "40%", "maxLength": 24}]}
)
class WeightField(serializers.Field):
    """One weight: a JSON number, or text ("0.4", "2/5", "40%"); parsing.py reads both."""

    default_error_messages = {
        "invalid": gettext_lazy("Give a number such as 0.4, or text such as “2/5” or “40%”.")
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class GivenWeightsInSerializer(StrictInput, serializers.Serializer):
    given_weights = serializers.DictField(
        child=WeightField(),
        allow_null=True,
        help_text=(
            "The local weights of the indicator's children, keyed by child id: every child, "
            "each positive, adding up to 1 (100%) within 0.01; stored rescaled to add up to 1. "
            "null: back to pairwise comparisons."
        ),
    )
    given_weights_source = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=Indicator._meta.get_field("given_weights_source").max_length,
        help_text="Where the weights come from, e.g. “Regulation X, 2024”.",
    )

    def validate_given_weights(self, value):
        if value is not None and len(value) > MAX_CHILDREN:
            raise serializers.ValidationError(str(ERROR_TOO_MANY).format(limit=MAX_CHILDREN))
        return value


def _renamed(error: ValidationError) -> ValidationError:
    """The service's keys (child ids) as the API's fields: given_weights.<child id>."""
    if not hasattr(error, "error_dict"):
        return error
    named = {"given_weights", "given_weights_source", "indicator"}
    return ValidationError(
        {
            key if key in named else f"given_weights.{key}": errors
            for key, errors in error.error_dict.items()
        }
    )


class GivenWeightsView(APIView):
    """The given weights of one indicator of an evaluation the caller coordinates."""

    permission_classes = [IsAuthenticated, TokenScope]

    def _indicator(self, request, evaluation_id: int, indicator_id: int) -> Indicator:
        evaluation = get_object_or_404(scoping.coordinated(request.user), pk=evaluation_id)
        return get_object_or_404(
            Indicator.objects.select_related("parent"), pk=indicator_id, evaluation=evaluation
        )

    @extend_schema(responses=IndicatorSerializer)
    def get(self, request, evaluation_id: int, indicator_id: int):
        return Response(
            IndicatorSerializer(self._indicator(request, evaluation_id, indicator_id)).data
        )

    @extend_schema(request=GivenWeightsInSerializer, responses=IndicatorSerializer)
    def put(self, request, evaluation_id: int, indicator_id: int):
        indicator = self._indicator(request, evaluation_id, indicator_id)
        serializer = GivenWeightsInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            if data["given_weights"] is None:
                indicator = given_weights_clear(indicator=indicator, actor=request.user)
            else:
                indicator = given_weights_set(
                    indicator=indicator,
                    actor=request.user,
                    weights=data["given_weights"],
                    source=data["given_weights_source"],
                )
        except ValidationError as error:
            raise _renamed(error) from None
        return Response(IndicatorSerializer(indicator).data)

    @extend_schema(request=None, responses={200: IndicatorSerializer})
    def delete(self, request, evaluation_id: int, indicator_id: int):
        indicator = self._indicator(request, evaluation_id, indicator_id)
        indicator = given_weights_clear(indicator=indicator, actor=request.user)
        return Response(IndicatorSerializer(indicator).data)
