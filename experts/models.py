"""Experts: profiles, panel membership and invitations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """What a user tells about themselves; experts' panels show it. Also the UI language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=200, blank=True)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), null=True, blank=True
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class PanelMembership(models.Model):
    """An expert on an evaluation's panel: known by e-mail until they accept with an account.

    An expert who answers only on paper may have no e-mail: a name (and organisation) only.
    They are never invited and never log in; the coordinator types in their forms
    (surveys/paper/).
    """

    evaluation = models.ForeignKey(
        "evaluations.Evaluation", on_delete=models.CASCADE, related_name="memberships"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    weight = models.FloatField(_("expert weight"), default=1.0)
    # Weights per first-level criterion, {indicator id (a string, as JSON keys are): weight}:
    # each applies to every matrix and rating under that criterion; a criterion not listed
    # (and the root matrix) takes `weight`. Written by experts.criterion_weights only.
    criterion_weights = models.JSONField(_("weights per criterion"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    # Set when the coordinator revokes an expert but keeps their submitted answers in the
    # results (and in the response figures); cleared when the revocation is undone.
    answers_kept_after_revocation = models.BooleanField(
        _("answers kept after revocation"), default=False
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("panel membership")
        verbose_name_plural = _("panel memberships")
        constraints = [
            models.UniqueConstraint(
                "evaluation",
                Lower("email"),
                condition=~Q(email=""),
                name="membership_one_per_email_and_evaluation",
            ),
            # A member without an e-mail is known by name: it must not be blank as well.
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(name=""), name="membership_email_or_name"
            ),
            models.UniqueConstraint(
                fields=["evaluation", "user"],
                condition=Q(user__isnull=False),
                name="membership_one_per_user_and_evaluation",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="membership_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email


class Invitation(models.Model):
    """The link that brings an expert onto a panel. Only a hash of its token is stored.

    Resending replaces the token (the old link stops working) and renews the expiry.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("invited")
        OPENED = "opened", _("opened")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        REVOKED = "revoked", _("revoked")

    membership = models.OneToOneField(
        PanelMembership, on_delete=models.CASCADE, related_name="invitation"
    )
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
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    # What undoing a revocation returns to; blank unless the invitation is revoked.
    status_before_revocation = models.CharField(
        _("status before revocation"), max_length=10, choices=Status.choices, blank=True
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.membership} ({self.status})"

    @property
    def is_expired(self) -> bool:
        """A link not yet answered that has run out of time (expiry is computed, not stored)."""
        open_statuses = (self.Status.PENDING, self.Status.OPENED)
        return self.status in open_statuses and self.expires_at <= timezone.now()


class ApiToken(models.Model):
    """A REST client's token. Only a SHA-256 hash of the secret is stored: the secret is shown
    once, when the token is created, and a leaked database yields no working token."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, so its owner can tell tokens apart.
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    read_only = models.BooleanField(
        _("read only"),
        default=True,
        help_text=_("A read-only token can read what you can read, and change nothing."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def usable(self) -> bool:
        expired = self.expires_at is not None and self.expires_at <= timezone.now()
        return self.revoked_at is None and not expired
