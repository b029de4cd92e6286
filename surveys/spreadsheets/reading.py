"""Reading a filled questionnaire back, bounded before anything is parsed.

Order of the checks, each cheap before the next costlier one: the upload's size (the view
refuses an oversized request from its Content-Length before Django reads the body); the zip's
directory (member count and the declared unpacked sizes: Python's zipfile never unpacks more
than a member declares, so the declared sum bounds what openpyxl can inflate); then openpyxl
(formulas kept as formulas, XML parsed through defusedxml); then the hidden identification
sheet (this evaluation, this structure); only then the answer cells, and nothing else.
"""

import datetime
import io
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from ..scales import refusal, scale_value
from . import layout
from .layout import Structure

MAX_FILE_BYTES = 5 * 1024 * 1024  # a questionnaire of 9×9 matrices and 20 subjects is ~60 kB
MAX_FILES = 50  # one upload: a panel's worth of files
MAX_ZIP_MEMBERS = 300  # an XLSX of a few dozen sheets has about 2 members a sheet
MAX_UNPACKED_BYTES = 30 * 1024 * 1024  # declared total; ~10× the largest real questionnaire
NAME_LIMIT = 200  # the respondent's name, as PanelMembership.name
TEXT_LIMIT = 100  # any answer cell's text: a grade name is at most 100 characters

ERROR_TOO_BIG = gettext_noop(
    "The file is larger than {limit} MB: a questionnaire is far smaller. Upload the file the "
    "application made, filled in."
)
ERROR_NOT_XLSX = gettext_noop(
    "The file is not an XLSX workbook (Excel 2007 or later, .xlsx). Save it as .xlsx and "
    "upload it again."
)
ERROR_BOMB = gettext_noop(
    "The file unpacks to more than {limit} MB or holds more than {members} parts: it is not a "
    "questionnaire of this application."
)
ERROR_UNREADABLE = gettext_noop("The workbook could not be read: it is damaged or not an XLSX.")
ERROR_NOT_QUESTIONNAIRE = gettext_noop(
    "This workbook is not a questionnaire of this application (its hidden identification "
    "sheet is missing). Download a questionnaire from the panel page."
)
ERROR_WRONG_EVALUATION = gettext_noop(
    "This questionnaire belongs to another evaluation. Upload it to the evaluation it was "
    "made for, or download this evaluation's questionnaire."
)
ERROR_STRUCTURE_CHANGED = gettext_noop(
    "The hierarchy, the subjects or the grades have changed since this file was made. "
    "Download a new questionnaire and copy the answers into it."
)
ERROR_UNKNOWN_MEMBER = gettext_noop(
    "The expert this questionnaire was made for is no longer on the panel."
)
ERROR_SHEET_MISSING = gettext_noop("The sheet is missing: the workbook's sheets were edited.")
ERROR_LAYOUT_EDITED = gettext_noop(
    "The sheet's layout was edited (rows or columns moved, added or removed). Download a new "
    "questionnaire and copy the answers into it."
)
ERROR_FORMULA = gettext_noop(
    "A formula in an answer cell is not accepted: choose a value from the cell's list."
)
ERROR_DATE = gettext_noop(
    "The cell holds a date, not a judgment: the spreadsheet turned “1/3” into a date. Format "
    "the cell as text, or choose the value from the cell's list."
)
ERROR_NOT_A_VALUE = gettext_noop(
    "The cell holds something other than text or a number: choose a value from the cell's list."
)
ERROR_NOT_A_GRADE = gettext_noop(
    "“{value}” is not a grade of this evaluation: choose a grade from the cell's list."
)
ERROR_DONT_KNOW_OFF = gettext_noop("This evaluation does not allow “don't know”: choose a grade.")
ERROR_SKIPPING_OFF = gettext_noop(
    "This evaluation does not allow skipping a comparison: choose a value."
)


@dataclass
class ReadFile:
    """What one file says: its answers by form, and every problem found, each a dict of
    file, sheet, cell and rule."""

    name: str
    membership: int | None = None
    respondent: str = ""
    pairwise: dict = field(default_factory=dict)  # parent id (str) → {pair key: answer}
    ratings: dict = field(default_factory=dict)  # subject id (str) → {leaf id: answer}
    errors: list = field(default_factory=list)
    sheets: dict = field(default_factory=dict)  # "pairwise-<id>" / "rating-<id>" → sheet title

    def refuse(self, rule: str, sheet: str = "", cell: str = "") -> None:
        self.errors.append({"file": self.name, "sheet": sheet, "cell": cell, "rule": rule})

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "membership": self.membership,
            "respondent": self.respondent,
            "pairwise": self.pairwise,
            "ratings": self.ratings,
            "errors": self.errors,
            "sheets": self.sheets,
        }


def questionnaire_read(*, name: str, upload, structure: Structure, members: set[int]) -> ReadFile:
    """Read one uploaded file (a Django UploadedFile, or any object with .size and .read)."""
    found = ReadFile(name=name[:200])
    if upload.size > MAX_FILE_BYTES:
        found.refuse(_(ERROR_TOO_BIG).format(limit=MAX_FILE_BYTES // (1024 * 1024)))
        return found
    data = upload.read(MAX_FILE_BYTES + 1)
    workbook = _open(data, found)
    if workbook is None:
        return found
    meta = _identify(workbook, found, structure, members)
    if meta is None:
        return found
    titles = _form_titles(meta, len(structure.matrices) + len(structure.subjects))
    words = {"skip": _text(meta["B6"].value), "dont_know": _text(meta["B7"].value)}
    for matrix in structure.matrices:
        sheet = _form_sheet(workbook, titles.get(("pairwise", matrix.parent.pk)), found)
        if sheet is not None:
            found.sheets[f"pairwise-{matrix.parent.pk}"] = sheet.title
        if sheet is not None and _ids_match(sheet, matrix.parent.pk, matrix.children, True):
            answers = _read_matrix(sheet, matrix, structure.evaluation, words, found)
            if answers:
                found.pairwise[str(matrix.parent.pk)] = answers
        elif sheet is not None:
            found.refuse(_(ERROR_LAYOUT_EDITED), sheet.title)
    for subject in structure.subjects:
        sheet = _form_sheet(workbook, titles.get(("rating", subject.pk)), found)
        if sheet is not None:
            found.sheets[f"rating-{subject.pk}"] = sheet.title
        if sheet is not None and _ids_match(sheet, subject.pk, structure.leaves, False):
            answers = _read_ratings(sheet, structure, meta, words, found)
            if answers:
                found.ratings[str(subject.pk)] = answers
        elif sheet is not None:
            found.refuse(_(ERROR_LAYOUT_EDITED), sheet.title)
    return found


def _open(data: bytes, found: ReadFile):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        found.refuse(_(ERROR_NOT_XLSX))
        return None
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_ZIP_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
        limit = MAX_UNPACKED_BYTES // (1024 * 1024)
        found.refuse(_(ERROR_BOMB).format(limit=limit, members=MAX_ZIP_MEMBERS))
        return None
    if "xl/workbook.xml" not in {member.filename for member in members}:
        found.refuse(_(ERROR_NOT_XLSX))
        return None
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for damaged parts; all mean the same here
        found.refuse(_(ERROR_UNREADABLE))
        return None


def _identify(workbook, found: ReadFile, structure: Structure, members: set[int]):
    """The meta sheet if the file is a questionnaire of this evaluation's current structure."""
    if layout.META not in workbook.sheetnames:
        found.refuse(_(ERROR_NOT_QUESTIONNAIRE))
        return None
    meta = workbook[layout.META]
    cells = layout.META_CELLS
    if meta[cells["format"]].value != layout.FORMAT:
        found.refuse(_(ERROR_NOT_QUESTIONNAIRE))
        return None
    if _id(meta[cells["evaluation"]].value) != structure.evaluation.pk:
        found.refuse(_(ERROR_WRONG_EVALUATION))
        return None
    if meta[cells["fingerprint"]].value != structure.fingerprint:
        found.refuse(_(ERROR_STRUCTURE_CHANGED))
        return None
    membership = meta[cells["membership"]].value
    if membership not in (None, ""):
        found.membership = _id(membership)
        if found.membership not in members:
            found.refuse(_(ERROR_UNKNOWN_MEMBER))
            return None
    else:
        title = _text(meta["B5"].value)
        if title in workbook.sheetnames:
            name = workbook[title][layout.NAME_CELL].value
            found.respondent = _text(name)[:NAME_LIMIT] if isinstance(name, str) else ""
    return meta


def _id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) <= 19:
        return int(value)
    return None


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _form_titles(meta, count: int) -> dict:
    titles = {}
    for row in range(layout.FORM_ROW, layout.FORM_ROW + count):
        kind, key, title = (meta.cell(row, col).value for col in (1, 2, 3))
        titles[(kind, _id(key))] = _text(title)
    return titles


def _form_sheet(workbook, title: str | None, found: ReadFile):
    if not title or title not in workbook.sheetnames:
        found.refuse(_(ERROR_SHEET_MISSING), title or "")
        return None
    return workbook[title]


def _ids_match(sheet, key: int, items: list, columns: bool) -> bool:
    """The hidden ids where the writer put them: the form's id in A1, the items' ids down
    column A (and, for a matrix, along row 1)."""
    if _id(sheet.cell(layout.ID_ROW, layout.ID_COL).value) != key:
        return False
    for offset, item in enumerate(items):
        if _id(sheet.cell(layout.FIRST_ROW + offset, layout.ID_COL).value) != item.pk:
            return False
        if columns and _id(sheet.cell(layout.ID_ROW, layout.FIRST_COL + offset).value) != item.pk:
            return False
    after = sheet.cell(layout.FIRST_ROW + len(items), layout.ID_COL).value
    return after in (None, "")


def _cell_value(cell, sheet, found: ReadFile):
    """The cell's answer as text or a number; None when empty or refused (then noted)."""
    value = cell.value
    formula = cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula)
    if formula or (isinstance(value, str) and value.lstrip().startswith("=")):
        found.refuse(_(ERROR_FORMULA), sheet.title, cell.coordinate)
        return None
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        found.refuse(_(ERROR_DATE), sheet.title, cell.coordinate)
        return None
    if isinstance(value, str):
        return value.strip()[: TEXT_LIMIT + 1] or None
    if value is None or isinstance(value, int | float):
        return value
    found.refuse(_(ERROR_NOT_A_VALUE), sheet.title, cell.coordinate)
    return None


def _read_matrix(sheet, matrix, evaluation, words, found: ReadFile) -> dict:
    answers = {}
    children = matrix.children
    for i, row in enumerate(children):
        for j in range(i + 1, len(children)):
            col = children[j]
            cell = sheet.cell(layout.FIRST_ROW + i, layout.FIRST_COL + j)
            value = _cell_value(cell, sheet, found)
            if value is None:
                continue
            key = f"{row.pk}-{col.pk}"
            if words["skip"] and value == words["skip"]:
                if not evaluation.allow_skipped_comparisons:
                    found.refuse(_(ERROR_SKIPPING_OFF), sheet.title, cell.coordinate)
                    continue
                answers[key] = {"value": None, "skipped": True, "comment": ""}
                continue
            number = scale_value(value, evaluation.judgment_scale)
            if number is None:
                shown = value if isinstance(value, str) else float(value)
                message = refusal(
                    row=row.code,
                    col=col.code,
                    value=shown,
                    judgment_scale=evaluation.judgment_scale,
                )
                found.refuse(message, sheet.title, cell.coordinate)
                continue
            answers[key] = {"value": number, "comment": ""}
    return answers


def _grade_names(meta, count: int) -> dict:
    names = {}
    for row in range(1, count + 1):
        name = meta[f"{layout.GRADE_NAME_COL}{row}"].value
        key = meta[f"{layout.GRADE_ID_COL}{row}"].value
        if isinstance(name, str):
            names[name.strip()] = key if key == "dont_know" else _id(key)
    return names


def _read_ratings(sheet, structure: Structure, meta, words, found: ReadFile) -> dict:
    names = _grade_names(meta, len(structure.grades) + 1)
    grades = {grade.pk for grade in structure.grades}
    answers = {}
    for offset, leaf in enumerate(structure.leaves):
        cell = sheet.cell(layout.FIRST_ROW + offset, layout.GRADE_COL)
        value = _cell_value(cell, sheet, found)
        if value is None:
            continue
        text = str(value)
        key = names.get(text, names.get("'" + text))
        if key == "dont_know" and words["dont_know"]:
            if not structure.evaluation.allow_dont_know:
                found.refuse(_(ERROR_DONT_KNOW_OFF), sheet.title, cell.coordinate)
                continue
            answers[str(leaf.pk)] = {"grade": None, "dont_know": True, "comment": ""}
        elif key in grades:
            answers[str(leaf.pk)] = {"grade": key, "comment": ""}
        else:
            shown = text[:TEXT_LIMIT]
            found.refuse(_(ERROR_NOT_A_GRADE).format(value=shown), sheet.title, cell.coordinate)
    return answers
