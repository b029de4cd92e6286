"""Spreadsheet questionnaires: an XLSX file per expert (or blank) to fill offline, uploaded
back by the coordinator, previewed, then stored through the ballot services (issue 16)."""
