"""The pieces of the Word report: three-line tables, fields, fonts and chart pictures.

A three-line table (三线表) is how Chinese theses set tables: a 1.5 pt rule above the table,
a 0.75 pt rule under the header row, a 1.5 pt rule below the last row, no vertical lines.
python-docx has no API for borders, so they are written into the table's XML.
"""

import io
import re

import cairosvg
from django.template.defaultfilters import floatformat
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

RULE_OUTER = 12  # eighths of a point: 1.5 pt above and below the table
RULE_HEADER = 6  # 0.75 pt under the header row
# Word names one East Asian font per run (no fallback list): SimSun (宋体) is on every Chinese
# Windows and Office, and LibreOffice maps it to Noto Serif CJK SC where it is absent. Latin
# text in Times New Roman, as theses set it.
FONT_LATIN = "Times New Roman"
FONT_EAST_ASIA = "SimSun"
FONT_HEADING_EAST_ASIA = "SimHei"
# The charts' text is drawn by cairo from this family (fonts-noto-cjk): Chinese names show.
CHART_FONT = '"Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", sans-serif'
CHART_WIDTH = Cm(15.5)
# Pixels per SVG unit: a 600-unit chart at 15.5 cm is then about 150 dpi, sharp in print;
# twice would double the PNG encoding, the larger part of a big report's time.
CHART_SCALE = 1.5
DASH = "–"


def number(value, places: int = 4) -> str:
    """A figure as the page prints it (|floatformat:4), "–" where there is none."""
    if value is None:
        return DASH
    return floatformat(value, places)


def fonts_set(style, *, east_asia: str = FONT_EAST_ASIA, size: float | None = None) -> None:
    """Explicit Latin and East Asian fonts on a style, replacing the template's theme fonts
    (a theme font would override them in Word)."""
    style.font.name = FONT_LATIN
    if size:
        style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT_LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def three_line_table(document, *, caption: str, header: list[str], rows: list[list[str]],
                     numeric: set[int] | None = None):  # fmt: skip
    """A captioned three-line table; the `numeric` columns (all but the first unless given)
    are right-aligned."""
    numeric = set(range(1, len(header))) if numeric is None else numeric
    caption_paragraph = document.add_paragraph(caption, style="Caption")
    caption_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption_paragraph.paragraph_format.keep_with_next = True
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_borders(table)
    for row_index, (row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
        for column, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(str(value))
            run.font.size = Pt(9)
            if row_index == 0:
                run.bold = True
                _cell_bottom_rule(cell)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif column in numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(table.rows[0])
    document.add_paragraph()
    return table


def _border(tag: str, size: int | None) -> OxmlElement:
    element = OxmlElement(f"w:{tag}")
    if size is None:
        element.set(qn("w:val"), "nil")
    else:
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
    return element


def _table_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for tag, size in (("top", RULE_OUTER), ("left", None), ("bottom", RULE_OUTER),
                      ("right", None), ("insideH", None), ("insideV", None)):  # fmt: skip
        borders.append(_border(tag, size))
    properties.append(borders)


def _cell_bottom_rule(cell) -> None:
    borders = OxmlElement("w:tcBorders")
    borders.append(_border("bottom", RULE_HEADER))
    cell._tc.get_or_add_tcPr().append(borders)


def _repeat_header(row) -> None:
    """The header row repeats on every page a long table runs over."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def field_run(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES): Word fills in the number when it lays out the page."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None),
                       (None, "1"), ("end", None)):  # fmt: skip
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run._r.append(code)
        else:
            run.text = text


def chart_picture(document, svg: str, caption: str) -> None:
    """An SVG chart of the page as a PNG picture, with its caption beneath."""
    if not svg:
        return
    # cairo draws text from one font family: name one that has Chinese glyphs.
    markup = re.sub(r"<svg\b", f"<svg font-family='{CHART_FONT}'", str(svg), count=1)
    png = cairosvg.svg2png(bytestring=markup.encode(), scale=CHART_SCALE)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run().add_picture(io.BytesIO(png), width=CHART_WIDTH)
    caption_paragraph = document.add_paragraph(caption, style="Caption")
    caption_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
