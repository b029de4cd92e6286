"""Reads with access control: a coordinator sees only their own evaluations."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, QuerySet
from django.http import Http404

from surveys.models import PairwiseBallot, RatingBallot

from .models import Evaluation, Indicator


def evaluation_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(owner=user).annotate(
        indicator_count=Count("indicators", distinct=True),
        subject_count=Count("subjects", distinct=True),
    )


def access_evaluation(*, user: AbstractBaseUser, evaluation_id: int) -> Evaluation:
    """The evaluation if the user owns it; 404 both for "missing" and "not yours"."""
    try:
        return Evaluation.objects.get(pk=evaluation_id, owner=user)
    except Evaluation.DoesNotExist:
        raise Http404 from None


def indicator_tree(*, evaluation: Evaluation) -> list[tuple[Indicator, int]]:
    """All indicators depth-first as (indicator, depth), in one query."""
    return depth_first(evaluation.indicators.all())


def depth_first(indicators: Iterable[Indicator]) -> list[tuple[Indicator, int]]:
    """Order indicators as the tree reads: each parent followed by its subtree."""
    children: dict[int | None, list[Indicator]] = {}
    for indicator in sorted(indicators, key=lambda i: (i.order, i.pk)):
        children.setdefault(indicator.parent_id, []).append(indicator)

    ordered: list[tuple[Indicator, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for indicator in children.get(parent_id, []):
            ordered.append((indicator, depth))
            walk(indicator.pk, depth + 1)

    walk(None, 0)
    return ordered


def evaluation_has_ballots(*, evaluation: Evaluation) -> bool:
    """Whether any expert has saved a ballot (draft or submitted): the structure is then locked.

    Changing indicators, grades or subjects under existing ballots would silently change what
    the experts answered.
    """
    return (
        PairwiseBallot.objects.filter(parent__evaluation=evaluation).exists()
        or RatingBallot.objects.filter(subject__evaluation=evaluation).exists()
    )
