"""Which objects an API caller may reach: every API queryset starts here.

- Coordinators reach their own evaluations (everything about them).
- Experts reach their own memberships of open or closed panels (not revoked), their own
  ballots, and an evaluation's results when its coordinator shares them with the panel.
- A read-only token reaches what its owner may read (experts/authentication.TokenScope
  refuses its writes).
Anything else answers 404, so a caller cannot tell "not yours" from "missing".
"""

from django.db.models import Q, QuerySet

from experts.models import Invitation, PanelMembership
from surveys.selectors import memberships_of

from ..models import Evaluation


def coordinated(user) -> QuerySet[Evaluation]:
    """Evaluations the user coordinates."""
    return Evaluation.objects.filter(owner=user)


def results_readable(user) -> QuerySet[Evaluation]:
    """Evaluations whose results the user may read (the same rule as the results pages)."""
    shared = Q(
        results_visible_to_experts=True,
        memberships__user=user,
        memberships__invitation__status=Invitation.Status.ACCEPTED,
    )
    return Evaluation.objects.filter(Q(owner=user) | shared).distinct()


def memberships(user) -> QuerySet[PanelMembership]:
    """The user's panels as an expert: open or closed, not revoked (the pages' rule)."""
    return memberships_of(user=user)
