"""A client generated from /api/schema/ by openapi-python-client downloads every export format
as bytes, and follows a large report's job from 202 to its file (issue 16: the schema used to
say */* for exports, and the generated client dropped their responses).

The client is generated into tmp_path (no network) and talks to the live test server with a
coordinator's token. The PDF and Word files are the real reports when evaluations.reports is
there (stand-ins otherwise: tests/report_stand_ins.py).
"""

import importlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from evaluations.models import ExportJob
from experts.tokens import api_token_create
from tests.evaluations.test_results_pages import panel_results

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "ahpanel_client"


@pytest.fixture
def generated(client, tmp_path, monkeypatch):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(client.get("/api/schema/?format=json").json()))
    subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema), "--meta", "none",
         "--output-path", str(tmp_path / PACKAGE)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
        monkeypatch.delitem(sys.modules, name)
    return lambda module: importlib.import_module(f"{PACKAGE}.{module}")


@pytest.fixture
def results(evaluation):
    return panel_results(evaluation)


def member(data: bytes, name: str) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(entry.startswith(name) for entry in archive.namelist())


CHECKS = {
    "csv": lambda data: data.startswith(b"\xef\xbb\xbf"),
    "xlsx": lambda data: data[:2] == b"PK" and member(data, "xl/"),
    "json": lambda data: "data" in json.loads(data),
    "pdf": lambda data: data.startswith(b"%PDF"),
    "docx": lambda data: data[:2] == b"PK" and member(data, "word/"),
}


@pytest.mark.django_db(transaction=True)
def test_the_generated_client_downloads_each_format_and_a_deferred_report(
    generated, live_server, coordinator, evaluation, results, report_renderers, settings
):
    api = generated("client").AuthenticatedClient(
        base_url=live_server.url, token=api_token_create(user=coordinator, name="gen")[1]
    )
    export = generated("api.v1.evaluations_export")
    Fmt = generated("models.evaluations_export_fmt").EvaluationsExportFmt
    File = generated("types").File

    for name, check in CHECKS.items():
        answer = export.sync_detailed(evaluation.pk, Fmt(name), client=api)
        assert answer.status_code == 200, name
        assert isinstance(answer.parsed, File), name
        assert check(answer.parsed.payload.read()), name

    settings.EXPORT_SYNC_LIMIT = 0  # every report a job (the live server is this process)
    job = export.sync(evaluation.pk, Fmt("docx"), client=api)
    assert isinstance(job, generated("models.export_job").ExportJob)
    status = generated("api.v1.evaluations_export_job").sync(evaluation.pk, job.job, client=api)
    # Without a broker the task ran when the request committed: done by the first poll.
    assert status.status.value == "done" and status.download
    file = generated("api.v1.evaluations_export_job_file").sync(evaluation.pk, job.job, client=api)
    assert CHECKS["docx"](file.payload.read())
    assert ExportJob.objects.get().requested_by == coordinator
