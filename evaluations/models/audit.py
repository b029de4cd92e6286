"""The audit trail of coordinators' changes to an evaluation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .evaluation import Evaluation


class AuditEntry(models.Model):
    """One coordinator or expert action on an evaluation, shown on its page. Never edited."""

    class Action(models.TextChoices):
        CREATED = "created", _("created the evaluation")
        COPIED = "copied", _("copied the evaluation")
        EDITED_HIERARCHY = "edited_hierarchy", _("edited the hierarchy")
        EDITED_GRADES = "edited_grades", _("edited the grade set")
        EDITED_SUBJECTS = "edited_subjects", _("edited the subjects")
        EDITED_SETTINGS = "edited_settings", _("edited the settings")
        ADDED_EXPERTS = "added_experts", _("added experts")
        INVITED = "invited", _("sent invitations")
        RESENT = "resent", _("resent an invitation")
        REVOKED = "revoked", _("revoked an invitation")
        RESTORED = "restored", _("undid a revocation")
        ACCEPTED = "accepted", _("accepted the invitation")
        DECLINED = "declined", _("declined the invitation")
        SUBMITTED = "submitted", _("submitted a ballot")
        WITHDREW = "withdrew", _("withdrew a ballot")
        REMINDED = "reminded", _("sent reminders")
        OPENED = "opened", _("opened the panel")
        CLOSED = "closed", _("closed the panel")
        REOPENED = "reopened", _("reopened the panel")
        # Paper ballots (surveys/paper/): a typing kept for its second one, one thrown away,
        # and the people allowed to type them in.
        PAPER_ENTERED = "paper_entered", _("typed in a paper form")
        PAPER_DISCARDED = "paper_discarded", _("discarded a typed paper form")
        ADDED_ASSISTANT = "added_assistant", _("added a data-entry assistant")
        REMOVED_ASSISTANT = "removed_assistant", _("removed a data-entry assistant")

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    # What the detail says, as data, so the page can word it in the reader's language
    # (the detail stays as an English line for the admin and old entries).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
