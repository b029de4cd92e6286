"""A coordinator downloads an expert's XLSX questionnaire from the panel page, fills it as the
expert would, uploads it with a broken one, sees the preview with the CRs and the errors,
then stores it (per file)."""

import shutil
from pathlib import Path

import pytest

from evaluations.models import Evaluation
from surveys.models import BallotRevision, Channel, PairwiseBallot
from tests.browser.test_accessibility import axe
from tests.conftest import accepted_membership
from tests.surveys.spreadsheets.conftest import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/xlsx")


def _shot(screenshot, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = screenshot(name)
    shutil.copy(path, SHOTS / path.name)


def test_a_coordinator_downloads_uploads_previews_and_stores_a_questionnaire(
    page, live_server, sign_in, coordinator, evaluation, expert, screenshot, tmp_path
):
    Evaluation.objects.filter(pk=evaluation.pk).update(status="open")
    evaluation.refresh_from_db()
    member = accepted_membership(evaluation, expert)
    member.name = "Erin Expert"
    member.save()
    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/panel/")
    _shot(screenshot, "1-panel")
    with page.expect_download() as download:
        page.get_by_role("link", name="Questionnaire (XLSX) of Erin Expert").click()
    data = Path(download.value.path()).read_bytes()
    good = tmp_path / "erin.xlsx"
    good.write_bytes(fill(data, evaluation=evaluation))
    bad = tmp_path / "not-a-workbook.xlsx"
    bad.write_bytes(b"just text")

    page.get_by_role("link", name="Upload filled questionnaires").click()
    page.set_input_files("#id_files", [str(good), str(bad)])
    page.get_by_label("save the files that are correct").check()
    _shot(screenshot, "2-upload")
    assert axe(page) == []
    page.get_by_role("button", name="Read the files and preview").click()
    page.wait_for_selector("#upload-errors")
    assert "not-a-workbook.xlsx" in page.locator("#upload-errors").inner_text()
    assert "CR 0.000, consistent" in page.content()
    assert PairwiseBallot.objects.count() == 0  # nothing stored yet
    _shot(screenshot, "3-preview")
    assert axe(page) == []
    preview = page.url
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": preview}])
    page.reload()
    _shot(screenshot, "3-preview-zh-hans")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": preview}])
    page.reload()

    page.get_by_role("button", name="Store the answers of 1 file").click()
    page.wait_for_selector("text=Stored: 6 ballots submitted from erin.xlsx.")
    assert PairwiseBallot.objects.filter(membership=member, submitted_at__isnull=False).exists()
    assert set(BallotRevision.objects.values_list("channel", flat=True)) == {Channel.SPREADSHEET}
    _shot(screenshot, "4-stored")
