"""The report benchmark on its smallest case: one expert, five subjects, one render each."""

import re

import pytest

from bench import report_bench as bench

COLUMNS = [
    "case", "subjects", "leaves", "experts", "export_size", "rendered", "PDF CPU s",
    "PDF wall s", "pages", "PDF MB", "DOCX CPU s", "DOCX wall s", "DOCX MB",
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
    # 5 subjects × 12 leaves, and the four matrices (3 × 3 and three 4 × 4) once for the
    # group and once for the expert; no comments.
    assert cells["export_size"] == str(5 * 12 + 2 * (9 + 3 * 16))
    assert cells["rendered"] == "request"
    for column in COLUMNS[6:]:
        assert float(cells[column]) > 0, column
    assert "- Load average (1 min) at the start and the end:" in report
    assert re.search(r"about \d+\.\d\d CPU s per page", report)


def test_unknown_cases_are_refused_by_name(capsys):
    with pytest.raises(SystemExit):
        bench.main(["--cases", "demo,huge"])
    assert "--cases: unknown huge" in capsys.readouterr().err


def row(key, subjects, leaves, size, pdf_wall, pages) -> bench.Row:
    return bench.Row(bench.CASES[key], subjects, leaves, 3, size, 1, pdf_wall, pdf_wall, pages,
                     400_000, 0.5, 0.5, 300_000)  # fmt: skip


def test_the_why_is_computed_from_the_figures():
    rows = [
        row("demo", 2, 12, 486, 3.0, 12),
        row("template-5", 5, 12, 288, 4.0, 20),
        row("template-20", 20, 12, 468, 14.0, 66),
        row("generated-1", 1, 70, 1422, 6.5, 27),
        row("generated-5", 5, 70, 1702, 12.5, 52),
    ]
    text = "\n".join(bench.why(rows, limit=500))

    assert "about 0.23 CPU s per page over these cases (40.0 s for 177 pages)" in text
    assert "R² = " in text and "per 1,000" in text
    assert "split over the report's parts" not in text  # four parameters need seven cases
    # The template's 20 subjects stay within the limit and take longer than the demo.
    assert "SME template, 20 subjects: export_size 468, 66 pages, 14.00 s (14.00 CPU s)" in text
    assert "100 indicators" not in text.split("Within the limit")[1].split("\n")[0]
    assert "renders its PDF in 3.00 s" in text and "EXPORT_SYNC_LIMIT = 500" in text

    rows += [row("template-50", 50, 12, 918, 30.0, 160), row("generated-20", 20, 70, 2752, 45, 150)]
    assert "split over the report's parts (least squares, 7 cases, 3 to spare)" in "\n".join(
        bench.why(rows, limit=500)
    )
