"""Revoking through the API: a preview of the effect, keep_answers, and the undo route."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations.models import ResultSnapshot
from experts.models import Invitation, PanelMembership
from experts.selectors import evaluation_figures
from experts.services import panel_add_experts
from tests.api.conftest import token_client
from tests.experts.conftest import BASE_URL, token_of
from tests.experts.test_revocation import SILENT, answering_panel

FIGURES_NOW = {
    "sent": 4,
    "submitted": 3,
    "valid": 3,
    "response_rate": 75.0,
    "valid_rate": 75.0,
    "summary": "3 valid of 4 sent, 75.00 %",
}
FIGURES_WITHOUT_ONE = {
    "sent": 3,
    "submitted": 2,
    "valid": 2,
    "response_rate": 66.67,
    "valid_rate": 66.67,
    "summary": "2 valid of 3 sent, 66.67 %",
}


@pytest.fixture
def wang(evaluation, coordinator, make_user, django_capture_on_commit_callbacks):
    def invite(*emails: str) -> list[str]:
        links = panel_add_experts(
            evaluation=evaluation, actor=coordinator, text="\n".join(emails), base_url=BASE_URL
        )
        return [token_of(link) for link in links]

    with django_capture_on_commit_callbacks(execute=True):
        return answering_panel(evaluation, invite, make_user)[0]


def url(action: str, membership) -> str:
    return reverse(f"v1:evaluation-{action}", args=[membership.evaluation_id, membership.pk])


def latest_ballots(evaluation) -> tuple[int, int]:
    snapshot = ResultSnapshot.objects.filter(evaluation=evaluation).order_by("-version").first()
    return snapshot.pairwise_ballots, snapshot.rating_ballots


def test_a_get_previews_the_effect_and_changes_nothing(coordinator, wang):
    response = token_client(coordinator, read_only=True).get(url("revoke", wang))

    assert response.status_code == 200
    assert response.json() == {
        "membership": wang.pk,
        "stage": "submitted",
        "ballots": {"pairwise": 4, "ratings": 2},
        "figures": {
            "before": FIGURES_NOW,
            "if_left_out": FIGURES_WITHOUT_ONE,
            "if_kept": FIGURES_NOW,
        },
    }
    assert Invitation.objects.get(membership=wang).status == Invitation.Status.ACCEPTED


def test_revoking_answers_with_the_ballots_that_left_and_the_figures(
    coordinator, evaluation, wang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(coordinator).post(url("revoke", wang), {}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "stage": "revoked",
        "answers_kept": False,
        "ballots": {"pairwise": 4, "ratings": 2},
        "ballots_leaving_results": {"pairwise": 4, "ratings": 2},
        "figures": {"before": FIGURES_NOW, "after": FIGURES_WITHOUT_ONE},
    }
    assert latest_ballots(evaluation) == (8, 4)


def test_keep_answers_keeps_them_in(coordinator, evaluation, wang):
    evaluation.refresh_from_db()
    version = evaluation.input_version

    response = token_client(coordinator).post(
        url("revoke", wang), {"keep_answers": True}, format="json"
    )

    body = response.json()
    assert (body["answers_kept"], body["ballots_leaving_results"]) == (
        True,
        {"pairwise": 0, "ratings": 0},
    )
    assert body["figures"]["after"] == FIGURES_NOW
    panel = token_client(coordinator).get(reverse("v1:evaluation-panel", args=[evaluation.pk]))
    (listed,) = [e for e in panel.json()["experts"] if e["membership"] == wang.pk]
    assert (listed["stage"], listed["answers_kept"]) == ("revoked", True)
    evaluation.refresh_from_db()
    assert evaluation.input_version == version
    assert evaluation_figures(evaluation=evaluation).response_rate == Decimal("75.00")


def test_keep_answers_must_be_a_boolean(coordinator, wang):
    response = token_client(coordinator).post(
        url("revoke", wang), {"keep_answers": "perhaps"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "keep_answers"
    assert Invitation.objects.get(membership=wang).status == Invitation.Status.ACCEPTED


def test_restore_undoes_the_revocation(
    coordinator, evaluation, wang, django_capture_on_commit_callbacks
):
    client = token_client(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("revoke", wang), {}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("restore", wang))

    assert response.status_code == 200
    assert response.json() == {
        "stage": "submitted",
        "ballots_returned": {"pairwise": 4, "ratings": 2},
        "new_link_needed": False,
        "figures": FIGURES_NOW,
    }
    assert latest_ballots(evaluation) == (12, 6)
    again = client.post(url("restore", wang))
    assert again.status_code == 409
    assert "no revocation to undo" in again.json()["errors"][0]["message"]


def test_a_restored_unanswered_invitation_says_a_new_link_is_needed(coordinator, wang):
    silent = PanelMembership.objects.get(email=SILENT)
    client = token_client(coordinator)
    client.post(url("revoke", silent), {}, format="json")

    body = client.post(url("restore", silent)).json()

    assert (body["stage"], body["new_link_needed"]) == ("invited", True)
    assert client.post(url("resend", silent)).status_code == 200


def test_outsiders_get_404_and_read_only_tokens_403(coordinator, outsider, wang):
    outside = token_client(outsider)
    for action in ("revoke", "restore"):
        assert outside.post(url(action, wang), {}, format="json").status_code == 404
        assert token_client(coordinator, read_only=True).post(url(action, wang)).status_code == 403
    assert outside.get(url("revoke", wang)).status_code == 404
    assert Invitation.objects.get(membership=wang).status == Invitation.Status.ACCEPTED


def test_the_schema_documents_the_preview_keep_answers_and_restore(client, db):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]

    revoke = paths["/api/v1/evaluations/{id}/experts/{membership_id}/revoke/"]
    restore = paths["/api/v1/evaluations/{id}/experts/{membership_id}/restore/"]
    assert set(revoke) >= {"get", "post"} and "post" in restore
    body = revoke["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][body.rsplit("/", 1)[-1]]
    assert request["properties"]["keep_answers"]["type"] == "boolean"
