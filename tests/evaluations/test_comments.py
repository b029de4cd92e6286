"""Experts' comments reach the coordinator: in the snapshot, on the results page and in the
exports, named or as "Expert n" as the evaluation says, and never to other experts."""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.models import Evaluation
from evaluations.results.comments import comments_labelled
from evaluations.results.experts import with_experts
from evaluations.results_selectors import results_data_for
from evaluations.services.results import results_recompute
from experts.models import PanelMembership
from surveys import services
from tests.evaluations.test_results_pages import accept, judgments_for

U1 = [2, 4, 8, 2, 4, 2]
HOSTILE = '=HYPERLINK("http://evil.example","click")'


def with_comment(judgments: dict, comment: str) -> dict:
    first = next(iter(judgments))
    return {**judgments, first: {**judgments[first], "comment": comment}}


@pytest.fixture
def panel(evaluation):
    """Two experts comment on U1's first pair and on one rated indicator; results computed."""
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.OPEN)
    evaluation.refresh_from_db()
    u1 = evaluation.indicators.get(code="U1")
    leaf = evaluation.indicators.get(code="U11")
    subject = evaluation.subjects.first()
    grade = evaluation.grades.first()
    wang, li = (
        PanelMembership.objects.create(evaluation=evaluation, email=f"{n}@example.com", name=name)
        for n, name in (("wang", "Prof. Wang"), ("li", "Dr. Li"))
    )
    for membership, text in ((wang, "Logistics first."), (li, HOSTILE)):
        services.pairwise_ballot_save(
            membership=membership,
            parent=u1,
            judgments=with_comment(judgments_for(u1, U1), text),
            submit=True,
        )
    services.rating_ballot_save(
        membership=li,
        subject=subject,
        ratings={str(leaf.pk): {"grade": grade.pk, "comment": "Strong supplier base."}},
        submit=False,  # a draft: not in the results
    )
    ratings = {
        str(x.pk): {"grade": grade.pk, "comment": "Strong supplier base." if x == leaf else ""}
        for x in evaluation.indicators.filter(children__isnull=True)
    }
    services.rating_ballot_save(membership=li, subject=subject, ratings=ratings, submit=True)
    results_recompute(evaluation_id=evaluation.pk)
    return {"evaluation": evaluation, "wang": wang, "li": li, "subject": subject}


def sheet_rows(sheet) -> list[list]:
    """Each row's values without the empty cells after its last one."""
    rows = []
    for row in sheet.iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    return rows


def comments_section(response) -> str:
    html = response.content.decode()
    start = html.index('id="comments-heading"')
    return html[start : html.index("</section>", start)]


def name_comments(evaluation, named: bool) -> None:
    Evaluation.objects.filter(pk=evaluation.pk).update(comments_named=named)
    evaluation.refresh_from_db()


def test_the_snapshot_keeps_each_submitted_comment_with_its_place_and_expert(panel):
    evaluation, wang, li = panel["evaluation"], panel["wang"], panel["li"]
    comments = evaluation.snapshots.latest("version").data["comments"]

    assert [(c["parent"], c["row"], c["col"], c["membership"], c["name"], c["text"])
            for c in comments["pairwise"]] == [
        ("U1", "U11", "U12", wang.pk, "Prof. Wang", "Logistics first."),
        ("U1", "U11", "U12", li.pk, "Dr. Li", HOSTILE),
    ]  # fmt: skip
    assert comments["pairwise"][0]["value"] == 2
    [rating] = comments["ratings"]
    assert (rating["subject"], rating["leaf"], rating["membership"], rating["grade"]) == (
        panel["subject"].pk, "U11", li.pk, 0,
    )  # fmt: skip


def test_a_comment_in_a_draft_on_top_is_not_in_the_results(panel):
    evaluation, wang = panel["evaluation"], panel["wang"]
    u1 = evaluation.indicators.get(code="U1")
    services.pairwise_ballot_save(
        membership=wang,
        parent=u1,
        judgments=with_comment(judgments_for(u1, U1), "Second thoughts."),
        submit=False,
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(input_version=999)

    results_recompute(evaluation_id=evaluation.pk)

    texts = [c["text"] for c in evaluation.snapshots.latest("version").data["comments"]["pairwise"]]
    assert "Logistics first." in texts and "Second thoughts." not in texts


def test_the_results_page_shows_comments_anonymously_by_default(coordinator_client, panel):
    evaluation = panel["evaluation"]
    assert evaluation.comments_named is False

    section = comments_section(coordinator_client.get(reverse("results", args=[evaluation.pk])))

    assert "Logistics first." in section and "Strong supplier base." in section
    assert "Expert 1" in section and "Expert 2" in section
    assert "Prof. Wang" not in section and "Dr. Li" not in section


def test_the_results_page_names_the_experts_when_the_setting_says_so(coordinator_client, panel):
    evaluation = panel["evaluation"]
    name_comments(evaluation, True)

    section = comments_section(coordinator_client.get(reverse("results", args=[evaluation.pk])))

    assert "Prof. Wang" in section and "Dr. Li" in section
    assert "Expert 1" not in section


def test_anonymous_numbers_are_the_same_for_an_expert_throughout(panel):
    evaluation, li = panel["evaluation"], panel["li"]
    data = comments_labelled(with_experts(evaluation.snapshots.latest("version")), named=False)

    labels = {c["expert"] for c in data["comments"]["pairwise"] if c["membership"] == li.pk}
    labels |= {c["expert"] for c in data["comments"]["ratings"]}

    assert labels == {"Expert 2"}
    assert all(c["name"] == c["expert"] for c in data["comments"]["pairwise"])


def test_experts_who_see_shared_results_get_no_comments(client, expert, panel):
    evaluation = panel["evaluation"]
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)
    evaluation.refresh_from_db()
    accept(panel["wang"], expert)
    client.force_login(expert)

    page = client.get(reverse("results", args=[evaluation.pk]))
    export = client.get(reverse("results-export", args=[evaluation.pk, "json"]) + "?history=1")

    assert page.status_code == 200 and 'id="comments-heading"' not in page.content.decode()
    body = json.loads(export.content)
    assert "comments" not in body["data"] and "history" not in body
    snapshot = evaluation.snapshots.latest("version")
    assert "comments" not in results_data_for(evaluation=evaluation, snapshot=snapshot, user=expert)


def test_the_json_export_carries_the_labelled_comments(coordinator_client, panel):
    evaluation = panel["evaluation"]

    body = json.loads(
        coordinator_client.get(reverse("results-export", args=[evaluation.pk, "json"])).content
    )

    experts = [c["expert"] for c in body["data"]["comments"]["pairwise"]]
    assert experts == ["Expert 1", "Expert 2"]
    assert "Prof. Wang" not in json.dumps(body["data"]["comments"])


def test_the_workbook_has_a_comments_sheet_with_formulas_neutralised(coordinator_client, panel):
    evaluation = panel["evaluation"]
    name_comments(evaluation, True)

    response = coordinator_client.get(reverse("results-export", args=[evaluation.pk, "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content))["Comments"]
    rows = sheet_rows(sheet)
    assert ["U1", "U11 – U12", "Prof. Wang", "2", "Logistics first."] in rows
    assert ["U1", "U11 – U12", "Dr. Li", "2", "'" + HOSTILE] in rows
    [rating] = [row for row in rows if "Strong supplier base." in row]
    assert rating[:2] == [panel["subject"].name, "U11"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_csv_has_the_comments_with_formulas_neutralised(coordinator_client, panel):
    evaluation = panel["evaluation"]

    response = coordinator_client.get(reverse("results-export", args=[evaluation.pk, "csv"]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["U1", "U11 – U12", "Expert 2", "2", "'" + HOSTILE] in rows
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_the_exports_add_the_history_when_asked(coordinator_client, panel):
    evaluation = panel["evaluation"]
    url = reverse("results-export", args=[evaluation.pk, "xlsx"])

    without = load_workbook(io.BytesIO(coordinator_client.get(url).content))
    book = load_workbook(io.BytesIO(coordinator_client.get(url + "?history=1").content))

    assert "History" not in without.sheetnames
    rows = sheet_rows(book["History"])
    # Anonymous comments: the history numbers the experts the same way.
    logistics = [row for row in rows if "Logistics first." in row]
    assert logistics and logistics[0][1] == "Expert 1" and logistics[0][2] == "submitted"
    assert any(row and row[-1] == "'" + HOSTILE for row in rows)
    body = json.loads(
        coordinator_client.get(
            reverse("results-export", args=[evaluation.pk, "json"]) + "?history=1"
        ).content
    )
    assert [r["action"] for r in body["history"]] == ["submitted"] * 3
    assert {r["expert"] for r in body["history"]} == {"Expert 1", "Expert 2"}


def test_the_api_export_adds_the_history_when_asked(coordinator, panel):
    from tests.api.conftest import token_client

    evaluation = panel["evaluation"]

    response = token_client(coordinator).get(
        reverse("v1:export", args=[evaluation.pk, "json"]) + "?history=1"
    )

    assert response.status_code == 200
    assert len(json.loads(response.content)["history"]) == 3


@pytest.mark.parametrize("asked", ["2", "true", "", "١"])
def test_the_api_export_refuses_a_history_other_than_0_or_1(coordinator, panel, asked):
    # Found by Schemathesis: ?history=2 was read as 0 and the file came back (200).
    from tests.api.conftest import token_client

    evaluation = panel["evaluation"]

    response = token_client(coordinator).get(
        reverse("v1:export", args=[evaluation.pk, "csv"]), {"history": asked}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "history"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2 is too low", "'-2 is too low"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("fine = good", "fine = good"),
        ("", ""),
        (-0.5, -0.5),
        (3, 3),
        (None, None),
    ],
)
def test_free_text_that_a_spreadsheet_would_run_is_neutralised(value, cell):
    from evaluations.exports import neutralised

    assert neutralised(value) == cell
