"""Exports of a snapshot: CSV for Excel, a workbook laid out like a thesis, and JSON."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.exports import sheet_names
from evaluations.results.experts import with_experts
from evaluations.services import evaluation_create_from_template
from tests.evaluations.test_results_pages import panel_results


@pytest.fixture
def snapshot(evaluation):
    return panel_results(evaluation)


@pytest.fixture
def chinese_evaluation(coordinator):
    return evaluation_create_from_template(
        owner=coordinator,
        template_key="sme-management-measures",
        subjects=["甲企业", "乙企业"],
        language="zh-hans",
    )


def export(client, evaluation, fmt):
    return client.get(reverse("results-export", args=[evaluation.pk, fmt]))


def workbook(response):
    return load_workbook(io.BytesIO(response.content), read_only=False)


def value_beside(sheet, label):
    """The cell to the right of the first cell holding `label`."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == label:
                return sheet.cell(row=cell.row, column=cell.column + 1).value
    raise AssertionError(f"{label} not on {sheet.title}")


def test_the_csv_starts_with_a_bom_and_holds_the_chinese_names(
    coordinator_client, chinese_evaluation
):
    panel_results(chinese_evaluation)

    response = export(coordinator_client, chinese_evaluation, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert "供应商选择" in text  # U11
    assert "人力资源管理" in text  # U2
    assert "甲企业" in text and "乙企业" in text


def test_the_csv_holds_the_tables_one_after_another_under_headings(
    coordinator_client, evaluation, snapshot
):
    text = export(coordinator_client, evaluation, "csv").content.decode("utf-8-sig")
    u2 = next(m for m in snapshot.data["matrices"] if m["parent"] == "U2")

    for heading in (
        "Weights (single and total hierarchical ranking)",
        "Consistency of the judgment matrices",
        "Judgment matrix U2 Human resource management",
        "Membership matrix R: Enterprise A",
        "Fuzzy comprehensive evaluation G = D·R and E = F·G",
        "Conclusion",
    ):
        assert f"{heading}\r\n" in text
    assert f"CR,{u2['cr']:.4f}\r\n" in text


def test_the_workbook_has_a_sheet_per_table(coordinator_client, evaluation, snapshot):
    book = workbook(export(coordinator_client, evaluation, "xlsx"))

    assert book.sheetnames == [
        "Weights",
        "Consistency",
        "Matrix U",
        "Matrix U1",
        "Matrix U2",
        "Matrix U3",
        "R Enterprise A",
        "R Enterprise B",
        "G = D·R and E = F·G",
        "Conclusion",
        "Flip points",
    ]


def test_the_matrix_sheets_hold_the_snapshots_figures_beneath_the_matrix(
    coordinator_client, evaluation, snapshot
):
    book = workbook(export(coordinator_client, evaluation, "xlsx"))

    for matrix in snapshot.data["matrices"]:
        sheet = book[f"Matrix {matrix['parent']}"]
        for label, key in (("λmax", "lambda_max"), ("CI", "ci"), ("RI", "ri"), ("CR", "cr")):
            assert value_beside(sheet, label) == pytest.approx(matrix[key], abs=1e-12)
        # The aggregated matrix first: its first row is the first child's row of the matrix.
        assert sheet["A4"].value == matrix["children"][0]
        assert sheet["B4"].value == pytest.approx(1.0)
        assert sheet.cell(row=4, column=len(matrix["children"]) + 2).value == pytest.approx(
            matrix["weights"][0]
        )


def test_the_weight_and_conclusion_sheets_hold_the_snapshots_numbers(
    coordinator_client, evaluation, snapshot
):
    book = workbook(export(coordinator_client, evaluation, "xlsx"))
    u11 = next(row for row in snapshot.data["indicators"] if row["code"] == "U11")
    best = next(s for s in snapshot.data["subjects"] if s["rank"] == 1)

    weights = {row[0]: row for row in book["Weights"].iter_rows(min_row=4, values_only=True)}
    assert weights["U11"][3] == pytest.approx(u11["local_weight"])
    assert weights["U11"][4] == pytest.approx(u11["global_weight"])
    assert weights["U11"][5] == u11["rank"]
    conclusion = list(book["Conclusion"].iter_rows(min_row=4, max_row=4, values_only=True))[0]
    assert conclusion[0] == best["name"]
    assert conclusion[2] == pytest.approx(best["score"])
    assert conclusion[3] == 1


def test_the_membership_sheet_has_vote_counts_beside_the_degrees(
    coordinator_client, evaluation, snapshot
):
    book = workbook(export(coordinator_client, evaluation, "xlsx"))
    subject = snapshot.data["subjects"][0]

    rows = {row[1]: row for row in book[f"R {subject['name']}"].iter_rows(values_only=True)}
    u11 = rows["U11"]
    grades = len(snapshot.data["grades"])
    counts, degrees = u11[4 : 4 + 2 * grades : 2], u11[5 : 4 + 2 * grades : 2]
    assert list(counts) == subject["counts"]["U11"]
    assert list(degrees) == pytest.approx(subject["membership"]["U11"])


def test_the_json_export_round_trips_the_snapshot(coordinator_client, evaluation, snapshot):
    response = export(coordinator_client, evaluation, "json")

    payload = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    robustness = payload["data"].pop("robustness")
    # Each expert's own figures come back from their ballots' shares (results.experts).
    stored = with_experts(snapshot)
    assert payload["data"] == {k: v for k, v in stored.items() if k != "robustness"}
    # The snapshot's flip points, and the analysis's status (none here: switched off in tests).
    assert robustness["flip_points"] == snapshot.data["robustness"]["flip_points"]
    assert robustness["simulation"] == {"status": "none"}
    assert payload["version"] == snapshot.version
    assert payload["evaluation"] == evaluation.pk
    assert payload["computed_at"].startswith(snapshot.computed_at.strftime("%Y-%m-%dT%H:%M"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_filename_names_the_evaluation_and_the_version(
    coordinator_client, evaluation, snapshot, fmt
):
    response = export(coordinator_client, evaluation, fmt)

    expected = f"ahpanel-evaluation-{evaluation.pk}-results-v{snapshot.version}.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


@pytest.mark.parametrize("fmt", ["odt", "xls", "CSV", "json2"])
def test_an_unknown_export_format_is_a_404(coordinator_client, evaluation, snapshot, fmt):
    assert export(coordinator_client, evaluation, fmt).status_code == 404


def test_there_is_nothing_to_export_before_the_first_snapshot(coordinator_client, evaluation):
    assert export(coordinator_client, evaluation, "csv").status_code == 404


def test_an_outsider_cannot_export(outsider_client, evaluation, snapshot):
    assert export(outsider_client, evaluation, "json").status_code == 404


def test_sheet_names_are_valid_short_and_unique():
    names = sheet_names(["R " + "x" * 40, "R " + "x" * 40, "a/b:c", "Weights", "weights"])

    assert all(len(name) <= 31 for name in names)
    assert len({name.lower() for name in names}) == len(names)
    assert names[2] == "a b c"
    assert names[4] == "weights (2)"


# OWASP's CSV-injection payloads, as indicator, subject and expert names.
PAYLOADS = [
    '=HYPERLINK("http://example.com/x","Open")',
    "+SUM(1,1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_every_text_cell_of_the_csv_and_xlsx_is_neutralised_against_formulas(
    coordinator_client, evaluation
):
    from evaluations.exports import FORMULA_STARTS
    from evaluations.models import Indicator, Subject
    from experts.models import PanelMembership

    panel_results(evaluation)  # the panel, then names turned hostile before the recompute
    leaves = list(Indicator.objects.filter(evaluation=evaluation, children__isnull=True))
    for leaf, payload in zip(leaves, PAYLOADS, strict=False):
        Indicator.objects.filter(pk=leaf.pk).update(name=payload)
    Subject.objects.filter(evaluation=evaluation, name="Enterprise A").update(name=PAYLOADS[0])
    PanelMembership.objects.filter(evaluation=evaluation, name="Dr. Li").update(name=PAYLOADS[3])
    from evaluations.services.pipeline import results_mark_stale
    from evaluations.services.results import results_recompute

    results_mark_stale(evaluation_id=evaluation.pk)
    results_recompute(evaluation_id=evaluation.pk)

    book = workbook(export(coordinator_client, evaluation, "xlsx"))
    texts = [
        cell for sheet in book for row in sheet.iter_rows() for cell in row
        if isinstance(cell.value, str)
    ]  # fmt: skip
    assert not [c.coordinate for c in texts if c.data_type == "f"]
    assert not [c.value for c in texts if c.value.startswith(FORMULA_STARTS)]
    assert any(c.value == "'" + PAYLOADS[0] for c in texts)
    numbers = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert any(isinstance(c.value, float) for c in numbers)  # numbers stay numbers

    import csv

    text = export(coordinator_client, evaluation, "csv").content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert "'" + PAYLOADS[2] in cells


def test_a_large_panels_json_lists_the_experts_own_figures_only_when_asked(
    coordinator_client, coordinator, evaluation, snapshot, monkeypatch
):
    # A panel of more experts than are listed by default (three here, against a limit of 2):
    # the export says so instead of carrying them; ?experts=1 brings every expert's.
    from evaluations.exports import formats
    from tests.api.conftest import token_client

    monkeypatch.setattr(formats, "LISTED_EXPERTS", 2)
    url = reverse("v1:export", args=[evaluation.pk, "json"])

    short = json.loads(token_client(coordinator).get(url).content)["data"]
    full = json.loads(token_client(coordinator).get(url, {"experts": "1"}).content)["data"]
    page = json.loads(export(coordinator_client, evaluation, "json").content)["data"]

    assert short["per_expert_omitted"] is True and page["per_expert_omitted"] is True
    assert all(m["per_expert"] == [] for m in short["matrices"])
    assert "per_expert_omitted" not in full
    assert [len(m["per_expert"]) for m in full["matrices"]] == [3, 3, 3, 3]
    assert full["matrices"] == with_experts(snapshot)["matrices"]
    refused = token_client(coordinator).get(url, {"experts": "yes"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "experts"
