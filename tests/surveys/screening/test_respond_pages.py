"""The respondents' pages (surveys/screening/views_respond.py): an expert answers a round
through the page, sees the group's answers and their own in round 2 and gives a reason for a
change; the open link gives one response per browser session behind its rate limit. Refused
posts answer 400 naming the field and save nothing."""

import hashlib
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from surveys.models import ScreeningResponse, ScreeningRound
from surveys.screening import responses
from surveys.screening.rounds import round_close, round_open
from tests.conftest import accepted_membership

TOKEN = "open-sesame-0123456789abcdefghijklmnop"
Status = ScreeningResponse.Status
AUTHORITY = {
    "authority-practice": "high",
    "authority-theory": "medium",
    "authority-literature": "low",
    "authority-intuition": "low",
    "authority-familiarity": "familiar",
}


@pytest.fixture(autouse=True)
def fresh_counts():
    """The open link's limit counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def membership(evaluation, expert):
    return accepted_membership(evaluation, expert)


@pytest.fixture
def expert_client(client, expert, membership):
    client.force_login(expert)
    return client


@pytest.fixture
def page(survey):
    return reverse("screening-respond", args=[survey.evaluation_id, survey.pk])


@pytest.fixture
def open_survey(survey, first_round):
    survey.open_link_enabled = True
    survey.open_token_hash = hashlib.sha256(TOKEN.encode()).hexdigest()
    survey.save()
    return survey


@pytest.fixture
def open_page():
    return reverse("screening-open-link", args=[TOKEN])


def ids(question) -> list[int]:
    return list(question.items.values_list("pk", flat=True))


def form(rating_question, ranking_question, choice_question, *, levels=(4, 3, 5, "none")):
    """A complete sheet as the page posts it: levels in item order, the ranking in item order,
    the first choice, a suggestion."""
    rated = zip(ids(rating_question), levels, strict=True)
    data = {f"rating-{item}": str(level) for item, level in rated}
    for place, item in enumerate(ids(ranking_question), start=1):
        data[f"ranking-{ranking_question.pk}-{place}"] = str(item)
    data[f"choice-{choice_question.pk}"] = str(ids(choice_question)[0])
    return data


@pytest.fixture
def sheet(rating_question, ranking_question, choice_question, suggestion_question):
    data = form(rating_question, ranking_question, choice_question)
    data[f"suggestion-{suggestion_question.pk}"] = "Cash flow"
    return data


def stored(membership, number=1) -> ScreeningResponse:
    return ScreeningResponse.objects.get(membership=membership, round__number=number)


def snapshot(response: ScreeningResponse) -> tuple:
    response.refresh_from_db()
    return response.status, response.answers, response.reasons, response.authority


def the_next_round(survey, coordinator) -> ScreeningRound:
    round_close(round=survey.rounds.get(status=ScreeningRound.Status.OPEN), actor=coordinator)
    return round_open(survey=survey, actor=coordinator)


# --- The expert's questionnaire ----------------------------------------------------------


def test_an_expert_answers_round_one_with_a_draft_then_a_submission(
    expert_client, page, first_round, membership, sheet, rating_question, ranking_question
):
    shown = expert_client.get(page)

    assert shown.status_code == 200
    html = shown.content.decode()
    for name in (f"rating-{ids(rating_question)[0]}", f"ranking-{ranking_question.pk}-1"):
        assert f'name="{name}"' in html
    assert "very important" in html and "cannot judge / not my field" in html
    assert 'name="authority-familiarity"' in html

    first = str(ids(rating_question)[0])
    draft = expert_client.post(page, {f"rating-{first}": "4", "action": "save"})

    assert draft.status_code == 302 and draft["Location"] == page
    assert stored(membership).status == Status.DRAFT
    assert stored(membership).answers == {str(rating_question.pk): {first: 4}}
    again = expert_client.get(page).content.decode()
    assert re.search(rf'name="rating-{first}" value="4" checked', again)

    done = expert_client.post(page, {**sheet, **AUTHORITY, "action": "submit"})

    assert done.status_code == 302
    response = stored(membership)
    assert response.status == Status.SUBMITTED and response.valid is True
    assert response.channel == "page"
    assert response.authority["familiarity"] == "familiar"
    assert "Submitted" in expert_client.get(page).content.decode()


def test_a_duplicate_ranking_posted_by_hand_is_refused_naming_the_place(
    expert_client, page, first_round, membership, sheet, ranking_question
):
    expert_client.get(page)
    before = snapshot(stored(membership))
    first = str(ids(ranking_question)[0])
    sheet[f"ranking-{ranking_question.pk}-2"] = first

    refused = expert_client.post(page, {**sheet, **AUTHORITY, "action": "submit"})

    assert refused.status_code == 400
    html = refused.content.decode()
    field = f"ranking-{ranking_question.pk}-2"
    assert f'<a href="#{field}">' in html and "Each item may be ranked once." in html
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert "Nothing was saved:" in html
    assert snapshot(stored(membership)) == before


def test_a_rating_off_the_scale_is_refused_naming_the_item(
    expert_client, page, first_round, membership, sheet, rating_question
):
    expert_client.get(page)
    before = snapshot(stored(membership))
    first = ids(rating_question)[0]
    sheet[f"rating-{first}"] = "7"

    refused = expert_client.post(page, {**sheet, **AUTHORITY, "action": "save"})

    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'<a href="#rating-{first}">' in html and f'id="rating-{first}-error"' in html
    assert "A level from 1 to 5, or “cannot judge”." in html
    assert snapshot(stored(membership)) == before


def test_a_refused_post_shows_the_answers_as_they_were_sent(
    expert_client, page, first_round, sheet, ranking_question, suggestion_question
):
    sheet[f"ranking-{ranking_question.pk}-2"] = sheet[f"ranking-{ranking_question.pk}-1"]

    html = expert_client.post(page, {**sheet, "action": "submit"}).content.decode()

    assert "Cash flow</textarea>" in html
    assert 'href="#authority-familiarity"' in html  # the self-rating was left out


def test_a_closed_round_refuses_answers_and_shows_the_submitted_ones_read_only(
    expert_client, page, first_round, membership, sheet, coordinator, rating_question
):
    expert_client.post(page, {**sheet, **AUTHORITY, "action": "submit"})
    round_close(round=first_round, actor=coordinator)
    before = snapshot(stored(membership))
    first = ids(rating_question)[0]

    refused = expert_client.post(page, {**sheet, f"rating-{first}": "1", "action": "submit"})

    assert refused.status_code == 400
    assert "This round is closed, so its answers cannot be changed." in refused.content.decode()
    assert snapshot(stored(membership)) == before
    html = expert_client.get(page).content.decode()
    assert "Round 1 is closed" in html and "Your submitted answers are shown below." in html
    assert '<fieldset class="bare" disabled>' in html
    assert re.search(rf'name="rating-{first}" value="4" checked', html)
    assert 'value="submit"' not in html


def test_a_closed_round_the_expert_did_not_answer_creates_nothing(
    expert_client, page, first_round, coordinator, membership
):
    round_close(round=first_round, actor=coordinator)

    html = expert_client.get(page).content.decode()

    assert "You did not submit answers in this round." in html
    assert not ScreeningResponse.objects.exists()


def test_an_outsider_gets_404_and_a_visitor_is_asked_to_sign_in(
    client, outsider, page, first_round, survey, membership, expert
):
    assert client.get(page).status_code == 302
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    assert client.post(page, {"action": "submit"}).status_code == 404
    client.force_login(expert)
    elsewhere = reverse("screening-respond", args=[survey.evaluation_id + 1000, survey.pk])
    assert client.get(elsewhere).status_code == 404
    assert not ScreeningResponse.objects.exists()


# --- Round 2 -------------------------------------------------------------------------------


@pytest.fixture
def second_round(expert_client, page, survey, first_round, coordinator, sheet):
    done = expert_client.post(page, {**sheet, **AUTHORITY, "action": "submit"})
    assert done.status_code == 302
    return the_next_round(survey, coordinator)


def test_round_two_shows_the_groups_answers_and_the_experts_own(
    expert_client, page, second_round, rating_question, ranking_question
):
    html = expert_client.get(page).content.decode()

    first = ids(rating_question)[0]
    assert "Round 2" in html
    assert "The group in the round before: median 4, IQR 0 (N = 1)." in html
    assert "Your answer in the round before: 4 · important" in html
    assert f'id="distribution-{first}-title"' in html and "<svg" in html
    assert "Your answer in the round before: place 1" in html
    assert f'name="reason-{first}"' in html
    assert f'name="reason-{ids(ranking_question)[0]}"' in html


def test_round_two_starts_from_the_experts_previous_answers_without_saving_them(
    expert_client, page, second_round, membership, rating_question, ranking_question
):
    html = expert_client.get(page).content.decode()

    first = ids(rating_question)[0]
    assert re.search(rf'name="rating-{first}" value="4" checked', html)
    top = ids(ranking_question)[0]
    assert re.search(rf'id="ranking-{ranking_question.pk}-1".*?value="{top}" selected', html, re.S)
    assert "filled in below" in html
    assert re.search(r'name="authority-familiarity" value="familiar" checked', html)
    assert stored(membership, 2).answers == {}


def test_a_changed_answer_in_round_two_needs_a_reason(
    expert_client, page, second_round, membership, sheet, rating_question
):
    first = ids(rating_question)[0]
    changed = {**sheet, **AUTHORITY, f"rating-{first}": "2", "action": "submit"}

    refused = expert_client.post(page, changed)

    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'<a href="#reason-{first}">' in html
    assert "Your answer changed since the last round: say why." in html
    assert re.search(rf'<details[^>]*data-item="{first}"[^>]* open>', html)
    assert stored(membership, 2).status == Status.DRAFT
    assert stored(membership, 2).answers == {}

    done = expert_client.post(page, {**changed, f"reason-{first}": "New evidence."})

    assert done.status_code == 302
    response = stored(membership, 2)
    assert response.status == Status.SUBMITTED
    assert response.reasons == {str(first): "New evidence."}
    assert stored(membership, 1).answers[str(rating_question.pk)][str(first)] == 4


def test_an_unchanged_answer_in_round_two_needs_no_reason(
    expert_client, page, second_round, membership, sheet
):
    done = expert_client.post(page, {**sheet, **AUTHORITY, "action": "submit"})

    assert done.status_code == 302 and stored(membership, 2).status == Status.SUBMITTED


# --- The open link ---------------------------------------------------------------------------


def test_the_open_link_gives_one_response_per_browser_session(
    open_survey, open_page, sheet, suggestion_question
):
    browser = Client()

    shown = browser.get(open_page)

    assert shown.status_code == 200
    html = shown.content.decode()
    assert 'name="authority-familiarity"' not in html and "reason-" not in html
    browser.get(open_page)
    assert ScreeningResponse.objects.count() == 1

    done = browser.post(open_page, {**sheet, "action": "submit"})

    assert done.status_code == 302 and done["Location"] == open_page
    response = ScreeningResponse.objects.get()
    assert response.status == Status.SUBMITTED and response.membership is None
    assert (
        response.respondent_key == hashlib.sha256(browser.session.session_key.encode()).hexdigest()
    )
    thanks = browser.get(open_page)
    assert thanks.status_code == 200 and "Thank you" in thanks.content.decode()
    again = browser.post(open_page, {**sheet, "action": "submit"})
    assert "Thank you" in again.content.decode()
    assert ScreeningResponse.objects.count() == 1

    Client().get(open_page)  # another browser
    assert ScreeningResponse.objects.count() == 2


def test_a_forged_session_cookie_does_not_name_a_respondent(open_survey, open_page, settings):
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = "forged-session-key-0123456789"

    browser.get(open_page)

    forged = hashlib.sha256(b"forged-session-key-0123456789").hexdigest()
    assert ScreeningResponse.objects.get().respondent_key != forged


def test_a_flooded_open_link_answers_429_with_retry_after_and_creates_nothing(
    open_survey, open_page, monkeypatch
):
    monkeypatch.setattr(responses, "OPEN_LINK_RESPONSES_PER_ADDRESS_HOUR", 2)
    for _browser in range(2):
        assert Client().get(open_page).status_code == 200

    flooded = Client().get(open_page)

    assert flooded.status_code == 429
    assert 0 < int(flooded["Retry-After"]) <= responses.OPEN_LINK_WINDOW_SECONDS
    assert "Too many questionnaires were started from your address." in flooded.content.decode()
    assert ScreeningResponse.objects.count() == 2


def test_a_wrong_or_switched_off_link_is_404_and_a_closed_round_409(
    open_survey, open_page, first_round, coordinator
):
    wrong = Client().get(reverse("screening-open-link", args=["not-the-token-0123456789"]))
    long = Client().get(reverse("screening-open-link", args=["x" * 5000]))

    assert wrong.status_code == 404 and long.status_code == 404
    assert "This questionnaire link is not valid." in wrong.content.decode()
    round_close(round=first_round, actor=coordinator)
    assert Client().get(open_page).status_code == 409
    open_survey.open_link_enabled = False
    open_survey.save()
    assert Client().get(open_page).status_code == 404
    assert not ScreeningResponse.objects.exists()


def test_a_too_fast_open_link_submission_is_kept_but_marked_invalid(open_survey, open_page, sheet):
    open_survey.min_seconds = 60
    open_survey.save()
    browser = Client()
    browser.get(open_page)

    done = browser.post(open_page, {**sheet, "action": "submit"})

    assert done.status_code == 302
    response = ScreeningResponse.objects.get()
    assert response.status == Status.SUBMITTED
    assert (response.valid, response.invalid_reason) == (False, responses.INVALID_TOO_FAST)
    assert "Thank you" in browser.get(open_page).content.decode()


def test_a_refused_open_link_post_answers_400_and_saves_nothing(
    open_survey, open_page, sheet, ranking_question
):
    browser = Client()
    browser.get(open_page)
    sheet[f"ranking-{ranking_question.pk}-2"] = sheet[f"ranking-{ranking_question.pk}-1"]

    refused = browser.post(open_page, {**sheet, "action": "submit"})

    assert refused.status_code == 400
    assert f'href="#ranking-{ranking_question.pk}-2"' in refused.content.decode()
    assert ScreeningResponse.objects.get().answers == {}


def test_open_link_pages_are_kept_by_no_cache(open_survey, open_page):
    for address in (open_page, reverse("screening-open-link", args=["unknown-token-123456"])):
        response = Client().get(address)

        parts = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= parts


# --- Languages and the expert's home ---------------------------------------------------------


@pytest.mark.parametrize(("language", "submit"), [("en", "Submit"), ("zh-hans", "提交")])
def test_the_pages_render_in_english_and_chinese(
    expert_client, page, open_survey, open_page, language, submit
):
    for browser, address in ((expert_client, page), (Client(), open_page)):
        response = browser.get(address, HTTP_ACCEPT_LANGUAGE=language)

        html = response.content.decode()
        assert response.status_code == 200
        assert f'<html lang="{language}">' in html and f">{submit}</button>" in html


def test_my_panels_lists_the_surveys_with_an_open_round(
    expert_client, page, survey, first_round, coordinator
):
    html = expert_client.get(reverse("expert-home")).content.decode()

    assert f'href="{page}"' in html and survey.title in html
    round_close(round=first_round, actor=coordinator)
    assert f'href="{page}"' not in expert_client.get(reverse("expert-home")).content.decode()
