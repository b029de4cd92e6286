"""The robustness settings of an evaluation: the settings page, the API and the model refuse
values outside their ranges on the field, naming the rule; valid values are saved."""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from evaluations.models import AuditEntry, Evaluation
from evaluations.robustness import rules
from evaluations.services import evaluation_copy
from tests.api.conftest import token_client
from tests.evaluations.test_editor_pages import page_url, settings_data

DEFAULTS = {
    "robustness_sources": "both",
    "robustness_noise_steps": 1,
    "robustness_noise_draws": 10_000,
    "robustness_bootstrap_draws": 2_000,
    "robustness_seed": None,
    "agreement_threshold": 1.1,
    "flagged_experts_named": False,
}


def robustness(evaluation) -> dict:
    evaluation.refresh_from_db()
    return {field: getattr(evaluation, field) for field in rules.FIELDS}


def post(client, evaluation, **changes):
    return client.post(page_url("evaluation-settings", evaluation), settings_data(**changes))


def test_a_new_evaluation_has_the_default_robustness_settings(evaluation):
    assert robustness(evaluation) == DEFAULTS


def test_the_settings_page_has_a_robustness_fieldset_with_every_field_explained(
    coordinator_client, evaluation
):
    page = coordinator_client.get(page_url("evaluation-settings", evaluation)).content.decode()

    fieldset = page[page.index('id="settings-robustness"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>\n  <button")]
    assert "<h3>Robustness</h3>" in fieldset
    for field in rules.FIELDS:
        assert f'name="{field}"' in fieldset, field
        assert f'id="id_{field}_helptext"' in fieldset, field
    assert "from 1 to 100,000 (the cap)" in fieldset
    assert 'name="robustness_noise_draws" value="10000"' in fieldset


def test_saving_the_robustness_settings_through_the_page(coordinator_client, evaluation):
    response = post(
        coordinator_client,
        evaluation,
        robustness_sources="noise",
        robustness_noise_steps="3",
        robustness_noise_draws="100000",
        robustness_bootstrap_draws="1",
        robustness_seed="9223372036854775807",
        agreement_threshold="1.25",
        flagged_experts_named="on",
    )

    assert response.status_code == 302
    assert robustness(evaluation) == {
        "robustness_sources": "noise",
        "robustness_noise_steps": 3,
        "robustness_noise_draws": 100_000,
        "robustness_bootstrap_draws": 1,
        "robustness_seed": 2**63 - 1,
        "agreement_threshold": 1.25,
        "flagged_experts_named": True,
    }
    entry = evaluation.audit_entries.get(action=AuditEntry.Action.EDITED_SETTINGS)
    assert "robustness_noise_steps" in entry.params["fields"]


def test_blank_robustness_numbers_take_the_defaults_and_a_blank_seed_a_fresh_one(
    coordinator_client, evaluation
):
    Evaluation.objects.filter(pk=evaluation.pk).update(
        robustness_noise_steps=4, robustness_seed=11, agreement_threshold=1.3
    )
    blank = dict.fromkeys(rules.FIELDS, "")
    del blank["flagged_experts_named"]

    response = post(coordinator_client, evaluation, **blank)

    assert response.status_code == 302
    assert robustness(evaluation) == DEFAULTS


# field, value, what the message must say
REFUSED = [
    ("robustness_noise_steps", "0", "from 1 to 8"),
    ("robustness_noise_steps", "9", "from 1 to 8"),
    ("robustness_noise_steps", "1.5", "from 1 to 8"),
    ("robustness_noise_draws", "0", "the cap is 100,000"),
    ("robustness_noise_draws", "100001", "the cap is 100,000"),
    ("robustness_bootstrap_draws", "100001", "the cap is 100,000"),
    ("robustness_bootstrap_draws", "1e3", "the cap is 100,000"),
    ("robustness_seed", "-1", "from 0 to 9,223,372,036,854,775,807"),
    ("robustness_seed", "9223372036854775808", "from 0 to 9,223,372,036,854,775,807"),
    ("robustness_seed", "seven", "or blank for a fresh seed"),
    ("agreement_threshold", "1.0", "greater than 1"),
    ("agreement_threshold", "1", "greater than 1"),
    ("agreement_threshold", "0.9", "greater than 1"),
    ("agreement_threshold", "nan", "greater than 1"),
]


@pytest.mark.parametrize(("field", "value", "rule"), REFUSED)
def test_an_out_of_range_setting_is_refused_on_its_field_and_nothing_changes(
    coordinator_client, evaluation, field, value, rule
):
    response = post(coordinator_client, evaluation, **{field: value})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert rule in errors[field][0]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert robustness(evaluation) == DEFAULTS
    assert not evaluation.audit_entries.filter(action=AuditEntry.Action.EDITED_SETTINGS).exists()


def test_the_messages_name_the_field_and_the_rule():
    assert rules.message("robustness_noise_steps") == (
        "Noise steps (k) must be a whole number of ladder steps from 1 to 8."
    )
    assert rules.message("robustness_noise_draws") == (
        "Noise draws must be a whole number from 1 to 100,000 (the cap is 100,000)."
    )
    assert rules.message("agreement_threshold") == (
        "The agreement threshold must be a number greater than 1 (S is never below 1; "
        "1.1 is customary)."
    )


def test_an_unknown_source_is_refused(coordinator_client, evaluation):
    response = post(coordinator_client, evaluation, robustness_sources="everything")

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["robustness_sources"]


def test_the_api_refuses_the_same_values_naming_the_field(coordinator, evaluation):
    client = token_client(coordinator)
    url = reverse("v1:evaluation-detail", args=[evaluation.pk])

    for field, value in [
        ("robustness_noise_steps", 9),
        ("robustness_noise_draws", 100_001),
        ("agreement_threshold", 1.0),
    ]:
        response = client.patch(url, {field: value}, format="json")
        assert response.status_code == 400, field
        assert response.json()["errors"][0]["field"] == field
    response = client.patch(url, {"robustness_noise_steps": 2}, format="json")
    assert response.status_code == 200
    assert response.json()["robustness_noise_steps"] == 2
    assert robustness(evaluation)["robustness_noise_steps"] == 2


def test_the_api_schema_states_the_same_bounds(client):
    schema = client.get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["PatchedEvaluationSettingsRequest"]["properties"]

    bounds = {
        name: (fields[name]["minimum"], fields[name]["maximum"])
        for name in ("robustness_noise_steps", "robustness_noise_draws", "robustness_seed")
    }
    assert bounds == {
        "robustness_noise_steps": (1, 8),
        "robustness_noise_draws": (1, 100_000),
        "robustness_seed": (0, 2**63 - 1),
    }
    threshold = fields["agreement_threshold"]
    assert threshold["minimum"] == 1 and threshold["exclusiveMinimum"] is True


def test_the_model_refuses_out_of_range_values_by_field(evaluation):
    evaluation.robustness_noise_steps = 9
    evaluation.robustness_noise_draws = 100_001
    evaluation.agreement_threshold = 1.0

    with pytest.raises(ValidationError) as refused:
        evaluation.full_clean()

    assert set(refused.value.message_dict) == {
        "robustness_noise_steps",
        "robustness_noise_draws",
        "agreement_threshold",
    }
    assert "from 1 to 8" in refused.value.message_dict["robustness_noise_steps"][0]


@pytest.mark.parametrize(
    "change",
    [
        {"robustness_noise_steps": 0},
        {"robustness_noise_steps": 9},
        {"robustness_bootstrap_draws": 100_001},
        {"agreement_threshold": 1.0},
    ],
)
def test_the_database_refuses_out_of_range_values_too(evaluation, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(**change)


def test_a_copy_keeps_the_robustness_settings_but_not_the_analysis_claim(coordinator, evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(
        robustness_noise_steps=3, robustness_seed=5, analysis_queued_at=timezone.now()
    )
    evaluation.refresh_from_db()

    copy = evaluation_copy(owner=coordinator, source=evaluation)

    assert robustness(copy) == {**DEFAULTS, "robustness_noise_steps": 3, "robustness_seed": 5}
    assert copy.analysis_queued_at is None


def test_other_tests_run_without_the_analysis():
    """tests/conftest.py switches it off unless a test is marked robustness_analysis."""
    assert django_settings.ROBUSTNESS_ANALYSIS is False


@pytest.mark.robustness_analysis
def test_a_marked_test_runs_with_the_analysis():
    assert django_settings.ROBUSTNESS_ANALYSIS is True
