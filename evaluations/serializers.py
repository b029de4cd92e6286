from rest_framework import serializers

from .models import Evaluation, Grade, Indicator, Subject
from .selectors import depth_first


class IndicatorSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Indicator
        fields = ["code", "name", "description", "recommendation", "parent", "order"]


class IndicatorTreeField(serializers.ListSerializer):
    """The indicators depth-first (each parent followed by its subtree), as the tree reads."""

    def to_representation(self, data):
        ordered = [indicator for indicator, _depth in depth_first(data.all())]
        return super().to_representation(ordered)


class GradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grade
        fields = ["name", "score", "order"]


class SubjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subject
        fields = ["id", "name", "description", "order"]


class EvaluationListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "title", "status", "created_at", "updated_at"]


class EvaluationDetailSerializer(serializers.ModelSerializer):
    indicators = IndicatorTreeField(child=IndicatorSerializer(), read_only=True)
    grades = GradeSerializer(many=True, read_only=True)
    subjects = SubjectSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "title",
            "description",
            "status",
            "weighting_method",
            "ri_table",
            "cr_threshold",
            "cr_policy",
            "aggregation",
            "ballot_inclusion",
            "operator",
            "created_at",
            "updated_at",
            "indicators",
            "grades",
            "subjects",
        ]
