"""Screening surveys and Delphi rounds (DESIGN §2.8): the stage before the AHP one.

A survey belongs to an evaluation and asks questions about items: candidate indicators to
rank or rate, options of a multiple-choice question. It runs in numbered rounds; each round
keeps its own responses (never overwritten by a later round), and after a round the coordinator
decides per item (keep, drop, revise, merge). Adopting a survey builds the evaluation's
hierarchy from the kept items.

Answers are stored per response as JSON keyed by question and item ids, the layout
`surveys.screening.answers` documents and checks: the statistics read a round's responses into
one respondents × items array per question.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScreeningSurvey(models.Model):
    class Rule(models.TextChoices):
        # The micro-store study: a key item's mean exceeds a share of the full score (3.2 of 4).
        MEAN_THRESHOLD = "mean_threshold", _("mean above a share of the full score")
        BOUNDARY_VALUE = "boundary_value", _("boundary-value method")
        CONSENSUS = "consensus", _("consensus (IQR and agreement)")

    evaluation = models.ForeignKey(
        "evaluations.Evaluation", on_delete=models.CASCADE, related_name="screening_surveys"
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    rule = models.CharField(
        _("screening rule"), max_length=20, choices=Rule.choices, default=Rule.MEAN_THRESHOLD
    )
    threshold_share = models.FloatField(_("share of the full score"), default=0.8)
    # Blank: 4 of 5, 7 of 9 (DESIGN §2.8's customary levels).
    agreement_level = models.PositiveSmallIntegerField(
        _("agreement from level"), null=True, blank=True
    )
    consensus_max_iqr = models.FloatField(_("largest IQR for consensus"), default=1.0)
    consensus_min_agreement = models.FloatField(_("least agreement for consensus"), default=0.7)
    ask_authority = models.BooleanField(
        _("ask experts for their judgment basis and familiarity"), default=True
    )
    reason_required = models.BooleanField(
        _("a reason is required when an answer changes between rounds"), default=True
    )
    # The experts' authority coefficient tables (authority_tables.py checks them); null for
    # the common defaults of DESIGN §2.8. {"practice": [high, medium, low], …} and
    # {"very_familiar": Cs, …}, keyed as the answers' layout spells the self-rating.
    basis_table = models.JSONField(_("judgment-basis coefficients"), null=True, blank=True)
    familiarity_table = models.JSONField(_("familiarity coefficients"), null=True, blank=True)
    # The open link for a public questionnaire: only a hash of its token is stored.
    open_link_enabled = models.BooleanField(_("open link"), default=False)
    open_token_hash = models.CharField(max_length=64, blank=True)
    min_seconds = models.PositiveIntegerField(_("least answering time (s)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("screening survey")
        verbose_name_plural = _("screening surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_share__gt=0) & Q(threshold_share__lte=1),
                name="screening_threshold_share_range",
            ),
            models.CheckConstraint(
                condition=Q(consensus_min_agreement__gte=0) & Q(consensus_min_agreement__lte=1),
                name="screening_consensus_agreement_range",
            ),
            models.UniqueConstraint(
                fields=["open_token_hash"],
                condition=~Q(open_token_hash=""),
                name="screening_open_token_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ScreeningQuestion(models.Model):
    class Kind(models.TextChoices):
        RANKING = "ranking", _("ranking")
        RATING = "rating", _("importance rating")
        CHOICE = "choice", _("multiple choice")
        SUGGESTION = "suggestion", _("suggestions of indicators")

    survey = models.ForeignKey(ScreeningSurvey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.TextField(_("help"), blank=True)
    # Importance rating: a 5- or 9-point scale.
    levels = models.PositiveSmallIntegerField(_("scale points"), null=True, blank=True)
    # Ranking: points per place, first place first; null for t, t − 1, …, 1.
    scoring = models.JSONField(_("points per place"), null=True, blank=True)
    # Multiple choice: several answers allowed; an "other" answer with text.
    multiple = models.BooleanField(_("several answers"), default=False)
    allow_other = models.BooleanField(_("“other” with text"), default=False)
    # An attention item: a choice question whose right answer is `attention_answer`; a response
    # that misses it is invalid.
    attention_answer = models.ForeignKey(
        "ScreeningItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("screening question")
        verbose_name_plural = _("screening questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(levels__isnull=True) | Q(levels__in=[5, 9]),
                name="screening_question_levels",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class ScreeningItem(models.Model):
    """A candidate indicator to rank or rate, or an option of a multiple-choice question."""

    class Source(models.TextChoices):
        HIERARCHY = "hierarchy", _("from the hierarchy")
        TYPED = "typed", _("typed in")
        SUGGESTED = "suggested", _("suggested by a respondent")

    class Status(models.TextChoices):
        ACTIVE = "active", _("asked")
        KEPT = "kept", _("kept")
        DROPPED = "dropped", _("dropped")
        MERGED = "merged", _("merged")

    question = models.ForeignKey(ScreeningQuestion, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # The hierarchy's indicator the item stands for (source "hierarchy").
    indicator = models.ForeignKey(
        "evaluations.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="screening_items",
    )
    # Where Adopt places an item: under this indicator of the hierarchy.
    place_under = models.ForeignKey(
        "evaluations.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_other = models.BooleanField(_("the “other” option"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_items"
    )
    # The first round that asks the item: suggested items join in a later round.
    first_round = models.PositiveSmallIntegerField(_("asked from round"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("screening item")
        verbose_name_plural = _("screening items")

    def __str__(self) -> str:
        return self.name


class ScreeningRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    survey = models.ForeignKey(ScreeningSurvey, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # How many were asked (the panel's experts when it opened): the positive coefficient's base.
    invited = models.PositiveIntegerField(_("invited"), default=0)

    class Meta:
        ordering = ["survey", "number"]
        verbose_name = _("screening round")
        verbose_name_plural = _("screening rounds")
        constraints = [
            # Two coordinators opening "the next round" at once get one round, not two.
            models.UniqueConstraint(fields=["survey", "number"], name="screening_round_number"),
            models.UniqueConstraint(
                fields=["survey"], condition=Q(status="open"), name="screening_one_open_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.number}"


class ScreeningResponse(models.Model):
    """One respondent's answers in one round: an invited expert, or an anonymous visitor of the
    open link (known by a hash of their browser's key only)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="responses")
    membership = models.ForeignKey(
        "experts.PanelMembership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="screening_responses",
    )
    respondent_key = models.CharField(max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # {"<question id>": answer}; the layout per kind is surveys.screening.answers'.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # {"<item id>": why the answer changed since the last round}.
    reasons = models.JSONField(_("reasons"), default=dict, blank=True)
    # {"basis": {"practice": "high", …}, "familiarity": 1…5}: the authority self-rating.
    authority = models.JSONField(_("authority self-rating"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    valid = models.BooleanField(_("valid"), null=True, blank=True)
    invalid_reason = models.CharField(_("why invalid"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("screening response")
        verbose_name_plural = _("screening responses")
        constraints = [
            models.CheckConstraint(
                condition=(Q(membership__isnull=False) & Q(respondent_key=""))
                | (Q(membership__isnull=True) & ~Q(respondent_key="")),
                name="screening_response_one_respondent",
            ),
            # One response per expert, or per open-link browser, and round: two tabs
            # submitting at once meet here.
            models.UniqueConstraint(
                fields=["round", "membership"],
                condition=Q(membership__isnull=False),
                name="screening_response_one_per_expert",
            ),
            models.UniqueConstraint(
                fields=["round", "respondent_key"],
                condition=~Q(respondent_key=""),
                name="screening_response_one_per_browser",
            ),
        ]

    def __str__(self) -> str:
        who = self.membership or self.respondent_key[:8]
        return f"{self.round} · {who}"


class ItemDecision(models.Model):
    """The coordinator's verdict on an item after a round, with the rule's verdict beside it."""

    class Decision(models.TextChoices):
        KEEP = "keep", _("keep")
        DROP = "drop", _("drop")
        REVISE = "revise", _("revise")
        MERGE = "merge", _("merge")

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(ScreeningItem, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    # What the survey's rule said ("keep", "drop", "discuss"), kept beside the decision.
    rule_verdict = models.CharField(_("rule's verdict"), max_length=10, blank=True)
    previous_name = models.CharField(_("previous name"), max_length=200, blank=True)
    new_name = models.CharField(_("new name"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        ScreeningItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now=True)

    class Meta:
        ordering = ["round", "item__order", "item_id"]
        verbose_name = _("item decision")
        verbose_name_plural = _("item decisions")
        constraints = [
            models.UniqueConstraint(fields=["round", "item"], name="screening_one_decision"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.item} · {self.decision}"
