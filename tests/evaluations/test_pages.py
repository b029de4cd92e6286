import pytest
from django.urls import reverse

from evaluations.services import evaluation_create_from_template


def test_pages_ask_anonymous_visitors_to_sign_in(client, evaluation):
    for url in (reverse("home"), reverse("evaluation-detail", args=[evaluation.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_coordinator_sees_their_evaluations_with_counts(coordinator_client, evaluation):
    response = coordinator_client.get(reverse("home"))

    assert response.status_code == 200
    listed = [row for row, _figures in response.context["rows"]]
    assert listed == [evaluation]
    assert listed[0].indicator_count == 16  # goal, 3 criteria, 12 leaf indicators
    assert listed[0].subject_count == 2
    assert "0 valid of 0 sent" in response.content.decode()


def test_the_detail_page_shows_the_hierarchy_grades_and_subjects(coordinator_client, evaluation):
    response = coordinator_client.get(reverse("evaluation-detail", args=[evaluation.pk]))

    assert response.status_code == 200
    codes = [(indicator.code, depth) for indicator, depth in response.context["tree"]]
    assert codes[:3] == [("U", 0), ("U1", 1), ("U11", 2)]
    assert len(codes) == 16
    page = response.content.decode()
    for text in ("Supplier selection", "very strong", "Enterprise B", "Geometric mean"):
        assert text in page


def test_an_outsider_gets_404_for_someone_elses_evaluation(outsider_client, evaluation):
    response = outsider_client.get(reverse("evaluation-detail", args=[evaluation.pk]))

    assert response.status_code == 404


def test_an_outsider_does_not_see_someone_elses_evaluation_listed(outsider_client, evaluation):
    response = outsider_client.get(reverse("home"))

    assert response.context["rows"] == []


def test_the_list_page_query_count_does_not_grow_with_evaluations(
    coordinator, coordinator_client, django_assert_num_queries
):
    for number in range(5):
        evaluation_create_from_template(
            owner=coordinator,
            template_key="sme-management-measures",
            subjects=[f"Subject {number}"],
        )
    # session, user, evaluations with their counts, figures (requirements, memberships, ...)
    with django_assert_num_queries(6):
        coordinator_client.get(reverse("home"))


@pytest.mark.parametrize(
    "language, text", [("en", "Your evaluations"), ("zh-hans", "您的评价项目")]
)
def test_pages_speak_english_and_simplified_chinese(coordinator_client, language, text):
    response = coordinator_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language)

    assert text in response.content.decode()


def test_health_check_answers_without_signing_in(client, db):
    response = client.get(reverse("healthz"))

    assert response.json() == {"status": "ok"}
