"""The "don't know" settings of an evaluation (allow_dont_know, min_ratings_per_leaf): on the
settings page, in the API and its schema, refused by name outside their rule; and what the
results page and the exports show of the don't-knows and the leaves with few ratings."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from evaluations import dont_know
from evaluations.models import AuditEntry
from evaluations.services.results import results_recompute
from surveys import services
from tests.api.conftest import token_client
from tests.evaluations.test_editor_pages import page_url, settings_data
from tests.evaluations.test_results_pages import (
    add_experts,
    open_for_ballots,
    submit_judgments,
    submit_ratings,
)

RULE = "The minimum number of ratings per leaf must be a whole number from 1 to 100."


def post(client, evaluation, **changes):
    return client.post(page_url("evaluation-settings", evaluation), settings_data(**changes))


def test_a_new_evaluation_does_not_allow_dont_know_and_wants_three_ratings(evaluation):
    assert (evaluation.allow_dont_know, evaluation.min_ratings_per_leaf) == (False, 3)
    assert dont_know.message() == RULE


def test_the_settings_page_saves_both_settings(coordinator_client, evaluation):
    page = coordinator_client.get(page_url("evaluation-settings", evaluation)).content.decode()
    assert 'name="allow_dont_know"' in page and 'name="min_ratings_per_leaf" value="3"' in page

    response = post(coordinator_client, evaluation, allow_dont_know="on", min_ratings_per_leaf="5")

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.allow_dont_know, evaluation.min_ratings_per_leaf) == (True, 5)
    entry = evaluation.audit_entries.get(action=AuditEntry.Action.EDITED_SETTINGS)
    assert {"allow_dont_know", "min_ratings_per_leaf"} <= set(entry.params["fields"])


def test_a_blank_minimum_keeps_the_current_one(coordinator_client, evaluation):
    evaluation.min_ratings_per_leaf = 7
    evaluation.save()

    assert post(coordinator_client, evaluation, min_ratings_per_leaf="").status_code == 302

    evaluation.refresh_from_db()
    assert evaluation.min_ratings_per_leaf == 7


@pytest.mark.parametrize("value", ["0", "101", "2.5", "three", "-1", "1e2"])
def test_a_bad_minimum_is_refused_on_its_field_naming_the_rule(
    coordinator_client, evaluation, value
):
    response = post(coordinator_client, evaluation, min_ratings_per_leaf=value)

    assert response.status_code == 400
    assert response.context["form"].errors == {"min_ratings_per_leaf": [RULE]}
    evaluation.refresh_from_db()
    assert evaluation.min_ratings_per_leaf == 3


def test_the_api_reads_and_changes_both_settings(coordinator, evaluation):
    client = token_client(coordinator)
    url = reverse("v1:evaluation-detail", args=[evaluation.pk])
    assert client.get(url).json()["min_ratings_per_leaf"] == 3

    response = client.patch(
        url, {"allow_dont_know": True, "min_ratings_per_leaf": 2}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["allow_dont_know"], response.json()["min_ratings_per_leaf"]) == (
        True,
        2,
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"min_ratings_per_leaf": 0}, "min_ratings_per_leaf", RULE),
        ({"min_ratings_per_leaf": 101}, "min_ratings_per_leaf", RULE),
        ({"min_ratings_per_leaf": 2.5}, "min_ratings_per_leaf", None),
        ({"min_ratings_per_leaf": "3"}, "min_ratings_per_leaf", None),
        ({"allow_dont_know": "yes"}, "allow_dont_know", None),
    ],
)
def test_the_api_refuses_bad_values_naming_the_field(coordinator, evaluation, body, field, message):
    url = reverse("v1:evaluation-detail", args=[evaluation.pk])

    response = token_client(coordinator).patch(url, body, format="json")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == field
    if message:
        assert error["message"] == message
    evaluation.refresh_from_db()
    assert (evaluation.allow_dont_know, evaluation.min_ratings_per_leaf) == (False, 3)


def test_the_schema_states_the_bounds_and_the_few_ratings_warning(client):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    field = schemas["PatchedEvaluationSettingsRequest"]["properties"]["min_ratings_per_leaf"]
    assert (field["minimum"], field["maximum"]) == (1, 100)
    assert (
        schemas["PatchedEvaluationSettingsRequest"]["properties"]["allow_dont_know"]["type"]
        == "boolean"
    )
    few = schemas["ResultsData"]["properties"]["few_ratings"]
    assert few["type"] == "array"
    item = schemas[few["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(item["properties"]) == {
        "subject", "subject_name", "leaf", "rated", "dont_know", "minimum"
    }  # fmt: skip


def test_the_model_and_the_service_refuse_an_out_of_range_minimum(evaluation, coordinator):
    evaluation.min_ratings_per_leaf = 0
    with pytest.raises(ValidationError) as refused:
        evaluation.full_clean()
    assert refused.value.message_dict == {"min_ratings_per_leaf": [RULE]}

    evaluation.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services_update(evaluation, coordinator, min_ratings_per_leaf=500)
    assert refused.value.message_dict == {"min_ratings_per_leaf": [RULE]}


def services_update(evaluation, actor, **changes):
    from evaluations.services import evaluation_update_settings

    return evaluation_update_settings(evaluation=evaluation, actor=actor, **changes)


# --- results and exports ------------------------------------------------------------------


@pytest.fixture
def unsure_snapshot(evaluation):
    """Three experts rate everything; then Dr. Li answers "don't know" for U11 of the first
    subject: U11 is rated by 2 experts, one fewer than the minimum of 3."""
    open_for_ballots(evaluation)
    evaluation.allow_dont_know = True
    evaluation.save()
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)
    subject = evaluation.subjects.first()
    ballot = memberships[1].rating_ballots.get(subject=subject)
    ratings = dict(ballot.submitted_ratings)
    u11 = str(evaluation.indicators.get(code="U11").pk)
    ratings[u11] = {"grade": None, "dont_know": True, "comment": "Not my field"}
    services.rating_ballot_save(
        membership=memberships[1], subject=subject, ratings=ratings, submit=True
    )
    return results_recompute(evaluation_id=evaluation.pk)


def test_the_snapshot_counts_the_dont_know_and_warns(unsure_snapshot):
    data = unsure_snapshot.data
    first = data["subjects"][0]

    assert (first["rated"]["U11"], first["dont_know"]["U11"]) == (2, 1)
    assert sum(first["counts"]["U11"]) == 2
    assert data["few_ratings"] == [
        {"subject": first["id"], "subject_name": first["name"], "leaf": "U11", "rated": 2,
         "dont_know": 1, "minimum": 3}
    ]  # fmt: skip
    assert (data["settings"]["allow_dont_know"], data["settings"]["min_ratings_per_leaf"]) == (
        True,
        3,
    )
    assert data["complete"] is True


def test_the_results_page_shows_the_counts_and_the_warning(
    coordinator_client, evaluation, unsure_snapshot
):
    page = coordinator_client.get(reverse("results", args=[evaluation.pk])).content.decode()

    assert "Indicators rated by few experts" in page
    assert "rated by 2 experts, 1 answered “don't know”" in page
    assert "Experts who rated" in page
    membership = page[page.index("results-table membership") :]
    row = membership[membership.index('<th scope="row">U11</th>') :]
    row = row[: row.index("</tr>")]
    assert '<td class="num rated">2</td><td class="num dont-know">1</td>' in row
    assert "Experts may answer “don&#x27;t know”" in page  # among the method's settings (escaped)


def test_the_exports_carry_rated_and_dont_know_per_row(
    coordinator_client, evaluation, unsure_snapshot
):
    def export(fmt):
        return coordinator_client.get(reverse("results-export", args=[evaluation.pk, fmt]))

    subject = unsure_snapshot.data["subjects"][0]
    rows = list(csv.reader(io.StringIO(export("csv").content.decode("utf-8-sig"))))
    header = next(r for r in rows if r[-2:] == ["Experts who rated", "Don't know"])
    u11 = next(r for r in rows[rows.index(header) :] if len(r) > 1 and r[1] == "U11")
    assert u11[-2:] == ["2", "1"]

    book = load_workbook(io.BytesIO(export("xlsx").content))
    sheet = book[f"R {subject['name']}"]
    cells = {r[1]: r for r in sheet.iter_rows(values_only=True)}
    assert cells["U11"][-2:] == (2, 1)
    assert cells["U12"][-2:] == (3, 0)

    payload = json.loads(export("json").content)
    assert payload["data"]["few_ratings"][0]["leaf"] == "U11"
    assert payload["data"]["settings"]["min_ratings_per_leaf"] == 3


def test_a_leaf_nobody_rated_is_named_on_the_results_page(coordinator_client, evaluation):
    open_for_ballots(evaluation)
    evaluation.allow_dont_know = True
    evaluation.save()
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)
    subject = evaluation.subjects.first()
    u23 = evaluation.indicators.get(code="U23")
    for membership in memberships:
        ratings = dict(membership.rating_ballots.get(subject=subject).submitted_ratings)
        ratings[str(u23.pk)] = {"grade": None, "dont_know": True, "comment": ""}
        services.rating_ballot_save(
            membership=membership, subject=subject, ratings=ratings, submit=True
        )
    results_recompute(evaluation_id=evaluation.pk)

    page = coordinator_client.get(reverse("results", args=[evaluation.pk])).content.decode()

    assert "These results are incomplete" in page
    assert f"No ratings of U23 {u23.name} for {subject.name} yet." in page
    assert "Rated by nobody:" in page
