"""Forms of the coordinator's screening pages. They read and validate what one field can tell on
its own (a number's spelling, a choice among the listed ones, a length); the services
(services.py, items.py) check the rest and name the rule, and every page goes through them.

Numbers are read only after a short pattern match (evaluations.forms.number_text_ok), so the
hostile strings of tests/hostile.py are refused unread.
"""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from evaluations.forms import WHOLE_NUMBER, BoundedFloatField, number_text_ok
from evaluations.models import Indicator

from .forms_authority import AuthorityTablesForm
from .items import HELP_TEXT_LIMIT
from .limits import MAX_ITEMS, QUESTION_TEXT_LIMIT
from .models import ScreeningItem, ScreeningQuestion, ScreeningSurvey
from .services import CONSENSUS_IQR_MAX, INTRODUCTION_LIMIT, MIN_SECONDS_MAX, RATING_LEVELS

Kind = ScreeningQuestion.Kind

ITEM_NAME_LIMIT = ScreeningItem._meta.get_field("name").max_length
# The typed list of a new question: MAX_ITEMS names, each at its longest, with line breaks.
# Longer text names too many items whatever it holds, and is refused before it is split.
ITEMS_TEXT_LIMIT = MAX_ITEMS * (ITEM_NAME_LIMIT + 2)
# Points per place as typed ("4, 3, 2, 1"): scoring.ranking_scoring_clean reads the text and
# bounds it; this only keeps a pasted book out of the form.
SCORING_TEXT_LIMIT = 1000


class WholeNumberField(forms.IntegerField):
    """A whole number written with ASCII digits only, a few of them: "-3", "1e3", "1_000",
    fullwidth digits and 100,000-digit strings are refused as not a whole number, unread."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not number_text_ok(value, WHOLE_NUMBER):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def indicator_choices(
    tree: list[tuple[Indicator, int]], *, with_children_only: bool = False
) -> list[tuple[str, str]]:
    """Indicators as select options, indented by depth so the list reads as the tree does."""
    parents = {indicator.parent_id for indicator, _depth in tree}
    options = [("", "—")]
    for indicator, depth in tree:
        if with_children_only and indicator.pk not in parents:
            continue
        indent = "\u00a0\u00a0" * depth  # no-break spaces: a select shows no other indentation
        options.append((str(indicator.pk), f"{indent}{indicator.code} {indicator.name}"))
    return options


def _indicator_field(label, help_text) -> forms.TypedChoiceField:
    # The posted text is compared with the listed ids before int() reads it: an id of another
    # evaluation, or 100,000 digits, is "not one of the available choices".
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None, help_text=help_text
    )


class SurveySettingsForm(AuthorityTablesForm):
    """A survey's title, rule and its thresholds, and what respondents are asked: the page that
    creates a survey and the survey's settings use it alike. The authority tables' cells come
    last (forms_authority.py); only the survey's page shows them."""

    title = forms.CharField(
        label=_("Title"), max_length=ScreeningSurvey._meta.get_field("title").max_length
    )
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=INTRODUCTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to respondents above the questions: what is screened and why."),
    )
    rule = forms.ChoiceField(
        label=_("Screening rule"),
        choices=ScreeningSurvey.Rule.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "How the rounds page words each item's verdict; the rule and its thresholds may "
            "change at any time."
        ),
    )
    threshold_share = BoundedFloatField(
        label=_("Share of the full score"),
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "max": "1"}),
        help_text=_(
            "Mean threshold rule: an item is key when its mean exceeds this share of the full "
            "score (the micro-store study: 0.8, i.e. 3.2 of 4)."
        ),
    )
    agreement_level = WholeNumberField(
        label=_("Agreement from level"),
        required=False,
        widget=forms.NumberInput(attrs={"min": "1", "max": str(max(RATING_LEVELS))}),
        help_text=_(
            "A rating at or above this level agrees. Empty: 4 on a 5-point scale, 7 on a "
            "9-point one."
        ),
    )
    consensus_max_iqr = BoundedFloatField(
        label=_("Largest IQR for consensus"),
        widget=forms.NumberInput(
            attrs={"step": "any", "min": "0", "max": f"{CONSENSUS_IQR_MAX:g}"}
        ),
        help_text=_("Consensus rule: the interquartile range is at most this (customarily 1)."),
    )
    consensus_min_agreement = BoundedFloatField(
        label=_("Least agreement for consensus"),
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "max": "1"}),
        help_text=_(
            "Consensus rule: the share of ratings that agree is at least this (customarily 0.7)."
        ),
    )
    ask_authority = forms.BooleanField(
        label=_("Ask experts for their judgment basis and familiarity"),
        required=False,
        help_text=_("Gives each expert's authority coefficient Cr = (Ca + Cs) / 2."),
    )
    reason_required = forms.BooleanField(
        label=_("Ask for a reason when an answer changes between rounds"), required=False
    )
    min_seconds = WholeNumberField(
        label=_("Least answering time (seconds)"),
        widget=forms.NumberInput(attrs={"min": "0", "max": str(MIN_SECONDS_MAX)}),
        help_text=format_lazy(
            _(
                "Validity rule: a response submitted sooner after it was opened does not count "
                "(0: no limit; at most {limit})."
            ),
            limit=MIN_SECONDS_MAX,
        ),
    )

    # What the respondents answer to: the page shows these apart, as the validity rule.
    VALIDITY_FIELDS = ("min_seconds",)
    RULE_FIELDS = (
        "rule",
        "threshold_share",
        "agreement_level",
        "consensus_max_iqr",
        "consensus_min_agreement",
    )


class _QuestionFields(forms.Form):
    text = forms.CharField(
        label=_("Question"),
        max_length=QUESTION_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help_text = forms.CharField(
        label=_("Help"),
        required=False,
        max_length=HELP_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown under the question: how to answer it."),
    )
    levels = forms.TypedChoiceField(
        label=_("Scale points"),
        choices=[(str(level), str(level)) for level in RATING_LEVELS],
        coerce=int,
        initial=str(min(RATING_LEVELS)),
        widget=forms.RadioSelect,
        help_text=_("Importance rating: a 5- or 9-point scale, with “cannot judge” beside it."),
    )
    scoring = forms.CharField(
        label=_("Points per place"),
        required=False,
        max_length=SCORING_TEXT_LIMIT,
        help_text=_(
            "Ranking: one number per place, first place first, e.g. 4, 3, 2, 1. Empty: the "
            "first of t items scores t, the last 1."
        ),
    )
    multiple = forms.BooleanField(
        label=_("Several answers allowed"),
        required=False,
        help_text=_("Multiple choice only."),
    )
    allow_other = forms.BooleanField(
        label=_("An “other” answer with text"),
        required=False,
        help_text=_("Multiple choice only."),
    )

    # The fields each kind has (the others are left out of its edit form).
    KIND_FIELDS = {
        Kind.RATING: ("levels",),
        Kind.RANKING: ("scoring",),
        Kind.CHOICE: ("multiple", "allow_other"),
        Kind.SUGGESTION: (),
    }
    OPTION_FIELDS = ("levels", "scoring", "multiple", "allow_other")


class QuestionAddForm(_QuestionFields):
    """A new question with its items: the children of an indicator, or names typed one per line
    (placed under an indicator by Adopt; a choice question's options are not placed)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    items_from = _indicator_field(
        _("Items from the hierarchy"),
        _("Ranking or rating: the sub-indicators of this indicator become the items."),
    )
    items = forms.CharField(
        label=_("Items typed in"),
        required=False,
        max_length=ITEMS_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: candidate indicators, or the options of a multiple-choice question."
        ),
    )
    place_under = _indicator_field(
        _("Place typed items under"),
        _("Where Adopt adds the kept candidate indicators typed above."),
    )
    field_order = ["kind", "text", "help_text", *_QuestionFields.OPTION_FIELDS]

    def __init__(self, *args, tree: list[tuple[Indicator, int]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["levels"].required = False
        self.fields["items_from"].choices = indicator_choices(tree, with_children_only=True)
        self.fields["place_under"].choices = indicator_choices(tree)

    def item_names(self) -> list[str]:
        """The typed names, one per non-empty line; call after is_valid()."""
        lines = self.cleaned_data["items"].splitlines()
        return [line.strip() for line in lines if line.strip()]


class QuestionEditForm(_QuestionFields):
    """A question's texts and the options of its kind (the kind stays: delete and add to
    change it)."""

    attention_answer = forms.TypedChoiceField(
        label=_("Attention check"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "The answer a careful respondent gives (write it into the question, e.g. “choose "
            "‘Agree’ here”); a response that answers otherwise is not valid."
        ),
    )

    def __init__(self, *args, kind: str, options: list[ScreeningItem] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.OPTION_FIELDS:
            if name not in self.KIND_FIELDS[kind]:
                del self.fields[name]
        if kind == Kind.CHOICE:
            self.fields["attention_answer"].choices = [
                ("", _("None: an ordinary question")),
                *((item.pk, item.name) for item in options if not item.is_other),
            ]
        else:
            del self.fields["attention_answer"]


def scoring_text(scoring: list[float] | None) -> str:
    """Stored points per place as the coordinator types them: "4, 3, 2, 1"."""
    return ", ".join(f"{points:g}" for points in scoring) if scoring else ""


def question_initial(question: ScreeningQuestion) -> dict:
    return {
        "text": question.text,
        "help_text": question.help_text,
        "levels": str(question.levels) if question.levels else None,
        "scoring": scoring_text(question.scoring),
        "multiple": question.multiple,
        "allow_other": question.allow_other,
        "attention_answer": question.attention_answer_id,
    }


class ItemForm(forms.Form):
    """One item typed in or edited; `placeable` leaves out the place for a choice option or an
    item from the hierarchy (which stays under its indicator)."""

    name = forms.CharField(label=_("Name"), max_length=ITEM_NAME_LIMIT)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=HELP_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    place_under = _indicator_field(_("Place under"), _("Where Adopt adds the item if it is kept."))

    def __init__(self, *args, tree: list[tuple[Indicator, int]], placeable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if placeable:
            self.fields["place_under"].choices = indicator_choices(tree)
        else:
            del self.fields["place_under"]


class OpenLinkForm(forms.Form):
    action = forms.ChoiceField(choices=[("enable", "enable"), ("disable", "disable")])
