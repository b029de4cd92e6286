"""The robustness settings against the shared hostile input (issue 12's rule for every parser of
user text): each value is refused on its own field, through the settings page and the API, in
milliseconds, and nothing changes."""

import pytest
from django.urls import reverse

from evaluations.models import AuditEntry, Evaluation
from tests.api.conftest import token_client
from tests.api.test_hostile_inputs import json_strings, settings_form, short
from tests.hostile import HOSTILE, HOSTILE_NUMBERS

FIELDS = (
    "robustness_noise_steps",
    "robustness_noise_draws",
    "robustness_bootstrap_draws",
    "robustness_seed",
    "agreement_threshold",
)
# Spellings of zero are a valid seed (0 to 2**63 − 1): refused everywhere else.
ZEROS = {"0", "0.0", "-0"}


def refused(field: str, values):
    return [v for v in values if not (field == "robustness_seed" and v in ZEROS)]


def unchanged(evaluation) -> None:
    fresh = Evaluation.objects.get(pk=evaluation.pk)
    assert [getattr(fresh, f) for f in FIELDS] == [getattr(evaluation, f) for f in FIELDS]
    assert not fresh.audit_entries.filter(action=AuditEntry.Action.EDITED_SETTINGS).exists()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("field", FIELDS)
def test_the_settings_page_refuses_each_hostile_value_on_its_field(
    coordinator_client, evaluation, field
):
    url = reverse("evaluation-settings", args=[evaluation.pk])
    for value in refused(field, HOSTILE):
        response = coordinator_client.post(url, settings_form(evaluation, **{field: value}))

        assert response.status_code == 400, short(value)
        assert list(response.context["form"].errors) == [field], short(value)
    unchanged(evaluation)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("field", FIELDS)
def test_the_settings_api_refuses_each_hostile_value_naming_its_field(
    coordinator, evaluation, field
):
    client = token_client(coordinator)
    url = reverse("v1:evaluation-detail", args=[evaluation.pk])
    for literal in refused(field, [*json_strings(), *HOSTILE_NUMBERS]):
        body = "{" + f'"{field}": {literal}' + "}"

        response = client.patch(url, body, content_type="application/json")

        assert response.status_code == 400, short(literal)
        assert {e["field"] for e in response.json()["errors"]} == {field}, short(literal)
    unchanged(evaluation)
