"""Reads of panels and invitations: who is where in the funnel, and the response figures.

The figures are what the paper reports ("200 sent, 180 valid = 90.00 %"); the evaluation list,
the panel page and the API all read them from here, in a constant number of queries.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from evaluations.models import Evaluation, Indicator, Subject

from .models import Invitation, PanelMembership

ERROR_INVITATION_UNKNOWN = gettext_noop(
    "This invitation link is not valid — it may have been replaced by a newer one; "
    "ask the coordinator."
)
ERROR_INVITATION_REVOKED = gettext_noop(
    "This invitation has been withdrawn by the coordinator. If you think this is a mistake, "
    "ask them to invite you again."
)
ERROR_INVITATION_EXPIRED = gettext_noop(
    "This invitation expired on {date}. Ask the coordinator to send you a new one."
)
ERROR_INVITATION_ACCEPTED = gettext_noop(
    "This invitation has already been accepted; the link works only once. "
    "Sign in to see your panels."
)
ERROR_INVITATION_DECLINED = gettext_noop(
    "This invitation has been declined. If you changed your mind, ask the coordinator to "
    "invite you again."
)


class InvitationUnusable(Exception):
    """The token leads nowhere usable. `status` is the HTTP answer: 404 unknown, 410 used up."""

    def __init__(self, *, reason: str, message: str, status: int):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status = status


# 32 random bytes = 256 bits: guessing a live link is hopeless even with millions of tries.
TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    """What is stored instead of the token: a leaked database yields no working links."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(*, token: str, for_update: bool = False) -> Invitation:
    """The invitation a link names, if it can still be answered; else InvitationUnusable."""
    invitations = Invitation.objects.select_related("membership__evaluation__owner")
    if for_update:
        # Lock only the invitation row (the other tables are joined, not locked), so two tabs
        # answering the same link are served one after the other.
        invitations = invitations.select_for_update(of=("self",))
    try:
        invitation = invitations.get(token_hash=hash_token(token))
    except Invitation.DoesNotExist:
        raise InvitationUnusable(
            reason="unknown", message=_(ERROR_INVITATION_UNKNOWN), status=404
        ) from None
    _check_answerable(invitation)
    return invitation


def _check_answerable(invitation: Invitation) -> None:
    statuses = Invitation.Status
    gone = {
        statuses.REVOKED: _(ERROR_INVITATION_REVOKED),
        statuses.ACCEPTED: _(ERROR_INVITATION_ACCEPTED),
        statuses.DECLINED: _(ERROR_INVITATION_DECLINED),
    }
    if invitation.status in gone:
        raise InvitationUnusable(
            reason=invitation.status, message=gone[invitation.status], status=410
        )
    if invitation.is_expired:
        date = f"{invitation.expires_at:%Y-%m-%d}"
        message = _(ERROR_INVITATION_EXPIRED).format(date=date)
        raise InvitationUnusable(reason="expired", message=message, status=410)


def access_membership(*, evaluation: Evaluation, membership_id: int) -> PanelMembership:
    """A membership of this (already access-checked) evaluation; 404 for anyone else's."""
    try:
        return PanelMembership.objects.select_related("evaluation").get(
            pk=membership_id, evaluation=evaluation
        )
    except PanelMembership.DoesNotExist:
        raise Http404 from None


def panel_emails(*, evaluation: Evaluation) -> set[str]:
    """E-mails already on the panel, lower-cased as the uniqueness constraint compares them."""
    return set(evaluation.memberships.values_list(Lower("email"), flat=True))


# --- Progress and the funnel ---------------------------------------------------------------


class Stage(models.TextChoices):
    """Where an expert is, from the coordinator's point of view (derived, never stored)."""

    NOT_INVITED = "not_invited", gettext_lazy("not invited")
    INVITED = "invited", gettext_lazy("invited")
    OPENED = "opened", gettext_lazy("opened")
    ACCEPTED = "accepted", gettext_lazy("accepted")
    IN_PROGRESS = "in_progress", gettext_lazy("in progress")
    SUBMITTED = "submitted", gettext_lazy("submitted")
    DECLINED = "declined", gettext_lazy("declined")
    EXPIRED = "expired", gettext_lazy("expired")
    REVOKED = "revoked", gettext_lazy("revoked")


# Reminders go to experts who can still act and have not finished.
REMINDABLE = (Stage.INVITED, Stage.OPENED, Stage.ACCEPTED, Stage.IN_PROGRESS)


@dataclass(frozen=True)
class Requirements:
    """The ballots a complete answer needs: a pairwise form per parent with ≥ 2 children and a
    rating ballot per subject."""

    parent_ids: frozenset[int] = field(default_factory=frozenset)
    ratings: int = 0

    @property
    def pairwise(self) -> int:
        return len(self.parent_ids)

    @property
    def total(self) -> int:
        return self.pairwise + self.ratings


@dataclass(frozen=True)
class PanelRow:
    """One expert with their progress; `membership.invitation` is loaded (or None)."""

    membership: PanelMembership
    invitation: Invitation | None
    requirements: Requirements
    pairwise_submitted: int
    pairwise_consistent: int
    ratings_submitted: int
    started: bool
    last_activity_at: datetime | None
    # Forms with answers not submitted: never submitted, or changed since (a draft on top).
    pairwise_drafts: int = 0
    ratings_drafts: int = 0

    @property
    def finished(self) -> bool:
        """Every required ballot submitted (an evaluation needing none has no finished expert)."""
        needs = self.requirements
        return (
            needs.total > 0
            and self.pairwise_submitted >= needs.pairwise
            and self.ratings_submitted >= needs.ratings
        )

    @property
    def inconsistent_count(self) -> int:
        """Submitted pairwise forms that fail the consistency check (not valid under "block")."""
        return self.pairwise_submitted - self.pairwise_consistent

    @property
    def stage(self) -> Stage:
        invitation = self.invitation
        # Forms typed in from paper (surveys/paper/) put an expert among those answering
        # whether or not they were invited, or accepted: a name-only expert never is.
        on_paper = self.submitted_ballots > 0
        if invitation is None:
            return self._answering_stage if on_paper else Stage.NOT_INVITED
        if invitation.status in (Invitation.Status.REVOKED, Invitation.Status.DECLINED):
            return Stage(invitation.status)
        if on_paper:
            return self._answering_stage
        if invitation.is_expired:
            return Stage.EXPIRED
        if invitation.status == Invitation.Status.ACCEPTED:
            return self._answering_stage
        if invitation.status == Invitation.Status.OPENED:
            return Stage.OPENED
        return Stage.INVITED

    @property
    def _answering_stage(self) -> Stage:
        if self.finished:
            return Stage.SUBMITTED
        return Stage.IN_PROGRESS if self.started else Stage.ACCEPTED

    @property
    def submitted_ballots(self) -> int:
        """Submitted ballots of this expert: what the results read of them."""
        return self.pairwise_submitted + self.ratings_submitted

    @property
    def answers_kept(self) -> bool:
        """Revoked, with the submitted answers kept in the results."""
        return self.stage == Stage.REVOKED and self.membership.answers_kept_after_revocation

    @property
    def counted_stage(self) -> Stage:
        """The stage the response figures count. A revoked expert whose answers were kept
        (only an accepted one has answers) counts as they stood, so that the figures describe
        the ballots the results contain."""
        return self._answering_stage if self.answers_kept else self.stage

    def is_valid(self, cr_policy: str) -> bool:
        """Complete, and under the "block" policy also every pairwise form consistent."""
        if self.counted_stage != Stage.SUBMITTED:
            return False
        if cr_policy == Evaluation.CRPolicy.WARN:
            return True
        return self.pairwise_consistent >= self.requirements.pairwise

    @property
    def paper_only(self) -> bool:
        """Known by name only: never invited, never reminded, answers typed in from paper."""
        return not self.membership.email

    @property
    def can_remind(self) -> bool:
        return self.stage in REMINDABLE and self.invitation is not None and not self.paper_only

    @property
    def can_resend(self) -> bool:
        # An accepted expert already has their account on the panel: a new link means nothing.
        # Nor does it once they are revoked: undoing the revocation brings them back.
        invitation = self.invitation
        if self.paper_only:
            return False
        if invitation is None:
            return True
        if invitation.status == Invitation.Status.REVOKED:
            return invitation.status_before_revocation != Invitation.Status.ACCEPTED
        return invitation.status != Invitation.Status.ACCEPTED

    @property
    def can_revoke(self) -> bool:
        # A name-only expert is revoked without having been invited (revocation.invitation_revoke).
        on_panel = self.invitation is not None or self.paper_only
        return on_panel and self.stage != Stage.REVOKED

    @property
    def can_restore(self) -> bool:
        return self.stage == Stage.REVOKED


def panel_requirements(*, evaluation_ids: Iterable[int]) -> dict[int, Requirements]:
    """Required ballots per evaluation, in two queries whatever the number of evaluations."""
    ids = list(evaluation_ids)
    parents: dict[int, set[int]] = {pk: set() for pk in ids}
    parent_rows = (
        Indicator.objects.filter(evaluation_id__in=ids)
        .annotate(child_count=Count("children"))
        .filter(child_count__gte=2)
        # A node with given weights asks the experts nothing (evaluations/given_weights).
        .filter(given_weights__isnull=True)
        .values_list("evaluation_id", "pk")
    )
    for evaluation_id, parent_id in parent_rows:
        parents[evaluation_id].add(parent_id)
    # Subjects are rated on the voted leaves: none when the coordinator gives or measures
    # every leaf's membership (issue 15 §2).
    subject_counts = dict(
        Subject.objects.filter(
            evaluation_id__in=ids,
            evaluation__indicators__children__isnull=True,
            evaluation__indicators__membership_source=Indicator.MembershipSource.VOTES,
        )
        .values("evaluation_id")
        .annotate(count=Count("pk", distinct=True))
        .values_list("evaluation_id", "count")
    )
    return {
        pk: Requirements(parent_ids=frozenset(parents[pk]), ratings=subject_counts.get(pk, 0))
        for pk in ids
    }


DRAFT = "draft"  # surveys.models.BallotStatus.DRAFT (surveys imports this app, not back)


def _with_progress(
    memberships: QuerySet[PanelMembership], parent_ids: Iterable[int]
) -> QuerySet[PanelMembership]:
    # Count only forms of required parents: a stray ballot must not make up for a missing one.
    # A ballot counts by its submitted copy, as in the results: a draft on top leaves it in.
    submitted = Q(
        pairwise_ballots__submitted_at__isnull=False,
        pairwise_ballots__parent_id__in=list(parent_ids),
    )
    return memberships.select_related("invitation").annotate(
        pairwise_submitted=Count("pairwise_ballots", filter=submitted, distinct=True),
        pairwise_consistent=Count(
            "pairwise_ballots",
            filter=submitted & Q(pairwise_ballots__submitted_consistent=True),
            distinct=True,
        ),
        ratings_submitted=Count(
            "rating_ballots",
            filter=Q(rating_ballots__submitted_at__isnull=False),
            distinct=True,
        ),
        pairwise_drafts=Count(
            "pairwise_ballots",
            filter=Q(
                pairwise_ballots__status=DRAFT, pairwise_ballots__parent_id__in=list(parent_ids)
            ),
            distinct=True,
        ),
        ratings_drafts=Count(
            "rating_ballots", filter=Q(rating_ballots__status=DRAFT), distinct=True
        ),
        pairwise_saved=Count("pairwise_ballots", distinct=True),
        ratings_saved=Count("rating_ballots", distinct=True),
        last_pairwise_at=Max("pairwise_ballots__updated_at"),
        last_rating_at=Max("rating_ballots__updated_at"),
    )


def _row(membership: PanelMembership, requirements: Requirements) -> PanelRow:
    invitation = getattr(membership, "invitation", None)
    moments = [
        membership.last_activity_at,
        membership.last_pairwise_at,
        membership.last_rating_at,
    ]
    if invitation is not None:
        moments += [invitation.sent_at, invitation.opened_at, invitation.responded_at]
    return PanelRow(
        membership=membership,
        invitation=invitation,
        requirements=requirements,
        pairwise_submitted=membership.pairwise_submitted,
        pairwise_consistent=membership.pairwise_consistent,
        ratings_submitted=membership.ratings_submitted,
        started=bool(membership.pairwise_saved or membership.ratings_saved),
        last_activity_at=max((m for m in moments if m is not None), default=None),
        pairwise_drafts=membership.pairwise_drafts,
        ratings_drafts=membership.ratings_drafts,
    )


def _rows(
    memberships: QuerySet[PanelMembership], requirements: dict[int, Requirements]
) -> list[PanelRow]:
    parent_ids = set().union(*(needs.parent_ids for needs in requirements.values()))
    return [
        _row(membership, requirements[membership.evaluation_id])
        for membership in _with_progress(memberships, parent_ids)
    ]


# --- Figures -------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal | None:
    """part / whole in per cent with two decimals, rounded half up as a paper prints it."""
    if whole == 0:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class PanelFigures:
    """The paper's response figures: sent (not revoked), submitted (complete), valid."""

    sent: int = 0
    submitted: int = 0
    valid: int = 0

    @property
    def response_rate(self) -> Decimal | None:
        return _percent(self.submitted, self.sent)

    @property
    def valid_rate(self) -> Decimal | None:
        return _percent(self.valid, self.sent)

    @property
    def response_rate_display(self) -> str:
        return _rate_display(self.response_rate)

    @property
    def valid_rate_display(self) -> str:
        return _rate_display(self.valid_rate)

    @property
    def summary(self) -> str:
        """ "180 valid of 200 sent, 90.00 %" — the line the paper reports."""
        if self.valid_rate is None:
            return _("%(valid)s valid of %(sent)s sent") % {"valid": self.valid, "sent": self.sent}
        return _("%(valid)s valid of %(sent)s sent, %(rate)s %%") % {
            "valid": self.valid,
            "sent": self.sent,
            "rate": self.valid_rate,
        }

    def __str__(self) -> str:
        return self.summary


def _rate_display(rate: Decimal | None) -> str:
    # No invitation sent: there is no rate, and 0.00 % would read as "everybody refused".
    return "—" if rate is None else _("%(rate)s %%") % {"rate": rate}


def figures_from_rows(rows: Iterable[PanelRow], *, cr_policy: str) -> PanelFigures:
    rows = list(rows)
    return PanelFigures(
        sent=sum(1 for row in rows if row.counted_stage not in (Stage.REVOKED, Stage.NOT_INVITED)),
        submitted=sum(1 for row in rows if row.counted_stage == Stage.SUBMITTED),
        valid=sum(1 for row in rows if row.is_valid(cr_policy)),
    )


def figures_for_evaluations(*, evaluations: Iterable[Evaluation]) -> dict[int, PanelFigures]:
    """Figures of many evaluations (the list page, the API) in three queries in all."""
    evaluations = list(evaluations)
    ids = [evaluation.pk for evaluation in evaluations]
    requirements = panel_requirements(evaluation_ids=ids)
    rows_by_evaluation: dict[int, list[PanelRow]] = {pk: [] for pk in ids}
    for row in _rows(PanelMembership.objects.filter(evaluation_id__in=ids), requirements):
        rows_by_evaluation[row.membership.evaluation_id].append(row)
    return {
        evaluation.pk: figures_from_rows(
            rows_by_evaluation[evaluation.pk], cr_policy=evaluation.cr_policy
        )
        for evaluation in evaluations
    }


def evaluation_figures(*, evaluation: Evaluation) -> PanelFigures:
    return figures_for_evaluations(evaluations=[evaluation])[evaluation.pk]


# --- Pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelOverview:
    evaluation: Evaluation
    rows: list[PanelRow]
    figures: PanelFigures
    requirements: Requirements

    @property
    def stage_counts(self) -> list[tuple[Stage, int]]:
        """How many experts are at each stage, in funnel order, stages with nobody left out."""
        counts = Counter(row.stage for row in self.rows)
        return [(stage, counts[stage]) for stage in Stage if counts[stage]]

    @property
    def remindable_count(self) -> int:
        return sum(1 for row in self.rows if row.can_remind)

    def row_of(self, membership: PanelMembership) -> PanelRow:
        return next(row for row in self.rows if row.membership.pk == membership.pk)


def panel_overview(*, evaluation: Evaluation) -> PanelOverview:
    """Everything the panel page shows, in three queries whatever the panel's size."""
    requirements = panel_requirements(evaluation_ids=[evaluation.pk])
    rows = _rows(evaluation.memberships.all(), requirements)
    for row in rows:
        # Spare a query per row when templates or services follow membership.evaluation.
        row.membership.evaluation = evaluation
    return PanelOverview(
        evaluation=evaluation,
        rows=rows,
        figures=figures_from_rows(rows, cr_policy=evaluation.cr_policy),
        requirements=requirements[evaluation.pk],
    )


@dataclass(frozen=True)
class RevocationEffect:
    """What revoking one expert would do: the submitted ballots that leave the results (unless
    kept) and the panel's figures before and after, either way."""

    row: PanelRow
    before: PanelFigures
    if_left_out: PanelFigures
    if_kept: PanelFigures

    @property
    def pairwise(self) -> int:
        return self.row.pairwise_submitted

    @property
    def ratings(self) -> int:
        return self.row.ratings_submitted

    @property
    def has_answers(self) -> bool:
        return self.row.submitted_ballots > 0

    def after(self, *, keep_answers: bool) -> PanelFigures:
        return self.if_kept if keep_answers else self.if_left_out


def revocation_effect(*, evaluation: Evaluation, membership: PanelMembership) -> RevocationEffect:
    """The effect of revoking `membership`, computed with the panel page's own figures."""
    overview = panel_overview(evaluation=evaluation)
    row = overview.row_of(membership)
    # A revoked expert whose answers leave counts nowhere in the figures, as if not on the panel.
    if_left_out = figures_from_rows(
        [other for other in overview.rows if other is not row], cr_policy=evaluation.cr_policy
    )
    # Kept answers count as they stand; an expert with none has nothing to keep.
    if_kept = overview.figures if row.submitted_ballots else if_left_out
    return RevocationEffect(
        row=row, before=overview.figures, if_left_out=if_left_out, if_kept=if_kept
    )


def panel_rows(*, evaluation: Evaluation) -> list[PanelRow]:
    return panel_overview(evaluation=evaluation).rows


def _joined(user: AbstractBaseUser) -> QuerySet[PanelMembership]:
    accepted = Invitation.Status.ACCEPTED
    return PanelMembership.objects.filter(user=user, invitation__status=accepted)


def lands_on_my_panels(*, user: AbstractBaseUser) -> bool:
    """Whether signing in should lead to My panels: on a panel, and owning no evaluation."""
    return _joined(user).exists() and not Evaluation.objects.filter(owner=user).exists()


def joined_panel_count(*, user: AbstractBaseUser) -> int:
    """The panels the user has joined as an expert (as My panels lists them)."""
    return _joined(user).count()


def expert_panels(*, user: AbstractBaseUser) -> list[PanelRow]:
    """The panels a signed-in expert has joined (accepted and not revoked since)."""
    memberships = (
        PanelMembership.objects.filter(user=user, invitation__status=Invitation.Status.ACCEPTED)
        .select_related("evaluation__owner")
        .order_by("-evaluation__created_at", "-pk")
    )
    requirements = panel_requirements(
        evaluation_ids=memberships.values_list("evaluation_id", flat=True)
    )
    return _rows(memberships, requirements)
