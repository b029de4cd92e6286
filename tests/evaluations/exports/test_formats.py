"""The registry of export formats and the size that decides between the request and a job."""

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from evaluations import exports
from evaluations.exports import formats
from evaluations.exports.formats import export_deferred, export_size
from evaluations.management.commands import seed_demo
from evaluations.models import Evaluation


def test_the_registry_holds_the_five_formats_of_design_4():
    assert formats.NAMES == ("csv", "xlsx", "json", "pdf", "docx")
    assert formats.REGISTRY["pdf"].content_type == "application/pdf"
    assert formats.REGISTRY["docx"].content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert {name for name, fmt in formats.REGISTRY.items() if fmt.deferrable} == {"pdf", "docx"}


def test_the_package_keeps_the_names_the_rest_of_the_project_reads():
    for name in ("FORMATS", "CONTENT_TYPES", "FORMULA_STARTS", "Percent", "Section", "Table",
                 "results_tables", "history_table", "export_csv", "export_xlsx", "export_json",
                 "export_filename", "neutralised", "sheet_names"):  # fmt: skip
        assert hasattr(exports, name), name
    # The screening rounds export these three only (their writers' formats).
    assert exports.FORMATS == ("csv", "xlsx", "json")


def test_the_size_counts_membership_cells_matrix_cells_for_each_expert_and_comments(snapshot):
    data = snapshot.data
    leaves = sum(1 for indicator in data["indicators"] if indicator["is_leaf"])
    cells = sum(len(m["children"]) ** 2 * (1 + len(m["per_expert"])) for m in data["matrices"])
    comments = len(data["comments"]["pairwise"]) + len(data["comments"]["ratings"])

    assert export_size(snapshot) == len(data["subjects"]) * leaves + cells + comments
    assert export_size(snapshot) > 0


def test_only_a_report_over_the_limit_is_deferred(snapshot, settings):
    size = export_size(snapshot)
    settings.EXPORT_SYNC_LIMIT = size
    assert not export_deferred(fmt=formats.REGISTRY["pdf"], snapshot=snapshot)
    settings.EXPORT_SYNC_LIMIT = size - 1
    assert export_deferred(fmt=formats.REGISTRY["pdf"], snapshot=snapshot)
    assert export_deferred(fmt=formats.REGISTRY["docx"], snapshot=snapshot)
    assert not export_deferred(fmt=formats.REGISTRY["xlsx"], snapshot=snapshot)


def test_the_demo_is_under_the_limit(db, capsys):
    call_command("seed_demo")
    evaluation = Evaluation.objects.get(title=seed_demo.DEMO_TITLE)
    snapshot = evaluation.snapshots.order_by("-version").first()

    print("demo export size", export_size(snapshot))  # noqa: T201  (BENCHMARKS.md's figure)
    assert export_size(snapshot) < django_settings.EXPORT_SYNC_LIMIT


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_small_report_comes_back_from_the_page_directly(
    coordinator_client, evaluation, snapshot, report_renderers, fmt
):
    response = coordinator_client.get(reverse("results-export", args=[evaluation.pk, fmt]))

    assert response.status_code == 200
    assert response["Content-Type"] == formats.REGISTRY[fmt].content_type
    expected = f"ahpanel-evaluation-{evaluation.pk}-results-v{snapshot.version}.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    body = b"".join(response) if response.streaming else response.content
    assert body.startswith(b"%PDF" if fmt == "pdf" else b"PK")
