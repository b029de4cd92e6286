"""Where an expert goes after submitting a form: the next form still to answer, or "all done".

The order is the questionnaire's: the pairwise forms in hierarchy order first (the weights), then
the rating ballots. A form is still to answer until its current answers are submitted, so one
with a draft on top of earlier submitted answers counts as still to answer too.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.models import Indicator, Subject
from experts.models import PanelMembership

from .models import BallotStatus
from .selectors import questionnaire


@dataclass(frozen=True)
class NextForm:
    url: str
    name: str  # "U2 Human resource management", or the subject's name


def _pending(ballot) -> bool:
    return ballot is None or ballot.status != BallotStatus.SUBMITTED


def next_form(*, membership: PanelMembership) -> NextForm | None:
    """The first form of the panel not yet submitted as it stands, or None when all are."""
    forms = questionnaire(membership=membership)
    evaluation_id = membership.evaluation_id
    for parent, ballot in forms["matrices"]:
        if _pending(ballot):
            url = reverse("pairwise-form", args=[evaluation_id, parent.pk])
            return NextForm(url=url, name=f"{parent.code} {parent.name}")
    for subject, ballot in forms["subjects"]:
        if _pending(ballot):
            url = reverse("rating-form", args=[evaluation_id, subject.pk])
            return NextForm(url=url, name=subject.name)
    return None


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
