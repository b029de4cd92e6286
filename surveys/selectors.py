"""What an expert may answer: their own accepted membership of a panel, else 404."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from evaluations.models import Evaluation, Indicator
from evaluations.selectors import depth_first
from experts.models import Invitation, PanelMembership

from .models import PairwiseBallot, RatingBallot

VOTES = Indicator.MembershipSource.VOTES


def memberships_of(*, user: AbstractBaseUser) -> QuerySet[PanelMembership]:
    """The panels the user answers on: not revoked, and opened (nothing to answer in a draft).
    The pages and the API both scope experts with this."""
    return (
        PanelMembership.objects.filter(user=user)
        .exclude(invitation__status=Invitation.Status.REVOKED)
        .exclude(evaluation__status=Evaluation.Status.DRAFT)
        .select_related("evaluation", "evaluation__owner")
    )


def access_membership(*, user: AbstractBaseUser, evaluation_id: int) -> PanelMembership:
    """The user's membership of this panel; 404 otherwise (revoked, draft, not theirs)."""
    try:
        return memberships_of(user=user).get(evaluation_id=evaluation_id)
    except PanelMembership.DoesNotExist:
        raise Http404 from None


def access_parent(*, membership: PanelMembership, parent_id: int) -> Indicator:
    """A parent indicator of the membership's evaluation with at least two children, compared
    pairwise (a node whose weights the coordinator gave asks the experts nothing)."""
    parent = (
        Indicator.objects.filter(evaluation_id=membership.evaluation_id, pk=parent_id)
        .prefetch_related(Prefetch("children", queryset=Indicator.objects.order_by("order", "id")))
        .first()
    )
    if parent is None or len(parent.children.all()) < 2 or parent.given_weights is not None:
        raise Http404
    return parent


def questionnaire(*, membership: PanelMembership) -> dict:
    """The forms this expert has to fill, each with its ballot (or None), in hierarchy order."""
    evaluation = membership.evaluation
    tree = depth_first(evaluation.indicators.all())
    child_count: dict[int, int] = {}
    for indicator, _depth in tree:
        if indicator.parent_id:
            child_count[indicator.parent_id] = child_count.get(indicator.parent_id, 0) + 1
    pairwise = {b.parent_id: b for b in PairwiseBallot.objects.filter(membership=membership)}
    ratings = {b.subject_id: b for b in RatingBallot.objects.filter(membership=membership)}
    matrices = [
        (indicator, pairwise.get(indicator.pk))
        for indicator, _depth in tree
        if child_count.get(indicator.pk, 0) >= 2 and indicator.given_weights is None
    ]
    # Rating forms ask about the voted leaves; with every leaf given or measured by the
    # coordinator (issue 15 §2) there is nothing to rate.
    voted = any(
        indicator.pk not in child_count and indicator.membership_source == VOTES
        for indicator, _depth in tree
    )
    subjects = [(subject, ratings.get(subject.pk)) for subject in evaluation.subjects.all()]
    subjects = subjects if voted else []
    # Forms whose submitted answers count, a draft on top or not (as the panel page counts).
    submitted = sum(
        1 for _item, ballot in matrices + subjects if ballot and ballot.submitted_at is not None
    )
    return {
        "matrices": matrices,
        "subjects": subjects,
        "submitted": submitted,
        "total": len(matrices) + len(subjects),
    }
