"""The results report as a Word file (.docx): editable, with the tables as Chinese theses set
them (three-line tables) and the page's charts as pictures.

It reads the same report dict and charts as the printable page (context.report_context), and
prints every figure as the page does (four decimals), so the numbers agree.
"""

import io

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from ..models import Evaluation, ResultSnapshot
from .context import report_context, snapshot_date
from .word_parts import FONT_HEADING_EAST_ASIA, field_run, fonts_set
from .word_sections import ReportWriter

BLACK = RGBColor(0, 0, 0)


def render_docx(*, evaluation: Evaluation, snapshot: ResultSnapshot, user) -> bytes:
    """The snapshot's report as `user` may read it, in the evaluation's language."""
    with translation.override(evaluation.language):
        context = report_context(evaluation=evaluation, snapshot=snapshot, user=user)
        document = _document(evaluation, snapshot)
        title = _("Evaluation report: %(title)s") % {"title": evaluation.title}
        document.add_heading(title, 0)
        document.add_paragraph(_status_line(context["status"]))
        if context["report"] is None:
            document.add_paragraph(_("No results yet"))
        else:
            ReportWriter(document, context["report"], context["charts"]).write()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _status_line(status: dict) -> str:
    computed = formats.date_format(timezone.localtime(status["computed_at"]), "DATETIME_FORMAT")
    return _(
        "Results version %(version)s, computed %(computed)s, including %(pairwise)s "
        "judgment-matrix ballots and %(ratings)s rating ballots."
    ) % {
        "version": status["version"],
        "computed": computed,
        "pairwise": status["pairwise_ballots"],
        "ratings": status["rating_ballots"],
    }


def _document(evaluation: Evaluation, snapshot: ResultSnapshot):
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    fonts_set(document.styles["Normal"], size=10.5)  # 五号, the theses' body size
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = document.styles[name]
        fonts_set(style, east_asia=FONT_HEADING_EAST_ASIA)
        style.font.color.rgb = BLACK
    for name in ("Caption", "Header", "Footer"):
        fonts_set(document.styles[name], size=9)
    document.styles["Caption"].font.color.rgb = BLACK
    _header_footer(section, evaluation, snapshot)
    return document


def _header_footer(section, evaluation: Evaluation, snapshot: ResultSnapshot) -> None:
    """The evaluation's name, the version and the date above every page; page X of Y below."""
    version = _("Results version {version}").format(version=snapshot.version)
    header = section.header.paragraphs[0]
    header.text = f"{evaluation.title} · {version} · {snapshot_date(snapshot)}"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _sep, rest = _("Page {page} of {pages}").partition("{page}")
    between, _sep, after = rest.partition("{pages}")
    footer.add_run(before)
    field_run(footer, "PAGE")
    footer.add_run(between)
    field_run(footer, "NUMPAGES")
    footer.add_run(after)
    for run in [*header.runs, *footer.runs]:
        run.font.size = Pt(9)
