"""The Word report: three-line tables, the page's figures, the charts as pictures, a running
head with the evaluation, version and date, page numbers below; read back with python-docx."""

import io

import pytest
from django.template.defaultfilters import floatformat
from docx import Document
from docx.oxml.ns import qn

from evaluations.reports import render_docx
from evaluations.reports.context import report_context, snapshot_date

from .conftest import CHINESE_LEAF, CHINESE_SUBJECT, CHINESE_TITLE, HOSTILE_NAME, LONG_NAME

pytestmark = pytest.mark.django_db


def opened(evaluation, snapshot):
    body = render_docx(evaluation=evaluation, snapshot=snapshot, user=evaluation.owner)
    return Document(io.BytesIO(body))


def all_text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def expected_tables(report: dict) -> int:
    """Weights, consistency, one per aggregated matrix, per subject R per first-level
    indicator and E, the ranking, and per profile its G table and weak points."""
    matrices = sum(1 for m in report["matrices"] if m["matrix"] or m["given"])
    evaluation = sum(len(s["groups"]) + bool(s["vector"]) for s in report["subjects"])
    profiles = sum(2 for s in report["subjects"] if s["vector"] and s["weak_points"])
    return 2 + matrices + evaluation + 1 + profiles


def test_the_word_report_holds_the_papers_tables_with_the_pages_figures(evaluation, snapshot):
    document = opened(evaluation, snapshot)
    report = report_context(evaluation=evaluation, snapshot=snapshot, user=evaluation.owner)[
        "report"
    ]
    text = all_text(document)

    assert len(document.tables) == expected_tables(report)
    weights = document.tables[0]
    assert [c.text for c in weights.rows[0].cells] == [
        "Code", "Indicator", "Local weight", "Global weight", "Rank",
    ]  # fmt: skip
    assert len(weights.rows) == 1 + len(report["indicators"])
    consistency = document.tables[1]
    assert [c.text for c in consistency.rows[0].cells][2:6] == ["λmax", "CI", "RI", "CR"]
    for matrix in report["matrices"]:
        figures = (
            f"λmax = {floatformat(matrix['lambda_max'], 4)}, CI = {floatformat(matrix['ci'], 4)}, "
            f"RI = {floatformat(matrix['ri'], 2)}, CR = {floatformat(matrix['cr'], 4)}"
        )
        assert figures in text, matrix["parent"]
    subject = report["subjects"][0]
    assert f"G of {subject['groups'][0]['code']} = D·R" in text
    assert f"Fuzzy evaluation vector E = F·G of {subject['name']}" in text
    assert f"SME management profile: {subject['name']}" in text
    assert floatformat(subject["score"], 4) in text
    assert subject["weak_points"][0]["name"] in text


def test_every_table_has_three_rules_and_no_vertical_lines(evaluation, snapshot):
    document = opened(evaluation, snapshot)

    for table in document.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        rules = {b.tag.split("}")[1]: (b.get(qn("w:val")), b.get(qn("w:sz"))) for b in borders}
        assert rules == {
            "top": ("single", "12"),  # 1.5 pt
            "bottom": ("single", "12"),
            "left": ("nil", None),
            "right": ("nil", None),
            "insideH": ("nil", None),
            "insideV": ("nil", None),
        }
        for cell in table.rows[0].cells:
            rule = cell._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom"))
            assert (rule.get(qn("w:val")), rule.get(qn("w:sz"))) == ("single", "6")  # 0.75 pt
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for row in table.rows[1:]:
            for cell in row.cells:
                assert cell._tc.tcPr is None or cell._tc.tcPr.find(qn("w:tcBorders")) is None


def test_the_charts_are_pictures_and_head_and_foot_name_the_evaluation_and_the_page(
    evaluation, snapshot
):
    document = opened(evaluation, snapshot)
    report = report_context(evaluation=evaluation, snapshot=snapshot, user=evaluation.owner)[
        "report"
    ]
    section = document.sections[0]

    # The weights' bars, one heat map per evaluated subject, the radar.
    assert len(document.inline_shapes) == 2 + sum(1 for s in report["subjects"] if s["vector"])
    assert section.header.paragraphs[0].text == (
        f"{evaluation.title} · Results version {snapshot.version} · {snapshot_date(snapshot)}"
    )
    footer = section.footer._element
    fields = [node.text.strip() for node in footer.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert section.footer.paragraphs[0].text.startswith("Page 1 of 1")
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


def test_a_chinese_evaluations_word_report_is_in_chinese_with_an_east_asian_font(
    evaluation, chinese_snapshot
):
    document = opened(evaluation, chinese_snapshot)
    text = all_text(document)

    assert CHINESE_TITLE in document.sections[0].header.paragraphs[0].text
    assert CHINESE_LEAF in text and CHINESE_SUBJECT in text
    assert "指标权重" in text  # "Indicator weights", in the evaluation's language
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    assert fonts.get(qn("w:asciiTheme")) is None


def test_hostile_and_long_names_go_into_the_word_file_as_plain_text(evaluation, hostile_snapshot):
    document = opened(evaluation, hostile_snapshot)
    text = all_text(document)

    assert HOSTILE_NAME in text
    assert LONG_NAME[:200] in text
