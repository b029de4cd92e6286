"""The exports in the REST API: a small file comes back directly (200, its media type), a
large report answers 202 with its job to poll; the schema states each format's media type."""

import pytest
from django.urls import reverse

from evaluations.exports import formats
from evaluations.models import ExportJob
from tests.api.conftest import token_client
from tests.evaluations.test_results_pages import accept, panel_results

MAGIC = {"csv": b"\xef\xbb\xbf", "xlsx": b"PK", "json": b"{", "pdf": b"%PDF", "docx": b"PK"}


def export_url(evaluation, fmt):
    return reverse("v1:export", args=[evaluation.pk, fmt])


@pytest.fixture
def snapshot(evaluation):
    return panel_results(evaluation)


@pytest.fixture
def api(coordinator):
    return token_client(coordinator, read_only=True)


@pytest.mark.parametrize("fmt", formats.NAMES)
def test_a_small_export_comes_back_directly_in_its_media_type(
    api,
    evaluation,
    snapshot,
    report_renderers,
    fmt,
):
    response = api.get(export_url(evaluation, fmt))

    assert response.status_code == 200
    assert response["Content-Type"] == formats.REGISTRY[fmt].content_type
    assert response.content.startswith(MAGIC[fmt])
    expected = f"ahpanel-evaluation-{evaluation.pk}-results-v{snapshot.version}.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_a_client_asking_for_octet_stream_gets_the_bytes_labelled_so(
    api,
    evaluation,
    snapshot,
):
    response = api.get(export_url(evaluation, "xlsx"), HTTP_ACCEPT="application/octet-stream")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response.content[:2] == b"PK"


@pytest.mark.usefixtures("deferred")
def test_a_large_report_answers_202_and_its_job_is_polled_until_done(
    api,
    coordinator,
    evaluation,
    snapshot,
    fake_pdf,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.get(export_url(evaluation, "pdf"))
    job = ExportJob.objects.get()
    poll = "http://testserver" + reverse("v1:export-job", args=[evaluation.pk, job.pk])

    assert response.status_code == 202
    assert response["Location"] == poll
    body = response.json()
    assert (body["status"], body["job"], body["poll"], body["download"]) == (
        "queued", job.pk, poll, None,
    )  # fmt: skip
    queued = api.get(poll)
    assert queued.status_code == 200 and queued.json()["status"] == "queued"
    early = api.get(poll + "file/")
    assert early.status_code == 409 and early.json()["status"] == "queued"

    for callback in callbacks:
        callback()

    done = api.get(poll).json()
    assert done["status"] == "done" and done["download"] == poll + "file/"
    download = api.get(done["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content == formats.REGISTRY["pdf"].render(
        evaluation=evaluation, snapshot=snapshot, user=coordinator
    )


@pytest.mark.usefixtures("deferred")
def test_another_persons_job_is_a_404_in_the_api(
    coordinator, expert, outsider, evaluation, snapshot, fake_pdf,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    evaluation.results_visible_to_experts = True
    evaluation.save()
    accept(evaluation.memberships.first(), expert)
    expert_api = token_client(expert)
    with django_capture_on_commit_callbacks(execute=True):
        response = expert_api.get(export_url(evaluation, "pdf"))
    poll = response["Location"]

    assert expert_api.get(poll).status_code == 200
    assert token_client(coordinator).get(poll).status_code == 200
    assert token_client(outsider).get(poll).status_code == 404
    assert token_client(outsider).get(poll + "file/").status_code == 404


def test_the_schema_states_each_formats_media_type_and_the_job(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/evaluations/{evaluation_id}/export/{fmt}/"]["get"]
    fmt = next(p for p in operation["parameters"] if p["name"] == "fmt")

    assert sorted(fmt["schema"]["enum"]) == sorted(formats.NAMES)
    content = operation["responses"]["200"]["content"]
    assert "*/*" not in content
    for name in formats.NAMES:
        assert formats.REGISTRY[name].content_type.split(";")[0] in content
    assert list(content)[0] == "application/octet-stream"  # what generated clients read
    job = operation["responses"]["202"]["content"]["application/json"]["schema"]
    assert job == {"$ref": "#/components/schemas/ExportJob"}
    polled = schema["paths"]["/api/v1/evaluations/{evaluation_id}/export/jobs/{job_id}/"]
    assert polled["get"]["responses"]["200"]["content"]["application/json"]["schema"] == job
