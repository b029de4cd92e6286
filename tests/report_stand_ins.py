"""The PDF and Word renderers for tests of how exports are delivered.

`reports_available` installs nothing when evaluations.reports exists: the tests then download
the real reports. On a branch without it, it installs stand-ins that return a small valid
PDF and Word file, so the delivery (links, API, jobs, schema, client) is tested either way.
"""

import importlib
import io
import sys
import types
import zipfile

REPORTS = "evaluations.reports"


def stand_in_pdf(*, evaluation, snapshot, user) -> bytes:
    return b"%PDF-1.4\n% stand-in for evaluation " + str(evaluation.pk).encode() + b"\n%%EOF\n"


def stand_in_docx(*, evaluation, snapshot, user) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<document>{evaluation.pk}</document>")
    return buffer.getvalue()


def reports_available(monkeypatch) -> bool:
    """True when the real renderers are there; else installs the stand-ins (undone by
    monkeypatch at the end of the test) and returns False."""
    try:
        importlib.import_module(REPORTS)
    except ModuleNotFoundError as error:
        if error.name != REPORTS:
            raise  # the real module is there but a dependency of it is not: a real failure
        stand_in = types.ModuleType(REPORTS)
        stand_in.render_pdf = stand_in_pdf
        stand_in.render_docx = stand_in_docx
        monkeypatch.setitem(sys.modules, REPORTS, stand_in)
        return False
    return True


def done_export_job(evaluation, user, fmt: str = "csv"):
    """A finished export job of `user`'s, for walks over every route (its routes need an id)."""
    from django.utils import timezone

    from evaluations.models import ExportJob

    now = timezone.now()
    job, _created = ExportJob.objects.get_or_create(
        evaluation=evaluation,
        version=0,
        fmt=fmt,
        history=False,
        requested_by=user,
        defaults={"status": "done", "content": b"a,b\r\n", "size": 5, "queued_at": now,
                  "finished_at": now},
    )  # fmt: skip
    return job
