"""Password reset by e-mail (no account enumeration, limited per address and per e-mail
address, lifting the sign-in lockout) and password change."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from experts.passwords import RESET_LIMIT_PER_ADDRESS, RESET_LIMIT_PER_EMAIL
from tests.conftest import PASSWORD

RESET = reverse("password_reset")
NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture(autouse=True)
def fresh_counts():
    """The reset limit counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def erin(make_user):
    return make_user("erin")  # erin@example.com


def ask_reset(client, email: str, ip: str = "203.0.113.5"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_a_known_address_gets_a_link_that_sets_a_new_password(client, erin):
    response = ask_reset(client, "Erin@Example.com")

    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["erin@example.com"]
    form = client.get(link_in(message), follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.url == reverse("password_reset_complete")
    erin.refresh_from_db()
    assert erin.check_password(NEW_PASSWORD)
    assert client.get(link_in(message)).status_code != 302  # the link works once


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, erin):
    known = ask_reset(client, "erin@example.com")
    unknown = ask_reset(client, "nobody@example.com")

    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert len(mail.outbox) == 1


def test_reset_requests_are_limited_per_address(client, erin):
    for number in range(RESET_LIMIT_PER_ADDRESS):
        assert ask_reset(client, f"someone{number}@example.com").status_code == 302

    refused = ask_reset(client, "erin@example.com")

    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert mail.outbox == []
    assert ask_reset(client, "erin@example.com", ip="198.51.100.9").status_code == 302


def test_reset_requests_are_limited_per_email_address(client, erin):
    for number in range(RESET_LIMIT_PER_EMAIL):
        assert ask_reset(client, "erin@example.com", ip=f"192.0.2.{number}").status_code == 302

    assert ask_reset(client, "ERIN@example.com", ip="192.0.2.99").status_code == 429
    assert len(mail.outbox) == RESET_LIMIT_PER_EMAIL


def test_the_limit_tells_nothing_about_which_addresses_have_accounts(client, erin):
    for ip, email in (("192.0.2.1", "erin@example.com"), ("192.0.2.2", "nobody@example.com")):
        for _ in range(RESET_LIMIT_PER_EMAIL):
            ask_reset(client, email, ip=ip)

    known = ask_reset(client, "erin@example.com", ip="198.51.100.1")
    unknown = ask_reset(client, "nobody@example.com", ip="198.51.100.2")

    assert known.status_code == unknown.status_code == 429


def test_a_reset_lifts_the_sign_in_lockout(client, erin):
    login = reverse("login")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(login, {"username": "erin", "password": "guess"})
    assert client.post(login, {"username": "erin", "password": PASSWORD}).status_code == 429

    ask_reset(client, "erin@example.com")
    form = client.get(link_in(mail.outbox[0]), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert not AccessAttempt.objects.filter(username="erin").exists()
    assert client.post(login, {"username": "erin", "password": NEW_PASSWORD}).status_code == 302


def test_the_sign_in_page_links_to_the_reset(client):
    assert f'href="{RESET}"' in client.get(reverse("login")).content.decode()


def test_the_reset_pages_are_pages_of_the_site(client, erin):
    for page in (RESET, reverse("password_reset_done"), reverse("password_reset_complete")):
        html = client.get(page).content.decode()
        assert 'class="skip-link"' in html and "Django administration" not in html


def test_changing_the_password_needs_the_old_one_and_keeps_the_session(client, erin):
    client.force_login(erin)
    change = reverse("password_change")
    assert f'href="{change}"' in client.get(reverse("home")).content.decode()  # the menu

    wrong = client.post(change, {"old_password": "guess", "new_password1": NEW_PASSWORD,
                                 "new_password2": NEW_PASSWORD})  # fmt: skip
    erin.refresh_from_db()
    assert wrong.status_code == 400 and 'name="old_password"' in wrong.content.decode()
    assert erin.check_password(PASSWORD)

    right = client.post(change, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                 "new_password2": NEW_PASSWORD})  # fmt: skip
    erin.refresh_from_db()
    assert right.url == reverse("password_change_done")
    assert erin.check_password(NEW_PASSWORD)
    assert client.get(reverse("home")).status_code == 200  # still signed in


def test_changing_the_password_needs_a_signed_in_user(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_refused_reset_form_answers_400(client, erin):
    response = client.post(RESET, {"email": "not an address"})

    assert response.status_code == 400 and mail.outbox == []
