"""What an evaluation is about: its indicator hierarchy, grades and subjects."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .evaluation import Evaluation


class Indicator(models.Model):
    """A node of the hierarchy; the root (no parent) is the goal U."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    recommendation = models.TextField(_("improvement recommendation"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Direct weights for this node's children (evaluations/given_weights): null means the
    # panel compares them pairwise, as by default. Otherwise {"<child id>": weight}, every
    # child present, positive, normalised to sum 1 by the service that stores them.
    given_weights = models.JSONField(_("given weights"), null=True, blank=True, default=None)
    given_weights_source = models.CharField(
        _("source of the given weights"), max_length=300, blank=True
    )

    # Direct membership of a leaf (issue 15 §2; evaluations.engine.measured): where its
    # membership row comes from. Ignored on a parent; the defaults are the experts' votes.
    class MembershipSource(models.TextChoices):
        VOTES = "votes", _("Experts' votes")
        GIVEN = "given", _("Membership row given by the coordinator")
        MEASURED = "measured", _("Measured value mapped through grade thresholds")

    class Better(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class ThresholdShape(models.TextChoices):
        CRISP = "crisp", _("Crisp: the value's grade only")
        LINEAR = "linear", _("Linear between neighbouring grades")

    membership_source = models.CharField(
        _("membership source"),
        max_length=10,
        choices=MembershipSource.choices,
        default=MembershipSource.VOTES,
    )
    better = models.CharField(
        _("better values"), max_length=10, choices=Better.choices, default=Better.HIGHER
    )
    # The grade count − 1 boundaries between the grades, strictly monotone.
    thresholds = models.JSONField(_("grade thresholds"), default=list, blank=True)
    threshold_shape = models.CharField(
        _("threshold shape"),
        max_length=10,
        choices=ThresholdShape.choices,
        default=ThresholdShape.CRISP,
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "code"], name="indicator_code_unique_per_evaluation"
            ),
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=Q(parent__isnull=True),
                name="indicator_one_root_per_evaluation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Grade(models.Model):
    """One grade of the evaluation's comment set Y, best first (order 0 is the best)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="grades")
    name = models.CharField(_("name"), max_length=100)
    score = models.FloatField(_("score"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "name"], name="grade_name_unique_per_evaluation"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    """What is rated: an enterprise or a management mode."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="subjects")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "name"], name="subject_name_unique_per_evaluation"
            ),
        ]

    def __str__(self) -> str:
        return self.name
