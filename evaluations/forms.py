"""Forms of the coordinator's evaluation pages. They validate; services write."""

import re

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Evaluation
from .services.limits import MAX_SUBJECTS
from .templates_catalog import localized, template_get, template_keys

# What a number typed into a form may look like before float() or int() reads it: ASCII
# digits with an optional sign, point and short exponent, in a few dozen characters
# ("0.125", "-1.5e3"). Anything else is refused as not a number, unread: float() would take
# "1_000", fullwidth digits and 100,000-digit strings, and Fraction or Decimal worse.
NUMBER_TEXT_LIMIT = 24
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")
# Row ids are BigAutoField keys: a larger number names no row, and the database cannot even
# look it up (an OverflowError, once answered as a 404).
MAX_ROW_ID = 2**63 - 1


def number_text_ok(text: str, pattern: re.Pattern = NUMBER) -> bool:
    """Whether `text` (stripped) is short and plain enough to hand to float() or int()."""
    text = text.strip()
    return len(text) <= NUMBER_TEXT_LIMIT and pattern.fullmatch(text) is not None


class BoundedFloatField(forms.FloatField):
    """A FloatField that reads only NUMBER text. Django's field then refuses infinities
    ("1e400" reads as one); give min_value and max_value for the field's range."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not number_text_ok(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class RowIdField(forms.IntegerField):
    """The hidden id of an edited row: a whole number a BigAutoField can hold, or nothing."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, max_value=MAX_ROW_ID, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not number_text_ok(value, WHOLE_NUMBER):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def _template_choices() -> list[tuple[str, str]]:
    language = get_language()
    return [(key, localized(template_get(key), "title", language)) for key in template_keys()]


class EvaluationCreateForm(forms.Form):
    START_BLANK = "blank"
    START_TEMPLATE = "template"
    START_COPY = "copy"

    start = forms.ChoiceField(
        label=_("Start from"),
        choices=[
            (START_TEMPLATE, _("a template")),
            (START_BLANK, _("a blank hierarchy")),
            (START_COPY, _("a copy of one of my evaluations")),
        ],
        initial=START_TEMPLATE,
        widget=forms.RadioSelect,
    )
    template = forms.ChoiceField(label=_("Template"), required=False)
    source = forms.ModelChoiceField(
        label=_("Evaluation to copy"), queryset=Evaluation.objects.none(), required=False
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the template's title."),
    )
    language = forms.ChoiceField(
        label=_("Language of the questionnaire"),
        choices=settings.LANGUAGES,
        help_text=_("Template texts and invitations use this language."),
    )
    subjects = forms.CharField(
        label=_("Subjects"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            _("The enterprises or management modes to rate, one per line (at most {limit})."),
            limit=MAX_SUBJECTS,
        ),
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = _template_choices()
        self.fields["source"].queryset = Evaluation.objects.filter(owner=owner)
        self.fields["language"].initial = get_language()

    def clean(self):
        data = super().clean()
        start = data.get("start")
        if start == self.START_TEMPLATE and not data.get("template"):
            self.add_error("template", _("Choose a template."))
        if start == self.START_COPY and not data.get("source"):
            self.add_error("source", _("Choose the evaluation to copy."))
        if start == self.START_BLANK and not data.get("title", "").strip():
            self.add_error("title", _("A blank evaluation needs a title."))
        if start != self.START_COPY and not self.subject_names():
            self.add_error("subjects", _("Name at least one subject, one per line."))
        return data

    def subject_names(self) -> list[str]:
        text = self.cleaned_data.get("subjects", "")
        return [line.strip() for line in text.splitlines() if line.strip()]


class StatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("open", "open"), ("close", "close"), ("reopen", "reopen")])
