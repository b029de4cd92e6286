"""The respondents' services (surveys.screening.responses): an expert's and an open-link
visitor's response, saving and submitting it, validity, the reason rule of later rounds and
the open link's token and rate limit. Refused input changes nothing."""

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import QueryDict

from experts.models import Invitation
from surveys.models import Channel, ScreeningResponse, ScreeningRound
from surveys.screening import answers as a
from surveys.screening import responses as r
from surveys.screening.answers import answers_from_form
from surveys.screening.limits import OPEN_LINK_RESPONSES_PER_ADDRESS_HOUR
from surveys.screening.responses import (
    OpenLinkFlooded,
    OpenLinkUnusable,
    previous_answers,
    response_for_expert,
    response_for_open_link,
    response_save,
)
from surveys.services import ERROR_REVOKED
from tests.conftest import accepted_membership
from tests.hostile import HOSTILE

TOKEN = "open-sesame-0123456789abcdef"
ADDRESS = "203.0.113.7"
AUTHORITY = {
    "basis": {"practice": "high", "theory": "medium", "literature": "low", "intuition": "low"},
    "familiarity": "familiar",
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
def response(first_round, membership):
    return response_for_expert(round=first_round, membership=membership)


@pytest.fixture
def open_survey(survey, first_round):
    survey.open_link_enabled = True
    survey.open_token_hash = hashlib.sha256(TOKEN.encode()).hexdigest()
    survey.save()
    return survey


def ids(question) -> list[int]:
    return list(question.items.values_list("pk", flat=True))


def complete(rating_question, ranking_question, choice_question, *, levels=(4, 3, 5, None)):
    """A complete answer sheet: levels in item order, the ranking in item order, "Stock"."""
    rated = {str(item): level for item, level in zip(ids(rating_question), levels, strict=True)}
    return {
        str(rating_question.pk): rated,
        str(ranking_question.pk): {"order": ids(ranking_question)},
        str(choice_question.pk): {"selected": ids(choice_question)[:1], "other": ""},
    }


@pytest.fixture
def answers(rating_question, ranking_question, choice_question):
    return complete(rating_question, ranking_question, choice_question)


def submit(response, answers, **kwargs):
    kwargs.setdefault("authority", AUTHORITY if response.membership_id else None)
    return response_save(
        response=response, answers=answers, submit=True, channel=Channel.PAGE, **kwargs
    )


def refused(call, *args, **kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    return error.value.message_dict


def unchanged(response) -> tuple:
    stored = ScreeningResponse.objects.get(pk=response.pk)
    return stored.status, stored.answers, stored.reasons, stored.authority, stored.submitted_at


def started_long_ago(response) -> None:
    ScreeningResponse.objects.filter(pk=response.pk).update(
        started_at=response.started_at - timedelta(hours=1)
    )
    response.refresh_from_db()


def next_round(survey, first_round) -> ScreeningRound:
    ScreeningRound.objects.filter(pk=first_round.pk).update(status=ScreeningRound.Status.CLOSED)
    return ScreeningRound.objects.create(survey=survey, number=2)


# --- An expert's response ----------------------------------------------------------------


def test_an_expert_gets_one_draft_response_per_round(first_round, membership):
    first = response_for_expert(round=first_round, membership=membership)
    again = response_for_expert(round=first_round, membership=membership)

    assert first.pk == again.pk and first.status == ScreeningResponse.Status.DRAFT
    assert ScreeningResponse.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Invitation.Status.PENDING, r.ERROR_NOT_ON_PANEL),
        (Invitation.Status.DECLINED, r.ERROR_NOT_ON_PANEL),
        (Invitation.Status.REVOKED, ERROR_REVOKED),
    ],
)
def test_only_an_accepted_invitation_answers(first_round, membership, status, message):
    Invitation.objects.filter(membership=membership).update(status=status)

    errors = refused(response_for_expert, round=first_round, membership=membership)

    assert errors == {"membership": [message]}
    assert not ScreeningResponse.objects.exists()


def test_a_member_of_another_panel_does_not_answer(first_round, coordinator, expert):
    from evaluations.services import evaluation_create_from_template

    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    stranger = accepted_membership(other, expert)

    errors = refused(response_for_expert, round=first_round, membership=stranger)

    assert errors == {"membership": [r.ERROR_NOT_ON_PANEL]}


def test_no_new_response_in_a_closed_round(first_round, membership):
    ScreeningRound.objects.filter(pk=first_round.pk).update(status=ScreeningRound.Status.CLOSED)

    errors = refused(response_for_expert, round=first_round, membership=membership)

    assert errors == {"round": [r.ERROR_ROUND_CLOSED]}
    assert not ScreeningResponse.objects.exists()


# --- Saving and submitting ---------------------------------------------------------------


def test_a_draft_may_be_partial(response, rating_question):
    partial = {str(rating_question.pk): {str(ids(rating_question)[0]): 2}}

    saved = response_save(response=response, answers=partial, channel=Channel.API)

    assert saved.status == ScreeningResponse.Status.DRAFT and saved.answers == partial
    assert saved.channel == "api" and saved.valid is None


def test_a_complete_submission_is_stored_valid(response, answers, membership):
    saved = submit(response, answers)

    saved.refresh_from_db()
    assert saved.status == ScreeningResponse.Status.SUBMITTED and saved.submitted_at
    assert saved.answers == answers and saved.authority == AUTHORITY
    assert (saved.valid, saved.invalid_reason) == (True, "")
    membership.refresh_from_db()
    assert membership.last_activity_at is not None


def test_an_incomplete_submission_is_refused_and_changes_nothing(
    response, answers, rating_question
):
    before = unchanged(response)
    first_item = str(ids(rating_question)[0])
    del answers[str(rating_question.pk)][first_item]

    errors = refused(submit, response, answers)

    assert errors == {f"answers.{rating_question.pk}.{first_item}": [a.ERROR_RATE_EVERY]}
    assert unchanged(response) == before


def test_a_duplicate_ranking_is_refused_and_changes_nothing(response, answers, ranking_question):
    before = unchanged(response)
    first = ids(ranking_question)[0]
    answers[str(ranking_question.pk)] = {"order": [first, first]}

    errors = refused(submit, response, answers)

    assert errors == {f"answers.{ranking_question.pk}.order.2": [a.ERROR_RANKED_TWICE]}
    assert unchanged(response) == before


def test_a_rating_off_the_scale_is_refused_and_changes_nothing(response, answers, rating_question):
    before = unchanged(response)
    first = str(ids(rating_question)[0])
    answers[str(rating_question.pk)][first] = 6

    errors = refused(submit, response, answers)

    assert errors == {f"answers.{rating_question.pk}.{first}": [a.ERROR_LEVEL.format(levels=5)]}
    assert unchanged(response) == before


def test_answers_to_a_closed_round_are_refused_and_change_nothing(response, answers, first_round):
    response_save(response=response, answers={}, channel=Channel.PAGE)
    before = unchanged(response)
    ScreeningRound.objects.filter(pk=first_round.pk).update(status=ScreeningRound.Status.CLOSED)

    errors = refused(submit, response, answers)

    assert errors == {"round": [r.ERROR_ROUND_CLOSED]}
    assert unchanged(response) == before


def test_an_experts_self_rating_is_required_on_submit(response, answers):
    errors = refused(submit, response, answers, authority={})

    assert set(errors) == {f"authority.basis.{b}" for b in a.BASES} | {"authority.familiarity"}


def test_no_self_rating_when_the_survey_does_not_ask_for_it(survey, response, answers):
    survey.ask_authority = False
    survey.save()

    assert submit(response, answers, authority=None).authority == {}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("value", HOSTILE, ids=lambda value: repr(value[:12]))
def test_hostile_text_from_a_form_is_refused_naming_the_field(response, rating_question, value):
    from surveys.screening.answers import questionnaire

    before = unchanged(response)
    item = ids(rating_question)[0]
    form = questionnaire(
        [rating_question], rating_question.items.all(), round_number=1, authority=True
    )
    data = QueryDict(mutable=True)
    data[f"rating-{item}"] = value

    def page_post():
        read = answers_from_form(data, form)
        response_save(response=response, answers=read.answers, channel=Channel.PAGE)

    errors = refused(page_post)

    assert list(errors) == [f"answers.{rating_question.pk}.{item}"]
    assert unchanged(response) == before


# --- Changing a submitted response -------------------------------------------------------


def test_a_submitted_response_may_be_changed_and_submitted_again(
    response, answers, rating_question, ranking_question, choice_question
):
    submit(response, answers)
    changed = complete(rating_question, ranking_question, choice_question, levels=(1, 1, 1, 1))

    again = submit(response, changed)

    assert again.answers == changed and again.status == ScreeningResponse.Status.SUBMITTED


def test_a_draft_on_top_of_a_submission_is_refused_unless_it_changes_nothing(
    response, answers, rating_question
):
    submit(response, answers)
    before = unchanged(response)

    same = response_save(
        response=response, answers=answers, authority=AUTHORITY, channel=Channel.PAGE
    )
    assert same.status == ScreeningResponse.Status.SUBMITTED and unchanged(response) == before

    answers[str(rating_question.pk)].popitem()
    errors = refused(
        response_save,
        response=response,
        answers=answers,
        authority=AUTHORITY,
        channel=Channel.PAGE,
    )
    assert errors == {"status": [r.ERROR_SUBMITTED_DRAFT]}
    assert unchanged(response) == before


def test_submitting_the_same_answers_twice_keeps_the_first_submission(response, answers):
    first = unchanged(submit(response, answers))

    submit(response, answers)

    assert unchanged(response) == first


def test_a_revoked_expert_can_no_longer_save(response, answers, membership):
    Invitation.objects.filter(membership=membership).update(status=Invitation.Status.REVOKED)

    errors = refused(submit, response, answers)

    assert errors == {"membership": [ERROR_REVOKED]}


# --- Validity ----------------------------------------------------------------------------


def test_a_submission_faster_than_the_least_answering_time_is_invalid(survey, response, answers):
    survey.min_seconds = 60
    survey.save()

    saved = submit(response, answers)

    assert (saved.valid, saved.invalid_reason) == (False, r.INVALID_TOO_FAST)


def test_a_submission_slower_than_the_least_answering_time_is_valid(survey, response, answers):
    survey.min_seconds = 60
    survey.save()
    started_long_ago(response)

    saved = submit(response, answers)

    assert (saved.valid, saved.invalid_reason) == (True, "")


def test_a_missed_attention_question_makes_a_submission_invalid(response, answers, choice_question):
    stock, staff = ids(choice_question)[:2]
    choice_question.attention_answer_id = staff
    choice_question.save()
    assert answers[str(choice_question.pk)]["selected"] == [stock]

    missed = submit(response, answers)
    assert (missed.valid, missed.invalid_reason) == (False, r.INVALID_ATTENTION)

    answers[str(choice_question.pk)]["selected"] = [staff]
    right = submit(response, answers)
    assert (right.valid, right.invalid_reason) == (True, "")


# --- Later rounds ------------------------------------------------------------------------


@pytest.fixture
def second_round(survey, first_round, response, answers):
    submit(response, answers)
    return next_round(survey, first_round)


def test_each_round_keeps_its_own_response(second_round, response, membership, answers):
    before = unchanged(response)

    later = response_for_expert(round=second_round, membership=membership)

    assert later.pk != response.pk and later.round == second_round
    assert refused(submit, response, {}) == {"round": [r.ERROR_ROUND_CLOSED]}
    assert unchanged(response) == before


def test_a_changed_level_in_round_two_needs_a_reason(
    second_round, membership, answers, rating_question
):
    later = response_for_expert(round=second_round, membership=membership)
    first = str(ids(rating_question)[0])
    answers[str(rating_question.pk)][first] = 1

    errors = refused(submit, later, answers)

    assert errors == {f"reasons.{first}": [r.ERROR_REASON_REQUIRED]}
    assert unchanged(later)[0] == ScreeningResponse.Status.DRAFT
    saved = submit(later, answers, reasons={first: "The report changed my mind."})
    assert saved.reasons == {first: "The report changed my mind."}


def test_a_changed_place_in_round_two_needs_a_reason(
    second_round, membership, answers, ranking_question
):
    later = response_for_expert(round=second_round, membership=membership)
    one, two, three, four = ids(ranking_question)
    answers[str(ranking_question.pk)] = {"order": [two, one, three, four]}

    errors = refused(submit, later, answers)

    assert errors == {
        f"reasons.{one}": [r.ERROR_REASON_REQUIRED],
        f"reasons.{two}": [r.ERROR_REASON_REQUIRED],
    }


def test_an_unchanged_answer_in_round_two_needs_no_reason(second_round, membership, answers):
    later = response_for_expert(round=second_round, membership=membership)

    assert submit(later, answers).status == ScreeningResponse.Status.SUBMITTED


def test_no_reason_is_needed_when_the_survey_does_not_ask_for_one(
    survey, second_round, membership, answers, rating_question
):
    survey.reason_required = False
    survey.save()
    later = response_for_expert(round=second_round, membership=membership)
    answers[str(rating_question.pk)][str(ids(rating_question)[0])] = 1

    assert submit(later, answers).status == ScreeningResponse.Status.SUBMITTED


def test_round_two_shows_the_experts_own_previous_answers(
    second_round, response, membership, answers
):
    later = response_for_expert(round=second_round, membership=membership)

    assert previous_answers(response=later) == answers
    assert previous_answers(response=response) is None


# --- The open link -----------------------------------------------------------------------


def visit(survey, key="browser-1", address=ADDRESS, token=TOKEN):
    return response_for_open_link(survey=survey, token=token, respondent_key=key, address=address)


def test_the_open_link_gives_a_browser_one_response_per_round(open_survey, first_round):
    first = visit(open_survey)
    again = visit(open_survey)

    assert first.pk == again.pk and first.round == first_round
    assert (first.membership, first.respondent_key) == (None, "browser-1")


@pytest.mark.parametrize("token", ["", "open-sesame", TOKEN + "x", TOKEN.upper(), "9" * 100_000])
def test_a_wrong_token_leads_nowhere(open_survey, token):
    with pytest.raises(OpenLinkUnusable) as unusable:
        visit(open_survey, token=token)

    assert unusable.value.status == 404
    assert not ScreeningResponse.objects.exists()


def test_a_switched_off_link_leads_nowhere(open_survey):
    open_survey.open_link_enabled = False
    open_survey.save()

    with pytest.raises(OpenLinkUnusable) as unusable:
        visit(open_survey)

    assert unusable.value.status == 404


def test_a_link_without_a_token_leads_nowhere_even_for_an_empty_token(survey, first_round):
    survey.open_link_enabled = True
    survey.save()

    with pytest.raises(OpenLinkUnusable):
        visit(survey, token="")


def test_the_open_link_answers_only_while_a_round_is_open(open_survey, first_round):
    ScreeningRound.objects.filter(pk=first_round.pk).update(status=ScreeningRound.Status.CLOSED)

    with pytest.raises(OpenLinkUnusable) as unusable:
        visit(open_survey)

    assert (unusable.value.status, unusable.value.message) == (409, r.ERROR_LINK_CLOSED)


def test_the_twenty_first_new_response_from_one_address_is_refused(open_survey):
    for number in range(OPEN_LINK_RESPONSES_PER_ADDRESS_HOUR):
        visit(open_survey, key=f"browser-{number}")

    with pytest.raises(OpenLinkFlooded) as flooded:
        visit(open_survey, key="browser-flood")

    assert 0 < flooded.value.retry_after <= r.OPEN_LINK_WINDOW_SECONDS
    assert ScreeningResponse.objects.count() == OPEN_LINK_RESPONSES_PER_ADDRESS_HOUR
    assert not ScreeningResponse.objects.filter(respondent_key="browser-flood").exists()
    # A browser that started before the limit still gets its response; other addresses
    # are counted apart.
    assert visit(open_survey, key="browser-0").respondent_key == "browser-0"
    assert visit(open_survey, key="neighbour", address="198.51.100.1")


def test_an_open_link_response_needs_no_self_rating_and_takes_none(
    open_survey, answers, first_round
):
    visitor = visit(open_survey)

    errors = refused(submit, visitor, answers, authority=AUTHORITY)
    assert errors == {"authority": [a.ERROR_AUTHORITY_NOT_ASKED]}
    saved = submit(visitor, answers)
    assert (saved.status, saved.valid, saved.authority) == ("submitted", True, {})


def test_open_link_respondents_are_not_followed_across_rounds(
    open_survey, first_round, answers, rating_question
):
    submit(visit(open_survey), answers)
    second = next_round(open_survey, first_round)
    later = visit(open_survey)
    answers[str(rating_question.pk)][str(ids(rating_question)[0])] = 1

    assert later.round == second and previous_answers(response=later) is None
    assert submit(later, answers).status == ScreeningResponse.Status.SUBMITTED
