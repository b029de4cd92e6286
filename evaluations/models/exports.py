"""Export jobs: a results file too large to render in a request (evaluations/exports/jobs.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .evaluation import Evaluation


class ExportJob(models.Model):
    """One file of one snapshot, rendered by a task on the analysis queue for the user who
    asked (the file shows what that user may see: names or "Expert n").

    One row per evaluation, version, format, history option and user: asking again reuses it
    (the unique constraint settles two requests at once), a failed or expired one starts over.
    The file is kept in the database (bytea on PostgreSQL, a BLOB on SQLite): a few MB at
    most (jobs.MAX_BYTES), deleted with the job when it expires (jobs.JOB_TTL), and no shared
    media volume is needed between the web and worker containers.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="export_jobs")
    version = models.PositiveBigIntegerField(_("version"))
    fmt = models.CharField(_("format"), max_length=8)
    history = models.BooleanField(_("with the ballots' history"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Runs started; a job whose worker died is claimed again, up to jobs.MAX_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    render_seconds = models.FloatField(_("rendering time (s)"), null=True, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "version", "fmt", "history", "requested_by"],
                name="export_job_once_per_file_and_user",
            )
        ]

    def __str__(self) -> str:
        return (
            f"export {self.fmt} of evaluation {self.evaluation_id} v{self.version} ({self.status})"
        )
