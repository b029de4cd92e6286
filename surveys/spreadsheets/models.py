"""What an upload found, kept on the server between the preview and "Store".

The client only ever holds the token: the answers stored at commit are those parsed here from
the files, never anything the browser sends back (except which panel member a blank
questionnaire belongs to, checked again at commit).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Long enough to read the preview and choose the members; a stale preview is uploaded again.
UPLOAD_LIFETIME = timedelta(hours=2)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SpreadsheetUpload(models.Model):
    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("all or nothing")
        PER_FILE = "per_file", _("save the files that are correct")

    token = models.CharField(max_length=40, unique=True, default=new_token)
    evaluation = models.ForeignKey(
        "evaluations.Evaluation", on_delete=models.CASCADE, related_name="spreadsheet_uploads"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    # [{"name", "membership", "respondent", "pairwise": {parent id: judgments},
    #   "ratings": {subject id: ratings}, "errors": [{file, sheet, cell, rule}]}, …]
    files = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("spreadsheet upload")
        verbose_name_plural = _("spreadsheet uploads")

    def __str__(self) -> str:
        return f"{self.evaluation_id} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def expired(self) -> bool:
        return self.created_at < timezone.now() - UPLOAD_LIFETIME
