"""What an evaluation's results are kept up to date from (issue 17): the running sums over its
counted ballots, and each counted ballot's share of them.

A recompute after a few ballots reads those ballots, takes their old shares out of the sums
and adds their new ones, instead of reading every ballot of the panel
(evaluations/results/running). A share also holds what the results pages show per expert (the
expert's own weights and CR for a matrix), once per submitted ballot rather than once per
snapshot: a share counts in the snapshots from version `since` up to, not including, `until`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .evaluation import Evaluation


class RunningResults(models.Model):
    """An evaluation's running sums, and the fingerprint of what they assume.

    key: a digest of the method settings, the hierarchy, the grades, the subjects and the
    counted experts with their weights. When any of them changes, every share changes, so the
    sums are built again from all ballots (a full recompute) rather than kept.
    sums: {"matrices": {parent code: {submitted, with_gaps, skipped, inconsistent, unlinked,
    sums}}, "subjects": {subject id: {leaf code: {votes, rated, dont_know}}}}
    (evaluations/results/running/state.py).
    """

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, primary_key=True, related_name="running_results"
    )
    key = models.CharField(_("fingerprint"), max_length=64, blank=True)
    sums = models.JSONField(_("running sums"), default=dict)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("running results")
        verbose_name_plural = _("running results")

    def __str__(self) -> str:
        return f"{self.evaluation} running results"


class BallotShare(models.Model):
    """One counted ballot's part in the results, for the snapshot versions since ≤ v < until.

    A pairwise ballot's figures: {weight (the expert weight used), weights, lambda_max, ci,
    cr, ri, skipped, consistent, included}
    (weights and the figures null when the matrix cannot be weighed). A rating ballot's:
    {grades {leaf code: grade index}, dont_know [leaf codes]}. comments: the comments that
    came with it, as the snapshot lists them (without names).
    """

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="ballot_shares"
    )
    membership = models.ForeignKey(
        "experts.PanelMembership", on_delete=models.CASCADE, related_name="ballot_shares"
    )
    parent = models.ForeignKey(
        "evaluations.Indicator", on_delete=models.CASCADE, null=True, related_name="+"
    )
    subject = models.ForeignKey(
        "evaluations.Subject", on_delete=models.CASCADE, null=True, related_name="+"
    )
    since = models.PositiveBigIntegerField(_("counted from version"))
    until = models.PositiveBigIntegerField(_("counted before version"), null=True)
    figures = models.JSONField(_("figures"), default=dict)
    # A pairwise ballot's upper-triangle judgments as counted (null for a skipped pair): kept
    # apart from the figures, which the pages read without them.
    judgments = models.JSONField(_("judgments"), null=True)
    comments = models.JSONField(_("comments"), default=list)

    class Meta:
        verbose_name = _("ballot share")
        verbose_name_plural = _("ballot shares")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False, subject__isnull=True)
                | models.Q(parent__isnull=True, subject__isnull=False),
                name="ballot_share_one_form",
            ),
        ]
        indexes = [
            # The shares counting now, by the ballots a recompute has to change.
            models.Index(
                fields=["evaluation", "membership"],
                condition=models.Q(until__isnull=True),
                name="ballot_share_open",
            ),
            # A snapshot's per-expert figures: since ≤ v < until, per matrix.
            models.Index(fields=["evaluation", "parent", "since"], name="ballot_share_version"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} · v{self.since}–{self.until or ''}"
