"""What the paper-entry pages show: the panel to pick from, one expert's forms, and two
typings of a form compared."""

from evaluations.models import Indicator
from evaluations.selectors import depth_first
from experts.models import PanelMembership
from experts.selectors import panel_overview
from surveys.history import answer_rows
from surveys.models import PairwiseBallot, RatingBallot

from .models import AssistantInvitation, DataEntryAssistant, PaperEntry
from .selectors import DataEntryAccess, form_entries, pending_entries
from .services import FORM_NUMBER_LIMIT, paper_mismatches


def _forms(evaluation, requirements) -> tuple[list[Indicator], list]:
    """The matrices (in the hierarchy's order) and subjects a complete answer needs."""
    tree = depth_first(evaluation.indicators.all())
    matrices = [indicator for indicator, _depth in tree if indicator.pk in requirements.parent_ids]
    subjects = list(evaluation.subjects.all()) if requirements.ratings else []
    return matrices, subjects


def home_context(access: DataEntryAccess) -> dict:
    evaluation = access.evaluation
    overview = panel_overview(evaluation=evaluation)
    context = {
        "access": access,
        "evaluation": evaluation,
        "rows": overview.rows,
        "requirements": overview.requirements,
        "pending": list(pending_entries(evaluation=evaluation)),
    }
    if access.is_coordinator:
        context["assistants"] = list(
            DataEntryAssistant.objects.filter(evaluation=evaluation).select_related("user")
        )
        context["assistant_invitations"] = list(
            AssistantInvitation.objects.filter(
                evaluation=evaluation, status__in=AssistantInvitation.OPEN
            )
        )
    return context


def member_context(access: DataEntryAccess, membership: PanelMembership) -> dict:
    evaluation = access.evaluation
    overview = panel_overview(evaluation=evaluation)
    matrices, subjects = _forms(evaluation, overview.requirements)
    pairwise = {b.parent_id: b for b in PairwiseBallot.objects.filter(membership=membership)}
    ratings = {b.subject_id: b for b in RatingBallot.objects.filter(membership=membership)}
    waiting = list(
        PaperEntry.objects.filter(
            membership=membership, status=PaperEntry.Status.PENDING
        ).select_related("entered_by", "parent", "subject")
    )
    return {
        "access": access,
        "evaluation": evaluation,
        "membership": membership,
        "row": overview.row_of(membership),
        "matrices": [
            (m, pairwise.get(m.pk), [e for e in waiting if e.parent_id == m.pk]) for m in matrices
        ],
        "subjects": [
            (s, ratings.get(s.pk), [e for e in waiting if e.subject_id == s.pk]) for s in subjects
        ],
    }


def compare_context(access: DataEntryAccess, entry: PaperEntry) -> dict:
    """The form's earliest waiting typing against the latest by someone else (None while it
    waits for its second typing); `entry` itself when nothing of its form waits any more."""
    entries = list(
        form_entries(membership=entry.membership, parent=entry.parent, subject=entry.subject)
    )
    first = entries[0] if entries else entry
    others = [e for e in entries if e.entered_by_id != first.entered_by_id]
    second = others[-1] if others else None
    evaluation = access.evaluation
    pairwise = entry.parent_id is not None
    return {
        "access": access,
        "evaluation": evaluation,
        "membership": entry.membership,
        "entry": entry,
        "entries": entries,
        "first": first,
        "second": second,
        "mismatches": paper_mismatches(first, second) if second else [],
        "first_rows": sorted(
            answer_rows(evaluation=evaluation, answers=first.answers, pairwise=pairwise).values(),
            key=lambda row: row["order"],
        ),
        "errors": {},
        "form_number_limit": FORM_NUMBER_LIMIT,
    }
