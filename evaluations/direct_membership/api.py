"""REST endpoints for a leaf's membership source and inputs: the coordinator's only, through
the same services as the page (their ValidationErrors become the API's 400s)."""

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api import scoping
from ..api.strict import StrictInput
from ..api.views import PERMISSIONS
from ..models import Indicator
from . import services

ERROR_NUMBER = gettext_lazy("Must be a JSON number.")
# A grade set has at most 11 grades, so no list of degrees or thresholds is longer; a subject
# list is bounded by the evaluation's subject limit, and 1000 is well above it.
LIST_LIMIT = 11
INPUTS_LIMIT = 1000


MAGNITUDE = {
    "type": "number",
    "minimum": -services.MAX_MAGNITUDE,
    "maximum": services.MAX_MAGNITUDE,
}


@extend_schema_field(MAGNITUDE)
class NumberField(serializers.Field):
    """A JSON number passed on as is: the service checks its range (without float(), which
    overflows on a 400-digit integer)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise serializers.ValidationError(str(ERROR_NUMBER))
        return data

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "number", "minimum": 0, "maximum": 1})
class DegreeField(NumberField):
    """A membership degree: a JSON number from 0 to 1 (the service checks it)."""


class LeafSourceSerializer(StrictInput, serializers.Serializer):
    indicator = serializers.CharField(read_only=True, help_text="The leaf's code.")
    membership_source = serializers.ChoiceField(
        choices=Indicator.MembershipSource.choices,
        help_text="votes (the experts rate it; default), given (a membership row per subject "
        "or for all) or measured (a value per subject mapped through the thresholds).",
    )
    better = serializers.ChoiceField(choices=Indicator.Better.choices, default="higher")
    thresholds = serializers.ListField(
        child=NumberField(),
        max_length=LIST_LIMIT,
        default=list,
        help_text="The grade count − 1 boundaries between neighbouring grades, strictly "
        "increasing or decreasing; required when measured. A value on a threshold gets the "
        "better grade.",
    )
    threshold_shape = serializers.ChoiceField(
        choices=Indicator.ThresholdShape.choices,
        default="crisp",
        help_text="crisp: the value's grade only; linear: split between neighbouring grades "
        "(evaluations.engine.measured).",
    )
    unit = serializers.CharField(max_length=services.UNIT_LIMIT, allow_blank=True, default="")


class LeafInputSerializer(StrictInput, serializers.Serializer):
    subject = serializers.IntegerField(
        allow_null=True, help_text="A subject id, or null: a membership row for all subjects."
    )
    row = serializers.ListField(
        child=DegreeField(),
        max_length=LIST_LIMIT,
        allow_null=True,
        default=None,
        help_text="Membership degrees, best grade first, each 0–1, summing to 1 within 0.01 "
        "(stored rescaled to exactly 1).",
    )
    value = NumberField(allow_null=True, default=None, help_text="The measured value.")


class LeafInputsSerializer(StrictInput, serializers.Serializer):
    indicator = serializers.CharField(read_only=True, help_text="The leaf's code.")
    inputs = LeafInputSerializer(many=True, max_length=INPUTS_LIMIT)


def _source_out(leaf: Indicator) -> dict:
    return {
        "indicator": leaf.code,
        "membership_source": leaf.membership_source,
        "better": leaf.better,
        "thresholds": leaf.thresholds,
        "threshold_shape": leaf.threshold_shape,
        "unit": leaf.unit,
    }


def _inputs_out(leaf: Indicator) -> dict:
    return {
        "indicator": leaf.code,
        "inputs": [
            {"subject": item.subject_id, "row": item.row, "value": item.value}
            # The row for all subjects first, on every database (PostgreSQL sorts NULL last).
            for item in leaf.inputs.order_by(F("subject_id").asc(nulls_first=True), "id")
        ],
    }


class _LeafView(APIView):
    permission_classes = PERMISSIONS

    def _leaf(self, request, evaluation_id: int, indicator_id: int) -> Indicator:
        evaluation = get_object_or_404(scoping.coordinated(request.user), pk=evaluation_id)
        return get_object_or_404(
            Indicator, pk=indicator_id, evaluation=evaluation, children__isnull=True
        )


class LeafSourceView(_LeafView):
    """Where a leaf indicator's membership row comes from (votes, given or measured)."""

    @extend_schema(responses=LeafSourceSerializer)
    def get(self, request, evaluation_id: int, indicator_id: int):
        return Response(_source_out(self._leaf(request, evaluation_id, indicator_id)))

    @extend_schema(request=LeafSourceSerializer, responses=LeafSourceSerializer)
    def put(self, request, evaluation_id: int, indicator_id: int):
        leaf = self._leaf(request, evaluation_id, indicator_id)
        serializer = LeafSourceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        settings = services.SourceSettings(
            source=data["membership_source"],
            better=data["better"],
            thresholds=data["thresholds"],
            shape=data["threshold_shape"],
            unit=data["unit"],
        )
        leaf = services.leaf_source_set(indicator=leaf, actor=request.user, settings=settings)
        return Response(_source_out(leaf))


class LeafInputsView(_LeafView):
    """A leaf's given membership rows and measured values; PUT replaces them all."""

    @extend_schema(responses=LeafInputsSerializer)
    def get(self, request, evaluation_id: int, indicator_id: int):
        return Response(_inputs_out(self._leaf(request, evaluation_id, indicator_id)))

    @extend_schema(request=LeafInputsSerializer, responses=LeafInputsSerializer)
    def put(self, request, evaluation_id: int, indicator_id: int):
        leaf = self._leaf(request, evaluation_id, indicator_id)
        serializer = LeafInputsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [
            services.InputRow(subject=item["subject"], row=item["row"], value=item["value"])
            for item in serializer.validated_data["inputs"]
        ]
        services.leaf_inputs_replace(indicator=leaf, actor=request.user, inputs=rows)
        return Response(_inputs_out(leaf))
