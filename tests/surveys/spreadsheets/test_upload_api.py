"""The spreadsheet questionnaires' API: download, upload returning the preview, commit."""

import pytest

from surveys.spreadsheets import layout
from surveys.spreadsheets.questionnaire import questionnaire_build
from surveys.spreadsheets.reading import ERROR_FORMULA

from .conftest import fill, upload_file
from .test_upload import _counts, _edited

pytestmark = pytest.mark.django_db


def test_the_api_downloads_uploads_previews_and_commits(
    client, coordinator, open_evaluation, member
):

    client.force_login(coordinator)
    base = f"/api/v1/evaluations/{open_evaluation.pk}/"
    download = client.get(f"{base}questionnaire.xlsx?membership={member.pk}")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    data = fill(download.content, evaluation=open_evaluation)
    response = client.post(f"{base}questionnaires/", {"files": [upload_file(data)]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["can_store"] is True and body["files"][0]["errors"] == []
    crs = [form["cr"] for form in body["files"][0]["forms"] if form["kind"] == "pairwise"]
    assert crs and all(cr == pytest.approx(0, abs=1e-9) for cr in crs)
    assert _counts() == (0, 0, 0)
    commit = client.post(
        f"{base}questionnaires/{body['token']}/commit/", {}, content_type="application/json"
    )
    assert commit.status_code == 200, commit.content
    assert commit.json()["ballots"] == len(body["files"][0]["forms"])


def test_the_api_lists_errors_by_file_sheet_cell_and_rule(
    client, coordinator, open_evaluation, member, filled
):
    client.force_login(coordinator)
    code = layout.structure_of(open_evaluation).matrices[0].parent.code
    data = _edited(filled, lambda book: book[code].cell(6, 4, "=A1"))
    body = client.post(
        f"/api/v1/evaluations/{open_evaluation.pk}/questionnaires/",
        {"files": [upload_file(data, "x.xlsx")]},
    ).json()
    assert body["files"][0]["errors"] == [
        {"file": "x.xlsx", "sheet": code, "cell": "D6", "rule": ERROR_FORMULA}
    ]
    assert body["can_store"] is False


def test_an_api_commit_that_stores_nothing_is_a_409_listing_the_errors(
    client, coordinator, open_evaluation, member
):
    client.force_login(coordinator)
    data = fill(questionnaire_build(evaluation=open_evaluation), evaluation=open_evaluation)
    base = f"/api/v1/evaluations/{open_evaluation.pk}/questionnaires/"
    body = client.post(base, {"files": [upload_file(data, "blank.xlsx")]}).json()
    commit = client.post(f"{base}{body['token']}/commit/", {}, content_type="application/json")
    assert commit.status_code == 409
    assert [e["rule"] for e in commit.json()["errors"]] == [
        "Choose the panel member whose answers this blank questionnaire holds."
    ]
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("asked", "status"),
    [
        ("341160135774330995699875840", 400),  # longer than any id (found by Schemathesis)
        ("9223372036854775808", 400),  # 2**63: one past the largest id
        ("9223372036854775807", 404),  # the largest id: a number, but nobody's
        ("١٢", 400),  # digits, but not ASCII ones
        ("-1", 400),
        ("", 400),  # given but empty (found by Schemathesis): not the blank questionnaire
    ],
)
def test_a_membership_that_is_no_id_is_refused_naming_the_field(
    client, coordinator, open_evaluation, asked, status
):
    client.force_login(coordinator)
    url = f"/api/v1/evaluations/{open_evaluation.pk}/questionnaire.xlsx"
    response = client.get(url, {"membership": asked})
    assert response.status_code == status
    if status == 400:
        assert response.json()["errors"][0]["field"] == "membership"


@pytest.mark.parametrize("mode", ["", "everything", "ALL"])
def test_an_upload_mode_other_than_the_two_is_refused_naming_the_field(
    client, coordinator, open_evaluation, member, filled, mode
):
    # Found by Schemathesis: an empty mode was read as all-or-nothing and the preview made.
    client.force_login(coordinator)
    response = client.post(
        f"/api/v1/evaluations/{open_evaluation.pk}/questionnaires/",
        {"files": [upload_file(filled)], "mode": mode},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "mode"
    assert _counts() == (0, 0, 0)
