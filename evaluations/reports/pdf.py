"""The results report as a PDF, drawn by WeasyPrint from the printable page's own template and
context (context.report_context), so the page and the PDF cannot differ.

Nothing is fetched from the network: the URL fetcher serves the project's static files and
refuses every other address (a name in the report cannot make the server fetch anything).
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..models import Evaluation, ResultSnapshot
from .context import report_context, snapshot_date

TEMPLATE = "evaluations/results/report.html"
PRINT_CSS = Path(__file__).with_name("print.css")
# The document's own address: relative links resolve under it, and only it is served.
BASE_URL = "https://report.ahpanel.invalid/"
CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class StaticFilesOnly(URLFetcher):
    """Serves BASE_URL + STATIC_URL + <file> from the project's static files; refuses any
    other URL (other hosts, file:, data:, paths outside the static files)."""

    def fetch(self, url, headers=None):
        path = static_path(url)
        if path is None:
            raise ValueError(f"The report only loads the project's own static files: {url!r}")
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def static_path(url: str) -> Path | None:
    """The static file `url` names, or None if it names anything else."""
    parts = urlsplit(url)
    prefix = urlsplit(BASE_URL + settings.STATIC_URL.lstrip("/")).path
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(prefix):
        return None
    name = unquote(parts.path[len(prefix) :])
    if not name or ".." in Path(name).parts or name.startswith("/"):
        return None
    found = finders.find(name)
    return Path(found) if found else None


def render_pdf(*, evaluation: Evaluation, snapshot: ResultSnapshot, user) -> bytes:
    """The snapshot's report as `user` may read it, in the evaluation's language."""
    with translation.override(evaluation.language):
        context = report_context(evaluation=evaluation, snapshot=snapshot, user=user)
        html = render_to_string(TEMPLATE, context)
        margins = CSS(string=margin_css(evaluation=evaluation, snapshot=snapshot))
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly())
    return document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS)), margins])


def margin_css(*, evaluation: Evaluation, snapshot: ResultSnapshot) -> str:
    """The margin boxes: title top left, version and date top right, page X of Y below."""
    version = _("Results version {version}").format(version=snapshot.version)
    before, _sep, rest = _("Page {page} of {pages}").partition("{page}")
    between, _sep, after = rest.partition("{pages}")
    page = (
        f"{css_string(before)} counter(page) {css_string(between)} counter(pages) "
        f"{css_string(after)}"
    )
    return (
        "@page {"
        f" @top-left {{ content: {css_string(evaluation.title)}; }}"
        f" @top-right {{ content: {css_string(f'{version} · {snapshot_date(snapshot)}')}; }}"
        f" @bottom-center {{ content: {page}; }}"
        " }"
    )


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: anything but letters, digits and spaces is a hex escape,
    so a title cannot close the string or the rule."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'
