"""A database outage gives a clear 503 page (or JSON for the API), never a 500."""

from django.db import OperationalError
from django.urls import reverse

from evaluations.views import pages


def test_a_database_outage_during_a_page_is_a_503_that_says_so(coordinator_client, monkeypatch):
    def down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(pages, "evaluation_list_for_user", down)

    response = coordinator_client.get(reverse("home"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "The database is not reachable at the moment" in response.content.decode()


def test_the_health_check_answers_503_in_json_while_the_database_is_down(client, db, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def down(self, sql, params=None):
        raise OperationalError("the database system is starting up")

    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", down)
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    [error] = response.json()["errors"]  # the API's one error shape
    assert error["rule"] == "database_unavailable" and "not reachable" in error["message"]
