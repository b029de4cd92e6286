"""Upload → preview → store, through the pages and the API; every bad file changes nothing."""

import io
import zipfile

import numpy as np
import openpyxl
import pytest
from django.urls import reverse

from evaluations.engine import ahp
from evaluations.models import ResultSnapshot
from evaluations.services.lifecycle import evaluation_create_from_template
from surveys.models import BallotRevision, Channel, PairwiseBallot, RatingBallot
from surveys.paper.models import DataEntryAssistant
from surveys.spreadsheets import layout
from surveys.spreadsheets.models import SpreadsheetUpload
from surveys.spreadsheets.questionnaire import questionnaire_build
from surveys.spreadsheets.reading import ERROR_FORMULA, MAX_FILE_BYTES
from tests.conftest import accepted_membership

from .conftest import consistent_value, fill, upload_file

pytestmark = pytest.mark.django_db


def _counts():
    return (
        PairwiseBallot.objects.count(),
        RatingBallot.objects.count(),
        BallotRevision.objects.count(),
    )


def _upload(client, evaluation, *files, mode="all"):
    url = reverse("questionnaire-upload", args=[evaluation.pk])
    return client.post(
        url, {"files": [upload_file(data, name) for name, data in files], "mode": mode}
    )


def _preview(client, evaluation):
    upload = SpreadsheetUpload.objects.latest("id")
    url = reverse("questionnaire-preview", args=[evaluation.pk, upload.token])
    return upload, url, client.get(url)


def test_a_filled_questionnaire_round_trips_into_submitted_ballots(
    coordinator_client, open_evaluation, member, filled, django_capture_on_commit_callbacks
):
    response = _upload(coordinator_client, open_evaluation, ("erin.xlsx", filled))
    assert response.status_code == 302
    upload, url, page = _preview(coordinator_client, open_evaluation)
    assert page.status_code == 200
    assert _counts() == (0, 0, 0)  # nothing stored before "Store"
    structure = layout.structure_of(open_evaluation)
    checks = upload.files[0]["checks"]
    for matrix in structure.matrices:
        n = len(matrix.children)
        upper = [float(consistent_value(i, j)) for i in range(n) for j in range(i + 1, n)]
        expected = ahp.priorities(ahp.from_upper(upper, n), method="geometric", ri="paper").cr
        assert checks[str(matrix.parent.pk)]["cr"] == pytest.approx(float(expected), abs=1e-12)
    assert b"CR " in page.content
    with django_capture_on_commit_callbacks(execute=True):
        stored = coordinator_client.post(url)
    assert stored.status_code == 302
    ballots = PairwiseBallot.objects.filter(membership=member)
    assert ballots.count() == len(structure.matrices)
    assert all(b.submitted_at is not None for b in ballots)
    assert RatingBallot.objects.filter(
        membership=member, submitted_at__isnull=False
    ).count() == len(structure.subjects)
    channels = set(BallotRevision.objects.values_list("channel", flat=True))
    assert channels == {Channel.SPREADSHEET}
    assert not SpreadsheetUpload.objects.exists()
    # The results recompute (in-process in tests) includes the new ballots.
    snapshot = ResultSnapshot.objects.filter(evaluation=open_evaluation).order_by("-version")[0]
    assert snapshot.pairwise_ballots == len(structure.matrices)
    assert snapshot.rating_ballots == len(structure.subjects)


def _bad(coordinator_client, evaluation, data, name="bad.xlsx"):
    before = _counts()
    response = _upload(coordinator_client, evaluation, (name, data))
    if response.status_code == 302:
        upload, url, page = _preview(coordinator_client, evaluation)
        errors = upload.files[0]["errors"]
        assert coordinator_client.post(url).status_code == 400  # Store refuses
    else:
        errors, page = None, response
    assert _counts() == before
    return errors, page


def test_a_file_that_is_not_a_zip_is_refused(coordinator_client, open_evaluation, member):
    errors, _page = _bad(coordinator_client, open_evaluation, b"%PDF-1.4 not a workbook")
    assert [e["rule"] for e in errors] == [
        "The file is not an XLSX workbook (Excel 2007 or later, .xlsx). Save it as .xlsx and "
        "upload it again."
    ]


def test_a_random_zip_is_refused(coordinator_client, open_evaluation, member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    errors, _page = _bad(coordinator_client, open_evaluation, buffer.getvalue())
    assert "not an XLSX workbook" in errors[0]["rule"]


def test_a_zip_bomb_is_refused_before_unpacking(coordinator_client, open_evaluation, member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"\0" * (40 * 1024 * 1024))
    assert len(buffer.getvalue()) < MAX_FILE_BYTES
    errors, _page = _bad(coordinator_client, open_evaluation, buffer.getvalue())
    assert "unpacks to more than 30 MB" in errors[0]["rule"]


def test_a_50_mb_upload_is_refused_without_reading_it(coordinator_client, open_evaluation, member):
    errors, page = _bad(coordinator_client, open_evaluation, b"\0" * (50 * 1024 * 1024))
    assert page.status_code == 413
    assert "larger than 20 MB altogether: nothing was read" in page.content.decode()


def test_a_large_single_file_is_refused_by_its_size(coordinator_client, open_evaluation, member):
    errors, _page = _bad(coordinator_client, open_evaluation, b"\0" * (MAX_FILE_BYTES + 1))
    assert "larger than 5 MB" in errors[0]["rule"]


def test_a_questionnaire_of_another_evaluation_is_refused(
    coordinator_client, coordinator, open_evaluation, member, expert
):
    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    data = fill(questionnaire_build(evaluation=other), evaluation=other)
    errors, _page = _bad(coordinator_client, open_evaluation, data)
    assert "belongs to another evaluation" in errors[0]["rule"]


def test_a_questionnaire_made_before_the_structure_changed_is_refused(
    coordinator_client, open_evaluation, member, filled
):
    open_evaluation.subjects.create(name="Enterprise C", order=9)
    errors, _page = _bad(coordinator_client, open_evaluation, filled)
    assert "have changed since this file was made" in errors[0]["rule"]


def _edited(data: bytes, edit) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_edited_sheet_layout_is_refused(coordinator_client, open_evaluation, member, filled):
    structure = layout.structure_of(open_evaluation)
    data = _edited(filled, lambda book: book[structure.matrices[0].parent.code].insert_rows(7))
    errors, _page = _bad(coordinator_client, open_evaluation, data)
    assert errors[0]["sheet"] == structure.matrices[0].parent.code
    assert "layout was edited" in errors[0]["rule"]


def test_a_formula_in_an_input_cell_is_refused_naming_the_cell(
    coordinator_client, open_evaluation, member, filled
):
    code = layout.structure_of(open_evaluation).matrices[0].parent.code

    def edit(book):
        book[code]["D6"] = "=1/3"

    errors, page = _bad(coordinator_client, open_evaluation, _edited(filled, edit))
    assert {(e["sheet"], e["cell"], e["rule"]) for e in errors} == {(code, "D6", ERROR_FORMULA)}
    assert "D6" in page.content.decode()


def test_the_protected_formula_cells_are_ignored(
    coordinator_client, open_evaluation, member, filled
):
    code = layout.structure_of(open_evaluation).matrices[0].parent.code
    data = _edited(filled, lambda book: book[code].cell(7, 3, "=9"))  # lower triangle
    response = _upload(coordinator_client, open_evaluation, ("erin.xlsx", data))
    assert response.status_code == 302
    assert SpreadsheetUpload.objects.latest("id").files[0]["errors"] == []


def test_an_out_of_scale_value_is_refused(coordinator_client, open_evaluation, member, filled):
    code = layout.structure_of(open_evaluation).matrices[0].parent.code
    data = _edited(filled, lambda book: book[code].cell(6, 4, "12"))
    errors, _page = _bad(coordinator_client, open_evaluation, data)
    assert [(e["cell"], "is not on the 1–9 scale" in e["rule"]) for e in errors] == [("D6", True)]


def test_missing_answers_are_refused_cell_by_cell(
    coordinator_client, open_evaluation, member, filled
):
    structure = layout.structure_of(open_evaluation)
    code = structure.matrices[0].parent.code
    rating = next(
        t for t in openpyxl.load_workbook(io.BytesIO(filled)).sheetnames if t.startswith("Ratings")
    )

    def edit(book):
        book[code].cell(6, 4).value = None
        book[rating].cell(7, 4).value = None

    errors, _page = _bad(coordinator_client, open_evaluation, _edited(filled, edit))
    assert {(e["sheet"], e["cell"]) for e in errors} == {(code, "D6"), (rating, "D7")}


def test_a_blank_questionnaire_needs_a_member(coordinator_client, open_evaluation, member):
    data = fill(
        questionnaire_build(evaluation=open_evaluation), evaluation=open_evaluation, name=""
    )
    before = _counts()
    _upload(coordinator_client, open_evaluation, ("blank.xlsx", data))
    upload, url, page = _preview(coordinator_client, open_evaluation)
    assert b"Choose a panel member" in page.content
    response = coordinator_client.post(url, {"member-0": ""})
    assert response.status_code == 400
    assert (
        b"Choose the panel member whose answers this blank questionnaire holds." in response.content
    )
    assert _counts() == before


def test_a_blank_questionnaire_is_matched_by_the_typed_name(
    coordinator_client, open_evaluation, member
):
    data = fill(
        questionnaire_build(evaluation=open_evaluation),
        evaluation=open_evaluation,
        name=" erin  EXPERT ",
    )
    _upload(coordinator_client, open_evaluation, ("blank.xlsx", data))
    upload, url, page = _preview(coordinator_client, open_evaluation)
    assert f'<option value="{member.pk}" selected>'.encode() in page.content
    assert coordinator_client.post(url, {"member-0": str(member.pk)}).status_code == 302
    assert PairwiseBallot.objects.filter(membership=member, submitted_at__isnull=False).exists()


def _two_files(open_evaluation, member, make_user):
    other = accepted_membership(open_evaluation, make_user("olga"))
    good = fill(
        questionnaire_build(evaluation=open_evaluation, membership=member),
        evaluation=open_evaluation,
    )
    bad = fill(
        questionnaire_build(evaluation=open_evaluation, membership=other),
        evaluation=open_evaluation,
        value=lambda i, j: "=2",
    )
    return other, good, bad


def test_all_or_nothing_stores_nothing_when_one_file_is_bad(
    coordinator_client, open_evaluation, member, make_user
):
    _other, good, bad = _two_files(open_evaluation, member, make_user)
    _upload(coordinator_client, open_evaluation, ("good.xlsx", good), ("bad.xlsx", bad))
    upload, url, page = _preview(coordinator_client, open_evaluation)
    assert b"Nothing can be stored" in page.content
    assert coordinator_client.post(url).status_code == 400
    assert _counts() == (0, 0, 0)


def test_per_file_stores_the_correct_files(coordinator_client, open_evaluation, member, make_user):
    other, good, bad = _two_files(open_evaluation, member, make_user)
    _upload(
        coordinator_client, open_evaluation, ("good.xlsx", good), ("bad.xlsx", bad), mode="per_file"
    )
    upload, url, page = _preview(coordinator_client, open_evaluation)
    assert coordinator_client.post(url).status_code == 302
    assert PairwiseBallot.objects.filter(membership=member).exists()
    assert not PairwiseBallot.objects.filter(membership=other).exists()


def test_an_inconsistent_matrix_is_refused_under_the_block_policy(
    coordinator_client, open_evaluation, member
):
    rng = np.random.default_rng(3)
    choices = ["9", "1/9", "1/7", "7", "5"]
    data = fill(
        questionnaire_build(evaluation=open_evaluation, membership=member),
        evaluation=open_evaluation,
        value=lambda i, j: str(rng.choice(choices)),
    )
    errors, _page = _bad(coordinator_client, open_evaluation, data)
    assert any("inconsistent" in e["rule"] for e in errors)


def test_outsiders_reach_neither_download_nor_upload(outsider_client, open_evaluation, member):
    for url in (
        reverse("questionnaire-xlsx", args=[open_evaluation.pk, member.pk]),
        reverse("questionnaire-blank-xlsx", args=[open_evaluation.pk]),
        reverse("questionnaire-upload", args=[open_evaluation.pk]),
    ):
        assert outsider_client.get(url).status_code == 404


def test_the_panel_page_offers_the_downloads(coordinator_client, open_evaluation, member):
    page = coordinator_client.get(reverse("panel", args=[open_evaluation.pk])).content.decode()
    assert reverse("questionnaire-xlsx", args=[open_evaluation.pk, member.pk]) in page
    assert reverse("questionnaire-blank-xlsx", args=[open_evaluation.pk]) in page
    response = coordinator_client.get(
        reverse("questionnaire-xlsx", args=[open_evaluation.pk, member.pk])
    )
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.content[:2] == b"PK"


def test_a_date_in_an_input_cell_is_refused(coordinator_client, open_evaluation, member, filled):
    import datetime

    code = layout.structure_of(open_evaluation).matrices[0].parent.code
    data = _edited(filled, lambda book: book[code].cell(6, 4, datetime.datetime(2026, 1, 3)))
    errors, _page = _bad(coordinator_client, open_evaluation, data)
    assert [(e["cell"], "turned “1/3” into a date" in e["rule"]) for e in errors] == [("D6", True)]


def test_two_files_of_one_expert_are_refused(coordinator_client, open_evaluation, member, filled):
    _upload(coordinator_client, open_evaluation, ("a.xlsx", filled), ("b.xlsx", filled))
    upload, url, page = _preview(coordinator_client, open_evaluation)
    assert upload.files[0]["errors"] == []
    assert "same expert" in upload.files[1]["errors"][0]["rule"]


def test_a_revoked_experts_questionnaire_is_refused(
    coordinator_client, open_evaluation, member, filled
):
    member.invitation.status = "revoked"
    member.invitation.save()
    errors, _page = _bad(coordinator_client, open_evaluation, filled)
    assert "no longer on the panel" in errors[0]["rule"]


def test_nothing_is_read_while_the_panel_is_closed(
    coordinator_client, open_evaluation, member, filled
):
    open_evaluation.status = "closed"
    open_evaluation.save()
    errors, page = _bad(coordinator_client, open_evaluation, filled)
    assert page.status_code == 400
    assert "The panel is not open" in page.content.decode()


def test_the_upload_checks_the_csrf_token(coordinator, open_evaluation, member, filled):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert _upload(client, open_evaluation, ("erin.xlsx", filled)).status_code == 403
    assert not SpreadsheetUpload.objects.exists()


def test_skips_dont_knows_and_half_steps_round_trip(coordinator_client, open_evaluation, member):
    open_evaluation.allow_skipped_comparisons = True
    open_evaluation.allow_dont_know = True
    open_evaluation.judgment_scale = "intermediate"
    open_evaluation.cr_policy = "warn"  # these judgments are far from consistent
    open_evaluation.save()
    structure = layout.structure_of(open_evaluation)

    def value(i, j):
        return "skip" if (i, j) == (0, 3) else {1: "2.5", 2: "1/2.5"}.get(j - i, "3")

    data = fill(
        questionnaire_build(evaluation=open_evaluation, membership=member),
        evaluation=open_evaluation,
        value=value,
        grade="don't know",
    )
    _upload(coordinator_client, open_evaluation, ("erin.xlsx", data))
    upload, url, page = _preview(coordinator_client, open_evaluation)
    assert upload.files[0]["errors"] == []
    assert coordinator_client.post(url).status_code == 302
    four = next(m for m in structure.matrices if len(m.children) == 4)
    ballot = PairwiseBallot.objects.get(membership=member, parent=four.parent)
    first, second, fourth = four.children[0], four.children[1], four.children[3]
    assert ballot.submitted_judgments[f"{first.pk}-{fourth.pk}"]["skipped"] is True
    assert ballot.submitted_judgments[f"{first.pk}-{second.pk}"]["value"] == 2.5
    rating = RatingBallot.objects.filter(membership=member).first()
    assert all(answer["dont_know"] for answer in rating.submitted_ratings.values())


def test_a_data_entry_assistant_downloads_and_stores_a_questionnaire(
    client, make_user, coordinator, open_evaluation, member, filled
):
    """The evaluation's data-entry assistant (surveys/paper/) enters spreadsheets as they type
    in paper forms: the Paper forms tab links the questionnaires, the upload stores them, and
    the revisions name the assistant."""
    helper = make_user("typist")
    DataEntryAssistant.objects.create(evaluation=open_evaluation, user=helper, added_by=coordinator)
    client.force_login(helper)
    home = client.get(reverse("paper-home", args=[open_evaluation.pk]))
    assert reverse("questionnaire-upload", args=[open_evaluation.pk]).encode() in home.content
    download = client.get(reverse("questionnaire-xlsx", args=[open_evaluation.pk, member.pk]))
    assert download.status_code == 200
    assert _upload(client, open_evaluation, ("erin.xlsx", filled)).status_code == 302
    _upload_row, url, page = _preview(client, open_evaluation)
    assert page.status_code == 200
    assert client.post(url).status_code == 302
    assert set(BallotRevision.objects.values_list("user", flat=True)) == {helper.pk}


def test_an_outsider_cannot_upload(outsider_client, open_evaluation, filled):
    before = _counts()
    assert _upload(outsider_client, open_evaluation, ("erin.xlsx", filled)).status_code == 404
    assert _counts() == before
