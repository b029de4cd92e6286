"""Downloading the PDF and Word reports from the results page in a real browser, and a large
report through its progress page: the page waits, follows the job by itself (plain fetch, no
inline script under the strict CSP), then offers the file. The reports are the real ones when
evaluations.reports is there (stand-ins otherwise: tests/report_stand_ins.py). Screenshots of
the download links and the progress page go to /tmp/shots/delivery/.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from evaluations.exports import jobs
from evaluations.models import ExportJob
from tests.browser.test_accessibility import axe, in_language, signed_in
from tests.evaluations.test_results_pages import panel_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/delivery")


@pytest.fixture
def results(evaluation):
    panel_results(evaluation)
    return evaluation


@pytest.fixture
def context(browser, live_server, coordinator):
    def open_as(language: str = "en"):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        in_language(context, live_server, language)
        signed_in(context, live_server, coordinator)
        return context

    return open_as


def csp_watched(page) -> list[str]:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return blocked


def downloaded(page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_the_pdf_and_word_reports_download_from_the_results_page(
    context, live_server, results, report_renderers
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("en", "zh-hans"):
        page = context(language).new_page()
        page.goto(live_server.url + reverse("results", args=[results.pk]))
        links = page.locator(".results-actions")
        links.scroll_into_view_if_needed()
        links.screenshot(path=str(SHOTS / f"export-links-{language}.png"))
        page.context.close()

    page = context().new_page()
    blocked = csp_watched(page)
    page.goto(live_server.url + reverse("results", args=[results.pk]))

    name, pdf = downloaded(page, "Download PDF report")
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    name, docx = downloaded(page, "Download Word report (.docx)")
    assert name.endswith(".docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert "word/document.xml" in archive.namelist()
    assert blocked == []


def test_a_large_report_goes_through_the_progress_page(
    context, live_server, results, report_renderers, settings, monkeypatch
):
    settings.EXPORT_SYNC_LIMIT = 0  # every report a job (the live server is this process)
    # Hold the task back, so the page is seen waiting; the test runs it below, as a worker
    # on the analysis queue would.
    monkeypatch.setattr(jobs, "_send", lambda job_id: None)
    page = context().new_page()
    blocked = csp_watched(page)
    page.goto(live_server.url + reverse("results", args=[results.pk]))

    page.get_by_role("link", name="Download PDF report").click()
    page.wait_for_url("**/results/exports/*/")
    pending = page.locator("#export-job-pending")
    assert pending.is_visible() and page.locator("#export-job-done").is_hidden()
    page.screenshot(path=str(SHOTS / "progress-waiting.png"), full_page=True)
    assert axe(page) == []

    jobs.export_job_run(job_id=ExportJob.objects.get().pk)

    link = page.get_by_role("link", name="Download the PDF report")
    link.wait_for(state="visible")  # the page's poll saw the job done
    assert pending.is_hidden()
    page.screenshot(path=str(SHOTS / "progress-done.png"), full_page=True)
    name, pdf = downloaded(page, "Download the PDF report")
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    assert blocked == []
