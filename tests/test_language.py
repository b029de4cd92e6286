"""The language switch is remembered per user, across sign-outs and devices."""

from django.test import Client
from django.urls import reverse

from experts.models import Profile
from tests.conftest import PASSWORD


def test_a_signed_in_users_choice_is_saved_and_applied_at_the_next_sign_in(coordinator):
    laptop = Client()
    laptop.force_login(coordinator)
    laptop.post(reverse("language-set"), {"language": "zh-hans", "next": "/"})

    assert Profile.objects.get(user=coordinator).language == "zh-hans"

    phone = Client()  # a new device: no language cookie yet
    phone.post(reverse("login"), {"username": coordinator.username, "password": PASSWORD})
    page = phone.get(reverse("home")).content.decode()

    assert "您的评价项目" in page


def test_an_anonymous_visitor_switches_by_cookie_only(client, db):
    response = client.post(reverse("language-set"), {"language": "zh-hans", "next": "/"})

    assert response.cookies["django_language"].value == "zh-hans"
    assert not Profile.objects.exists()


def test_an_unknown_language_is_ignored(coordinator_client, coordinator):
    coordinator_client.post(reverse("language-set"), {"language": "xx", "next": "/"})

    assert not Profile.objects.filter(user=coordinator).exists()
