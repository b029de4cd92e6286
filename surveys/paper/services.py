"""Typing in paper ballots, once or twice.

Every paper form goes through the expert's own ballot services (surveys.services) with
channel "paper" and the typist as actor, so the same validation, consistency check and block
policy apply and the revision records who typed it and the form's number.

Under the evaluation's "double entry" setting a typing is first kept as a PaperEntry, checked
as the real submission would check it (in a savepoint rolled back: nothing counts), and the
form counts only when a second person's typing of it is identical, cell by cell, or when the
coordinator picks the right value of every cell that differs.
"""

import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.models import AuditEntry, Indicator, Subject
from evaluations.services.audit import audit_record
from experts.models import PanelMembership

from .. import services as ballots
from ..history import answer_rows
from ..models import Channel
from .models import PaperEntry
from .selectors import form_entries, membership_revoked

FORM_NUMBER_LIMIT = 40
ERROR_FORM_NUMBER_LONG = gettext_noop("The form number has at most {limit} characters.")
ERROR_FORM_NUMBER_CHARACTERS = gettext_noop(
    "The form number may not contain control characters or line breaks."
)
ERROR_SAME_PERSON = gettext_noop(
    "You typed in the first entry of this form: the second entry must be typed by someone "
    "else. (The coordinator can discard a wrong entry.)"
)
ERROR_NOT_PENDING = gettext_noop("This paper entry is no longer waiting: it was {status}.")
ERROR_CHOICE = gettext_noop("{item}: choose the first or the second entry's value.")
ERROR_REVOKED_MEMBER = gettext_noop(
    "{name} was revoked from the panel: their paper forms cannot be typed in. The coordinator "
    "can undo the revocation on the panel page."
)

# Counted: saved through the ballot service. Pending: the first typing, waiting for its
# second. Mismatch: a typing that differs from the one(s) waiting (all kept).
COUNTED, PENDING, MISMATCH = "counted", "pending", "mismatch"


@dataclass
class PaperOutcome:
    status: str
    ballot: object | None = None
    entry: PaperEntry | None = None
    mismatches: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class PaperForm:
    """One expert's paper form: a matrix (parent) or a subject's ratings."""

    membership: PanelMembership
    parent: Indicator | None = None
    subject: Subject | None = None

    @property
    def pairwise(self) -> bool:
        return self.parent is not None

    def save(self, answers: dict, *, actor, paper: ballots.PaperSource):
        # The ballot service refuses it too (after its lock), in the expert's own words.
        if membership_revoked(membership=self.membership):
            name = self.membership.display_name
            raise ValidationError({"membership": _(ERROR_REVOKED_MEMBER).format(name=name)})
        if self.pairwise:
            return ballots.pairwise_ballot_save(
                membership=self.membership,
                parent=self.parent,
                judgments=answers,
                submit=True,
                channel=Channel.PAPER,
                actor=actor,
                paper=paper,
            )
        return ballots.rating_ballot_save(
            membership=self.membership,
            subject=self.subject,
            ratings=answers,
            submit=True,
            channel=Channel.PAPER,
            actor=actor,
            paper=paper,
        )

    def submitted(self, ballot) -> dict:
        return ballot.submitted_judgments if self.pairwise else ballot.submitted_ratings

    @property
    def label(self) -> str:
        if self.pairwise:
            return f"pairwise comparisons under {self.parent.code}"
        return f"ratings of {self.subject.name}"


def form_number_clean(text) -> str:
    """The number printed on the paper questionnaire: optional, short, one printable line."""
    number = str(text or "")
    if len(number) > FORM_NUMBER_LIMIT * 4:  # bounded before anything else reads it
        number = number[: FORM_NUMBER_LIMIT * 4]
    number = number.strip()
    if len(number) > FORM_NUMBER_LIMIT:
        message = _(ERROR_FORM_NUMBER_LONG).format(limit=FORM_NUMBER_LIMIT)
        raise ValidationError({"form_number": message})
    if any(unicodedata.category(char).startswith("C") for char in number):
        raise ValidationError({"form_number": _(ERROR_FORM_NUMBER_CHARACTERS)})
    return number


@transaction.atomic
def paper_ballot_enter(
    *, form: PaperForm, answers: dict, form_number: str, actor: AbstractBaseUser
) -> PaperOutcome:
    """Type in one paper form: it counts at once, or under double entry waits for (or is
    compared with) another person's typing of the same form."""
    number = form_number_clean(form_number)
    evaluation = form.membership.evaluation
    if not evaluation.double_entry:
        ballot = form.save(answers, actor=actor, paper=ballots.PaperSource(form_number=number))
        return PaperOutcome(COUNTED, ballot=ballot)
    cleaned = _checked(form, answers, actor)
    waiting = list(
        form_entries(membership=form.membership, parent=form.parent, subject=form.subject)
    )
    others = [entry for entry in waiting if entry.entered_by_id != actor.pk]
    if waiting and not others:
        raise ValidationError({"form_number": _(ERROR_SAME_PERSON)})
    for entry in others:
        if entry.answers == cleaned and entry.form_number == number:
            # Two people typed the same: the second typing counts, naming the first.
            paper = ballots.PaperSource(form_number=number, first_entered_by=entry.entered_by)
            ballot = form.save(cleaned, actor=actor, paper=paper)
            _close(waiting, actor)
            return PaperOutcome(COUNTED, ballot=ballot)
    entry = PaperEntry.objects.create(
        membership=form.membership,
        parent=form.parent,
        subject=form.subject,
        answers=cleaned,
        form_number=number,
        entered_by=actor,
    )
    _audit(form, actor, AuditEntry.Action.PAPER_ENTERED, entry, "typed in (waiting)")
    if not others:
        return PaperOutcome(PENDING, entry=entry)
    return PaperOutcome(MISMATCH, entry=entry, mismatches=paper_mismatches(others[0], entry))


class _DryRun(Exception):
    """Rolls back the savepoint of a check, carrying the answers it cleaned."""


def _checked(form: PaperForm, answers: dict, actor) -> dict:
    """The answers cleaned exactly as the real submission cleans them (same service, same
    errors), in a savepoint rolled back so that nothing is stored or counted."""
    try:
        with transaction.atomic():
            ballot = form.save(answers, actor=actor, paper=ballots.PaperSource())
            raise _DryRun(form.submitted(ballot))
    except _DryRun as dry_run:
        cleaned = dry_run.args[0]
    if form.pairwise:
        return cleaned
    # The submitted copy also keeps votes for leaves the coordinator now gives (surveys.services
    # keeps them); they are no typing's, and saving them again would be refused.
    given = {
        str(pk)
        for pk in form.subject.evaluation.indicators.filter(children__isnull=True)
        .exclude(membership_source=Indicator.MembershipSource.VOTES)
        .values_list("pk", flat=True)
    }
    return {key: answer for key, answer in cleaned.items() if key not in given}


def _close(entries: list[PaperEntry], actor, status=PaperEntry.Status.COUNTED) -> None:
    now = timezone.now()
    for entry in entries:
        entry.status, entry.closed_by, entry.closed_at = status, actor, now
        entry.save(update_fields=["status", "closed_by", "closed_at"])


def _audit(form: PaperForm, actor, action, entry: PaperEntry, what: str) -> None:
    number = f", form {entry.form_number}" if entry.form_number else ""
    audit_record(
        evaluation=form.membership.evaluation,
        actor=actor,
        action=action,
        detail=f"{form.membership.display_name}: {form.label} {what}{number}",
        params={
            "entry": entry.pk,
            "expert": form.membership.display_name,
            "form_number": entry.form_number,
            **(
                {"kind": "pairwise", "code": form.parent.code}
                if form.pairwise
                else {"kind": "rating", "subject": form.subject.name}
            ),
        },
    )


def paper_mismatches(first: PaperEntry, second: PaperEntry) -> list[dict]:
    """Every cell two typings of a form differ in, {key, item, first, second}: the form
    number first, then the answers in the form's order."""
    rows = []
    if first.form_number != second.form_number:
        rows.append(
            {
                "key": "form_number",
                "item": _("Form number"),
                "first": first.form_number or "—",
                "second": second.form_number or "—",
            }
        )
    evaluation, pairwise = first.membership.evaluation, first.parent_id is not None
    shown = [
        answer_rows(evaluation=evaluation, answers=entry.answers, pairwise=pairwise)
        for entry in (first, second)
    ]
    cells = []
    for key in first.answers.keys() | second.answers.keys():
        if first.answers.get(key) == second.answers.get(key):
            continue
        one, two = shown[0].get(key), shown[1].get(key)
        row = one or two
        cells.append(
            {
                "key": key,
                "item": f"{row['code']} {row['name']}".strip(),
                "order": row["order"],
                "first": _shown(one),
                "second": _shown(two),
            }
        )
    return rows + sorted(cells, key=lambda cell: cell["order"])


def _shown(row: dict | None) -> str:
    if row is None:
        return "—"
    answer = str(row.get("answer") or "—")
    return f"{answer} ({row['comment']})" if row.get("comment") else answer


@transaction.atomic
def paper_entries_resolve(
    *, first: PaperEntry, second: PaperEntry, choices: dict, actor: AbstractBaseUser
) -> object:
    """The coordinator's resolution of two typings that differ: for every cell that differs,
    `choices[key]` is "first" or "second"; the answers so chosen count (through the ballot
    service, as typed by the coordinator after the first typist), and every typing of the
    form waiting is closed as counted."""
    first, second = (_locked_pending(entry) for entry in (first, second))
    mismatches = paper_mismatches(first, second)
    errors = {
        cell["key"]: _(ERROR_CHOICE).format(item=cell["item"])
        for cell in mismatches
        if choices.get(cell["key"]) not in ("first", "second")
    }
    if errors:
        raise ValidationError(errors)
    answers = dict(first.answers)
    number = first.form_number
    for cell in mismatches:
        if choices[cell["key"]] != "second":
            continue
        if cell["key"] == "form_number":
            number = second.form_number
        elif cell["key"] in second.answers:
            answers[cell["key"]] = second.answers[cell["key"]]
        else:
            answers.pop(cell["key"], None)
    form = PaperForm(membership=first.membership, parent=first.parent, subject=first.subject)
    paper = ballots.PaperSource(form_number=number, first_entered_by=first.entered_by)
    ballot = form.save(answers, actor=actor, paper=paper)
    _close(
        list(form_entries(membership=form.membership, parent=form.parent, subject=form.subject)),
        actor,
    )
    return ballot


@transaction.atomic
def paper_entry_discard(*, entry: PaperEntry, actor: AbstractBaseUser) -> PaperEntry:
    """Throw one typing away (a wrong form, a typo caught): kept in the database, marked
    discarded, and logged."""
    entry = _locked_pending(entry)
    _close([entry], actor, status=PaperEntry.Status.DISCARDED)
    form = PaperForm(membership=entry.membership, parent=entry.parent, subject=entry.subject)
    _audit(form, actor, AuditEntry.Action.PAPER_DISCARDED, entry, "discarded")
    return entry


def _locked_pending(entry: PaperEntry) -> PaperEntry:
    # Two coordinator tabs resolving or discarding the same typing: the second waits here and
    # then finds it closed.
    locked = (
        PaperEntry.objects.select_for_update(of=("self",))
        .select_related("membership__evaluation", "parent", "subject", "entered_by")
        .get(pk=entry.pk)
    )
    if locked.status != PaperEntry.Status.PENDING:
        status = locked.get_status_display()
        raise ValidationError({"entry": _(ERROR_NOT_PENDING).format(status=status)})
    return locked
