from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_api_refuses_callers_without_a_token(evaluation):
    response = APIClient().get(reverse("api:evaluation-list"))

    assert response.status_code == 401


def test_a_token_is_issued_for_a_username_and_password(coordinator):
    from tests.conftest import PASSWORD

    response = APIClient().post(
        reverse("api-token"), {"username": coordinator.username, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=coordinator).key


def test_a_coordinator_lists_and_reads_their_evaluations(coordinator, evaluation):
    client = token_client(coordinator)

    listed = client.get(reverse("api:evaluation-list")).json()
    detail = client.get(reverse("api:evaluation-detail", args=[evaluation.pk])).json()

    assert [item["id"] for item in listed["results"]] == [evaluation.pk]
    assert detail["ri_table"] == "paper"
    assert len(detail["indicators"]) == 16
    codes = [(item["code"], item["parent"]) for item in detail["indicators"]]
    assert codes[:4] == [("U", None), ("U1", "U"), ("U11", "U1"), ("U12", "U1")]
    assert [grade["name"] for grade in detail["grades"]] == [
        "very strong",
        "strong",
        "general",
        "poor",
    ]


def test_an_outsider_can_neither_list_nor_read_someone_elses_evaluation(outsider, evaluation):
    client = token_client(outsider)

    assert client.get(reverse("api:evaluation-list")).json()["results"] == []
    assert client.get(reverse("api:evaluation-detail", args=[evaluation.pk])).status_code == 404


def test_the_detail_endpoint_query_count_is_fixed(
    coordinator, evaluation, django_assert_num_queries
):
    client = token_client(coordinator)
    # token+user, evaluation, indicators with parents, grades, subjects
    with django_assert_num_queries(5):
        client.get(reverse("api:evaluation-detail", args=[evaluation.pk]))


def test_the_openapi_schema_and_docs_are_served(client, db):
    schema = client.get(reverse("api-schema"))
    docs = client.get(reverse("api-docs"))

    assert schema.status_code == 200
    assert b"/api/evaluations/{id}/" in schema.content
    assert docs.status_code == 200
    # Swagger UI comes from the vendored sidecar package, never from the internet.
    assert b"https://" not in docs.content.replace(b"https://swagger.io", b"")
