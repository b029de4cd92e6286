"""Computed results: result snapshots and their robustness analyses."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .evaluation import Evaluation


class ResultSnapshot(models.Model):
    """The computed results of an evaluation at one input version. Written only by the worker.

    data holds everything the results pages, exports and the API show, so no page computes on
    request; see evaluations/services/results.py for its layout.
    """

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveBigIntegerField(_("version"))
    computed_at = models.DateTimeField(_("computed"), auto_now_add=True)
    pairwise_ballots = models.PositiveIntegerField(_("pairwise ballots included"), default=0)
    rating_ballots = models.PositiveIntegerField(_("rating ballots included"), default=0)
    # Reading the ballots and computing, without the write: what grows with the panel.
    compute_seconds = models.FloatField(_("computing time (s)"), null=True, blank=True)
    data = models.JSONField(_("results"))

    class Meta:
        ordering = ["-version"]
        get_latest_by = "version"
        verbose_name = _("result snapshot")
        verbose_name_plural = _("result snapshots")
        constraints = [
            # Two workers finishing the same version: the second insert fails instead of
            # leaving two snapshots that claim to be the same results.
            models.UniqueConstraint(
                fields=["evaluation", "version"], name="snapshot_one_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} v{self.version}"


class RobustnessAnalysis(models.Model):
    """The robustness analysis of one result snapshot (DESIGN §2.9): simulations, expert
    agreement and leave-one-out, computed by the analysis task after the snapshot is written.

    One row per snapshot, deleted with it (so pruned as snapshots are). `settings` holds the
    evaluation's robustness settings the analysis ran with (the seed as used), `data` the
    figures; see evaluations/robustness/analysis.py for their layout.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        # Recorded instead of running when the simulation cannot reproduce the results' method
        # (robustness/availability.py says why); final for the snapshot, like a failure.
        UNAVAILABLE = "unavailable", _("Not available")

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="robustness_analyses"
    )
    snapshot = models.OneToOneField(
        ResultSnapshot, on_delete=models.CASCADE, related_name="robustness_analysis"
    )
    version = models.PositiveBigIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    settings = models.JSONField(_("settings"), default=dict)
    data = models.JSONField(_("analysis"), default=dict)
    error = models.TextField(_("error"), blank=True)
    # Runs started for the current settings; the sweep gives up past a few (a poison input).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    compute_seconds = models.FloatField(_("computing time (s)"), null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("robustness analysis")
        verbose_name_plural = _("robustness analyses")

    def __str__(self) -> str:
        return f"{self.evaluation} v{self.version} {self.status}"
