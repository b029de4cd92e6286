"""The PDF of the results report: the printable page's template and context drawn by
WeasyPrint, read back with pypdf."""

import io
import re

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse
from pypdf import PdfReader

from evaluations.reports import pdf as pdf_module
from evaluations.reports import render_pdf
from evaluations.reports.context import report_context
from evaluations.reports.pdf import BASE_URL, StaticFilesOnly, css_string

from .conftest import CHINESE_LEAF, CHINESE_SUBJECT, CHINESE_TITLE, HOSTILE_NAME, LONG_NAME

pytestmark = pytest.mark.django_db
BAR_FILL = "0.121569 0.372549 0.658824"


def read(body: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(body))
    return reader, [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces as one space (pypdf breaks long lines)."""
    return re.sub(r"\s+", " ", text)


def font_names(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        names |= {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    return names


def test_the_pdf_holds_the_report_its_figures_charts_and_a_running_head_and_foot(
    evaluation, snapshot
):
    reader, pages = read(
        render_pdf(evaluation=evaluation, snapshot=snapshot, user=evaluation.owner)
    )
    text = flat(" ".join(pages))
    report = report_context(evaluation=evaluation, snapshot=snapshot, user=evaluation.owner)[
        "report"
    ]

    assert len(pages) > 1
    assert f"Evaluation report: {evaluation.title}" in text
    for leaf in report["leaves"]:
        assert leaf["name"] in text
    for matrix in report["matrices"]:
        figures = (
            f"λmax = {floatformat(matrix['lambda_max'], 4)}, CI = {floatformat(matrix['ci'], 4)}, "
            f"RI = {floatformat(matrix['ri'], 2)}, CR = {floatformat(matrix['cr'], 4)}"
        )
        assert figures in text, matrix["parent"]
    count = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in page
        assert evaluation.title in page
        assert f"Results version {snapshot.version}" in page
    # The charts print their labels and values as text: the radar its subjects' legend, the
    # heat maps their degrees, the bar chart each leaf's code and name beside its bar.
    assert "Global weights of the leaf indicators, largest first." in text
    assert "Membership degrees: leaf indicators × grades." in text
    assert "Scores of the first-level indicators per subject." in text
    assert "chart-weights" not in text  # drawn, not printed as markup
    drawing = "".join(page.get_contents().get_data().decode("latin-1") for page in reader.pages)
    bars = drawing.count(f"{BAR_FILL} rg")  # the bar chart's blue, #1f5fa8
    assert bars >= len(report["leaves"])


def test_a_chinese_evaluations_pdf_is_in_chinese_with_the_cjk_font_embedded(
    evaluation, chinese_snapshot
):
    reader, pages = read(
        render_pdf(evaluation=evaluation, snapshot=chinese_snapshot, user=evaluation.owner)
    )
    text = flat(" ".join(pages))

    assert CHINESE_TITLE in pages[0] and CHINESE_TITLE in pages[-1]
    assert CHINESE_LEAF in text and CHINESE_SUBJECT in text
    assert "指标权重" in text  # "Indicator weights": the evaluation's language, not the reader's
    assert any("NotoSansCJK" in name.replace("-", "") for name in font_names(reader))


def test_the_report_page_and_the_pdf_render_one_template_with_one_context(
    coordinator_client, evaluation, snapshot, monkeypatch
):
    evaluation.refresh_from_db()  # the input version the ballots raised
    snapshot.refresh_from_db()  # its data as the page reads it (jsonb orders keys its own way)
    page = coordinator_client.get(reverse("results-report", args=[evaluation.pk]))
    rendered = []
    original = pdf_module.render_to_string
    monkeypatch.setattr(
        pdf_module,
        "render_to_string",
        lambda template, context: (
            rendered.append((template, context)) or original(template, context)
        ),
    )
    render_pdf(evaluation=evaluation, snapshot=snapshot, user=evaluation.owner)
    shared = report_context(evaluation=evaluation, snapshot=snapshot, user=evaluation.owner)

    template, context = rendered[0]
    assert template in [t.name for t in page.templates]
    assert set(shared) <= set(page.context.keys())
    for key in ("report", "charts", "status", "is_owner"):
        assert page.context[key] == shared[key] == context[key], key


def test_hostile_names_print_as_text_and_a_title_cannot_escape_its_css_string(
    evaluation, hostile_snapshot
):
    _reader, pages = read(
        render_pdf(evaluation=evaluation, snapshot=hostile_snapshot, user=evaluation.owner)
    )
    text = flat(" ".join(pages))

    assert HOSTILE_NAME in text  # escaped by the template: shown, not run or fetched
    assert LONG_NAME.strip()[:60] in text
    assert '"; } @page { @top-left { content: "owned' in pages[0]


def test_css_string_escapes_everything_but_letters_digits_and_spaces():
    assert css_string('a"b\\c\nd 中') == '"a\\22 b\\5c c\\a d 中"'


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/static/css/ahpanel.css",
        "http://report.ahpanel.invalid/static/css/ahpanel.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        f"{BASE_URL}static/../.env.example",  # a file of the repository, outside static/
        f"{BASE_URL}static/%2e%2e/config/settings.py",
        f"{BASE_URL}static//etc/passwd",
        f"{BASE_URL}media/upload.png",
        f"{BASE_URL}static/css/missing.css",
    ],
)
def test_the_fetcher_refuses_anything_but_the_projects_static_files(url):
    with pytest.raises(ValueError, match="own static files"):
        StaticFilesOnly().fetch(url)


def test_the_fetcher_serves_the_projects_stylesheet():
    response = StaticFilesOnly().fetch(f"{BASE_URL}static/css/ahpanel.css")

    assert response.content_type == "text/css"
    assert b".results-table" in response.read()
