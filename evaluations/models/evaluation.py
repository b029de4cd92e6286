"""An evaluation and its method settings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import dont_know
from ..robustness import rules as robustness_rules

MAX_CHILDREN = 9  # RI tables stop at 9 (DESIGN §2.3), so no parent may have more children.


class Evaluation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class WeightingMethod(models.TextChoices):
        GEOMETRIC = "geometric", _("Geometric mean (root) method")
        EIGENVECTOR = "eigenvector", _("Eigenvector method")
        FUZZY_BUCKLEY = (
            "fuzzy_buckley",
            _("Fuzzy AHP: Buckley's geometric mean of triangular fuzzy numbers (1985)"),
        )
        FUZZY_CHANG = "fuzzy_chang", _("Fuzzy AHP: Chang's extent analysis (1996)")

    class RITable(models.TextChoices):
        PAPER = "paper", _("The method paper's RI table")
        SAATY = "saaty", _("Saaty (1980)")
        SAATY_LATER = "saaty_later", _("Saaty (later table: 0.52, 0.89, 1.11, …)")
        ALONSO_LAMATA = (
            "alonso_lamata",
            _("Alonso & Lamata (2006), CR = (λmax − n)/(1.7699 n − 4.3513)"),
        )

    class CRThresholdRule(models.TextChoices):
        FIXED = "fixed", _("Fixed: the CR threshold for every matrix")
        BY_SIZE = (
            "by_size",
            _("By size (Saaty 1994): 0.05 for 3 elements, 0.08 for 4, 0.1 for 5 or more"),
        )

    class CRPolicy(models.TextChoices):
        BLOCK = "block", _("Block submission of inconsistent matrices")
        WARN = "warn", _("Warn, but accept inconsistent matrices")

    class Aggregation(models.TextChoices):
        AIJ = "aij", _("Aggregate individual judgments (AIJ)")
        AIP = "aip", _("Aggregate individual priorities (AIP)")

    class AIPMean(models.TextChoices):
        GEOMETRIC = "geometric", _("Weighted geometric mean of the experts' weights")
        ARITHMETIC = (
            "arithmetic",
            _("Weighted arithmetic mean of the experts' weights (Forman & Peniwati 1998)"),
        )

    class JudgmentScale(models.TextChoices):
        VERBAL = "verbal", _("Verbal 1–9 scale: 1 to 9 and 1/2 to 1/9 (17 values)")
        INTERMEDIATE = (
            "intermediate",
            _("Intermediate: the verbal scale and half steps such as 2.5 and 1/2.5"),
        )
        CONTINUOUS = "continuous", _("Continuous: any value from 1/9 to 9 (a slider)")

    class BallotInclusion(models.TextChoices):
        SUBMITTED = "submitted", _("All submitted ballots")
        CONSISTENT = "consistent", _("Only consistent ballots")

    class Operator(models.TextChoices):
        PRODUCT_SUM = "product_sum", _("M(·,+) ordinary product")
        MIN_MAX = "min_max", _("M(∧,∨) main factor")
        PRODUCT_MAX = "product_max", _("M(·,∨) main factor prominent")
        MIN_BOUNDED_SUM = "min_bounded_sum", _("M(∧,⊕) bounded sum")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("coordinator"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    weighting_method = models.CharField(
        _("weighting method"),
        max_length=16,
        choices=WeightingMethod.choices,
        default=WeightingMethod.GEOMETRIC,
    )
    ri_table = models.CharField(
        _("RI table"), max_length=16, choices=RITable.choices, default=RITable.PAPER
    )
    cr_threshold = models.FloatField(_("CR threshold"), default=0.1)
    # Fixed: cr_threshold for every matrix (the paper's); by size: Saaty's limits by order.
    cr_threshold_rule = models.CharField(
        _("CR threshold rule"),
        max_length=8,
        choices=CRThresholdRule.choices,
        default=CRThresholdRule.FIXED,
    )
    cr_policy = models.CharField(
        _("CR policy"), max_length=8, choices=CRPolicy.choices, default=CRPolicy.BLOCK
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=4, choices=Aggregation.choices, default=Aggregation.AIJ
    )
    # Used with AIP only: AIJ's geometric mean of the judgments keeps the matrix reciprocal.
    aip_mean = models.CharField(
        _("AIP mean"), max_length=10, choices=AIPMean.choices, default=AIPMean.GEOMETRIC
    )
    # Experts may answer "I cannot compare these two" for a pair (issue 15 §1): their matrices
    # are then incomplete and weighed as evaluations/engine/incomplete describes. Crisp
    # weighting methods only (geometric → least squares, eigenvector → Harker).
    allow_skipped_comparisons = models.BooleanField(
        _("experts may skip comparisons"), default=False
    )
    # What experts may enter (evaluations.engine.scale); the numbers follow from the values
    # entered, whichever scale allowed them.
    judgment_scale = models.CharField(
        _("judgment scale"),
        max_length=12,
        choices=JudgmentScale.choices,
        default=JudgmentScale.VERBAL,
    )
    ballot_inclusion = models.CharField(
        _("ballots included"),
        max_length=12,
        choices=BallotInclusion.choices,
        default=BallotInclusion.SUBMITTED,
    )
    operator = models.CharField(
        _("composition operator"),
        max_length=16,
        choices=Operator.choices,
        default=Operator.PRODUCT_SUM,
    )
    # "Don't know" in rating ballots (evaluations/dont_know.py): off, every leaf needs a grade.
    allow_dont_know = models.BooleanField(_("experts may answer “don't know”"), default=False)
    # Below it the results warn that a leaf's membership row rests on few ratings.
    min_ratings_per_leaf = models.PositiveSmallIntegerField(
        _("minimum ratings per leaf"),
        default=dont_know.DEFAULT_MIN_RATINGS,
        validators=dont_know.range_validators(),
    )
    language = models.CharField(
        _("language of the questionnaire"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Invitations and the template's texts use this language."),
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    results_visible_to_experts = models.BooleanField(
        _("experts may see the results"), default=False
    )
    # Experts' comments are shown to the coordinator in the results and exports; a Delphi-style
    # panel keeps them anonymous (the default), others want to know who said what.
    comments_named = models.BooleanField(
        _("show experts' names with their comments"), default=False
    )
    # Paper forms typed in twice by two people, compared before they count (surveys/paper/).
    double_entry = models.BooleanField(_("double entry of paper forms"), default=False)
    # The robustness analysis run after each snapshot (DESIGN §2.9): its ranges, defaults and
    # messages are in evaluations/robustness/rules.py, shared with the form and the API.
    robustness_sources = models.CharField(
        _("sources of uncertainty"),
        max_length=9,
        choices=robustness_rules.SOURCES,
        default=robustness_rules.DEFAULT_SOURCES,
    )
    robustness_noise_steps = models.PositiveSmallIntegerField(
        _("noise steps (k)"),
        default=robustness_rules.DEFAULT_STEPS,
        validators=robustness_rules.range_validators("robustness_noise_steps"),
    )
    robustness_noise_draws = models.PositiveIntegerField(
        _("noise draws"),
        default=robustness_rules.DEFAULT_NOISE_DRAWS,
        validators=robustness_rules.range_validators("robustness_noise_draws"),
    )
    robustness_bootstrap_draws = models.PositiveIntegerField(
        _("bootstrap draws"),
        default=robustness_rules.DEFAULT_BOOTSTRAP_DRAWS,
        validators=robustness_rules.range_validators("robustness_bootstrap_draws"),
    )
    # Blank: a fresh seed for every analysis, recorded with it.
    robustness_seed = models.PositiveBigIntegerField(
        _("seed"),
        null=True,
        blank=True,
        validators=robustness_rules.range_validators("robustness_seed"),
    )
    agreement_threshold = models.FloatField(
        _("agreement threshold"),
        default=robustness_rules.DEFAULT_THRESHOLD,
        validators=[robustness_rules.validate_threshold],
    )
    # Off: the analysis stores "Expert n", never the name, for experts flagged or left out.
    flagged_experts_named = models.BooleanField(
        _("name the experts in the analysis"), default=False
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    # Bumped in the same transaction as every ballot change: results are stale while the latest
    # snapshot's version is below it (a counter, not a timestamp, so clocks cannot lie).
    input_version = models.PositiveBigIntegerField(_("input version"), default=0)
    input_changed_at = models.DateTimeField(_("input changed"), null=True, blank=True)
    # Set while a recompute task is queued and not yet started: later submissions see it and
    # queue nothing, so a burst coalesces into one recompute that reads them all.
    recompute_queued_at = models.DateTimeField(_("recompute queued"), null=True, blank=True)
    # Consecutive failed or interrupted recomputes since the last success or the last change;
    # past the cap a poison evaluation stops being retried until its input changes.
    recompute_attempts = models.PositiveSmallIntegerField(_("recompute attempts"), default=0)
    recompute_error = models.TextField(_("last recompute error"), blank=True)
    recompute_failed_at = models.DateTimeField(_("last recompute failure"), null=True, blank=True)
    # The robustness analysis's own claim, apart from the recompute's: set while an analysis
    # task is queued and not yet started, so a burst of snapshots queues one analysis.
    analysis_queued_at = models.DateTimeField(_("analysis queued"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(cr_threshold__gt=0) & Q(cr_threshold__lt=1),
                name="evaluation_cr_threshold_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(robustness_noise_steps__gte=robustness_rules.MIN_STEPS)
                & Q(robustness_noise_steps__lte=robustness_rules.MAX_STEPS),
                name="evaluation_robustness_steps_in_range",
            ),
            models.CheckConstraint(
                condition=Q(robustness_noise_draws__gte=robustness_rules.MIN_DRAWS)
                & Q(robustness_noise_draws__lte=robustness_rules.MAX_DRAWS)
                & Q(robustness_bootstrap_draws__gte=robustness_rules.MIN_DRAWS)
                & Q(robustness_bootstrap_draws__lte=robustness_rules.MAX_DRAWS),
                name="evaluation_robustness_draws_in_range",
            ),
            models.CheckConstraint(
                condition=Q(min_ratings_per_leaf__gte=dont_know.MIN_MIN_RATINGS)
                & Q(min_ratings_per_leaf__lte=dont_know.MAX_MIN_RATINGS),
                name="evaluation_min_ratings_per_leaf_in_range",
            ),
            models.CheckConstraint(
                condition=Q(agreement_threshold__gt=1),
                name="evaluation_agreement_threshold_above_1",
            ),
        ]

    def __str__(self) -> str:
        return self.title
