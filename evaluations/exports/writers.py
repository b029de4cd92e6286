"""The writers: tables to CSV or XLSX, a snapshot to JSON, and the files' names.

Text going into a spreadsheet is neutralised against formula injection here, for every cell,
so no table can forget it.
"""

import csv
import io
import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..models import ResultSnapshot
from .tables import Percent, Table

# The formats written from the tables or the snapshot's data (the screening rounds' exports
# use the same writers); formats.py adds the reports and says which may be deferred.
FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
SHEET_NAME_LIMIT = 31  # Excel refuses longer sheet names
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Text a spreadsheet would take for a formula (CSV injection): = + - @, tab, carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """Free text (experts' comments, names) made safe as a CSV or XLSX cell: text that a
    spreadsheet would run as a formula gets a leading apostrophe (OWASP's rule). Numbers stay
    numbers. The writers apply it to every cell, so no table can forget it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe(row: list) -> list:
    return [neutralised(value) for value in row]


def _csv_value(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, Percent):
        return f"{value.value * 100:.2f}%"
    if isinstance(value, float):
        return f"{value:.4f}"
    return value


def export_csv(*, tables: list[Table]) -> bytes:
    """All tables one after another, each under a title row; UTF-8 with a BOM so that Excel
    opens Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for table in tables:
        writer.writerow(_safe([table.title]))
        for section in table.sections:
            if section.header:
                writer.writerow(_safe(section.header))
            writer.writerows(_safe([_csv_value(v) for v in row]) for row in section.rows)
        writer.writerow([])
    return buffer.getvalue().encode("utf-8-sig")


def sheet_names(names: list[str]) -> list[str]:
    """Names Excel accepts: no []:*?/\\, at most 31 characters, unique (case-insensitive)."""
    taken: set[str] = set()
    result = []
    for name in names:
        base = SHEET_NAME_FORBIDDEN.sub(" ", name).strip() or "Sheet"
        candidate, number = base[:SHEET_NAME_LIMIT], 1
        while candidate.lower() in taken:
            number += 1
            suffix = f" ({number})"
            candidate = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def export_xlsx(*, tables: list[Table]) -> bytes:
    """One sheet per table: the title in A1, then each section, a blank row between them."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for table, name in zip(tables, sheet_names([t.sheet for t in tables]), strict=True):
        sheet = workbook.create_sheet(name)
        sheet.append(_safe([table.title]))
        sheet["A1"].font = bold
        for section in table.sections:
            sheet.append([])
            if section.header:
                sheet.append(_safe(section.header))
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
            for row in section.rows:
                _xlsx_row(sheet, row)
        _column_widths(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_row(sheet, row: list) -> None:
    sheet.append(_safe([v.value if isinstance(v, Percent) else v for v in row]))
    for cell, value in zip(sheet[sheet.max_row], row, strict=False):
        if isinstance(value, Percent):
            cell.number_format = "0.00%"
        elif isinstance(value, float):
            cell.number_format = "0.0000"


def _column_widths(sheet) -> None:
    for index, column in enumerate(sheet.iter_cols(min_row=2), start=1):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=6)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest, 8) + 2, 60)


def export_json(
    *, snapshot: ResultSnapshot, data: dict, history: list[dict] | None = None
) -> bytes:
    payload = {
        "evaluation": snapshot.evaluation_id,
        "version": snapshot.version,
        "computed_at": snapshot.computed_at,
        "pairwise_ballots": snapshot.pairwise_ballots,
        "rating_ballots": snapshot.rating_ballots,
        "data": data,
    }
    if history is not None:
        payload["history"] = history
    # Compact: indented, the encoder runs in Python rather than C (ten times slower on a
    # large panel's export).
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def export_filename(*, evaluation_id: int, version: int, fmt: str) -> str:
    return f"ahpanel-evaluation-{evaluation_id}-results-v{version}.{fmt}"
