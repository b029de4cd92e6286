"""The coordinator's history of an expert: every submission and withdrawal, theirs only."""

import pytest
from django.urls import reverse

from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template
from surveys import services
from tests.api.conftest import token_client
from tests.conftest import accepted_membership

# CR 0.0986 with the paper's RI table, 0.105 with Saaty's (tests/surveys/test_reassess.py).
NEARLY = [2, 3, 5, 5, 3, 3]


def judgments_for(parent, values, comment=""):
    children = list(parent.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {key: {"value": v, "comment": comment} for key, v in zip(keys, values, strict=True)}


@pytest.fixture
def answering(open_evaluation, expert):
    return accepted_membership(open_evaluation, expert)


@pytest.fixture
def history_url(open_evaluation, answering):
    return reverse("expert-history", args=[open_evaluation.pk, answering.pk])


@pytest.fixture
def revised(expert, answering, open_evaluation):
    """A submission on the page, one through the API, then a withdrawal."""
    u1 = open_evaluation.indicators.get(code="U1")
    services.pairwise_ballot_save(
        membership=answering,
        parent=u1,
        judgments=judgments_for(u1, NEARLY, comment="Logistics matter most."),
        submit=True,
    )
    response = token_client(expert).put(
        reverse("v1:pairwise", args=[open_evaluation.pk, u1.pk]),
        {
            "judgments": [
                {"row": "U11", "col": "U12", "value": "1/3", "comment": "On reflection, less."},
                {"row": "U11", "col": "U13", "value": 1},
                {"row": "U11", "col": "U14", "value": 1},
                {"row": "U12", "col": "U13", "value": 3},
                {"row": "U12", "col": "U14", "value": 3},
                {"row": "U13", "col": "U14", "value": 1},
            ],
            "submit": True,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    services.pairwise_ballot_withdraw(membership=answering, parent=u1)
    return u1


def test_the_coordinator_reads_each_revision_in_order(coordinator_client, history_url, revised):
    response = coordinator_client.get(history_url)

    assert response.status_code == 200
    html = response.content.decode()
    first = html.index("Logistics matter most.")
    second = html.index("On reflection, less.")
    assert first < second < html.index("These answers were withdrawn from the results:")
    assert html.count("Pairwise comparisons under U1") == 3
    assert "form page" in html and "API" in html
    assert ">1/3<" in html  # the judgment as the form writes it
    assert "CR then" in html


def test_the_history_shows_the_cr_of_then_not_of_today(
    coordinator_client, history_url, open_evaluation, revised
):
    def crs() -> list:
        return [r["cr"] for r in coordinator_client.get(history_url).context["revisions"]]

    before = crs()
    Evaluation.objects.filter(pk=open_evaluation.pk).update(ri_table="saaty")
    services.pairwise_ballots_reassess(evaluation=Evaluation.objects.get(pk=open_evaluation.pk))

    assert before[0] == pytest.approx(0.0986, abs=1e-4)
    assert crs() == before
    assert "0.0986" in coordinator_client.get(history_url).content.decode()


def test_the_panel_page_links_each_expert_to_their_history(
    coordinator_client, open_evaluation, history_url, answering
):
    response = coordinator_client.get(reverse("panel", args=[open_evaluation.pk]))

    assert history_url in response.content.decode()


def test_an_expert_without_revisions_has_an_empty_history(coordinator_client, history_url):
    response = coordinator_client.get(history_url)

    assert "This expert has not submitted anything yet." in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "expert"])
def test_nobody_but_the_coordinator_reads_the_history(
    client, request, persona, history_url, revised
):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(history_url).status_code == 404


def test_a_membership_of_another_evaluation_is_a_404(
    coordinator, coordinator_client, open_evaluation, answering
):
    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["A"]
    )

    response = coordinator_client.get(reverse("expert-history", args=[other.pk, answering.pk]))

    assert response.status_code == 404


def test_the_history_page_answers_get_only(coordinator_client, history_url):
    assert coordinator_client.post(history_url).status_code == 405


def test_the_history_page_reads_in_a_fixed_number_of_queries(
    coordinator_client, history_url, revised, answering, open_evaluation, django_assert_num_queries
):
    subject = open_evaluation.subjects.first()
    ratings = {
        str(leaf.pk): {"grade": open_evaluation.grades.first().pk, "comment": "ok"}
        for leaf in open_evaluation.indicators.filter(children__isnull=True)
    }
    for _time in range(3):
        services.rating_ballot_save(
            membership=answering, subject=subject, ratings=ratings, submit=True
        )
        services.rating_ballot_withdraw(membership=answering, subject=subject)

    # Session, user, evaluation, membership, indicators, grades, revisions.
    with django_assert_num_queries(7):
        assert coordinator_client.get(history_url).status_code == 200


def test_the_activity_log_shows_the_experts_submissions(
    coordinator_client, open_evaluation, revised
):
    response = coordinator_client.get(reverse("evaluation-detail", args=[open_evaluation.pk]))

    html = response.content.decode()
    assert "submitted a ballot" in html and "withdrew a ballot" in html
    assert "U1" in html
