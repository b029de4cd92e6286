"""Result exports: CSV, XLSX and JSON of one snapshot, the PDF and Word reports, and the jobs
that render a large one outside the request.

- tables.py: the tables of the results (what the CSV and the workbook hold);
- writers.py: CSV, XLSX and JSON writers, formula neutralising, sheet and file names;
- formats.py: the registry of formats (media type, extension, renderer, whether it may be
  deferred) and the size measure that decides;
- jobs.py: the export jobs (queue, run on the analysis queue, read, expire);
- delivery.py: the responses pages and API share (the file, or the job to poll).

The names below are the ones the rest of the project reads as `exports.X`.
"""

from .tables import Percent, Section, Table, history_table, results_tables
from .writers import (
    CONTENT_TYPES,
    FORMATS,
    FORMULA_STARTS,
    SHEET_NAME_LIMIT,
    export_csv,
    export_filename,
    export_json,
    export_xlsx,
    neutralised,
    sheet_names,
)

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "FORMULA_STARTS",
    "SHEET_NAME_LIMIT",
    "Percent",
    "Section",
    "Table",
    "export_csv",
    "export_filename",
    "export_json",
    "export_xlsx",
    "history_table",
    "neutralised",
    "results_tables",
    "sheet_names",
]
