"""Forms of the panel and invitation pages. They validate; services write."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.functional import lazy
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .paste import (
    ERROR_WEIGHT_TOO_LARGE,
    MAX_EXPERT_WEIGHT,
    PASTE_TEXT_LIMIT,
    expert_weight_parse,
)
from .services import ERROR_USERNAME_TAKEN, ERROR_WEIGHT


class PanelAddForm(forms.Form):
    text = forms.CharField(
        label=_("Experts to add"),
        max_length=PASTE_TEXT_LIMIT,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": "wang.li@example.com\n"
                "Zhang Wei, zhang.wei@example.com, Hangzhou Normal University, 1.5",
            }
        ),
        help_text=_(
            "One e-mail address per line, or CSV lines “name, e-mail, organisation, weight” "
            "(a header line and the weight are optional; the weight defaults to 1), "
            "optionally followed by weights per first-level criterion such as “U1=2, U3=0.5”. "
            "Each expert receives an invitation link by e-mail at once."
        ),
    )


class WeightForm(forms.Form):
    """The weight box of the panel page, read as a pasted line's weight column is."""

    weight = forms.CharField(label=_("Expert weight"), strip=True)

    def clean_weight(self) -> float:
        weight = expert_weight_parse(self.cleaned_data["weight"])
        if weight is None:
            raise forms.ValidationError(_(ERROR_WEIGHT), code="invalid")
        if weight > MAX_EXPERT_WEIGHT:
            message = _(ERROR_WEIGHT_TOO_LARGE).format(limit=MAX_EXPERT_WEIGHT)
            raise forms.ValidationError(message, code="max_value")
        return weight


class RevokeForm(forms.Form):
    keep_answers = forms.BooleanField(
        label=_("Keep their submitted answers in the results"),
        required=False,  # unchecked, as before this choice existed: the answers leave
        help_text=_(
            "The link stops working either way. Kept answers also stay in the response "
            "figures; left-out answers are not deleted and come back if you undo the revocation."
        ),
    )


class AccountCreateForm(forms.Form):
    """An invited expert's new account: validated here, created by the accept service."""

    username = forms.CharField(
        label=_("User name"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Lazy: the validators' help is translated into the visitor's language, not at import.
        help_text=lazy(password_validators_help_text_html, SafeString)(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    field = forms.CharField(label=_("Field"), max_length=200, required=False)
    title = forms.CharField(label=_("Professional title"), max_length=100, required=False)
    years_experience = forms.IntegerField(
        label=_("Years of experience"), min_value=0, max_value=80, required=False
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_(ERROR_USERNAME_TAKEN).format(username=username))
        return username

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            # The validators compare the password with the user's name and e-mail.
            user = get_user_model()(
                username=data.get("username", ""), first_name=data.get("name", ""), email=self.email
            )
            try:
                validate_password(password1, user=user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


def suggested_username(email: str) -> str:
    """The e-mail's local part if nobody has it, else the whole address (unique in practice)."""
    local = email.split("@", 1)[0]
    taken = get_user_model().objects.filter(username__iexact=local).exists()
    return email if taken else local
