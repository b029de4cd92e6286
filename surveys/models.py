"""Ballots: one expert's pairwise judgments for one parent indicator, and ratings of a subject."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BallotStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class Channel(models.TextChoices):
    """How an answer reached the application."""

    PAGE = "page", _("form page")
    API = "api", _("API")
    # Answers given on paper and typed in (surveys/paper/); who typed it is the revision's user.
    PAPER = "paper", _("paper")
    # A filled XLSX questionnaire uploaded by the coordinator (surveys/spreadsheets/).
    SPREADSHEET = "spreadsheet", _("spreadsheet")


class PairwiseBallot(models.Model):
    """The judgment matrix of one expert for the children of one parent indicator.

    judgments maps "<row indicator id>-<col indicator id>" (upper triangle, in the children's
    order) to {"value": b_xy on the 1–9 scale, "comment": str}. The rest of the matrix follows
    by reciprocity. cr is stored at each save so panel figures need no recomputation.

    Two copies: `judgments` (with cr, consistent and status) is the expert's working copy,
    autosaved as they answer; `submitted_judgments` (with submitted_cr, submitted_consistent,
    submitted_at) is what they last submitted, the answers the results and panel figures count.
    A draft on top of a submission leaves the submitted copy alone; only a new submission or
    an explicit withdrawal replaces or clears it. status is "submitted" while the working copy
    is the submitted one, "draft" otherwise.
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
    # Set exactly when submitted answers count (a filter on submitted_at__isnull=False).
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_judgments = models.JSONField(_("submitted judgments"), null=True, blank=True)
    submitted_cr = models.FloatField(_("submitted CR"), null=True, blank=True)
    submitted_consistent = models.BooleanField(_("submitted consistent"), null=True, blank=True)
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

    ratings maps "<leaf indicator id>" to {"grade": grade id, "comment": str}, or, where the
    evaluation allows "don't know", {"grade": None, "dont_know": True, "comment": str}. As for
    pairwise ballots, `ratings` is the working copy and `submitted_ratings` (with submitted_at)
    what counts.
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
    # Set exactly when submitted answers count.
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_ratings = models.JSONField(_("submitted ratings"), null=True, blank=True)
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


class BallotRevision(models.Model):
    """One submission or withdrawal of a ballot, kept as it was then.

    Written once by the ballot services and never edited or deleted by the application, so the
    coordinator can see everything an expert submitted, in order. `answers` is the submitted
    (or withdrawn) judgments or ratings in the ballot's own layout; cr and consistent are those
    computed then, with the settings of then (they are not reassessed when settings change).
    """

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    membership = models.ForeignKey(
        "experts.PanelMembership", on_delete=models.CASCADE, related_name="ballot_revisions"
    )
    # Who did it: the expert, or (for paper ballots) the coordinator who typed it in.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Exactly one of parent (a pairwise ballot) and subject (a rating ballot).
    parent = models.ForeignKey(
        "evaluations.Indicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ballot_revisions",
    )
    subject = models.ForeignKey(
        "evaluations.Subject",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ballot_revisions",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Blank for the first revision of ballots submitted before revisions were kept.
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    cr = models.FloatField(_("CR"), null=True, blank=True)
    consistent = models.BooleanField(_("consistent"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"))
    # Paper ballots: the number printed on the questionnaire, and under double entry the
    # person whose first typing the user's second one confirmed (blank / null otherwise).
    form_number = models.CharField(_("form number"), max_length=40, blank=True)
    first_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whether the results' running sums have taken this change in (evaluations/results/
    # running): the recompute after it reads only the ballots of revisions not yet applied,
    # whatever order their transactions committed in.
    applied = models.BooleanField(_("applied to the results"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ballot revision")
        verbose_name_plural = _("ballot revisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False, subject__isnull=True)
                | models.Q(parent__isnull=True, subject__isnull=False),
                name="ballot_revision_one_form",
            ),
        ]
        indexes = [
            models.Index(fields=["membership", "created_at"]),
            models.Index(
                fields=["membership"],
                condition=models.Q(applied=False),
                name="ballot_revision_unapplied",
            ),
        ]

    def __str__(self) -> str:
        form = self.parent.code if self.parent_id else str(self.subject)
        return f"{self.membership} · {form} · {self.action}"

    @property
    def kind(self) -> str:
        return "pairwise" if self.parent_id else "rating"


# The screening stage's models live with the rest of that capability (surveys/screening/);
# importing them here registers them with the app.
from .paper.models import DataEntryAssistant, PaperEntry  # noqa: E402, F401
from .screening.models import (  # noqa: E402, F401
    ItemDecision,
    ScreeningItem,
    ScreeningQuestion,
    ScreeningResponse,
    ScreeningRound,
    ScreeningSurvey,
)
from .spreadsheets.models import SpreadsheetUpload  # noqa: E402, F401
