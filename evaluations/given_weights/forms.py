"""The hierarchy editor's form for one node's given weights: one text field a child, and the
source. The fields only carry text; parsing.py reads and checks it (for the API as well)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Indicator
from .parsing import TEXT_LIMIT


def weight_field_name(child: Indicator) -> str:
    return f"weight_{child.pk}"


class GivenWeightsForm(forms.Form):
    source = forms.CharField(
        label=_("Source"),
        required=False,
        # No max_length validator: the service's message says the rule the API gives too.
        widget=forms.TextInput(
            attrs={"maxlength": Indicator._meta.get_field("given_weights_source").max_length}
        ),
        help_text=_(
            "Where the weights come from, e.g. “Regulation X, 2024”; shown in the results."
        ),
    )

    def __init__(self, *args, children: list[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.children = children
        for child in children:
            # Text, read by the bounded parser: "0.4", "2/5" and "40%" alike.
            self.fields[weight_field_name(child)] = forms.CharField(
                label=f"{child.code} {child.name}",
                required=False,
                strip=True,
                widget=forms.TextInput(
                    attrs={"maxlength": TEXT_LIMIT, "inputmode": "decimal", "size": 10}
                ),
            )
        # The source after the weights.
        self.order_fields([*(weight_field_name(child) for child in children), "source"])

    def weights(self) -> dict[str, str]:
        """{child id: the text typed} for the service."""
        return {
            str(child.pk): self.cleaned_data.get(weight_field_name(child), "")
            for child in self.children
        }

    def weight_fields(self):
        return [self[weight_field_name(child)] for child in self.children]
