"""The registry of export formats and the estimate that decides between the request and a job."""

import math

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from evaluations import exports
from evaluations.exports import formats
from evaluations.exports.formats import export_cost, export_deferred
from evaluations.management.commands import seed_demo
from evaluations.models import Evaluation, ResultSnapshot
from evaluations.services import evaluation_create_from_template


def test_the_registry_holds_the_five_formats_of_design_4():
    assert formats.NAMES == ("csv", "xlsx", "json", "pdf", "docx")
    assert formats.REGISTRY["pdf"].content_type == "application/pdf"
    assert formats.REGISTRY["docx"].content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert {name for name, fmt in formats.REGISTRY.items() if fmt.deferrable} == {"pdf", "docx"}
    assert {name: fmt.relative_cost for name, fmt in formats.REGISTRY.items()} == {
        "csv": 0, "xlsx": 0, "json": 0, "pdf": 1.0, "docx": 0.25,
    }  # fmt: skip


def test_the_package_keeps_the_names_the_rest_of_the_project_reads():
    for name in ("FORMATS", "CONTENT_TYPES", "FORMULA_STARTS", "Percent", "Section", "Table",
                 "results_tables", "history_table", "export_csv", "export_xlsx", "export_json",
                 "export_filename", "neutralised", "sheet_names"):  # fmt: skip
        assert hasattr(exports, name), name
    # The screening rounds export these three only (their writers' formats).
    assert exports.FORMATS == ("csv", "xlsx", "json")


def test_the_cost_is_the_fitted_pdf_milliseconds_of_subjects_cells_matrices_and_comments(
    snapshot,
):
    data = snapshot.data
    subjects = len(data["subjects"])
    leaves = sum(1 for indicator in data["indicators"] if indicator["is_leaf"])
    # Each matrix counts once and once more per expert who submitted it (their own table).
    entries = sum(len(m["children"]) ** 2 * (1 + m["experts_submitted"]) for m in data["matrices"])
    comments = len(data["comments"]["pairwise"]) + len(data["comments"]["ratings"])

    expected = 250 * subjects + 24 * subjects * leaves + 2.5 * entries + 5 * comments
    assert export_cost(snapshot) == round(expected)
    assert subjects and leaves and entries  # each term counts


def test_only_a_report_estimated_over_the_limit_is_deferred(snapshot, settings):
    cost = export_cost(snapshot)
    settings.EXPORT_SYNC_LIMIT = cost
    assert not export_deferred(fmt=formats.REGISTRY["pdf"], snapshot=snapshot)
    settings.EXPORT_SYNC_LIMIT = cost - 1
    assert export_deferred(fmt=formats.REGISTRY["pdf"], snapshot=snapshot)
    assert not export_deferred(fmt=formats.REGISTRY["xlsx"], snapshot=snapshot)
    settings.EXPORT_SYNC_LIMIT = 0  # the tables' formats stay in the request even so
    assert not any(
        export_deferred(fmt=formats.REGISTRY[name], snapshot=snapshot)
        for name in ("csv", "xlsx", "json")
    )


def test_a_word_file_counts_a_quarter_of_its_pdf(snapshot, settings):
    word = formats.REGISTRY["docx"]
    assert (formats.REGISTRY["pdf"].relative_cost, word.relative_cost) == (1.0, 0.25)
    cost = export_cost(snapshot)

    settings.EXPORT_SYNC_LIMIT = cost - 1  # the PDF goes to a task, its Word file does not
    assert not export_deferred(fmt=word, snapshot=snapshot)
    settings.EXPORT_SYNC_LIMIT = math.ceil(cost * 0.25)
    assert not export_deferred(fmt=word, snapshot=snapshot)
    settings.EXPORT_SYNC_LIMIT = math.floor(cost * 0.25) - 1
    assert export_deferred(fmt=word, snapshot=snapshot)


def test_the_demo_comes_back_within_the_request_in_both_formats(db, capsys):
    call_command("seed_demo")
    evaluation = Evaluation.objects.get(title=seed_demo.DEMO_TITLE)
    snapshot = evaluation.snapshots.order_by("-version").first()

    print("demo estimated PDF ms", export_cost(snapshot))  # noqa: T201  (BENCHMARKS.md's figure)
    assert export_cost(snapshot) < django_settings.EXPORT_SYNC_LIMIT
    for name in ("pdf", "docx"):
        assert not export_deferred(fmt=formats.REGISTRY[name], snapshot=snapshot), name


def template_snapshot(owner, *, subjects: int, experts: int) -> ResultSnapshot:
    """The data of a snapshot of the SME template (12 leaves; one 3 × 3 and three 4 × 4
    matrices) where every expert has judged every matrix: what export_cost reads."""
    evaluation = evaluation_create_from_template(
        owner=owner,
        template_key="sme-management-measures",
        subjects=[f"Enterprise {n + 1}" for n in range(subjects)],
    )
    indicators = list(evaluation.indicators.prefetch_related("children"))
    matrices = [
        {"children": [child.pk for child in parent.children.all()], "per_expert": [{}] * experts}
        for parent in indicators
        if len(parent.children.all()) >= 2
    ]
    data = {
        "subjects": [{"id": s.pk} for s in evaluation.subjects.all()],
        "indicators": [{"id": i.pk, "is_leaf": not i.children.all()} for i in indicators],
        "matrices": matrices,
        "comments": {"pairwise": [], "ratings": []},
    }
    return ResultSnapshot(evaluation=evaluation, version=1, data=data)


def test_the_template_with_five_subjects_sends_its_pdf_to_a_task(db, coordinator):
    snapshot = template_snapshot(coordinator, subjects=5, experts=3)
    # 5 subjects, 5 × 12 membership cells, (9 + 3 × 16) matrix entries × (group + 3 experts):
    # about 3.3 s, measured 3.8 CPU s (BENCHMARKS.md).
    assert export_cost(snapshot) == 250 * 5 + 24 * 5 * 12 + round(2.5 * 57 * 4) == 3260

    assert export_deferred(fmt=formats.REGISTRY["pdf"], snapshot=snapshot)
    assert not export_deferred(fmt=formats.REGISTRY["docx"], snapshot=snapshot)


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
