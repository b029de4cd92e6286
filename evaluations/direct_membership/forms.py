"""The coordinator's forms for a leaf's membership source and inputs: they only parse (bounded
before converting); the rules are the services'."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ..forms import BoundedFloatField, number_text_ok
from ..models import Indicator, Subject
from .services import InputRow, SourceSettings

# A list of numbers typed in one box: a grade set has at most 11 grades, so 60 numbers of at
# most 24 characters each, with separators, is far more than any real list.
LIST_TEXT_LIMIT = 1500
LIST_ITEMS_LIMIT = 60
SEPARATORS = re.compile(r"[\s;,]+")
ERROR_LIST = gettext_noop(
    "Numbers separated by spaces, commas or semicolons, e.g. “2 5 10” or “0.1; 0.2; 0.7”."
)


def parse_numbers(text: str) -> list[float]:
    """Numbers from one text box, or forms.ValidationError; bounded before float()."""
    text = (text or "").strip()
    if len(text) > LIST_TEXT_LIMIT:
        raise forms.ValidationError(_(ERROR_LIST), code="invalid")
    items = [item for item in SEPARATORS.split(text) if item]
    if len(items) > LIST_ITEMS_LIMIT or not all(number_text_ok(item) for item in items):
        raise forms.ValidationError(_(ERROR_LIST), code="invalid")
    return [float(item) for item in items]


class NumberListField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=LIST_TEXT_LIMIT, **kwargs)

    def clean(self, value):
        return parse_numbers(super().clean(value))


class SourceForm(forms.Form):
    membership_source = forms.ChoiceField(
        label=_("Membership from"), choices=Indicator.MembershipSource.choices
    )
    better = forms.ChoiceField(label=_("Better values"), choices=Indicator.Better.choices)
    thresholds = NumberListField(
        label=_("Grade thresholds"),
        help_text=_(
            "One number between each two neighbouring grades (one fewer than the grades), "
            "strictly increasing or decreasing. A value on a threshold gets the better grade."
        ),
    )
    threshold_shape = forms.ChoiceField(
        label=_("Threshold shape"), choices=Indicator.ThresholdShape.choices
    )
    unit = forms.CharField(
        label=_("Unit"), required=False, max_length=Indicator._meta.get_field("unit").max_length
    )

    def settings(self) -> SourceSettings:
        data = self.cleaned_data
        return SourceSettings(
            source=data["membership_source"],
            better=data["better"],
            thresholds=data["thresholds"],
            shape=data["threshold_shape"],
            unit=data["unit"],
        )


class InputsForm(forms.Form):
    """A row for all subjects, and per subject a measured value and an own row."""

    def __init__(self, *args, subjects: list[Subject], **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = subjects
        self.fields["row_all"] = NumberListField(label=_("Membership row for all subjects"))
        for subject in subjects:
            self.fields[f"value_{subject.pk}"] = BoundedFloatField(
                label=_("Measured value of “%(subject)s”") % {"subject": subject.name},
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[f"row_{subject.pk}"] = NumberListField(
                label=_("Membership row of “%(subject)s”") % {"subject": subject.name}
            )

    def rows(self) -> list[InputRow]:
        data = self.cleaned_data
        rows = [InputRow(subject=None, row=data["row_all"] or None)]
        for subject in self.subjects:
            rows.append(
                InputRow(
                    subject=subject.pk,
                    row=data[f"row_{subject.pk}"] or None,
                    value=data[f"value_{subject.pk}"],
                )
            )
        return rows

    def subject_fields(self):
        return [
            (subject, self[f"value_{subject.pk}"], self[f"row_{subject.pk}"])
            for subject in self.subjects
        ]


def numbers_text(values) -> str:
    """A stored list shown back in a text box: 0.1 0.2 0.7."""
    return " ".join(f"{v:g}" for v in values or [])
