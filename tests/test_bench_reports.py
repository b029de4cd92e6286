"""The report benchmark on its smallest case: one expert, five subjects, one render each."""

import re

import pytest

from bench import report_bench as bench

COLUMNS = [
    "case", "subjects", "leaves", "experts", "est. PDF ms", "PDF rendered", "Word rendered",
    "PDF CPU s", "PDF wall s", "pages", "PDF MB", "DOCX CPU s", "DOCX wall s", "DOCX MB",
]  # fmt: skip


@pytest.mark.django_db
def test_a_tiny_run_writes_its_section_with_the_figures(tmp_path, capsys):
    output = tmp_path / "BENCHMARKS.md"
    output.write_text("# Benchmarks\n\n<!-- bench:engine -->\nkept\n<!-- /bench:engine -->\n")
    bench.main(["--cases", "template-5", "--experts", "1", "--repeats", "1",
                "--output", str(output)])  # fmt: skip

    report = output.read_text()
    assert "<!-- bench:engine -->\nkept\n" in report
    assert "<!-- bench:reports -->" in report and "## Reports: PDF and Word" in report
    header = next(line for line in report.splitlines() if line.startswith("| case |"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == COLUMNS
    [row] = [line for line in report.splitlines() if line.startswith("| SME template")]
    cells = dict(zip(COLUMNS, (cell.strip() for cell in row.strip("|").split("|")), strict=True))
    assert cells["case"] == "SME template (best of 1)"
    assert (cells["subjects"], cells["leaves"], cells["experts"]) == ("5", "12", "1")
    # 5 subjects, 5 × 12 membership cells, and the four matrices (3 × 3 and three 4 × 4) once
    # for the group and once for the expert; no comments.
    assert cells["est. PDF ms"] == f"{250 * 5 + 24 * 5 * 12 + round(2.5 * 2 * (9 + 3 * 16)):,}"
    assert (cells["PDF rendered"], cells["Word rendered"]) == ("task", "request")
    for column in COLUMNS[7:]:
        assert float(cells[column]) > 0, column
    assert "- Load average (1 min) at the start and the end:" in report
    assert re.search(r"about \d+\.\d\d CPU s per page", report)


def test_unknown_cases_are_refused_by_name(capsys):
    with pytest.raises(SystemExit):
        bench.main(["--cases", "demo,huge"])
    assert "--cases: unknown huge" in capsys.readouterr().err


def row(key, subjects, leaves, entries, cost, pdf_wall, pages) -> bench.Row:
    return bench.Row(bench.CASES[key], subjects, leaves, 3, entries, cost, 1, pdf_wall, pdf_wall,
                     pages, 400_000, pdf_wall / 5, pdf_wall / 5, 300_000)  # fmt: skip


SHARES = {"pdf": 1.0, "docx": 0.2}


def test_the_why_is_computed_from_the_figures():
    rows = [
        row("demo", 2, 12, 462, 2246, 3.0, 12),
        row("template-5", 5, 12, 228, 3260, 4.0, 20),
        row("template-20", 20, 12, 228, 11330, 11.0, 66),
        row("generated-1", 1, 70, 1352, 5310, 5.5, 27),
        row("generated-5", 5, 70, 1352, 13030, 13.5, 52),
    ]
    text = "\n".join(bench.why(rows, limit=2500, shares=SHARES))

    assert "about 0.21 CPU s per page over these cases (37.0 s for 177 pages)" in text
    assert "per page (R² = " in text
    # The estimate as it is against the seconds: residuals from the template's 20 subjects
    # (11.0 − 11.33) to the demo (3.0 − 2.246); Word at a fifth of the PDF.
    assert "The estimate against the measured PDF CPU seconds: R² = 0.98 over 5 cases" in text
    assert "from -0.33 s (SME template with 20 subjects) to +0.75 s (demo" in text
    assert "Word takes 0.20–0.20 of the PDF's CPU seconds" in text
    assert "split over the report's parts" not in text  # four parameters need seven cases
    assert "the demo (estimated 2,246 ms, 12 pages) renders its PDF in 3.00 s" in text
    assert (
        "EXPORT_SYNC_LIMIT = 2500 ms sends the PDFs of SME template with 5 subjects, SME "
        "template with 20 subjects, 100 indicators with 1 subject, 100 indicators with 5 "
        "subjects and the Word files of 100 indicators with 5 subjects to the analysis "
        "queue's task" in text
    )

    rows += [row("template-50", 50, 12, 228, 27470, 28.0, 160),
             row("generated-20", 20, 70, 1352, 42000, 42.0, 150)]  # fmt: skip
    assert "split over the report's parts (least squares, 7 cases, 3 to spare)" in "\n".join(
        bench.why(rows, limit=2500, shares=SHARES)
    )
