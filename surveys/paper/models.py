"""Who may type in paper forms, and paper entries waiting for their second typing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataEntryAssistant(models.Model):
    """A user the coordinator allows to type in the paper forms of one evaluation, and nothing
    else of it (surveys.paper.selectors.access_data_entry)."""

    evaluation = models.ForeignKey(
        "evaluations.Evaluation", on_delete=models.CASCADE, related_name="data_entry_assistants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_entry_roles"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("data-entry assistant")
        verbose_name_plural = _("data-entry assistants")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "user"], name="data_entry_one_per_user_and_evaluation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.evaluation_id}"


class AssistantInvitation(models.Model):
    """The link that makes someone without an account a data-entry assistant: they create an
    account (or sign in) and get the role. Only a hash of its token is stored; resending
    replaces the token and renews the expiry (as experts.models.Invitation)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("invited")
        OPENED = "opened", _("opened")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    OPEN = (Status.PENDING, Status.OPENED)

    evaluation = models.ForeignKey(
        "evaluations.Evaluation", on_delete=models.CASCADE, related_name="assistant_invitations"
    )
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The account that accepted (its e-mail may differ from the invited one).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("assistant invitation")
        verbose_name_plural = _("assistant invitations")
        constraints = [
            # One open link per address and evaluation: a second "add" is a resend instead.
            models.UniqueConstraint(
                "evaluation",
                Lower("email"),
                condition=Q(status__in=["pending", "opened"]),
                name="assistant_invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.evaluation_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_expired(self) -> bool:
        return self.is_open and self.expires_at <= timezone.now()


class PaperEntry(models.Model):
    """One typing of a paper form under double entry, kept until the form counts.

    `answers` is the cleaned judgments or ratings (the ballot's layout), validated as the real
    save would validate them when typed. A form counts when a second person's typing matches,
    or when the coordinator resolves the differences; its entries are then marked counted
    (never deleted), or discarded explicitly by the coordinator.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a second entry")
        COUNTED = "counted", _("counted")
        DISCARDED = "discarded", _("discarded")

    membership = models.ForeignKey(
        "experts.PanelMembership", on_delete=models.CASCADE, related_name="paper_entries"
    )
    # Exactly one of parent (a pairwise form) and subject (a rating form).
    parent = models.ForeignKey(
        "evaluations.Indicator", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        "evaluations.Subject", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    form_number = models.CharField(_("form number"), max_length=40, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("paper entry")
        verbose_name_plural = _("paper entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=False, subject__isnull=True)
                | Q(parent__isnull=True, subject__isnull=False),
                name="paper_entry_one_form",
            ),
        ]
        indexes = [models.Index(fields=["membership", "status"])]

    def __str__(self) -> str:
        return f"{self.membership} · {self.form_number or self.pk}"

    @property
    def kind(self) -> str:
        return "pairwise" if self.parent_id else "rating"
