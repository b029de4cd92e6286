"""The coordinator's inputs for leaves whose membership does not come from votes."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .structure import Indicator, Subject


class LeafInput(models.Model):
    """A given membership row or a measured value of one leaf, for one subject or for all.

    subject null = every subject (a given row that holds for all). A subject's own row wins
    over the shared one. `row` serves leaves with source "given", `value` those with source
    "measured"; both are kept when the source changes, so switching back loses nothing.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="inputs")
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="leaf_inputs"
    )
    row = models.JSONField(_("membership row"), null=True, blank=True)
    value = models.FloatField(_("measured value"), null=True, blank=True)

    class Meta:
        ordering = ["indicator_id", "subject_id", "id"]
        verbose_name = _("leaf input")
        verbose_name_plural = _("leaf inputs")
        constraints = [
            # One input per (leaf, subject); the shared one (subject null) needs its own rule,
            # as NULLs never collide in a unique constraint.
            models.UniqueConstraint(
                fields=["indicator", "subject"],
                condition=Q(subject__isnull=False),
                name="leaf_input_one_per_subject",
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(subject__isnull=True),
                name="leaf_input_one_shared",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.subject_id or '*'}"
