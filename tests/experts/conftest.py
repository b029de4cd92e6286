"""Panel personas: invited experts (with their raw links) and an expert who has accepted."""

import pytest
from django.utils import timezone

from evaluations.models import Indicator
from experts.services import invitation_accept, panel_add_experts
from surveys.models import BallotStatus, PairwiseBallot, RatingBallot

BASE_URL = "http://testserver"


def token_of(link: str) -> str:
    """The raw token at the end of an invitation link (…/invitations/<token>/)."""
    return link.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def invite(evaluation, coordinator):
    """Add experts by e-mail; returns their raw tokens in order."""

    def invite_(*emails: str, to=None) -> list[str]:
        links = panel_add_experts(
            evaluation=to or evaluation,
            actor=coordinator,
            text="\n".join(emails),
            base_url=BASE_URL,
        )
        return [token_of(link) for link in links]

    return invite_


@pytest.fixture
def expert(make_user, invite, evaluation):
    """Bob, on the evaluation's panel with an accepted invitation and no ballot yet."""
    user = make_user("bob")
    (token,) = invite("bob@example.com")
    invitation_accept(token=token, user=user)
    return user


@pytest.fixture
def expert_membership(expert, evaluation):
    return evaluation.memberships.get(user=expert)


def required_parents(evaluation) -> list[Indicator]:
    return [p for p in evaluation.indicators.all() if p.children.count() >= 2]


def answer(membership, *, consistent: bool = True, pairwise: int | None = None, ratings=None):
    """Give the membership submitted ballots: all required ones unless counts are given."""
    evaluation = membership.evaluation
    parents = required_parents(evaluation)
    subjects = list(evaluation.subjects.all())
    now = timezone.now()
    for parent in parents[:pairwise]:
        PairwiseBallot.objects.create(
            membership=membership,
            parent=parent,
            status=BallotStatus.SUBMITTED,
            cr=0.02 if consistent else 0.3,
            consistent=consistent,
            submitted_at=now,
            submitted_judgments={},
            submitted_cr=0.02 if consistent else 0.3,
            submitted_consistent=consistent,
        )
    for subject in subjects[:ratings]:
        RatingBallot.objects.create(
            membership=membership,
            subject=subject,
            status=BallotStatus.SUBMITTED,
            submitted_at=now,
            submitted_ratings={},
        )


@pytest.fixture
def answered(make_user, invite, evaluation):
    """Accept n invitations and answer them; returns the memberships."""

    def answered_(*emails: str, consistent: bool = True):
        memberships = []
        for token, email in zip(invite(*emails), emails, strict=True):
            user = make_user(email.split("@")[0])
            membership = invitation_accept(token=token, user=user)
            answer(membership, consistent=consistent)
            memberships.append(membership)
        return memberships

    return answered_
