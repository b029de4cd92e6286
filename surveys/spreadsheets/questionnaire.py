"""The XLSX questionnaire of one panel member (pre-filled with their current answers) or a
blank one, in the evaluation's language. Layout: layout.py; read back by reading.py.

Only the answer cells are unlocked; the sheets are protected without a password (the
instructions say so): protection keeps the layout the reader relies on from being edited by
accident, it is not a secret. Every text from users (names, codes, titles) goes through
evaluations.exports.neutralised, so no name runs as a formula.
"""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from evaluations.engine import scale
from evaluations.exports import neutralised
from evaluations.models import Evaluation
from experts.models import PanelMembership

from ..models import PairwiseBallot, RatingBallot
from ..wording import INTENSITY, token
from . import layout
from .layout import Structure

INPUT = PatternFill("solid", fgColor="FFFFFF")
LOCKED = PatternFill("solid", fgColor="E8E8E8")
HEADER = Font(bold=True)
OPEN = Protection(locked=False)
CONTINUOUS = "continuous"


def questionnaire_filename(evaluation: Evaluation, membership: PanelMembership | None) -> str:
    who = f"member-{membership.pk}" if membership else "blank"
    return f"questionnaire-{evaluation.pk}-{who}.xlsx"


def questionnaire_build(
    *, evaluation: Evaluation, membership: PanelMembership | None = None
) -> bytes:
    """The workbook's bytes; `membership` None is the blank questionnaire."""
    structure = layout.structure_of(evaluation)
    with translation.override(evaluation.language):
        words = vocabulary(evaluation)
        workbook = Workbook()
        instructions = workbook.active
        instructions.title = _("Instructions")[:31]
        matrix_titles, subject_titles = layout.sheet_titles(structure, _("Ratings"))
        meta = _meta_sheet(workbook, structure, membership, words, instructions.title)
        answers = _current_answers(membership)
        for matrix, title in zip(structure.matrices, matrix_titles, strict=True):
            sheet = workbook.create_sheet(title)
            _pairwise_sheet(sheet, matrix, structure, answers[0].get(matrix.parent.pk, {}), words)
        for subject, title in zip(structure.subjects, subject_titles, strict=True):
            sheet = workbook.create_sheet(title)
            _rating_sheet(sheet, subject, structure, answers[1].get(subject.pk, {}), words)
        _forms_index(meta, matrix_titles, subject_titles, structure)
        _instructions(instructions, structure, membership, words)
    workbook.move_sheet(meta, offset=len(workbook.sheetnames))
    workbook.security = WorkbookProtection(lockStructure=True)  # no renamed or moved sheets
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def vocabulary(evaluation: Evaluation) -> dict:
    """The words the file uses as answers (its own, in its language; the reader takes them from
    the file's meta sheet, so a file reads the same whatever the page's language)."""
    return {
        "skip": _("skip") if evaluation.allow_skipped_comparisons else "",
        "dont_know": _("don't know") if evaluation.allow_dont_know else "",
    }


def _current_answers(membership: PanelMembership | None) -> tuple[dict, dict]:
    """The member's working copies (what their form shows now), by parent and by subject."""
    if membership is None:
        return {}, {}
    pairwise = {
        b.parent_id: b.judgments
        for b in PairwiseBallot.objects.filter(membership=membership).only("parent", "judgments")
    }
    ratings = {
        b.subject_id: b.ratings
        for b in RatingBallot.objects.filter(membership=membership).only("subject", "ratings")
    }
    return pairwise, ratings


def _meta_sheet(workbook, structure: Structure, membership, words, instructions_title):
    meta = workbook.create_sheet(layout.META)
    meta.sheet_state = "veryHidden"
    cells = layout.META_CELLS
    meta[cells["format"]] = layout.FORMAT
    meta[cells["evaluation"]] = structure.evaluation.pk
    meta[cells["membership"]] = membership.pk if membership else ""
    meta[cells["fingerprint"]] = structure.fingerprint
    meta["A5"], meta["B5"] = "instructions", instructions_title
    meta["A6"], meta["B6"] = "skip", words["skip"]
    meta["A7"], meta["B7"] = "dont_know", words["dont_know"]
    names = [(neutralised(grade.name), grade.pk) for grade in structure.grades]
    if words["dont_know"]:
        names.append((words["dont_know"], "dont_know"))
    for row, (name, key) in enumerate(names, start=1):
        meta[f"{layout.GRADE_NAME_COL}{row}"] = name
        meta[f"{layout.GRADE_ID_COL}{row}"] = key
    meta.protection.sheet = True
    return meta


def _forms_index(meta, matrix_titles, subject_titles, structure: Structure) -> None:
    rows = [
        ("pairwise", m.parent.pk, t) for m, t in zip(structure.matrices, matrix_titles, strict=True)
    ]
    rows += [("rating", s.pk, t) for s, t in zip(structure.subjects, subject_titles, strict=True)]
    for offset, (kind, key, title) in enumerate(rows):
        row = layout.FORM_ROW + offset
        meta.cell(row, 1, kind), meta.cell(row, 2, key), meta.cell(row, 3, title)


def _label(indicator) -> str:
    return neutralised(f"{indicator.code} {indicator.name}")


def _hide_ids(sheet) -> None:
    sheet.row_dimensions[layout.ID_ROW].hidden = True
    sheet.column_dimensions["A"].hidden = True
    sheet.protection.sheet = True


def _pairwise_sheet(sheet, matrix, structure: Structure, judgments: dict, words) -> None:
    evaluation = structure.evaluation
    children = matrix.children
    sheet.cell(layout.ID_ROW, layout.ID_COL, matrix.parent.pk)
    sheet["B2"] = neutralised(
        _("%(parent)s: how much more important is the row's indicator than the column's?")
        % {"parent": _label(matrix.parent)}
    )
    sheet["B2"].font = HEADER
    sheet["B3"] = _(
        "Choose in each white cell (upper triangle) from the list: 1 equal … 9 extremely more "
        "important; 1/3, 1/5 … when the column's indicator is the more important one. The grey "
        "cells follow by themselves."
    )
    header_row = layout.FIRST_ROW - 1
    sheet.cell(header_row, 2, neutralised(matrix.parent.code)).font = HEADER
    validation = _scale_validation(evaluation, words)
    sheet.add_data_validation(validation)
    continuous = evaluation.judgment_scale == CONTINUOUS
    for i, row_child in enumerate(children):
        row = layout.FIRST_ROW + i
        sheet.cell(layout.ID_ROW, layout.FIRST_COL + i, row_child.pk)
        sheet.cell(row, layout.ID_COL, row_child.pk)
        sheet.cell(header_row, layout.FIRST_COL + i, _label(row_child)).font = HEADER
        sheet.cell(row, 2, _label(row_child)).font = HEADER
        for j, col_child in enumerate(children):
            cell = sheet.cell(row, layout.FIRST_COL + j)
            cell.alignment = Alignment(horizontal="center")
            if i == j:
                cell.value, cell.fill = 1, LOCKED
            elif j > i:
                answer = judgments.get(f"{row_child.pk}-{col_child.pk}") or {}
                cell.value = _shown(answer, continuous, words)
                cell.fill, cell.protection = INPUT, OPEN
                cell.number_format = "0.00##" if continuous else "@"
                validation.add(cell.coordinate)
            else:
                upper = sheet.cell(layout.FIRST_ROW + j, layout.FIRST_COL + i).coordinate
                cell.value = _reciprocal_formula(upper, continuous, words["skip"])
                cell.fill = LOCKED
                if continuous:
                    cell.number_format = "0.00##"
    sheet.column_dimensions["B"].width = 34
    for j in range(len(children)):
        sheet.column_dimensions[get_column_letter(layout.FIRST_COL + j)].width = 18
    _hide_ids(sheet)


def _shown(answer: dict, continuous: bool, words) -> str | float | None:
    if answer.get("skipped"):
        return words["skip"] or None
    value = answer.get("value")
    if value is None:
        return None
    return float(value) if continuous else token(float(value))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _reciprocal_formula(upper: str, continuous: bool, skip: str) -> str:
    """b_yx = 1/b_xy. On the text scales the answer is text ("1/3"), so the reciprocal is
    spelled, not divided: a spreadsheet would read the text "1/3" as a date."""
    if continuous:
        reciprocal = f'IF(ISNUMBER({upper}),1/{upper},"")'
    else:
        spelled = f'IF(LEFT({upper},2)="1/",MID({upper},3,9),"1/"&{upper})'
        reciprocal = f'IF({upper}="1","1",{spelled})'
    if skip:
        reciprocal = f"IF({upper}={_quoted(skip)},{_quoted(skip)},{reciprocal})"
    return f'=IF({upper}="","",{reciprocal})'


def _scale_validation(evaluation: Evaluation, words) -> DataValidation:
    title, message = _("Judgment"), _("Choose a value of the 1–9 scale from the list.")
    if evaluation.judgment_scale == CONTINUOUS:
        # Any number from 1/9 to 9; a typed "skip" gets a warning, not a refusal.
        validation = DataValidation(
            type="decimal", operator="between", formula1="1/9", formula2="9"
        )
        validation.errorStyle = "warning" if words["skip"] else "stop"
        message = _("Give a number from 0.112 (1/9) to 9, such as 2.5 or 0.4.")
    else:
        values = [token(float(v)) for v in scale.values(evaluation.judgment_scale)]
        if words["skip"]:
            values.append(words["skip"])
        validation = DataValidation(type="list", formula1=_quoted(",".join(values)))
    validation.allow_blank = True
    validation.showErrorMessage = True
    validation.error, validation.errorTitle = message, title
    validation.prompt, validation.promptTitle = message, title
    validation.showInputMessage = True
    return validation


def _rating_sheet(sheet, subject, structure: Structure, ratings: dict, words) -> None:
    sheet.cell(layout.ID_ROW, layout.ID_COL, subject.pk)
    sheet["B2"] = neutralised(_("Ratings of %(subject)s") % {"subject": subject.name})
    sheet["B2"].font = HEADER
    sheet["B3"] = _("Choose a grade from the list for every indicator.")
    header_row = layout.FIRST_ROW - 1
    for col, text in ((2, _("Code")), (3, _("Indicator")), (layout.GRADE_COL, _("Grade"))):
        sheet.cell(header_row, col, text).font = HEADER
    count = len(structure.grades) + (1 if words["dont_know"] else 0)
    grade_range = f"'{layout.META}'!${layout.GRADE_NAME_COL}$1:${layout.GRADE_NAME_COL}${count}"
    validation = DataValidation(type="list", formula1=grade_range, allow_blank=True)
    validation.showErrorMessage = True
    validation.errorTitle, validation.error = _("Grade"), _("Choose a grade from the list.")
    sheet.add_data_validation(validation)
    names = {grade.pk: neutralised(grade.name) for grade in structure.grades}
    for offset, leaf in enumerate(structure.leaves):
        row = layout.FIRST_ROW + offset
        sheet.cell(row, layout.ID_COL, leaf.pk)
        sheet.cell(row, 2, neutralised(leaf.code))
        sheet.cell(row, 3, neutralised(leaf.name))
        cell = sheet.cell(row, layout.GRADE_COL)
        answer = ratings.get(str(leaf.pk)) or {}
        if answer.get("dont_know"):
            cell.value = words["dont_know"] or None
        else:
            cell.value = names.get(answer.get("grade"))
        cell.fill, cell.protection, cell.number_format = INPUT, OPEN, "@"
        validation.add(cell.coordinate)
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 40
    sheet.column_dimensions["D"].width = 24
    _hide_ids(sheet)


def _instructions(sheet, structure: Structure, membership, words) -> None:
    evaluation = structure.evaluation
    sheet["A1"] = neutralised(evaluation.title)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = _("Questionnaire of the expert panel")
    sheet["B4"] = _("Expert")
    sheet["C4"] = neutralised(membership.display_name) if membership else _("blank questionnaire")
    sheet["B4"].font = HEADER
    if membership is None:
        sheet[f"B{layout.NAME_CELL[1:]}"] = _("Your name")
        sheet[f"B{layout.NAME_CELL[1:]}"].font = HEADER
        cell = sheet[layout.NAME_CELL]
        cell.fill, cell.protection = INPUT, OPEN
        cell.number_format = "@"
    lines = [
        _("How to fill in this questionnaire"),
        _(
            "Each comparison sheet is one judgment matrix: for each white cell, how much more "
            "important the indicator of its row is than the indicator of its column, chosen "
            "from the cell's list. Grey cells are filled in by themselves (the diagonal is 1, "
            "the lower triangle the reciprocal of the upper one)."
        ),
        *[f"{n} — {INTENSITY[n]}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9)],
        _("1/3, 1/5 … 1/9: the column's indicator is that much more important than the row's."),
        _(
            "Keep the judgments of a matrix consistent (if A is twice as important as B and B "
            "twice as important as C, A is about four times as important as C): the "
            "coordinator sees each matrix's consistency ratio (CR) before storing the answers."
        ),
        _("Each rating sheet names a subject: choose a grade for every indicator."),
    ]
    if words["skip"]:
        lines.append(_("Choose “%(skip)s” for two indicators you cannot compare.") % words)
    if words["dont_know"]:
        lines.append(_("Choose “%(dont_know)s” for an indicator you cannot judge.") % words)
    lines.append(
        _(
            "The sheets are protected without a password so that only the answer cells change: "
            "do not rename, move or add sheets, rows or columns, and do not type formulas. "
            "Return the file to the coordinator, who uploads it."
        )
    )
    for offset, line in enumerate(lines):
        cell = sheet.cell(10 + offset, 2, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(10, 2).font = HEADER
    sheet.column_dimensions["A"].width = 3
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 40
    sheet.protection.sheet = True
