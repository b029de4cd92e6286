"""Forms of the coordinator's structure editors. They validate input; the services write.

Rules that span rows (grade scores decreasing, unique names) live in the services, which
every caller goes through; the forms check what one field can tell on its own.
"""

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import dont_know
from .forms import WHOLE_NUMBER, BoundedFloatField, RowIdField, number_text_ok
from .models import Evaluation, Grade, Indicator, Subject
from .robustness import rules as robustness_rules
from .services.lifecycle import ERROR_EMPTY_TITLE
from .services.limits import ERROR_DEADLINE_PAST, MAX_GRADES, MAX_SUBJECTS
from .services.structure import ERROR_NAME_REQUIRED, GradeRow, SubjectRow

ERROR_CR_THRESHOLD = _("The CR threshold must lie strictly between 0 and 1 (the paper uses 0.1).")

# Grade scores are points on a scale such as 4…1 or 95…50; a million either way is room for
# any such scale, and keeps weighted scores far from a float's limits.
MAX_GRADE_SCORE = 1_000_000
# A list's position numbers: far more than any grade set or subject list holds.
MAX_POSITION = 10_000


class IndicatorTextForm(forms.Form):
    """Name, description and recommendation: used to add an indicator and to edit one."""

    name = forms.CharField(
        label=_("Name"),
        max_length=Indicator._meta.get_field("name").max_length,
        error_messages={"required": _(ERROR_NAME_REQUIRED)},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the indicator measures, in a sentence or two."),
    )
    recommendation = forms.CharField(
        label=_("Improvement recommendation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in a subject's profile when this indicator is one of its weak points."),
    )


class IndicatorMoveForm(forms.Form):
    """Choose the new parent among the indicators the move allows (computed by the view)."""

    parent = forms.TypedChoiceField(
        label=_("New parent"), coerce=int, widget=forms.RadioSelect, choices=()
    )

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = choices


class ReorderForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class _ListFormSet(forms.BaseFormSet):
    """A list edited as a whole: a position number to reorder, a box to remove a row."""

    ordering_widget = forms.NumberInput

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if ORDERING_FIELD_NAME in form.fields:
            form.fields[ORDERING_FIELD_NAME].label = _("Position")
            form.fields[ORDERING_FIELD_NAME].widget.attrs.update({"min": 1, "class": "position"})
            form.fields[ORDERING_FIELD_NAME].validators.append(MaxValueValidator(MAX_POSITION))
        if DELETION_FIELD_NAME in form.fields:
            form.fields[DELETION_FIELD_NAME].label = _("Remove")

    def kept_rows(self) -> list[dict]:
        """The rows left after removals, in the chosen order; call after is_valid()."""
        return [form.cleaned_data for form in self.ordered_forms]


class GradeForm(forms.Form):
    id = RowIdField()
    name = forms.CharField(
        label=_("Grade"),
        max_length=Grade._meta.get_field("name").max_length,
        error_messages={"required": _(ERROR_NAME_REQUIRED)},
    )
    score = BoundedFloatField(
        label=_("Score"),
        min_value=-MAX_GRADE_SCORE,
        max_value=MAX_GRADE_SCORE,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )


class SubjectForm(forms.Form):
    id = RowIdField()
    name = forms.CharField(
        label=_("Name"),
        max_length=Subject._meta.get_field("name").max_length,
        error_messages={"required": _(ERROR_NAME_REQUIRED)},
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


_list_options = {"extra": 1, "can_order": True, "can_delete": True, "can_delete_extra": False}
# max_num is the services' limit: a full list shows no empty row. Counting is the services' job
# (their message names the limit), so the formsets do not validate it themselves.
GradeFormSet = forms.formset_factory(
    GradeForm, formset=_ListFormSet, max_num=MAX_GRADES, **_list_options
)
SubjectFormSet = forms.formset_factory(
    SubjectForm, formset=_ListFormSet, max_num=MAX_SUBJECTS, **_list_options
)


def grade_rows(formset: forms.BaseFormSet) -> list[GradeRow]:
    return [
        GradeRow(id=row["id"], name=row["name"], score=row["score"]) for row in formset.kept_rows()
    ]


def subject_rows(formset: forms.BaseFormSet) -> list[SubjectRow]:
    return [
        SubjectRow(id=row["id"], name=row["name"], description=row["description"])
        for row in formset.kept_rows()
    ]


class WholeNumberField(forms.IntegerField):
    """An optional whole number that reads only plain digits (up to 19 of them)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not number_text_ok(value, WHOLE_NUMBER):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def _or_default(value, default: str):
    """A blank robustness setting takes the rule's default."""
    return getattr(robustness_rules, default) if value is None else value


class EvaluationSettingsForm(forms.Form):
    """The evaluation's title and method settings, in the words of the method."""

    title = forms.CharField(
        label=_("Title"),
        max_length=Evaluation._meta.get_field("title").max_length,
        error_messages={"required": _(ERROR_EMPTY_TITLE)},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is evaluated and why; shown on the evaluation's overview."),
    )
    weighting_method = forms.ChoiceField(
        label=_("Weighting method"),
        choices=Evaluation.WeightingMethod.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "How each judgment matrix gives its local weights: the geometric mean (root) method "
            "the paper uses, the principal eigenvector, or a fuzzy AHP method on the same 1–9 "
            "judgments read as triangular fuzzy numbers (Buckley; Chang, whose extent analysis "
            "can give an element a weight of exactly 0, shown on the results page). With a "
            "fuzzy method CR is that of the crisp matrix with the fuzzy weights, and the "
            "robustness simulation is not available."
        ),
    )
    ri_table = forms.ChoiceField(
        label=_("RI table (random consistency index)"),
        choices=Evaluation.RITable.choices,
        widget=forms.RadioSelect,
        help_text=_("The RI values in CR = CI / RI, for matrices of 3 to 9 elements."),
    )
    cr_threshold = BoundedFloatField(
        label=_("CR threshold"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "max": "0.99"}),
        help_text=_(
            "Matrices with a consistency ratio CR at or above it are inconsistent "
            "(the paper: 0.1). Between 0 and 1."
        ),
    )
    # Optional, so a client posting only the older settings changes nothing (blank keeps it).
    cr_threshold_rule = forms.ChoiceField(
        label=_("CR threshold rule"),
        choices=Evaluation.CRThresholdRule.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Fixed: every matrix is held to the CR threshold above. By size: Saaty's (1994) "
            "limits, 0.05 for matrices of 3 elements, 0.08 for 4 and 0.1 for 5 or more; the "
            "threshold above is then not used."
        ),
    )
    cr_policy = forms.ChoiceField(
        label=_("CR policy"),
        choices=Evaluation.CRPolicy.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Whether an expert may submit a judgment matrix whose CR is at or above the "
            "threshold. Either way the form says which judgments to revise."
        ),
    )
    aggregation = forms.ChoiceField(
        label=_("Aggregation of the experts' judgments"),
        choices=Evaluation.Aggregation.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "AIJ: the weighted geometric mean of the experts' matrices, then the weights. "
            "AIP: the weighted geometric mean of each expert's weights."
        ),
    )
    aip_mean = forms.ChoiceField(
        label=_("Mean of the experts' weights (AIP)"),
        choices=Evaluation.AIPMean.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Used with AIP only. Geometric: the weighted geometric mean of each expert's "
            "weights, renormalised. Arithmetic: their weighted arithmetic mean (Forman & "
            "Peniwati 1998)."
        ),
    )
    # Optional like the rule above: a client posting only the older settings keeps the scale.
    judgment_scale = forms.ChoiceField(
        label=_("Judgment scale"),
        choices=Evaluation.JudgmentScale.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "What experts may enter for a pair. Verbal: Saaty's 1–9 scale. Intermediate: also "
            "the half steps (2.5, 1/2.5). Continuous: any value from 1/9 to 9, with a slider. "
            "A scale cannot be narrowed while stored ballots hold values it does not allow."
        ),
    )
    ballot_inclusion = forms.ChoiceField(
        label=_("Ballots included"),
        choices=Evaluation.BallotInclusion.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Which submitted pairwise ballots enter the group weights; the results say how "
            "many entered."
        ),
    )
    allow_skipped_comparisons = forms.BooleanField(
        label=_("Experts may skip comparisons"),
        required=False,
        help_text=_(
            "Each pair of the pairwise forms then offers “I cannot compare these two”. A form "
            "with skipped pairs can be submitted when the pairs answered still link every "
            "element; its weights come from the answered pairs (least squares with the "
            "geometric method, Harker's method with the eigenvector method) and its CR is "
            "Ágoston & Csató's (2022) for incomplete matrices. Not with the fuzzy methods."
        ),
    )
    operator = forms.ChoiceField(
        label=_("Composition operator"),
        choices=Evaluation.Operator.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "How the fuzzy evaluation composes the weights W with the membership matrix R. "
            "M(·,+) is the paper's: it keeps the information of every indicator."
        ),
    )
    allow_dont_know = forms.BooleanField(
        label=_("Experts may answer “don't know”"),
        required=False,
        help_text=_(
            "The rating form offers “don't know” beside the grades of every indicator. A "
            "don't-know is left out of that indicator's votes: its membership degrees are "
            "shares of the experts who rated it, and the results show how many did not."
        ),
    )
    min_ratings_per_leaf = WholeNumberField(
        label=_("Minimum ratings per indicator"),
        min_value=dont_know.MIN_MIN_RATINGS,
        max_value=dont_know.MAX_MIN_RATINGS,
        help_text=format_lazy(
            _(
                "The results warn when fewer experts than this rated an indicator of a "
                "subject; the numbers are computed all the same. From {low} to {high}. "
                "Default {n}."
            ),
            low=dont_know.MIN_MIN_RATINGS,
            high=dont_know.MAX_MIN_RATINGS,
            n=dont_know.DEFAULT_MIN_RATINGS,
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the questionnaire"),
        choices=settings.LANGUAGES,
        help_text=_("Invitations and the experts' forms use this language."),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    results_visible_to_experts = forms.BooleanField(
        label=_("Experts may see the results"),
        required=False,
        help_text=_(
            "The experts on the panel can read the results page (weights, ranking, profiles) "
            "once results are computed."
        ),
    )
    double_entry = forms.BooleanField(
        label=_("Double entry of paper forms"),
        required=False,
        help_text=_(
            "Every paper form is typed in twice, by two different people, and counts only "
            "when both typings agree; the differences are listed for you to resolve. Off: a "
            "paper form counts as soon as it is typed in."
        ),
    )
    comments_named = forms.BooleanField(
        label=_("Show experts' names with their comments"),
        required=False,
        help_text=_(
            "Off: the results and exports show the experts' comments anonymously, as a Delphi "
            "panel does. On: each comment carries its expert's name."
        ),
    )

    # The robustness analysis (DESIGN §2.9). Blank numbers take the defaults (the seed: a
    # fresh one each time), so a client posting only the older settings changes nothing here.
    robustness_sources = forms.ChoiceField(
        label=_("Sources of uncertainty"),
        choices=robustness_rules.SOURCES,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Judgment noise moves every judgment by up to k steps of the 1/9 … 9 scale; panel "
            "resampling draws the experts again with replacement. Each gives the probability "
            "of every rank and grade."
        ),
    )
    robustness_noise_steps = WholeNumberField(
        label=_("Noise steps (k)"),
        min_value=robustness_rules.MIN_STEPS,
        max_value=robustness_rules.MAX_STEPS,
        help_text=_(
            "The largest step a judgment may move along the scale in judgment noise, from 1 "
            "to 8 (1: 3 may become 2 or 4). Default 1."
        ),
    )
    robustness_noise_draws = WholeNumberField(
        label=_("Noise draws"),
        min_value=robustness_rules.MIN_DRAWS,
        max_value=robustness_rules.MAX_DRAWS,
        help_text=format_lazy(
            _("How many times the judgments are drawn, from 1 to {cap} (the cap). Default {n}."),
            cap=f"{robustness_rules.MAX_DRAWS:,}",
            n=f"{robustness_rules.DEFAULT_NOISE_DRAWS:,}",
        ),
    )
    robustness_bootstrap_draws = WholeNumberField(
        label=_("Bootstrap draws"),
        min_value=robustness_rules.MIN_DRAWS,
        max_value=robustness_rules.MAX_DRAWS,
        help_text=format_lazy(
            _("How many times the panel is drawn, from 1 to {cap} (the cap). Default {n}."),
            cap=f"{robustness_rules.MAX_DRAWS:,}",
            n=f"{robustness_rules.DEFAULT_BOOTSTRAP_DRAWS:,}",
        ),
    )
    robustness_seed = WholeNumberField(
        label=_("Seed"),
        min_value=0,
        max_value=robustness_rules.MAX_SEED,
        help_text=_(
            "Optional. The same seed and answers give the same figures; blank draws a fresh "
            "seed for every analysis, and the analysis shows the seed it used."
        ),
    )
    agreement_threshold = BoundedFloatField(
        label=_("Agreement threshold"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "1.01"}),
        help_text=_(
            "An expert is flagged when their compatibility S with the group's weights, averaged "
            "over their matrices by global weight, is above it. Greater than 1; 1.1 is customary."
        ),
    )
    flagged_experts_named = forms.BooleanField(
        label=_("Name the experts in the robustness analysis"),
        required=False,
        help_text=_(
            "Off: flagged experts and the leave-one-out show “Expert n”. On: their names, to "
            "the coordinator only."
        ),
    )

    def __init__(self, *args, evaluation: Evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        self.fields["deadline"].help_text = _("Optional. Time zone: %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }
        for name in robustness_rules.FIELDS:
            if name not in ("robustness_sources", "flagged_experts_named"):
                # Every refusal of the field states its rule (range and cap).
                rule = robustness_rules.message(name)
                self.fields[name].error_messages.update(
                    invalid=rule, min_value=rule, max_value=rule
                )
        rule = dont_know.message()
        self.fields["min_ratings_per_leaf"].error_messages.update(
            invalid=rule, min_value=rule, max_value=rule
        )

    def clean_min_ratings_per_leaf(self) -> int:
        # Blank keeps the current value, so a client posting only the older settings changes
        # nothing here.
        value = self.cleaned_data["min_ratings_per_leaf"]
        return self.evaluation.min_ratings_per_leaf if value is None else value

    def clean_robustness_sources(self) -> str:
        return self.cleaned_data["robustness_sources"] or robustness_rules.DEFAULT_SOURCES

    def clean_robustness_noise_steps(self) -> int:
        return _or_default(self.cleaned_data["robustness_noise_steps"], "DEFAULT_STEPS")

    def clean_robustness_noise_draws(self) -> int:
        return _or_default(self.cleaned_data["robustness_noise_draws"], "DEFAULT_NOISE_DRAWS")

    def clean_robustness_bootstrap_draws(self) -> int:
        value = self.cleaned_data["robustness_bootstrap_draws"]
        return _or_default(value, "DEFAULT_BOOTSTRAP_DRAWS")

    def clean_agreement_threshold(self) -> float:
        value = _or_default(self.cleaned_data["agreement_threshold"], "DEFAULT_THRESHOLD")
        if not robustness_rules.threshold_ok(value):
            raise forms.ValidationError(robustness_rules.message("agreement_threshold"))
        return value

    def clean_cr_threshold_rule(self) -> str:
        return self.cleaned_data["cr_threshold_rule"] or self.evaluation.cr_threshold_rule

    def clean_aip_mean(self) -> str:
        return self.cleaned_data["aip_mean"] or self.evaluation.aip_mean

    def clean_judgment_scale(self) -> str:
        return self.cleaned_data["judgment_scale"] or self.evaluation.judgment_scale

    def clean_cr_threshold(self) -> float:
        value = self.cleaned_data["cr_threshold"]
        if not 0 < value < 1:
            raise forms.ValidationError(ERROR_CR_THRESHOLD)
        return value

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        current = self.evaluation.deadline
        # The input shows minutes only: an unchanged deadline comes back without its seconds,
        # and it must neither count as a change nor block saving the other settings when past.
        if value and current and value == current.replace(second=0, microsecond=0):
            return current
        if value and value <= timezone.now():
            raise forms.ValidationError(_(ERROR_DEADLINE_PAST))
        return value
