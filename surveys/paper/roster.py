"""Who a paper form can be typed in for, and who may type: experts known by name only (no
e-mail, never invited) and the evaluation's data-entry assistants."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import AuditEntry, Evaluation
from evaluations.services.audit import audit_record
from experts.models import PanelMembership
from experts.paste import NAME_LIMIT
from experts.services import site_url

from .invitations import assistant_invite, email_clean
from .models import AssistantInvitation, DataEntryAssistant

ERROR_NAME_REQUIRED = gettext_noop("Give the expert's name: it is how the panel knows them.")
ERROR_TOO_LONG = gettext_noop("At most {limit} characters.")
ERROR_NULL_CHARACTER = gettext_noop("Null characters are not allowed.")
ERROR_CLOSED = gettext_noop("The panel is closed: reopen it before adding experts.")
ERROR_ASSISTANT_TWICE = gettext_noop("{user} is already a data-entry assistant here.")
ERROR_ASSISTANT_OWNER = gettext_noop(
    "You coordinate this evaluation: you can already type in its paper forms."
)
EMAIL_LIMIT = 254


def _bounded(value, field_name: str, *, required: bool = False) -> str:
    text = str(value or "")[: NAME_LIMIT * 4].strip()
    if len(text) > NAME_LIMIT:
        raise ValidationError({field_name: _(ERROR_TOO_LONG).format(limit=NAME_LIMIT)})
    if required and not text:
        raise ValidationError({field_name: _(ERROR_NAME_REQUIRED)})
    if "\x00" in text:  # no database stores it in text (PostgreSQL refuses it)
        raise ValidationError({field_name: _(ERROR_NULL_CHARACTER)})
    return " ".join(text.split())  # one line: the panel table shows it as one


@transaction.atomic
def panel_add_named_expert(
    *, evaluation: Evaluation, actor: AbstractBaseUser, name: str, organisation: str = ""
) -> PanelMembership:
    """An expert who answers on paper only: a name (and organisation), no e-mail, no
    invitation. They count like anyone else once their forms are typed in."""
    name = _bounded(name, "name", required=True)
    organisation = _bounded(organisation, "organisation")
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status == Evaluation.Status.CLOSED:
        raise ValidationError({"name": _(ERROR_CLOSED)})
    membership = PanelMembership.objects.create(
        evaluation=evaluation, email="", name=name, organisation=organisation
    )
    audit_record(
        evaluation=evaluation,
        actor=actor,
        action=AuditEntry.Action.ADDED_EXPERTS,
        detail=f"1 expert: {name} (paper only, no e-mail)",
        params={"emails": [name]},
    )
    return membership


@transaction.atomic
def assistant_add(
    *, evaluation: Evaluation, actor: AbstractBaseUser, email: str, base_url: str = ""
) -> DataEntryAssistant | AssistantInvitation:
    """Allow the account with this e-mail to type in the evaluation's paper forms; an address
    with no account is sent an invitation to create one (surveys.paper.invitations)."""
    email = str(email or "")[: EMAIL_LIMIT + 1].strip()
    if len(email) > EMAIL_LIMIT:
        raise ValidationError({"email": _(ERROR_TOO_LONG).format(limit=EMAIL_LIMIT)})
    if email:
        email = email_clean(email)  # a valid address before any query (PostgreSQL refuses NUL)
    users = get_user_model().objects.filter(email__iexact=email, is_active=True)
    user = users.order_by("pk").first() if email else None
    if user is None:
        return assistant_invite(
            evaluation=evaluation, actor=actor, email=email, base_url=base_url or site_url()
        )
    if user.pk == evaluation.owner_id:
        raise ValidationError({"email": _(ERROR_ASSISTANT_OWNER)})
    # The unique constraint settles two tabs adding the same person at once.
    assistant, created = DataEntryAssistant.objects.get_or_create(
        evaluation=evaluation, user=user, defaults={"added_by": actor}
    )
    if not created:
        message = _(ERROR_ASSISTANT_TWICE).format(user=user.get_username())
        raise ValidationError({"email": message})
    audit_record(
        evaluation=evaluation,
        actor=actor,
        action=AuditEntry.Action.ADDED_ASSISTANT,
        detail=user.get_username(),
        params={"user": user.get_username()},
    )
    return assistant


@transaction.atomic
def assistant_remove(*, assistant: DataEntryAssistant, actor: AbstractBaseUser) -> None:
    """Take the role away; what they typed stays (revisions and entries keep their name)."""
    username = assistant.user.get_username()
    evaluation = assistant.evaluation
    assistant.delete()
    audit_record(
        evaluation=evaluation,
        actor=actor,
        action=AuditEntry.Action.REMOVED_ASSISTANT,
        detail=username,
        params={"user": username},
    )
