"""API representations. Writes are validated by the services, as the HTML forms are."""

from django.conf import settings
from rest_framework import serializers

from ..models import Evaluation, Grade, Indicator, Subject
from ..selectors import depth_first
from ..services.lifecycle import SETTINGS_FIELDS
from ..templates_catalog import template_keys


class IndicatorSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "description", "recommendation", "parent", "order"]


class IndicatorTreeField(serializers.ListSerializer):
    """The indicators depth-first (each parent followed by its subtree), as the tree reads."""

    def to_representation(self, data):
        ordered = [indicator for indicator, _depth in depth_first(data.all())]
        return super().to_representation(ordered)


class GradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grade
        fields = ["id", "name", "score", "order"]


class SubjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subject
        fields = ["id", "name", "description", "order"]


class EvaluationListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "title", "status", "language", "deadline", "created_at", "updated_at"]


class EvaluationDetailSerializer(serializers.ModelSerializer):
    indicators = IndicatorTreeField(child=IndicatorSerializer(), read_only=True)
    grades = GradeSerializer(many=True, read_only=True)
    subjects = SubjectSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            *SETTINGS_FIELDS,
            "status",
            "input_version",
            "created_at",
            "updated_at",
            "indicators",
            "grades",
            "subjects",
        ]
        read_only_fields = fields


class EvaluationCreateSerializer(serializers.Serializer):
    """A new draft: blank (goal U only, four grades) or from one of the templates."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    template = serializers.ChoiceField(choices=[], required=False, allow_null=True, default=None)
    subjects = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=1, max_length=50
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = template_keys()


class EvaluationSettingsSerializer(serializers.ModelSerializer):
    """The settings a coordinator may change (all optional with PATCH)."""

    class Meta:
        model = Evaluation
        fields = list(SETTINGS_FIELDS)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["open", "close", "reopen"])


class ExpertsAddSerializer(serializers.Serializer):
    """Experts to add and invite: one per line, "e-mail" or "name, e-mail, organisation,
    weight" (the panel page's format)."""

    experts = serializers.CharField(max_length=100_000)


class ExpertRevokeSerializer(serializers.Serializer):
    keep_answers = serializers.BooleanField(
        default=False,
        help_text="Keep the expert's submitted ballots in the results and the response figures "
        "(by default they leave; either way they are not deleted and come back on restore).",
    )
