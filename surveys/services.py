"""Saving, submitting and withdrawing ballots. Each is one transaction that also marks
results stale when what the results read changes.

Judgments arrive keyed "<row id>-<col id>" for the upper triangle of the parent's children in
their order, each {"value": b_xy, "comment": str}, or {"skipped": true, …} for a pair the
expert cannot compare where the evaluation allows it (surveys.skipped); ratings keyed
"<leaf id>" → {"grade": id, "comment": str}, or {"grade": None, "dont_know": True, "comment":
str} where the evaluation allows "don't know". A draft may be incomplete; a submission must
answer or skip every pair (the answered ones linking every element) and rate every leaf, and
under the evaluation's `block` policy be consistent.

A ballot keeps the working copy and the submitted copy apart (see surveys.models): a draft
changes only the working copy, so what an expert submitted stays in the results until they
submit again or withdraw. Every submission and withdrawal is kept as a BallotRevision and
logged in the evaluation's activity.
"""

from dataclasses import dataclass

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.engine import ahp
from evaluations.models import AuditEntry, Evaluation, Indicator, Subject
from evaluations.services.audit import audit_record
from evaluations.services.pipeline import results_mark_stale
from experts.activity import activity_record
from experts.models import Invitation, PanelMembership

from .consistency import evaluation_cr_limit
from .consistency import pairwise_ballots_reassess as pairwise_ballots_reassess  # re-export
from .models import BallotRevision, BallotStatus, Channel, PairwiseBallot, RatingBallot

# The comment rule is shared by both kinds of ballot; views and the API read it from here.
from .ratings import COMMENT_LIMIT, ERROR_COMMENT_TOO_LONG, ERROR_UNKNOWN_SUBJECT, clean_ratings
from .scales import ERROR_NOT_ON_SCALE as ERROR_NOT_ON_SCALE  # re-export
from .scales import refusal
from .scales import scale_value as scale_value  # re-export: the pages redraw with it
from .skipped import connection_error, incomplete_check, skip_errors

VOTES = Indicator.MembershipSource.VOTES

ERROR_NOT_OPEN = gettext_noop("The panel is not open, so ballots cannot be changed.")
ERROR_REVOKED = gettext_noop(
    "Your invitation to this panel was revoked, so your answers can no longer be changed."
)
ERROR_NOT_A_MATRIX = gettext_noop("{code} has fewer than two sub-indicators to compare.")
ERROR_GIVEN_WEIGHTS = gettext_noop(
    "The coordinator has given the weights of the sub-indicators of {code} directly, so they "
    "are no longer compared. Answers you submitted earlier are kept."
)
ERROR_UNKNOWN_PAIR = gettext_noop("“{pair}” is not a comparison of this form.")
ERROR_MISSING_JUDGMENT = gettext_noop("{row} vs {col}: choose a value before submitting.")
ERROR_INCONSISTENT = gettext_noop(
    "The judgments are inconsistent (CR = {cr} ≥ {threshold}). Revise the judgments flagged "
    "below, then submit again."
)
ERROR_LEAF_NOT_VOTED = gettext_noop(
    "{code} is not rated by the experts: the coordinator gives its membership (given row or "
    "measured value). Leave it out."
)
ERROR_NOTHING_TO_WITHDRAW = gettext_noop("There is no submitted ballot here to withdraw.")


@dataclass(frozen=True)
class PaperSource:
    """Where a paper ballot came from: the number printed on the form and, under double entry,
    who typed it first (the revision's user typed it second)."""

    form_number: str = ""
    first_entered_by: AbstractBaseUser | None = None

    @property
    def detail(self) -> str:
        return f", form {self.form_number}" if self.form_number else ""

    @property
    def params(self) -> dict:
        params = {"form_number": self.form_number} if self.form_number else {}
        if self.first_entered_by is not None:
            params["first_entered_by"] = self.first_entered_by.get_username()
        return params


@dataclass(frozen=True)
class Consistency:
    """What the form shows while the expert answers: weights, CR and what to revise."""

    complete: bool
    weights: list[float] | None
    cr: float | None
    consistent: bool | None
    revisions: list[ahp.Revision]
    # The CR limit of this matrix (the fixed threshold, or by its size under that rule).
    threshold: float | None = None
    # Pairs skipped ("I cannot compare these two"), and when the pairs answered do not link
    # every element, the message naming a pair that would (then no weights exist).
    skipped: int = 0
    disconnected: str | None = None


def matrix_children(parent: Indicator) -> list[Indicator]:
    return list(parent.children.all())


def pair_key(row: Indicator, col: Indicator) -> str:
    return f"{row.pk}-{col.pk}"


def pairwise_consistency(
    *, evaluation: Evaluation, children: list[Indicator], judgments: dict
) -> Consistency:
    """Weights, CR and the judgments to revise (worst first) of complete judgments, every
    pair answered or skipped (surveys.skipped)."""
    threshold = evaluation_cr_limit(evaluation, len(children))
    matrix = pairwise_matrix(children, judgments)
    if matrix is None:
        return Consistency(False, None, None, None, [], threshold)
    if np.isnan(matrix).any():
        return Consistency(threshold=threshold, **incomplete_check(evaluation, children, matrix))
    result = ahp.priorities(
        matrix, method=evaluation.weighting_method, ri=evaluation.ri_table, threshold=threshold
    )
    # A weight of 0 (Chang's fuzzy method) implies no ratio to revise toward: the root
    # method's weights suggest the revisions then. Its CR is infinite: None here and stored,
    # as JSON has no infinity, with consistent False (the CR policy blocks it as any CR ≥ limit).
    positive = bool(np.all(result.weights > 0))
    revisions = []
    if not result.consistent:
        revisions = ahp.diagnose(
            matrix,
            weights=result.weights if positive else None,
            scale=evaluation.judgment_scale,
        )
    cr = float(result.cr) if np.isfinite(result.cr) else None
    weights = result.weights.tolist()
    return Consistency(True, weights, cr, result.consistent, revisions, threshold)


def _clean_judgments(
    children: list[Indicator], raw: dict, *, submit: bool, evaluation: Evaluation
) -> dict:
    judgment_scale = evaluation.judgment_scale
    pairs = {
        pair_key(row, col): (row, col)
        for x, row in enumerate(children)
        for col in children[x + 1 :]
    }
    errors: dict[str, list[str]] = {}
    for key in raw:
        if key not in pairs:
            errors.setdefault("judgments", []).append(_(ERROR_UNKNOWN_PAIR).format(pair=key))
    cleaned = {}
    for key, (row, col) in pairs.items():
        answer = raw.get(key) or {}
        value, comment = answer.get("value"), str(answer.get("comment") or "").strip()
        if len(comment) > COMMENT_LIMIT:
            message = _(ERROR_COMMENT_TOO_LONG).format(key=key, limit=COMMENT_LIMIT)
            errors.setdefault(key, []).append(message)
        skipped, refused = skip_errors(answer, row, col, evaluation=evaluation)
        if refused:
            errors.setdefault(key, []).extend(refused)
            continue
        if skipped:
            cleaned[key] = {"value": None, "skipped": True, "comment": comment}
            continue
        if value is None or value == "":
            if submit:
                message = _(ERROR_MISSING_JUDGMENT).format(row=row.code, col=col.code)
                errors.setdefault(key, []).append(message)
            value = None
        else:
            value = scale_value(value, judgment_scale)
            if value is None:
                message = refusal(
                    row=row.code,
                    col=col.code,
                    value=answer.get("value"),
                    judgment_scale=judgment_scale,
                )
                errors.setdefault(key, []).append(message)
        if value is not None or comment:
            cleaned[key] = {"value": value, "comment": comment}
    if submit and not errors:  # with skipped pairs, the answered ones must link every element
        unlinked = connection_error(children, pairwise_matrix(children, cleaned))
        if unlinked is not None:
            errors[unlinked[0]] = [unlinked[1]]
    if errors:
        raise ValidationError(errors)
    return cleaned


# The evaluation's settings that a save checks: its 45 columns read whole cost more than the
# rest of the evaluation's query. Another field read from the locked copy costs a query.
BALLOT_RULES = (
    "status",
    "weighting_method",
    "ri_table",
    "cr_threshold",
    "cr_threshold_rule",
    "cr_policy",
    "allow_skipped_comparisons",
    "judgment_scale",
    "allow_dont_know",
)


def _lock_membership(membership: PanelMembership) -> PanelMembership:
    # Serialise one expert's concurrent saves (double clicks, autosave racing a submit): the
    # second waits here, then updates the row the first created.
    # The evaluation is not locked (every save of the panel would wait) but read after the
    # lock, in its own query: a change of settings locks the panel's memberships to reassess
    # the stored CRs (pairwise_ballots_reassess), and a save that waited for it must see the
    # new settings, which a row joined to the locked query would not show (it keeps the
    # version from before the wait).
    # The revocation is read after the lock too: a revocation locks the same row, so a save
    # that passed the page's access check just before it must not land after it. So it is
    # asked in the evaluation's query, not in the locking one: PostgreSQL re-reads a row it
    # waited for, but a joined or sub-selected row keeps its version from before the wait.
    locked = PanelMembership.objects.select_for_update().get(pk=membership.pk)
    revoked = Invitation.objects.filter(membership_id=locked.pk, status=Invitation.Status.REVOKED)
    locked.evaluation = (
        Evaluation.objects.only(*BALLOT_RULES)
        .annotate(membership_revoked=Exists(revoked))
        .get(pk=locked.evaluation_id)
    )
    if locked.evaluation.membership_revoked:
        raise ValidationError({"membership": _(ERROR_REVOKED)})
    if PanelMembership.user.is_cached(membership) and membership.user_id == locked.user_id:
        locked.user = membership.user  # the page's user: the revision names it without a query
    if locked.evaluation.status != Evaluation.Status.OPEN:
        raise ValidationError({"status": _(ERROR_NOT_OPEN)})
    return locked


@transaction.atomic
def pairwise_ballot_save(
    *,
    membership: PanelMembership,
    parent: Indicator,
    judgments: dict,
    submit: bool,
    channel: Channel = Channel.PAGE,
    actor: AbstractBaseUser | None = None,
    paper: PaperSource | None = None,
) -> PairwiseBallot:
    """Save a draft or submit one expert's judgment matrix for `parent`.

    `actor` is who did it (the expert unless given: a coordinator typing in a paper ballot);
    `paper` the paper form's number and first typist, kept on the revision (surveys/paper/).
    """
    membership = _lock_membership(membership)
    evaluation = membership.evaluation
    children = matrix_children(parent)
    if parent.evaluation_id != evaluation.pk or len(children) < 2:
        raise ValidationError({"parent": _(ERROR_NOT_A_MATRIX).format(code=parent.code)})
    # Read fresh, not from the page's copy of the parent: the coordinator may have given the
    # weights since. A save racing that switch is harmless: kept, and left out of the results.
    if Indicator.objects.filter(pk=parent.pk, given_weights__isnull=False).exists():
        raise ValidationError({"parent": _(ERROR_GIVEN_WEIGHTS).format(code=parent.code)})
    cleaned = _clean_judgments(children, judgments, submit=submit, evaluation=evaluation)
    check = pairwise_consistency(evaluation=evaluation, children=children, judgments=cleaned)
    blocked = evaluation.cr_policy == Evaluation.CRPolicy.BLOCK and check.consistent is False
    if submit and blocked:
        message = _(ERROR_INCONSISTENT).format(
            cr="∞" if check.cr is None else f"{check.cr:.3f}", threshold=f"{check.threshold:g}"
        )
        raise ValidationError({"judgments": message})
    ballot = _existing(PairwiseBallot, membership, parent=parent)
    ballot = ballot or PairwiseBallot(membership=membership, parent=parent)
    answers = {"judgments": cleaned, "cr": check.cr, "consistent": check.consistent}
    return _store(
        ballot, membership, answers, submit=submit, channel=channel, actor=actor, paper=paper
    )


@transaction.atomic
def rating_ballot_save(
    *,
    membership: PanelMembership,
    subject: Subject,
    ratings: dict,
    submit: bool,
    channel: Channel = Channel.PAGE,
    actor: AbstractBaseUser | None = None,
    paper: PaperSource | None = None,
) -> RatingBallot:
    """Save a draft or submit one expert's grades of every leaf indicator for `subject`."""
    membership = _lock_membership(membership)
    evaluation = membership.evaluation
    if subject.evaluation_id != evaluation.pk:
        raise ValidationError({"subject": _(ERROR_UNKNOWN_SUBJECT).format(key=subject.pk)})
    leaves = list(evaluation.indicators.filter(children__isnull=True))
    # Leaves whose membership the coordinator gives (issue 15 §2) are not asked for.
    direct = {str(leaf.pk): leaf for leaf in leaves if leaf.membership_source != VOTES}
    refused = [direct[str(key)].code for key in ratings if str(key) in direct]
    if refused:
        raise ValidationError(
            {"ratings": [_(ERROR_LEAF_NOT_VOTED).format(code=code) for code in refused]}
        )
    leaves = [leaf for leaf in leaves if str(leaf.pk) not in direct]
    grades = {grade.pk for grade in evaluation.grades.all()}
    cleaned = clean_ratings(
        leaves, grades, ratings, submit=submit, dont_know=evaluation.allow_dont_know
    )
    ballot = _existing(RatingBallot, membership, subject=subject)
    ballot = ballot or RatingBallot(membership=membership, subject=subject)
    # Votes cast before a leaf stopped being voted stay stored (unused while it is not), so
    # they count again if the coordinator switches the leaf back to votes.
    kept = {key: answer for key, answer in (ballot.ratings or {}).items() if key in direct}
    cleaned = {**cleaned, **kept}
    answers = {"ratings": cleaned}
    return _store(
        ballot, membership, answers, submit=submit, channel=channel, actor=actor, paper=paper
    )


def _existing(model, membership: PanelMembership, **form):
    """The expert's ballot of this form (`parent=` or `subject=`) or None, holding the objects
    given, so that its revision and log line name them without reading them again."""
    ballot = model.objects.filter(membership=membership, **form).first()
    if ballot is not None:
        for name, value in form.items():
            setattr(ballot, name, value)
        ballot.membership = membership
    return ballot


def _store(
    ballot, membership: PanelMembership, answers: dict, *, submit, channel, actor, paper=None
):
    """Write the working copy; on submit also the submitted copy, a revision and an audit entry.

    `answers` names the working fields ("judgments", "cr", "consistent" or "ratings"); each has
    its "submitted_" twin. The first is the answers themselves, the others follow from them.
    """
    first = next(iter(answers))
    same_as_submitted = (
        ballot.submitted_at is not None and getattr(ballot, f"submitted_{first}") == answers[first]
    )
    if same_as_submitted and ballot.status == BallotStatus.SUBMITTED:
        # An autosave or a repeated submit (double click) of what already counts: nothing new.
        return ballot
    for name, value in answers.items():
        setattr(ballot, name, value)
    if submit and not same_as_submitted:
        for name, value in answers.items():
            setattr(ballot, f"submitted_{name}", value)
        ballot.submitted_at = timezone.now()
    # A draft that comes back to the submitted answers is the submitted ballot again.
    ballot.status = BallotStatus.SUBMITTED if submit or same_as_submitted else BallotStatus.DRAFT
    ballot.save()
    changed = submit and not same_as_submitted
    if changed:
        _record(
            ballot,
            membership,
            BallotRevision.Action.SUBMITTED,
            channel=channel,
            actor=actor,
            paper=paper,
        )
    # A draft on top of a submitted ballot leaves the results' input as it was.
    _touch(membership, results_changed=changed)
    return ballot


@transaction.atomic
def pairwise_ballot_withdraw(
    *,
    membership: PanelMembership,
    parent: Indicator,
    channel: Channel = Channel.PAGE,
    actor: AbstractBaseUser | None = None,
) -> PairwiseBallot:
    """Take the expert's submitted judgments for `parent` out of the results.

    The working copy stays as a draft, so the expert can change it and submit again.
    """
    membership = _lock_membership(membership)
    ballot = _existing(PairwiseBallot, membership, parent=parent)
    return _withdraw(ballot, membership, ("judgments", "cr", "consistent"), channel, actor)


@transaction.atomic
def rating_ballot_withdraw(
    *,
    membership: PanelMembership,
    subject: Subject,
    channel: Channel = Channel.PAGE,
    actor: AbstractBaseUser | None = None,
) -> RatingBallot:
    """Take the expert's submitted ratings of `subject` out of the results (draft kept)."""
    membership = _lock_membership(membership)
    ballot = _existing(RatingBallot, membership, subject=subject)
    return _withdraw(ballot, membership, ("ratings",), channel, actor)


def _withdraw(ballot, membership: PanelMembership, names: tuple[str, ...], channel, actor):
    if ballot is None or ballot.submitted_at is None:
        raise ValidationError({"status": _(ERROR_NOTHING_TO_WITHDRAW)})
    # The revision keeps what was withdrawn, so it is not lost with the submitted copy.
    _record(ballot, membership, BallotRevision.Action.WITHDRAWN, channel=channel, actor=actor)
    for name in names:
        setattr(ballot, f"submitted_{name}", None)
    ballot.submitted_at = None
    ballot.status = BallotStatus.DRAFT
    ballot.save()
    _touch(membership, results_changed=True)
    return ballot


def _record(
    ballot, membership: PanelMembership, action, *, channel, actor, paper=None
) -> BallotRevision:
    """The revision of the ballot's submitted copy, and its line in the activity log."""
    actor = actor if actor is not None else membership.user
    paper = paper or PaperSource()
    pairwise = isinstance(ballot, PairwiseBallot)
    revision = BallotRevision.objects.create(
        membership=membership,
        user=actor,
        parent=ballot.parent if pairwise else None,
        subject=None if pairwise else ballot.subject,
        action=action,
        channel=channel,
        answers=ballot.submitted_judgments if pairwise else ballot.submitted_ratings,
        cr=ballot.submitted_cr if pairwise else None,
        consistent=ballot.submitted_consistent if pairwise else None,
        created_at=timezone.now(),
        form_number=paper.form_number,
        first_entered_by=paper.first_entered_by,
    )
    if pairwise:
        params = {"kind": "pairwise", "code": ballot.parent.code}
        what = f"pairwise comparisons under {ballot.parent.code}"
    else:
        params = {"kind": "rating", "subject": ballot.subject.name}
        what = f"ratings of {ballot.subject.name}"
    if channel == Channel.PAPER:  # the actor typed it in: the log names whose form it was
        params["expert"] = membership.display_name
    audit_record(
        evaluation=membership.evaluation,
        actor=actor,
        action=(
            AuditEntry.Action.SUBMITTED
            if action == BallotRevision.Action.SUBMITTED
            else AuditEntry.Action.WITHDREW
        ),
        detail=f"{membership.display_name}: {what} (via {channel}{paper.detail})",
        params={**params, "channel": channel, "revision": revision.pk, **paper.params},
    )
    return revision


def _touch(membership: PanelMembership, *, results_changed: bool) -> None:
    activity_record(membership)  # to the minute: no write on most saves
    if results_changed:
        results_mark_stale(evaluation_id=membership.evaluation_id)


def pairwise_matrix(children: list[Indicator], judgments: dict) -> np.ndarray | None:
    """The full matrix once every pair is answered or skipped (NaN in both triangles for a
    skipped pair), else None."""
    values = []
    for x, row in enumerate(children):
        for col in children[x + 1 :]:
            answer = judgments.get(pair_key(row, col)) or {}
            if answer.get("skipped") is True:
                values.append(np.nan)
            elif answer.get("value") is None:
                return None
            else:
                values.append(float(answer["value"]))
    return ahp.from_upper(values, len(children))
