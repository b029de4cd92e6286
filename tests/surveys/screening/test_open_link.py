"""The open link's services (surveys.screening.open_link): a token shown once and stored only as
its hash, which the respondents' service accepts; a new link replaces the old one; a link
switched off stays dead."""

import pytest
from django.core.cache import cache

from experts.selectors import hash_token
from surveys.screening.open_link import open_link_disable, open_link_enable
from surveys.screening.responses import OpenLinkUnusable, response_for_open_link

ADDRESS = "203.0.113.9"


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()  # the open link's rate limit counts in the cache
    yield
    cache.clear()


def answer(survey, token: str, key: str = "browser-1"):
    return response_for_open_link(survey=survey, token=token, respondent_key=key, address=ADDRESS)


@pytest.mark.django_db
def test_enabling_returns_a_token_and_stores_only_its_hash(survey, coordinator):
    token = open_link_enable(survey=survey, actor=coordinator)

    survey.refresh_from_db()
    assert survey.open_link_enabled
    assert survey.open_token_hash == hash_token(token)
    assert token not in survey.open_token_hash
    assert len(token) >= 40  # 32 random bytes


@pytest.mark.django_db
def test_the_respondents_service_accepts_the_new_token(survey, coordinator, first_round):
    token = open_link_enable(survey=survey, actor=coordinator)

    response = answer(survey, token)

    assert response.round == first_round
    assert response.membership is None


@pytest.mark.django_db
def test_making_a_new_link_makes_the_old_one_fail(survey, coordinator, first_round):
    old = open_link_enable(survey=survey, actor=coordinator)
    new = open_link_enable(survey=survey, actor=coordinator)

    assert new != old
    survey.refresh_from_db()
    with pytest.raises(OpenLinkUnusable) as unusable:
        answer(survey, old)
    assert unusable.value.status == 404
    assert answer(survey, new).round == first_round


@pytest.mark.django_db
def test_disabling_forgets_the_hash_and_the_link_answers_as_unknown(
    survey, coordinator, first_round
):
    token = open_link_enable(survey=survey, actor=coordinator)

    open_link_disable(survey=survey, actor=coordinator)

    survey.refresh_from_db()
    assert not survey.open_link_enabled
    assert survey.open_token_hash == ""
    with pytest.raises(OpenLinkUnusable) as unusable:
        answer(survey, token)
    assert unusable.value.status == 404


@pytest.mark.django_db
def test_enabling_again_after_disabling_gives_a_new_token(survey, coordinator, first_round):
    first = open_link_enable(survey=survey, actor=coordinator)
    open_link_disable(survey=survey, actor=coordinator)

    second = open_link_enable(survey=survey, actor=coordinator)

    survey.refresh_from_db()
    assert second != first
    with pytest.raises(OpenLinkUnusable):
        answer(survey, first)
    assert answer(survey, second).round == first_round


@pytest.mark.django_db
def test_the_callers_survey_object_follows_the_change(survey, coordinator):
    token = open_link_enable(survey=survey, actor=coordinator)
    assert survey.open_link_enabled and survey.open_token_hash == hash_token(token)

    open_link_disable(survey=survey, actor=coordinator)
    assert not survey.open_link_enabled and survey.open_token_hash == ""
