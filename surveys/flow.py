"""Where an expert goes after submitting a form: the next form still to answer, or "all done".

The order is the questionnaire's: the pairwise forms in hierarchy order first (the weights), then
the rating ballots. A form is still to answer until its current answers are submitted, so one
with a draft on top of earlier submitted answers counts as still to answer too.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.models import Indicator, Subject
from evaluations.selectors import depth_first
from experts.models import PanelMembership

from .models import BallotStatus, PairwiseBallot, RatingBallot

# What next_form reads of each indicator (depth_first orders by the first three).
TREE_FIELDS = ("pk", "parent_id", "order", "code", "name", "given_weights", "membership_source")


@dataclass(frozen=True)
class NextForm:
    url: str
    name: str  # "U2 Human resource management", or the subject's name


def next_form(*, membership: PanelMembership) -> NextForm | None:
    """The first form of the panel not yet submitted as it stands, or None when all are.

    The forms are the questionnaire's (surveys.selectors.questionnaire), read as rows, not
    model objects, with the ids of the forms whose ballots are submitted beside them rather
    than the ballots themselves (an Exists annotation would save a query at twice the CPU).
    """
    evaluation_id = membership.evaluation_id
    tree = depth_first(
        Indicator.objects.filter(evaluation_id=evaluation_id).values_list(*TREE_FIELDS, named=True)
    )
    done = _submitted(PairwiseBallot, membership, "parent_id")
    child_count: dict[int, int] = {}
    for indicator, _depth in tree:
        if indicator.parent_id:
            child_count[indicator.parent_id] = child_count.get(indicator.parent_id, 0) + 1
    for parent, _depth in tree:
        matrix = child_count.get(parent.pk, 0) >= 2 and parent.given_weights is None
        if matrix and parent.pk not in done:
            url = reverse("pairwise-form", args=[evaluation_id, parent.pk])
            return NextForm(url=url, name=f"{parent.code} {parent.name}")
    # With every leaf given or measured by the coordinator there is nothing to rate.
    voted = any(
        indicator.pk not in child_count
        and indicator.membership_source == Indicator.MembershipSource.VOTES
        for indicator, _depth in tree
    )
    if not voted:
        return None
    done = _submitted(RatingBallot, membership, "subject_id")
    for pk, name in Subject.objects.filter(evaluation_id=evaluation_id).values_list("pk", "name"):
        if pk not in done:
            return NextForm(url=reverse("rating-form", args=[evaluation_id, pk]), name=name)
    return None


def _submitted(model, membership: PanelMembership, form: str) -> set[int]:
    """The forms (`form`: "parent_id" or "subject_id") whose ballot is submitted as it stands."""
    ballots = model.objects.filter(membership=membership, status=BallotStatus.SUBMITTED)
    return set(ballots.values_list(form, flat=True))


def submitted_message(*, form: Indicator | Subject, following: NextForm | None) -> str:
    """What was just submitted, and what comes next (or that everything is in)."""
    if isinstance(form, Indicator):
        what = _("Submitted: your comparisons for %(form)s.") % {"form": f"{form.code} {form.name}"}
    else:
        what = _("Submitted: your ratings of %(form)s.") % {"form": form.name}
    if following is not None:
        return " ".join([what, _("Next: %(form)s.") % {"form": following.name}])
    done = _(
        "All done — thank you! Every form of this panel is submitted; you can revise your "
        "answers until the panel closes."
    )
    return " ".join([what, done])
