"""Upload → preview → store. The preview reads every file, checks every answer cell and
each form as a submission would be checked, and keeps what it found on the server
(SpreadsheetUpload); "Store" saves exactly that through the ballot services
(surveys.services), which validate again: all files in one transaction (all or nothing), or
each file in its own (the files that are correct), as the coordinator chose.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.utils import get_column_letter

from evaluations.models import Evaluation, Indicator, Subject
from experts.models import Invitation, PanelMembership

from .. import services as ballots
from ..models import Channel
from ..ratings import ERROR_MISSING_RATING, ERROR_MISSING_RATING_OR_DONT_KNOW
from ..skipped import connection_error
from . import layout
from .layout import Structure
from .models import UPLOAD_LIFETIME, SpreadsheetUpload
from .reading import MAX_FILES, questionnaire_read

ERROR_NO_FILES = gettext_noop("Choose at least one .xlsx file to upload.")
ERROR_TOO_MANY_FILES = gettext_noop("At most {limit} files at a time.")
ERROR_NO_ANSWERS = gettext_noop("The questionnaire holds no answers.")
ERROR_INCONSISTENT = gettext_noop(
    "The judgments are inconsistent (CR = {cr} ≥ {threshold}) and the evaluation refuses "
    "inconsistent matrices: the expert must revise them."
)
ERROR_CHOOSE_MEMBER = gettext_noop(
    "Choose the panel member whose answers this blank questionnaire holds."
)
ERROR_NOT_A_MEMBER = gettext_noop("The chosen expert is not on this panel.")
ERROR_SAME_MEMBER = gettext_noop(
    "Another file of this upload holds answers of the same expert: upload one file per expert."
)
ERROR_EXPIRED = gettext_noop(
    "This preview has expired or was already stored. Upload the files again."
)


@dataclass
class Stored:
    """What a commit did: files stored, and the errors of the files that were not."""

    files: list[str] = field(default_factory=list)
    ballots: int = 0
    errors: list[dict] = field(default_factory=list)


def upload_preview(
    *, evaluation: Evaluation, user: AbstractBaseUser, files: list, mode: str
) -> SpreadsheetUpload:
    """Read the uploaded files (Django UploadedFiles) and keep what they say for the commit."""
    if not files:
        raise ValidationError({"files": _(ERROR_NO_FILES)})
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _(ERROR_TOO_MANY_FILES).format(limit=MAX_FILES)})
    if evaluation.status != Evaluation.Status.OPEN:
        raise ValidationError({"files": _(ballots.ERROR_NOT_OPEN)})
    structure = layout.structure_of(evaluation)
    members = {membership.pk for membership in upload_members(evaluation)}
    found, seen = [], set()
    for upload in files:
        read = questionnaire_read(
            name=upload.name or "?", upload=upload, structure=structure, members=members
        )
        checked = read.as_dict()
        if not read.errors:
            _check_forms(checked, structure)
        if checked["membership"] is not None and checked["membership"] in seen:
            _refuse(checked, _(ERROR_SAME_MEMBER))
        seen.add(checked["membership"])
        found.append(checked)
    # Previews nobody stored: dropped once they can no longer be stored.
    SpreadsheetUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_LIFETIME).delete()
    return SpreadsheetUpload.objects.create(
        evaluation=evaluation, user=user, mode=mode, files=found
    )


def _refuse(checked: dict, rule: str, sheet: str = "", cell: str = "") -> None:
    checked["errors"].append({"file": checked["name"], "sheet": sheet, "cell": cell, "rule": rule})


def _cell(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _check_forms(checked: dict, structure: Structure) -> None:
    """Each answered form as its submission would be checked: every pair answered (or
    skipped, the answered ones linking every element), the CR under the evaluation's policy,
    every leaf rated. A form left entirely empty is not stored (and not an error)."""
    evaluation = structure.evaluation
    checked["checks"] = {}
    for matrix in structure.matrices:
        answers = checked["pairwise"].get(str(matrix.parent.pk))
        if answers is not None:
            _check_matrix(checked, matrix, answers, evaluation)
    missing = ERROR_MISSING_RATING
    if evaluation.allow_dont_know:
        missing = ERROR_MISSING_RATING_OR_DONT_KNOW
    for subject in structure.subjects:
        answers = checked["ratings"].get(str(subject.pk))
        if answers is None:
            continue
        sheet = checked["sheets"].get(f"rating-{subject.pk}", "")
        for offset, leaf in enumerate(structure.leaves):
            if str(leaf.pk) not in answers:
                cell = _cell(layout.FIRST_ROW + offset, layout.GRADE_COL)
                _refuse(checked, _(missing).format(code=leaf.code), sheet, cell)
    if not checked["pairwise"] and not checked["ratings"] and not checked["errors"]:
        _refuse(checked, _(ERROR_NO_ANSWERS))


def _check_matrix(checked: dict, matrix, answers: dict, evaluation: Evaluation) -> None:
    sheet = checked["sheets"].get(f"pairwise-{matrix.parent.pk}", "")
    children = matrix.children
    complete = True
    for i, row in enumerate(children):
        for j in range(i + 1, len(children)):
            col = children[j]
            if ballots.pair_key(row, col) not in answers:
                complete = False
                message = _(ballots.ERROR_MISSING_JUDGMENT).format(row=row.code, col=col.code)
                _refuse(checked, message, sheet, _cell(layout.FIRST_ROW + i, layout.FIRST_COL + j))
    if not complete:
        return
    unlinked = connection_error(children, ballots.pairwise_matrix(children, answers))
    if unlinked is not None:
        _refuse(checked, unlinked[1], sheet)
        return
    check = ballots.pairwise_consistency(
        evaluation=evaluation, children=children, judgments=answers
    )
    checked["checks"][str(matrix.parent.pk)] = {
        "cr": check.cr,
        "consistent": check.consistent,
        "threshold": check.threshold,
    }
    if evaluation.cr_policy == Evaluation.CRPolicy.BLOCK and check.consistent is False:
        cr = "∞" if check.cr is None else f"{check.cr:.3f}"
        message = _(ERROR_INCONSISTENT).format(cr=cr, threshold=f"{check.threshold:g}")
        _refuse(checked, message, sheet)


def suggested_member(respondent: str, memberships: list[PanelMembership]) -> int | None:
    """The member whose name (or e-mail) is the typed name, ignoring case and spaces."""
    wanted = " ".join(respondent.split()).casefold()
    if not wanted:
        return None
    for membership in memberships:
        names = {membership.name, membership.email, membership.display_name}
        if wanted in {" ".join(name.split()).casefold() for name in names if name}:
            return membership.pk
    return None


def upload_members(evaluation: Evaluation) -> list[PanelMembership]:
    """The members a blank questionnaire may be stored for: not revoked."""
    revoked = Invitation.objects.filter(status=Invitation.Status.REVOKED).values("membership")
    return list(evaluation.memberships.exclude(pk__in=revoked).order_by("name", "email"))


class _RollBack(Exception):
    """Raised inside the all-or-nothing transaction to undo every file's saves."""


def upload_commit(
    *, upload: SpreadsheetUpload, user: AbstractBaseUser, members: dict[int, int | None]
) -> Stored:
    """Store the previewed answers. `members` names the membership of each blank file by its
    index in the upload. Nothing is stored in all-or-nothing mode if any file has an error."""
    if upload.expired:
        raise ValidationError({"token": _(ERROR_EXPIRED)})
    files = _assign_members(upload, members)
    result = Stored()
    if upload.mode == SpreadsheetUpload.Mode.ALL_OR_NOTHING:
        result.errors = [error for checked in files for error in checked["errors"]]
        if result.errors:
            return result
        try:
            with transaction.atomic():
                for checked in files:
                    result.ballots += _store_file(checked, upload, user)
                result.errors = [e for checked in files for e in checked["errors"]]
                if result.errors:
                    raise _RollBack
        except _RollBack:
            result.ballots = 0
            return result
        result.files = [checked["name"] for checked in files]
    else:
        for checked in files:
            if not checked["errors"]:
                with transaction.atomic():
                    count = _store_file(checked, upload, user)
                    if checked["errors"]:
                        transaction.set_rollback(True)
                        count = 0
                if count or not checked["errors"]:
                    result.files.append(checked["name"])
                    result.ballots += count
            result.errors += checked["errors"]
    upload.delete()
    return result


def _assign_members(upload: SpreadsheetUpload, members: dict) -> list[dict]:
    allowed = {membership.pk for membership in upload_members(upload.evaluation)}
    seen: set[int] = set()
    files = []
    for index, checked in enumerate(upload.files):
        checked = {**checked, "errors": list(checked["errors"])}
        if checked["membership"] is None and not checked["errors"]:
            chosen = members.get(index)
            if chosen is None:
                _refuse(checked, _(ERROR_CHOOSE_MEMBER))
            elif chosen not in allowed:
                _refuse(checked, _(ERROR_NOT_A_MEMBER))
            else:
                checked["membership"] = chosen
        if checked["membership"] is not None and not checked["errors"]:
            if checked["membership"] in seen:
                _refuse(checked, _(ERROR_SAME_MEMBER))
            seen.add(checked["membership"])
        files.append(checked)
    return files


def _store_file(checked: dict, upload: SpreadsheetUpload, user) -> int:
    """Submit every form the file answers; errors the services raise are added to the file's."""
    membership = PanelMembership.objects.get(pk=checked["membership"], evaluation=upload.evaluation)
    parents = Indicator.objects.in_bulk([int(key) for key in checked["pairwise"]])
    subjects = Subject.objects.in_bulk([int(key) for key in checked["ratings"]])
    pairwise, rating = ballots.pairwise_ballot_save, ballots.rating_ballot_save
    forms = [
        (f"pairwise-{key}", pairwise, {"parent": parents[int(key)], "judgments": answers})
        for key, answers in checked["pairwise"].items()
    ] + [
        (f"rating-{key}", rating, {"subject": subjects[int(key)], "ratings": answers})
        for key, answers in checked["ratings"].items()
    ]
    count = 0
    for sheet_key, save, form in forms:
        try:
            save(
                membership=membership, submit=True, channel=Channel.SPREADSHEET, actor=user, **form
            )
            count += 1
        except ValidationError as error:
            _service_errors(checked, checked["sheets"].get(sheet_key, ""), error)
    return count


def _service_errors(checked: dict, sheet: str, error: ValidationError) -> None:
    for message in error.messages:
        _refuse(checked, message, sheet)
