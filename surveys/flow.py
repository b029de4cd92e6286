"""Where an expert goes after submitting a form: the next form still to answer, or "all done".

The order is the questionnaire's: the pairwise forms in hierarchy order first (the weights), then
the rating ballots. A form is still to answer until its current answers are submitted, so one
with a draft on top of earlier submitted answers counts as still to answer too.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.models import Indicator, Subject
from evaluations.selectors import depth_first
from experts.models import PanelMembership

from .models import BallotStatus, PairwiseBallot, RatingBallot


@dataclass(frozen=True)
class NextForm:
    url: str
    name: str  # "U2 Human resource management", or the subject's name


def next_form(*, membership: PanelMembership) -> NextForm | None:
    """The first form of the panel not yet submitted as it stands, or None when all are.

    The forms are the questionnaire's (surveys.selectors.questionnaire), each marked done by
    the database (a ballot whose status is submitted) rather than with its ballot read whole:
    one query while a pairwise form is left, a second for the rating forms.
    """
    evaluation_id = membership.evaluation_id
    submitted = PairwiseBallot.objects.filter(
        membership=membership, parent=OuterRef("pk"), status=BallotStatus.SUBMITTED
    )
    indicators = Indicator.objects.filter(evaluation_id=evaluation_id).annotate(
        done=Exists(submitted)
    )
    tree = depth_first(indicators)
    child_count: dict[int, int] = {}
    for indicator, _depth in tree:
        if indicator.parent_id:
            child_count[indicator.parent_id] = child_count.get(indicator.parent_id, 0) + 1
    for parent, _depth in tree:
        matrix = child_count.get(parent.pk, 0) >= 2 and parent.given_weights is None
        if matrix and not parent.done:
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
    submitted = RatingBallot.objects.filter(
        membership=membership, subject=OuterRef("pk"), status=BallotStatus.SUBMITTED
    )
    pending = Subject.objects.filter(evaluation_id=evaluation_id).exclude(Exists(submitted))
    subject = pending.first()
    if subject is None:
        return None
    url = reverse("rating-form", args=[evaluation_id, subject.pk])
    return NextForm(url=url, name=subject.name)


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
