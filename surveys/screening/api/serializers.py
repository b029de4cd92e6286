"""The coordinator's screening API: what it reads and writes.

Write serializers take StrictInput (evaluations/api/strict.py): unknown keys and values of
another JSON type are refused, and the schema says additionalProperties false. They check the
JSON shape and the text lengths of limits.py, so the schema states them; every other rule (the
ranges of the settings, a kind's options, unique names, the state of the survey) is the
services', with the services' messages, as for the pages.

Indicators of the hierarchy are named by code ("U1"), as the ballots' API names them.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from evaluations.api.serializers import NOT_BLANK
from evaluations.api.strict import ERROR_JSON_TYPE, StrictInput
from evaluations.models import Indicator

from ..answers import BASES, FAMILIARITY
from ..authority_tables import DEFAULT_BASIS_TABLE, DEFAULT_FAMILIARITY_TABLE
from ..items import HELP_TEXT_LIMIT
from ..limits import MAX_ITEMS, MAX_QUESTIONS, MAX_RANKED_ITEMS, QUESTION_TEXT_LIMIT
from ..models import (
    ItemDecision,
    ScreeningItem,
    ScreeningQuestion,
    ScreeningRound,
    ScreeningSurvey,
)
from ..scoring import POINTS_MAX
from ..services import (
    CONSENSUS_IQR_MAX,
    INTRODUCTION_LIMIT,
    MIN_SECONDS_MAX,
    RATING_LEVELS,
    SETTINGS_FIELDS,
)

TITLE_LIMIT = ScreeningSurvey._meta.get_field("title").max_length
NAME_LIMIT = ScreeningItem._meta.get_field("name").max_length
NOTE_LIMIT = ItemDecision._meta.get_field("note").max_length
CODE_LIMIT = Indicator._meta.get_field("code").max_length
# One decision per item: a survey holds at most this many items.
MAX_DECISIONS = MAX_QUESTIONS * MAX_ITEMS
# Ids are 64-bit database integers: a larger one names nothing (and overflows a query).
ID_RANGE = {"min_value": 1, "max_value": 2**63 - 1}

CODE_HELP = "An indicator of the evaluation's hierarchy, by code (“U1”)."

BASIS_HELP = (
    "Ca's coefficients per judgment basis, for high, medium and low influence in that order: "
    "each from 0 to 1, never increasing; the high column sums to at most 1. The common "
    "defaults: "
    + "; ".join(f"{b} {', '.join(f'{v:g}' for v in row)}" for b, row in DEFAULT_BASIS_TABLE.items())
    + "."
)
FAMILIARITY_HELP = (
    "Cs per familiarity level, as the self-rating spells it, each from 0 to 1. The common "
    "defaults: "
    + ", ".join(f"{level} {value:g}" for level, value in DEFAULT_FAMILIARITY_TABLE.items())
    + "."
)
NULL_IS_DEFAULT = " Null: the survey uses the common defaults."
COEFFICIENT = {"type": "number", "format": "double", "minimum": 0, "maximum": 1}
BASIS_TABLE_SCHEMA = {
    "type": "object",
    "description": BASIS_HELP,
    "properties": {
        basis: {"type": "array", "items": COEFFICIENT, "minItems": 3, "maxItems": 3}
        for basis in BASES
    },
    "required": list(BASES),
    "additionalProperties": False,
}
FAMILIARITY_TABLE_SCHEMA = {
    "type": "object",
    "description": FAMILIARITY_HELP,
    "properties": dict.fromkeys(FAMILIARITY, COEFFICIENT),
    "required": list(FAMILIARITY),
    "additionalProperties": False,
}


# --- Reading ------------------------------------------------------------------------------


class ScreeningItemSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="The indicator the item stands for (items from the hierarchy), by code.",
    )
    place_under = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Where Adopt places the item: under this indicator, by code.",
    )

    class Meta:
        model = ScreeningItem
        fields = [
            "id",
            "name",
            "description",
            "source",
            "indicator",
            "place_under",
            "is_other",
            "status",
            "merged_into",
            "first_round",
            "order",
        ]
        read_only_fields = fields


class ScreeningQuestionSerializer(serializers.ModelSerializer):
    scoring = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        read_only=True,
        help_text="A ranking's points per place, first place first; null for t, t − 1, …, 1.",
    )
    items = ScreeningItemSerializer(many=True, read_only=True)

    class Meta:
        model = ScreeningQuestion
        fields = [
            "id",
            "kind",
            "text",
            "help_text",
            "levels",
            "scoring",
            "multiple",
            "allow_other",
            "attention_answer",
            "order",
            "items",
        ]
        read_only_fields = fields


class ScreeningRoundSerializer(serializers.ModelSerializer):
    submitted = serializers.IntegerField(read_only=True, help_text="Responses submitted.")
    valid = serializers.IntegerField(
        read_only=True, help_text="Submitted responses that count (answered in time, attention)."
    )

    class Meta:
        model = ScreeningRound
        fields = ["number", "status", "opened_at", "closed_at", "invited", "submitted", "valid"]
        read_only_fields = fields


# The survey's settings as the service takes them (the API reads the same ones).
SETTINGS_READ = list(SETTINGS_FIELDS)


class TableField(serializers.Field):
    """A coefficient table handed to the survey service as sent: the service checks it cell
    by cell and names each error by its path (basis_table.practice.1), as for the page."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            message = str(ERROR_JSON_TYPE).format(kind="object")
            raise serializers.ValidationError(message, code="type")
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(BASIS_TABLE_SCHEMA)
class BasisTableField(TableField):
    pass


@extend_schema_field(FAMILIARITY_TABLE_SCHEMA)
class FamiliarityTableField(TableField):
    pass


class ScreeningSurveyListSerializer(serializers.ModelSerializer):
    questions = serializers.IntegerField(source="question_count", read_only=True)
    rounds = serializers.IntegerField(source="round_count", read_only=True)
    open_round = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The open round's number; null if none."
    )

    class Meta:
        model = ScreeningSurvey
        fields = ["id", "title", "rule", "created_at", "questions", "rounds", "open_round"]
        read_only_fields = fields


class ScreeningSurveySerializer(serializers.ModelSerializer):
    basis_table = BasisTableField(
        read_only=True, allow_null=True, help_text=BASIS_HELP + NULL_IS_DEFAULT
    )
    familiarity_table = FamiliarityTableField(
        read_only=True, allow_null=True, help_text=FAMILIARITY_HELP + NULL_IS_DEFAULT
    )
    questions = ScreeningQuestionSerializer(many=True, read_only=True)
    rounds = ScreeningRoundSerializer(many=True, read_only=True)

    class Meta:
        model = ScreeningSurvey
        fields = [
            "id",
            "evaluation",
            *SETTINGS_READ,
            "open_link_enabled",
            "created_at",
            "questions",
            "rounds",
        ]
        read_only_fields = fields


class ItemDecisionSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id", read_only=True)
    merged_into = serializers.IntegerField(source="merged_into_id", read_only=True, allow_null=True)

    class Meta:
        model = ItemDecision
        fields = [
            "item",
            "decision",
            "rule_verdict",
            "previous_name",
            "new_name",
            "merged_into",
            "note",
            "decided_at",
        ]
        read_only_fields = fields


class AdoptSummarySerializer(serializers.Serializer):
    added = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the indicators added (as they are now)."
    )
    renamed = serializers.ListField(
        child=serializers.CharField(),
        help_text="Codes of the indicators renamed (as they are now).",
    )
    deleted = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the indicators deleted (as they were)."
    )


# --- Writing ------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "number",
        "format": "double",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 1,
    }
)
class ShareField(serializers.FloatField):
    """Above 0 and at most 1: the schema's bounds, the survey service's rule and message."""


class SurveySettingsSerializer(StrictInput, serializers.Serializer):
    """A survey's settings. With POST and PUT `title` is required, the others keep their
    defaults (POST) or stay as they are (PUT) when left out; PATCH changes the ones given."""

    title = serializers.CharField(max_length=TITLE_LIMIT, validators=[NOT_BLANK])
    introduction = serializers.CharField(
        max_length=INTRODUCTION_LIMIT, allow_blank=True, required=False
    )
    rule = serializers.ChoiceField(
        choices=ScreeningSurvey.Rule.choices,
        required=False,
        help_text="How the statistics judge an item: mean above a share of the full score, "
        "the boundary-value method, or consensus (IQR and agreement).",
    )
    threshold_share = ShareField(
        required=False, help_text="The mean rule's share of the full score (the study: 0.8)."
    )
    agreement_level = serializers.IntegerField(
        min_value=1,
        max_value=max(RATING_LEVELS),
        allow_null=True,
        required=False,
        help_text="Agreement counts from this level; at most the points of the survey's "
        "smallest rating scale. Null: 4 of 5, 7 of 9.",
    )
    consensus_max_iqr = serializers.FloatField(
        min_value=0, max_value=CONSENSUS_IQR_MAX, required=False
    )
    consensus_min_agreement = serializers.FloatField(min_value=0, max_value=1, required=False)
    ask_authority = serializers.BooleanField(
        required=False,
        help_text="Ask experts for their judgment basis and familiarity. Fixed while a round "
        "is open (409).",
    )
    reason_required = serializers.BooleanField(
        required=False,
        help_text="A reason for every answer changed since the expert's previous round. Fixed "
        "while a round is open (409).",
    )
    min_seconds = serializers.IntegerField(
        min_value=0,
        max_value=MIN_SECONDS_MAX,
        required=False,
        help_text="A response submitted sooner after the form was opened does not count. Fixed "
        "while a round is open (409).",
    )
    basis_table = BasisTableField(
        allow_null=True,
        required=False,
        help_text=f"{BASIS_HELP}{NULL_IS_DEFAULT} May change at any time: the statistics read "
        "the tables when a round is read.",
    )
    familiarity_table = FamiliarityTableField(
        allow_null=True,
        required=False,
        help_text=f"{FAMILIARITY_HELP}{NULL_IS_DEFAULT} May change at any time.",
    )


@extend_schema_field({"type": "integer", "enum": [*RATING_LEVELS, None]})
class LevelsField(serializers.IntegerField):
    """5 or 9 points: the schema's values, the question service's rule and message."""


@extend_schema_field(
    {
        "type": "number",
        "format": "double",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": POINTS_MAX,
    }
)
class PointsField(serializers.FloatField):
    """One place's points: above 0 and at most POINTS_MAX, the scoring service's rule."""


class QuestionUpdateSerializer(StrictInput, serializers.Serializer):
    """A question's wording and options, before round 1 opens. The kind and the items stay:
    the items change through …/items/."""

    text = serializers.CharField(max_length=QUESTION_TEXT_LIMIT, validators=[NOT_BLANK])
    help_text = serializers.CharField(max_length=HELP_TEXT_LIMIT, allow_blank=True, required=False)
    levels = LevelsField(
        allow_null=True,
        required=False,
        help_text="A rating's scale points, 5 or 9; null for the other kinds.",
    )
    scoring = serializers.ListField(
        child=PointsField(),
        max_length=MAX_RANKED_ITEMS,
        allow_null=True,
        required=False,
        help_text="A ranking's points per place, first place first, one per item, never "
        "increasing, each above 0; null or [] for t, t − 1, …, 1.",
    )
    multiple = serializers.BooleanField(
        required=False, help_text="A multiple-choice question: several answers allowed."
    )
    allow_other = serializers.BooleanField(
        required=False, help_text="A multiple-choice question: an “other” option with text."
    )
    attention_answer = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        allow_null=True,
        required=False,
        help_text="A multiple-choice question: the id of the option a careful respondent "
        "chooses, making it an attention check (a response that answers otherwise is not "
        "valid); null for an ordinary question. Not the “other” option.",
    )


class QuestionCreateSerializer(QuestionUpdateSerializer):
    """A new question at the end of the survey, with its items: the children of an indicator
    (`items_from`) or names typed in (`items`, placed under `place_under` by Adopt)."""

    kind = serializers.ChoiceField(choices=ScreeningQuestion.Kind.choices)
    items_from = serializers.CharField(
        max_length=CODE_LIMIT,
        allow_null=True,
        required=False,
        help_text=f"{CODE_HELP} Its children become the items (ranking and rating only).",
    )
    items = serializers.ListField(
        child=serializers.CharField(max_length=NAME_LIMIT, validators=[NOT_BLANK]),
        max_length=MAX_ITEMS,
        required=False,
        help_text="Names of the items, unique ignoring case (not with `items_from`).",
    )
    place_under = serializers.CharField(
        max_length=CODE_LIMIT,
        allow_null=True,
        required=False,
        help_text=f"{CODE_HELP} Adopt places the typed items under it.",
    )

    # A new question has no options' ids yet: its right answer is set by a later PATCH.
    attention_answer = None

    field_order = ["kind", "text"]


class ItemInSerializer(StrictInput, serializers.Serializer):
    """An item typed in (or its changes, PATCH): its name, description and place."""

    name = serializers.CharField(max_length=NAME_LIMIT, validators=[NOT_BLANK])
    description = serializers.CharField(
        max_length=HELP_TEXT_LIMIT, allow_blank=True, required=False
    )
    place_under = serializers.CharField(
        max_length=CODE_LIMIT,
        allow_null=True,
        required=False,
        help_text=f"{CODE_HELP} Where Adopt places the item.",
    )


class SuggestedItemSerializer(ItemInSerializer):
    """An item added after a closed round (a respondent's suggestion, say), asked from the next
    round on."""

    question = serializers.IntegerField(
        **ID_RANGE, help_text="A ranking, rating or choice question's id."
    )

    field_order = ["question", "name"]


class DecisionSerializer(StrictInput, serializers.Serializer):
    """One item's decision after the round."""

    item = serializers.IntegerField(**ID_RANGE, help_text="An item asked in the round, by id.")
    decision = serializers.ChoiceField(choices=ItemDecision.Decision.choices)
    new_name = serializers.CharField(
        max_length=NAME_LIMIT,
        allow_blank=True,
        required=False,
        default="",
        help_text="With “revise”: the item's new name, asked in the next round.",
    )
    merged_into = serializers.IntegerField(
        **ID_RANGE,
        allow_null=True,
        required=False,
        default=None,
        help_text="With “merge”: the id of another item of the same question.",
    )
    note = serializers.CharField(
        max_length=NOTE_LIMIT, allow_blank=True, required=False, default=""
    )


class DecisionsSerializer(StrictInput, serializers.Serializer):
    """Decisions on items asked in the round, all saved or none."""

    # A ListField rather than many=True: the schema then states the bound (maxItems).
    decisions = serializers.ListField(child=DecisionSerializer(), max_length=MAX_DECISIONS)
