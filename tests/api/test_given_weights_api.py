"""PUT/DELETE /api/v1/evaluations/{id}/indicators/{id}/given-weights/: the same rules and
messages as the editor page, errors naming the child; the indicators expose the weights."""

import pytest

from evaluations.models import AuditEntry
from tests.api.conftest import token_client


@pytest.fixture
def api(coordinator):
    return token_client(coordinator)


def url(evaluation, code="U2") -> str:
    indicator = evaluation.indicators.get(code=code)
    return f"/api/v1/evaluations/{evaluation.pk}/indicators/{indicator.pk}/given-weights/"


def ids(evaluation, code="U2") -> list[str]:
    parent = evaluation.indicators.get(code=code)
    return [str(c.pk) for c in parent.children.order_by("order", "pk")]


def body(evaluation, values, source="Regulation X, 2024") -> dict:
    return {
        "given_weights": dict(zip(ids(evaluation), values, strict=True)),
        "given_weights_source": source,
    }


def test_a_put_sets_them_normalised_and_the_detail_shows_them(api, evaluation):
    response = api.put(
        url(evaluation), body(evaluation, [0.4, "30%", "1/5", "0.099"]), format="json"
    )
    assert response.status_code == 200, response.json()
    weights = response.json()["given_weights"]
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-12)
    assert weights[ids(evaluation)[3]] == pytest.approx(0.099 / 0.999)
    assert response.json()["given_weights_source"] == "Regulation X, 2024"
    detail = api.get(f"/api/v1/evaluations/{evaluation.pk}/").json()
    u2 = next(row for row in detail["indicators"] if row["code"] == "U2")
    assert u2["given_weights"] == weights
    assert next(r for r in detail["indicators"] if r["code"] == "U1")["given_weights"] is None
    tree = api.get(f"/api/v1/evaluations/{evaluation.pk}/hierarchy/").json()["root"]
    assert tree["children"][1]["given_weights"] == weights
    assert AuditEntry.objects.filter(params__change="given_weights").count() == 1


def test_a_refused_put_names_the_child_and_the_rule_and_changes_nothing(api, evaluation):
    response = api.put(url(evaluation), body(evaluation, [0.4, 0, "abc", 0.1]), format="json")
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    u22, u23 = ids(evaluation)[1:3]
    assert errors[f"given_weights.{u22}"].endswith("the weight must be greater than 0.")
    assert "“abc” is not a weight" in errors[f"given_weights.{u23}"]
    assert evaluation.indicators.get(code="U2").given_weights is None


def test_a_sum_off_by_more_than_001_is_refused(api, evaluation):
    response = api.put(url(evaluation), body(evaluation, [0.5, 0.3, 0.2, 0.1]), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "given_weights"
    assert "add up to 1.1" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "hostile, field",
    [
        ({"given_weights": {"1": True}}, "given_weights.1"),
        ({"given_weights": [0.5, 0.5]}, "given_weights"),
        ({"given_weights": {str(k): 0.1 for k in range(20)}}, "given_weights"),
        ({"given_weights": None, "extra": 1}, "extra"),
        ({"given_weights": {}, "given_weights_source": "x" * 301}, "given_weights_source"),
        ({"given_weights": {}, "given_weights_source": "a\x00b"}, "given_weights_source"),
        ({"given_weights": {"1": 10**400}}, None),
    ],
)
def test_hostile_bodies_are_400s_naming_the_field(api, evaluation, hostile, field):
    if field is None:  # a number beyond any float: the JSON layer or the parser refuses it
        response = api.put(
            url(evaluation), '{"given_weights": {"1": 1' + "0" * 400 + "}}",
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 400
        return
    response = api.put(url(evaluation), hostile, format="json")
    assert response.status_code == 400, response.json()
    assert field in [e["field"] for e in response.json()["errors"]]
    assert evaluation.indicators.get(code="U2").given_weights is None


def test_an_unknown_child_is_refused(api, evaluation):
    values = dict(zip(ids(evaluation), [0.25] * 4, strict=True))
    values["999999"] = 0.1
    response = api.put(url(evaluation), {"given_weights": values}, format="json")
    assert response.status_code == 400
    assert "“999999” is not a sub-indicator of U2." in str(response.json())


def test_delete_and_a_null_put_go_back_to_pairwise(api, evaluation):
    api.put(url(evaluation), body(evaluation, [0.25] * 4), format="json")
    response = api.delete(url(evaluation))
    assert response.status_code == 200 and response.json()["given_weights"] is None
    api.put(url(evaluation), body(evaluation, [0.25] * 4), format="json")
    response = api.put(url(evaluation), {"given_weights": None}, format="json")
    assert response.status_code == 200 and response.json()["given_weights"] is None


def test_others_and_read_only_tokens_cannot_set_them(evaluation, outsider, coordinator):
    outside = token_client(outsider)
    assert (
        outside.put(url(evaluation), body(evaluation, [0.25] * 4), format="json").status_code == 404
    )
    assert outside.delete(url(evaluation)).status_code == 404
    reader = token_client(coordinator, read_only=True)
    assert (
        reader.put(url(evaluation), body(evaluation, [0.25] * 4), format="json").status_code == 403
    )
    assert evaluation.indicators.get(code="U2").given_weights is None


def test_the_schema_documents_the_endpoint_and_the_fields(client):
    schema = client.get("/api/schema/?format=json").json()
    path = schema["paths"][
        "/api/v1/evaluations/{evaluation_id}/indicators/{indicator_id}/given-weights/"
    ]
    assert {"get", "put", "delete"} <= set(path)
    request = schema["components"]["schemas"]["GivenWeightsInRequest"]
    assert set(request["properties"]) == {"given_weights", "given_weights_source"}
    assert request["additionalProperties"] is False
    indicator = schema["components"]["schemas"]["Indicator"]["properties"]
    assert indicator["given_weights"]["nullable"] is True
    assert "given_weights_source" in indicator


def test_the_results_schema_names_the_matrix_source(client):
    schema = client.get("/api/schema/?format=json").json()
    matrices = schema["components"]["schemas"]["ResultsData"]["properties"]["matrices"]
    assert "'given'" in matrices["description"]


def test_an_experts_pairwise_endpoint_for_a_given_node_is_a_404(
    api, open_evaluation, expert, membership
):
    api.put(url(open_evaluation), body(open_evaluation, [0.25] * 4), format="json")
    u2 = open_evaluation.indicators.get(code="U2")
    panel = f"/api/v1/panels/{open_evaluation.pk}/pairwise/"
    client = token_client(expert)
    assert client.get(f"{panel}{u2.pk}/").status_code == 404
    assert client.put(f"{panel}{u2.pk}/", {"judgments": []}, format="json").status_code == 404
    asked = client.get("/api/v1/panels/").json()[0]["matrices"]
    assert [m["parent"] for m in asked] == ["U", "U1", "U3"]
