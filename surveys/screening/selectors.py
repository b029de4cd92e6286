"""Reads with access control for the screening stage: a coordinator sees the surveys of their
own evaluations, an expert the surveys of the panels they have joined; 404 for "exists but not
yours", as evaluations.selectors.access_evaluation answers."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from evaluations.models import Evaluation
from experts.models import Invitation, PanelMembership

from .models import ItemDecision, ScreeningItem, ScreeningRound, ScreeningSurvey

Decision = ItemDecision.Decision


def surveys_for_coordinator(
    *, user: AbstractBaseUser, evaluation: Evaluation
) -> QuerySet[ScreeningSurvey]:
    """The evaluation's surveys if the user owns it; none otherwise."""
    return ScreeningSurvey.objects.filter(evaluation=evaluation, evaluation__owner=user)


def survey_for_coordinator(*, user: AbstractBaseUser, survey_id: int) -> ScreeningSurvey:
    """The survey if the user owns its evaluation; 404 both for "missing" and "not yours"."""
    try:
        return ScreeningSurvey.objects.select_related("evaluation").get(
            pk=survey_id, evaluation__owner=user
        )
    except ScreeningSurvey.DoesNotExist:
        raise Http404 from None


def answering_memberships(*, evaluation: Evaluation) -> QuerySet[PanelMembership]:
    """The experts who may answer the evaluation's screening rounds: those who have joined the
    panel (accepted, and not revoked or declined since), as experts.selectors.expert_panels
    counts them. Screening comes before the AHP stage, so a draft evaluation's panel answers
    too (surveys.selectors.memberships_of leaves drafts out: it is about the ballots)."""
    return PanelMembership.objects.filter(
        evaluation=evaluation, user__isnull=False, invitation__status=Invitation.Status.ACCEPTED
    )


def surveys_for_expert(*, user: AbstractBaseUser) -> QuerySet[ScreeningSurvey]:
    """The surveys with an open round on the panels the user has joined."""
    if not user.is_authenticated:
        return ScreeningSurvey.objects.none()
    # One filter() call, so the user and the accepted invitation are the same membership's.
    # Memberships are unique per evaluation and user and open rounds per survey: no duplicates.
    return ScreeningSurvey.objects.filter(
        evaluation__memberships__user=user,
        evaluation__memberships__invitation__status=Invitation.Status.ACCEPTED,
        rounds__status=ScreeningRound.Status.OPEN,
    ).select_related("evaluation")


def survey_for_expert(
    *, user: AbstractBaseUser, survey_id: int
) -> tuple[ScreeningSurvey, PanelMembership]:
    """The survey and the user's membership of its panel; 404 if they have not joined it."""
    if not user.is_authenticated:
        raise Http404
    survey = ScreeningSurvey.objects.select_related("evaluation").filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    membership = answering_memberships(evaluation=survey.evaluation).filter(user=user).first()
    if membership is None:
        raise Http404
    return survey, membership


def round_items(*, round: ScreeningRound) -> QuerySet[ScreeningItem]:
    """The items asked in `round`, in the order of the form.

    Read from the decisions, not from the items' status (which follows the latest decision):
    round n asks the items that join by round n and that no decision of an earlier round
    dropped or merged, so the history of a past round stays right after later decisions.
    """
    gone_before = ItemDecision.objects.filter(
        item=OuterRef("pk"),
        round__survey_id=round.survey_id,
        round__number__lt=round.number,
        decision__in=[Decision.DROP, Decision.MERGE],
    )
    return (
        ScreeningItem.objects.filter(
            question__survey_id=round.survey_id, first_round__lte=round.number
        )
        .exclude(Exists(gone_before))
        .select_related("question")
        .order_by("question__order", "question_id", "order", "pk")
    )


def round_latest(*, survey: ScreeningSurvey) -> ScreeningRound | None:
    """The survey's last round (open or closed), or None before round 1."""
    return survey.rounds.order_by("-number").first()
