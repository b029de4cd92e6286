"""A large report through the real services: PostgreSQL, Redis and an analysis-queue worker
process that renders the real PDF and Word files (WeasyPrint and python-docx in the worker, as
in production), polled through the API as a client would."""

import io
from contextlib import contextmanager

import docx
import pytest
from django.urls import reverse
from pypdf import PdfReader

from config.celery import app as celery_app
from evaluations.models import ExportJob
from evaluations.robustness import analysis
from tests.api.conftest import token_client
from tests.evaluations.test_results_pages import panel_results
from tests.faults.helpers import wait_for


@contextmanager
def broker():
    """Tasks go to the broker, as in production; then back to what they were (the services
    run's setting, which the later services tests rely on)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_analysis_worker_renders_a_large_report_that_the_client_polls(
    coordinator, evaluation, settings
):
    from tests.services import celery_worker

    panel_results(evaluation)  # in-process: no recompute task is left on the broker
    settings.EXPORT_SYNC_LIMIT = 0  # every report is large: it goes to the analysis queue
    client = token_client(coordinator)
    celery_app.control.purge()
    with broker(), celery_worker(queue=analysis.QUEUE):
        files = {}
        for fmt in ("pdf", "docx"):
            url = reverse("v1:export", args=[evaluation.pk, fmt])
            asked = client.get(url)
            assert asked.status_code == 202, asked.content[:300]
            poll = asked.json()["poll"]
            assert asked["Location"] == poll

            def done(poll=poll) -> bool:
                status = client.get(poll).json()["status"]
                assert status != "failed", client.get(poll).json()
                return status == "done"

            wait_for(done, timeout=180)
            download = client.get(client.get(poll).json()["download"])
            assert download.status_code == 200
            files[fmt] = download.content

    assert ExportJob.objects.filter(status="done").count() == 2
    pdf = PdfReader(io.BytesIO(files["pdf"]))
    assert len(pdf.pages) > 1
    assert evaluation.title in pdf.pages[0].extract_text()
    word = docx.Document(io.BytesIO(files["docx"]))
    assert len(word.tables) > 3
    assert any(evaluation.title in paragraph.text for paragraph in word.paragraphs)
