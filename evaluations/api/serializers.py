"""API representations. Writes are validated by the services, as the HTML forms are."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from experts.paste import PASTE_TEXT_LIMIT

from .. import dont_know
from ..models import Evaluation, Grade, Indicator, Subject
from ..robustness import rules as robustness_rules
from ..selectors import depth_first
from ..services import limits
from ..services.lifecycle import SETTINGS_FIELDS
from ..templates_catalog import template_keys
from .strict import StrictInput

# Text that is more than white space (the services strip it): the schema's pattern says so.
NOT_BLANK = RegexValidator(r"\S", gettext_lazy("This field may not be blank."), code="blank")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "number"},
        "nullable": True,
        "description": "The children's given local weights keyed by child id (summing to 1), "
        "or null when the panel compares them pairwise.",
    }
)
class GivenWeightsOutField(serializers.JSONField):
    pass


class IndicatorSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    given_weights = GivenWeightsOutField(read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "description",
            "recommendation",
            "parent",
            "order",
            # evaluations/given_weights: {child id: weight} summing to 1, or null (pairwise).
            "given_weights",
            "given_weights_source",
        ]


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


def _service_rule(check, **kwargs):
    """Run a service's check on one field, answering with its message as this field's error."""
    try:
        check(**kwargs)
    except DjangoValidationError as error:
        (field_errors,) = error.error_dict.values()
        raise serializers.ValidationError(
            [message for e in field_errors for message in e], code=field_errors[0].code
        ) from None


@extend_schema_field(
    {
        "type": "number",
        "format": "double",
        "minimum": limits.CR_THRESHOLD_MIN,
        "maximum": limits.CR_THRESHOLD_MAX,
        "exclusiveMinimum": True,
        "exclusiveMaximum": True,
    }
)
class CrThresholdField(serializers.FloatField):
    """Strictly between 0 and 1: the schema's exclusive bounds, the service's rule."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        _service_rule(limits.cr_threshold_check, value=value)
        return value


@extend_schema_field({"type": "number", "format": "double", "minimum": 1, "exclusiveMinimum": True})
class AgreementThresholdField(serializers.FloatField):
    """Greater than 1: the schema's exclusive bound, the robustness rule's message."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not robustness_rules.threshold_ok(value):
            raise serializers.ValidationError(
                robustness_rules.message("agreement_threshold"), code="range"
            )
        return value


class DeadlineField(serializers.DateTimeField):
    """A deadline inside the services' window, checked before the conversion to local time
    (which 9999-12-31T23:59:59Z east of UTC would overflow). With its offset, as the schema's
    date-time says: the server's time zone is nothing a client can see."""

    default_error_messages = {
        "offset": gettext_lazy(
            "Give the date and time with its offset from UTC, such as "
            "2030-06-30T17:00:00+08:00 or 2030-06-30T09:00:00Z."
        )
    }

    def enforce_timezone(self, value):
        if not timezone.is_aware(value):
            self.fail("offset")
        _service_rule(limits.deadline_check, value=value)
        return super().enforce_timezone(value)


DEADLINE_HELP = "Optional. From 2000-01-01 to ten years from now, with its offset from UTC."


class EvaluationCreateSerializer(StrictInput, serializers.Serializer):
    """A new draft: blank (goal U only, four grades) or from one of the templates."""

    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required (not blank) without a template; with one, blank takes its title.",
    )
    template = serializers.ChoiceField(choices=[], required=False, allow_null=True, default=None)
    subjects = serializers.ListField(
        child=serializers.CharField(max_length=200, validators=[NOT_BLANK]),
        min_length=1,
        max_length=limits.MAX_SUBJECTS,
        error_messages={
            "max_length": format_lazy(
                gettext_lazy(limits.ERROR_TOO_MANY_SUBJECTS), limit=limits.MAX_SUBJECTS
            )
        },
        help_text="Names, unique ignoring case.",
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = template_keys()


class EvaluationSettingsSerializer(StrictInput, serializers.ModelSerializer):
    """The settings a coordinator may change (all optional with PATCH)."""

    cr_threshold = CrThresholdField(
        required=False, help_text="Strictly between 0 and 1 (the paper uses 0.1)."
    )
    deadline = DeadlineField(required=False, allow_null=True, help_text=DEADLINE_HELP)
    agreement_threshold = AgreementThresholdField(
        required=False,
        help_text="Greater than 1: an expert is flagged when their overall compatibility S "
        "is above it (1.1 is customary).",
    )
    allow_dont_know = serializers.BooleanField(
        required=False,
        help_text="Whether experts may answer `dont_know` for a leaf in a rating ballot "
        "(default false). A don't-know is left out of that leaf's votes.",
    )
    min_ratings_per_leaf = serializers.IntegerField(
        required=False,
        min_value=dont_know.MIN_MIN_RATINGS,
        max_value=dont_know.MAX_MIN_RATINGS,
        error_messages=dict.fromkeys(("min_value", "max_value"), dont_know.lazy_message()),
        help_text="The results warn (`few_ratings`) about a leaf of a subject rated by fewer "
        "experts than this (default 3).",
    )

    class Meta:
        model = Evaluation
        fields = list(SETTINGS_FIELDS)
        extra_kwargs = {"title": {"validators": [NOT_BLANK]}}


class TransitionSerializer(StrictInput, serializers.Serializer):
    action = serializers.ChoiceField(choices=["open", "close", "reopen"])


class ExpertsAddSerializer(StrictInput, serializers.Serializer):
    """Experts to add and invite: one per line, "e-mail" or "name, e-mail, organisation,
    weight" (the panel page's format)."""

    experts = serializers.CharField(max_length=PASTE_TEXT_LIMIT)


class ExpertRevokeSerializer(StrictInput, serializers.Serializer):
    keep_answers = serializers.BooleanField(
        default=False,
        help_text="Keep the expert's submitted ballots in the results and the response figures "
        "(by default they leave; either way they are not deleted and come back on restore).",
    )
