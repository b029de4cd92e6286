"""The settings page and the API control whether experts see results and who said what."""

from django.urls import reverse

from tests.api.conftest import token_client
from tests.evaluations.test_editor_pages import page_url, settings_data


def test_the_settings_page_has_both_sharing_controls(coordinator_client, evaluation):
    html = coordinator_client.get(page_url("evaluation-settings", evaluation)).content.decode()

    assert 'name="results_visible_to_experts"' in html
    assert 'name="comments_named"' in html
    assert "Experts may see the results" in html
    assert "Show experts&#x27; names with their comments" in html


def test_ticking_and_unticking_the_sharing_settings_saves_them(coordinator_client, evaluation):
    url = page_url("evaluation-settings", evaluation)

    ticked = settings_data(results_visible_to_experts="on", comments_named="on")
    assert coordinator_client.post(url, ticked).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.results_visible_to_experts and evaluation.comments_named
    entry = evaluation.audit_entries.get(action="edited_settings")
    assert {"results_visible_to_experts", "comments_named"} <= set(entry.params["fields"])

    assert coordinator_client.post(url, settings_data()).status_code == 302
    evaluation.refresh_from_db()
    assert not evaluation.results_visible_to_experts and not evaluation.comments_named


def test_the_api_reads_and_writes_comments_named(coordinator, evaluation):
    client = token_client(coordinator)
    url = reverse("v1:evaluation-detail", args=[evaluation.pk])

    assert client.get(url).json()["comments_named"] is False
    updated = client.patch(url, {"comments_named": True}, format="json")

    assert updated.status_code == 200
    evaluation.refresh_from_db()
    assert evaluation.comments_named is True
