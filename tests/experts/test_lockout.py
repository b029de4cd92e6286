"""One sign-in lockout for every way in: the sign-in page, the API's token login and the
admin's sign-in. Per user name and address, and per address; behind the configured number of
proxies only; cooling off by itself. Argon2 password hashes."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse

from config import settings as project_settings
from experts.addresses import client_ip
from experts.api import LoginRateThrottle
from experts.models import ApiToken
from tests.conftest import PASSWORD

ATTACKER = "203.0.113.5"
ELSEWHERE = "198.51.100.9"
PROXY = "10.0.0.2"


@dataclass(frozen=True)
class Door:
    """One way in: where to post, and how it answers a failure and a success."""

    name: str
    url: str
    failed: int
    succeeded: int
    json: bool = False

    def sign_in(self, client, username: str, password: str, ip: str = ATTACKER, **meta):
        data = {"username": username, "password": password}
        meta = {"REMOTE_ADDR": ip, **meta}
        if self.json:
            return client.post(self.url, data, content_type="application/json", **meta)
        return client.post(self.url, {**data, "next": "/"}, **meta)


DOORS = [
    Door("page", reverse("login"), failed=400, succeeded=302),
    Door("api", reverse("v1:token"), failed=401, succeeded=201, json=True),
    Door("admin", reverse("admin:login"), failed=200, succeeded=302),
]


@pytest.fixture(params=DOORS, ids=lambda door: door.name)
def door(request):
    return request.param


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """DRF's login throttle counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def erin(db, settings):
    """Staff, so that the admin's sign-in lets her in too. A quick hasher: these tests make
    hundreds of attempts, and the lockout does not depend on the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return get_user_model().objects.create_user(
        username="erin", email="erin@example.com", password=PASSWORD, is_staff=True
    )


def fail_until_locked(door: Door, client, username="erin", ip=ATTACKER, **meta):
    """LOGIN_FAILURE_LIMIT wrong passwords: all but the last refused as wrong, the last one
    locks (it is told so)."""
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert door.sign_in(client, username, "guess", ip, **meta).status_code == door.failed
    return door.sign_in(client, username, "guess", ip, **meta)


def assert_locked_out(door: Door, response, client):
    assert response.status_code == 429
    if door.json:
        [error] = response.json()["errors"]
        assert error["field"] is None and error["rule"] == "locked_out"
        assert "token" not in response.json()
    else:
        assert "Too many failed sign-ins" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2(make_user, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the tests' quick one aside
    user = make_user("erin")

    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert user.password.startswith("argon2$argon2id$")


def test_wrong_passwords_lock_the_user_name_from_that_address(door, client, erin):
    assert_locked_out(door, fail_until_locked(door, client), client)

    assert_locked_out(door, door.sign_in(client, "erin", PASSWORD), client)


def test_a_right_password_while_locked_out_does_not_clear_the_lock(door, client, erin):
    fail_until_locked(door, client)

    assert door.sign_in(client, "erin", PASSWORD).status_code == 429
    assert_locked_out(door, door.sign_in(client, "erin", PASSWORD), client)
    assert AccessAttempt.objects.filter(username="erin", ip_address=ATTACKER).exists()


def test_an_attacker_elsewhere_cannot_lock_the_expert_out(door, client, erin):
    fail_until_locked(door, client, ip=ELSEWHERE)

    assert door.sign_in(client, "erin", PASSWORD, ip=ATTACKER).status_code == door.succeeded


def test_spraying_one_password_over_many_accounts_locks_the_address(door, client, erin):
    for number in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        door.sign_in(client, f"user{number}", "Summer2024!")

    assert_locked_out(door, door.sign_in(client, "erin", PASSWORD), client)
    assert door.sign_in(client, "erin", PASSWORD, ip=ELSEWHERE).status_code == door.succeeded


def test_the_limit_per_address_is_larger_than_the_limit_per_account(door, client, erin):
    """A handful of colleagues behind one address mistyping is not yet a spray."""
    for number in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        response = door.sign_in(client, f"user{number}", "guess")
        assert response.status_code == door.failed

    assert door.sign_in(client, "erin", PASSWORD).status_code == door.succeeded


def test_signing_in_to_an_account_does_not_clear_the_count_of_the_address(door, client, erin):
    """The admin's sign-in used to forget the failures of a spray at the next success."""
    for number in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        door.sign_in(client, f"user{number}", "guess")
    assert door.sign_in(client, "erin", PASSWORD).status_code == door.succeeded
    client.logout()

    assert door.sign_in(client, "user99", "guess").status_code == 429
    assert_locked_out(door, door.sign_in(client, "erin", PASSWORD), client)


def test_a_forged_x_forwarded_for_does_not_dodge_the_lock(door, client, erin, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(settings.LOGIN_FAILURE_LIMIT):
        door.sign_in(client, "erin", "guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    response = door.sign_in(client, "erin", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")

    assert_locked_out(door, response, client)


def test_behind_one_proxy_the_right_most_entry_is_the_client(door, client, erin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(settings.LOGIN_FAILURE_LIMIT):  # the attacker, forging a first hop
        door.sign_in(client, "erin", "guess", ip=PROXY,
                     HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {ATTACKER}")  # fmt: skip

    attacker = door.sign_in(client, "erin", PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    expert = door.sign_in(client, "erin", PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)

    assert attacker.status_code == 429
    assert expert.status_code == door.succeeded  # the same proxy, another client
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_the_lock_cools_off_by_itself(door, client, erin):
    fail_until_locked(door, client)
    wait = timedelta(minutes=settings.LOGIN_COOL_OFF_MINUTES, seconds=1)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - wait)

    assert door.sign_in(client, "erin", PASSWORD).status_code == door.succeeded


def test_the_locked_out_page_is_the_sign_in_page_with_a_way_out(client, erin):
    for door in (DOORS[0], DOORS[2]):  # the page and the admin's sign-in
        response = fail_until_locked(door, client)

        html = response.content.decode()
        assert response.status_code == 429
        assert int(response["Retry-After"]) == settings.LOGIN_COOL_OFF_MINUTES * 60
        assert 'class="skip-link"' in html  # the site's page, not axes' bare text
        assert f'href="{reverse("password_reset")}"' in html
        assert 'name="password"' in html
        AccessAttempt.objects.all().delete()


def test_the_api_says_locked_out_in_its_error_shape(client, erin):
    response = fail_until_locked(DOORS[1], client)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.LOGIN_COOL_OFF_MINUTES * 60
    [error] = response.json()["errors"]
    assert error["rule"] == "locked_out" and "reset your password" in error["message"]
    assert ApiToken.objects.count() == 0


def test_the_api_throttle_counts_the_real_address_whatever_x_forwarded_for_says(
    client, db, monkeypatch
):
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "3/minute"})
    url = reverse("v1:token")
    for number in range(3):
        client.post(url, {}, content_type="application/json", REMOTE_ADDR=ATTACKER,
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")  # fmt: skip

    throttled = client.post(url, {}, content_type="application/json", REMOTE_ADDR=ATTACKER,
                            HTTP_X_FORWARDED_FOR="192.0.2.99")  # fmt: skip
    elsewhere = client.post(url, {}, content_type="application/json", REMOTE_ADDR=ELSEWHERE)

    assert throttled.status_code == 429
    assert throttled.json()["errors"][0]["rule"] == "throttled"
    assert elsewhere.status_code == 400  # counted apart; refused only for its empty body


def test_drf_reads_the_address_behind_the_configured_proxies():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "192.0.2.1", PROXY),  # no proxy: whatever the client wrote is ignored
        (1, f"192.0.2.1, {ATTACKER}", ATTACKER),
        (2, f"192.0.2.1, {ATTACKER}, 10.0.0.1", ATTACKER),
        (2, ATTACKER, PROXY),  # fewer entries than proxies: not the way the deployment says
        (1, "192.0.2.1, not-an-address", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_clients_address(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


@pytest.mark.parametrize("remote", ["", "/run/gunicorn.sock", "unix:"])
def test_a_server_without_an_address_counts_its_clients_together(rf, remote):
    """Stored in an address column, such a text would break the sign-in on PostgreSQL."""
    assert client_ip(rf.get("/", REMOTE_ADDR=remote)) is None


def test_failures_are_logged_without_the_password(client, erin, caplog):
    DOORS[0].sign_in(client, "erin", "hunter2-secret")

    assert "erin" in caplog.text and ATTACKER in caplog.text
    assert "hunter2-secret" not in caplog.text


def test_a_stored_failure_keeps_no_password_and_no_invitation_link(client, erin):
    login = reverse("login") + "?next=/invitations/secret-invitation-token/"
    client.post(login, {"username": "erin", "password": "hunter2-secret",
                        "next": "/invitations/secret-invitation-token/"})  # fmt: skip

    [attempt] = AccessAttempt.objects.all()
    stored = f"{attempt.get_data} {attempt.post_data} {attempt.path_info}"
    assert "hunter2-secret" not in stored
    assert "secret-invitation-token" not in stored
