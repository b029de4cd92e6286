"""Ballots: one expert's pairwise judgments for one parent indicator, and ratings of a subject."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BallotStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class PairwiseBallot(models.Model):
    """The judgment matrix of one expert for the children of one parent indicator.

    judgments maps "<row indicator id>-<col indicator id>" (upper triangle, in the children's
    order) to {"value": b_xy on the 1–9 scale, "comment": str}. The rest of the matrix follows
    by reciprocity. cr is stored at each save so panel figures need no recomputation.
    """

    membership = models.ForeignKey(
        "experts.PanelMembership", on_delete=models.CASCADE, related_name="pairwise_ballots"
    )
    parent = models.ForeignKey(
        "evaluations.Indicator", on_delete=models.CASCADE, related_name="pairwise_ballots"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BallotStatus.choices, default=BallotStatus.DRAFT
    )
    judgments = models.JSONField(_("judgments"), default=dict, blank=True)
    cr = models.FloatField(_("CR"), null=True, blank=True)
    consistent = models.BooleanField(_("consistent"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pairwise ballot")
        verbose_name_plural = _("pairwise ballots")
        constraints = [
            # One current ballot per expert and matrix, whatever races between submissions.
            models.UniqueConstraint(
                fields=["membership", "parent"], name="pairwise_ballot_one_per_matrix"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} · {self.parent.code}"


class RatingBallot(models.Model):
    """One expert's grade for every leaf indicator of one subject.

    ratings maps "<leaf indicator id>" to {"grade": grade id, "comment": str}.
    """

    membership = models.ForeignKey(
        "experts.PanelMembership", on_delete=models.CASCADE, related_name="rating_ballots"
    )
    subject = models.ForeignKey(
        "evaluations.Subject", on_delete=models.CASCADE, related_name="rating_ballots"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BallotStatus.choices, default=BallotStatus.DRAFT
    )
    ratings = models.JSONField(_("ratings"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rating ballot")
        verbose_name_plural = _("rating ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "subject"], name="rating_ballot_one_per_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} · {self.subject}"
