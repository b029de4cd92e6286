"""A round's statistics through the API: surveys.screening.statistics' figures (frozen
dataclasses) as JSON, field for field. Undefined figures are null (the service never gives
NaN); shares are fractions (0.75, not 75 %)."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from ..models import ItemDecision, ScreeningQuestion, ScreeningSurvey
from ..statistics import round_statistics
from .access import CoordinatorView
from .serializers import BasisTableField, FamiliarityTableField

VERDICTS = ["keep", "drop", "discuss"]


class RemarkSerializer(serializers.Serializer):
    author = serializers.CharField(
        help_text="The expert's name when the evaluation names commenters, “Expert n” otherwise."
    )
    text = serializers.CharField()


class DecisionRecordSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ItemDecision.Decision.choices)
    rule_verdict = serializers.CharField(help_text="The rule's verdict when it was decided.")
    note = serializers.CharField()
    previous_name = serializers.CharField()
    new_name = serializers.CharField()
    merged_into = serializers.CharField(help_text="The name of the item merged into, or “”.")
    merged_into_id = serializers.IntegerField(allow_null=True)


def _number(help_text: str = "") -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text or None)


class ItemStatisticsSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    name = serializers.CharField(help_text="As asked in this round.")
    code = serializers.CharField(help_text="Its indicator's code; “” for a typed item.")
    new = serializers.BooleanField(help_text="First asked in this round.")
    valid = serializers.IntegerField(help_text="N: the valid responses that answered it.")
    missing = serializers.IntegerField(help_text="Valid responses without an answer for it.")
    cannot_judge = serializers.IntegerField()
    mean = _number()
    se = _number("Standard error of the mean, SD / √N.")
    sd = _number("Sample standard deviation (ddof 1).")
    variance = _number()
    cv = _number("Coefficient of variation, SD / mean.")
    median = _number()
    iqr = _number("Q3 − Q1, numpy's linear quantiles.")
    full_score_count = serializers.IntegerField()
    full_score_share = _number()
    agreement_share = _number("Ratings only: the share of ratings at or above the level.")
    distribution = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Answers per level 1 … L of a rating, or per place 1 … t of a ranking.",
    )
    key_factor = serializers.BooleanField(
        allow_null=True, help_text="Rankings only: mean above the threshold."
    )
    verdict = serializers.ChoiceField(choices=VERDICTS, help_text="The survey's rule's verdict.")
    cv_change = _number("Against the previous round; null in round 1.")
    changed_share = _number("The share of the same experts' answers changed since then.")
    answered_both = serializers.IntegerField(allow_null=True)
    reasons = RemarkSerializer(many=True, help_text="Why answers changed.")
    decision = DecisionRecordSerializer(allow_null=True, help_text="Decided after this round.")


class KendallWSerializer(serializers.Serializer):
    w = _number("Kendall's W with the tie correction.")
    chi2 = _number("m(n − 1)W.")
    df = serializers.IntegerField()
    p = _number()
    experts = serializers.IntegerField(help_text="The complete rows it used.")


class BoundaryLimitsSerializer(serializers.Serializer):
    mean = _number()
    full_score_share = _number()
    cv = _number()


def _kind() -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=ScreeningQuestion.Kind.choices)


class ScaleQuestionStatisticsSerializer(serializers.Serializer):
    """A ranking or rating question."""

    question_id = serializers.IntegerField()
    kind = _kind()
    text = serializers.CharField()
    respondents = serializers.IntegerField()
    levels = serializers.IntegerField(allow_null=True)
    points = serializers.ListField(child=serializers.FloatField(), help_text="Per place.")
    top_score = serializers.FloatField(help_text="The full score.")
    rule = serializers.ChoiceField(choices=ScreeningSurvey.Rule.choices)
    threshold = serializers.FloatField(help_text="The mean rule's: share × full score.")
    agreement_level = serializers.IntegerField(allow_null=True)
    boundary = BoundaryLimitsSerializer(allow_null=True)
    consensus_max_iqr = _number()
    consensus_min_agreement = _number()
    kendall = KendallWSerializer(allow_null=True)
    kendall_missing = serializers.CharField(
        help_text="Why W is missing or undefined: too_few_items, too_few_experts, all_tied; “”."
    )
    items = ItemStatisticsSerializer(many=True)
    overall_changed_share = _number()
    stability_experts = serializers.IntegerField()


class ChoiceOptionSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    name = serializers.CharField()
    is_other = serializers.BooleanField()
    count = serializers.IntegerField()
    share = _number("Of the respondents who answered the question.")


class ChoiceQuestionStatisticsSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    kind = _kind()
    text = serializers.CharField()
    multiple = serializers.BooleanField()
    answered = serializers.IntegerField()
    options = ChoiceOptionSerializer(many=True)
    other_texts = RemarkSerializer(many=True)


class SuggestionQuestionStatisticsSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    kind = _kind()
    text = serializers.CharField()
    suggestions = RemarkSerializer(many=True)


BY_KIND = {
    "ranking": ScaleQuestionStatisticsSerializer,
    "rating": ScaleQuestionStatisticsSerializer,
    "choice": ChoiceQuestionStatisticsSerializer,
    "suggestion": SuggestionQuestionStatisticsSerializer,
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="QuestionStatistics",
        serializers=[
            ScaleQuestionStatisticsSerializer,
            ChoiceQuestionStatisticsSerializer,
            SuggestionQuestionStatisticsSerializer,
        ],
        resource_type_field_name=None,
    )
)
class QuestionStatisticsField(serializers.Field):
    """One question's figures, by its kind."""

    def to_representation(self, value):
        return BY_KIND[value.kind](value).data


class CountsSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    submitted = serializers.IntegerField()
    valid = serializers.IntegerField()
    valid_experts = serializers.IntegerField()
    valid_open = serializers.IntegerField()
    invalid = serializers.DictField(
        child=serializers.IntegerField(), help_text="Per reason: too_fast, attention."
    )
    not_submitted = serializers.IntegerField()
    positive_coefficient = _number("Valid expert responses / invited.")


class ExpertAuthoritySerializer(serializers.Serializer):
    label = serializers.CharField()
    ca = serializers.FloatField()
    cs = serializers.FloatField()
    cr = serializers.FloatField()


class AuthorityTablesSerializer(serializers.Serializer):
    """The coefficient tables Ca and Cs were read with."""

    basis = BasisTableField()
    familiarity = FamiliarityTableField()
    basis_default = serializers.BooleanField(
        help_text="The common defaults (the survey has no judgment-basis table of its own)."
    )
    familiarity_default = serializers.BooleanField(
        help_text="The common defaults (the survey has no familiarity table of its own)."
    )


class AuthorityStatisticsSerializer(serializers.Serializer):
    experts = ExpertAuthoritySerializer(many=True)
    panel = _number("The panel's Cr, the mean of its experts'.")
    acceptable_line = serializers.FloatField()
    acceptable = serializers.BooleanField(allow_null=True)
    tables = AuthorityTablesSerializer()


class RoundStatisticsSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField(help_text="open or closed.")
    rule = serializers.ChoiceField(choices=ScreeningSurvey.Rule.choices)
    threshold_share = serializers.FloatField()
    counts = CountsSerializer()
    questions = serializers.ListField(child=QuestionStatisticsField())
    authority = AuthorityStatisticsSerializer(
        allow_null=True, help_text="Null when the survey does not ask for it."
    )
    previous_number = serializers.IntegerField(
        allow_null=True, help_text="The round the stability figures compare with."
    )
    overall_changed_share = _number()
    stability_experts = serializers.IntegerField()


class StatisticsView(CoordinatorView):
    """A round's statistics as a thesis reports them: who answered (valid, invalid, the
    positive coefficient), per item of a ranking or rating N, missing, mean, SE, SD, variance,
    CV, median, IQR, full-score and agreement shares, its distribution and the survey's rule's
    verdict, Kendall's W, choice tables, suggestions and reasons, the experts' authority, and
    the change since the previous round. Only submitted, valid responses count; an open round's
    figures are those so far."""

    @extend_schema(responses=RoundStatisticsSerializer)
    def get(self, request, evaluation_id: int, survey_id: int, round_number: int):
        round = self.round_of(self.survey_of(evaluation_id, survey_id), round_number)
        return Response(RoundStatisticsSerializer(round_statistics(round=round)).data)
