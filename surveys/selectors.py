"""What an expert may answer: their own accepted membership of a panel, else 404."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
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


def access_membership(
    *, user: AbstractBaseUser, evaluation_id: int, with_evaluation: bool = True
) -> PanelMembership:
    """The user's membership of this panel; 404 otherwise (revoked, draft, not theirs).

    `with_evaluation=False` for a save: the ballot services read the evaluation themselves,
    under the membership's lock, so the page's copy (and its owner) would be read for nothing.
    """
    memberships = memberships_of(user=user)
    if not with_evaluation:
        memberships = memberships.select_related(None)
    try:
        membership = memberships.get(evaluation_id=evaluation_id)
    except PanelMembership.DoesNotExist:
        raise Http404 from None
    membership.user = user  # the query matched it: a ballot's revision names it without a query
    return membership


def access_parent(*, membership: PanelMembership, parent_id: int) -> Indicator:
    """A parent indicator of the membership's evaluation with at least two children, compared
    pairwise (a node whose weights the coordinator gave asks the experts nothing).

    The parent and its children (in their order) come in one query; `parent.children.all()`
    then reads them from memory, as a prefetch would have.
    """
    rows = Indicator.objects.filter(
        Q(pk=parent_id) | Q(parent_id=parent_id), evaluation_id=membership.evaluation_id
    ).order_by("order", "id")
    parent = None
    children = []
    for row in rows:
        if row.pk == parent_id:
            parent = row
        elif row.parent_id == parent_id:
            children.append(row)
    if parent is None or len(children) < 2 or parent.given_weights is not None:
        raise Http404
    _children_known(parent, children)
    return parent


def _children_known(parent: Indicator, children: list[Indicator]) -> None:
    """Fill the parent's `children` as prefetch_related("children") does (Django's own
    prefetch cache): every later `parent.children.all()` is the list, without a query."""
    for child in children:
        child.parent = parent
    cached = parent.children.all()
    cached._result_cache = children
    cached._prefetch_done = True
    parent._prefetched_objects_cache = {"children": cached}


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
