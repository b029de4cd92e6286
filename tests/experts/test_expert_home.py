"""The expert's "My panels" page: the panels they joined and how far they are."""

from django.urls import reverse

from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template
from experts.services import invitation_accept, invitation_revoke

from .conftest import answer


def test_my_panels_asks_anonymous_visitors_to_sign_in(client, db):
    response = client.get(reverse("expert-home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_expert_sees_their_panel_with_progress(client, expert, expert_membership, evaluation):
    answer(expert_membership, pairwise=3, ratings=1)
    client.force_login(expert)

    response = client.get(reverse("expert-home"))

    (row,) = response.context["rows"]
    assert row.membership == expert_membership
    assert (row.pairwise_submitted, row.requirements.pairwise) == (3, 4)
    assert (row.ratings_submitted, row.requirements.ratings) == (1, 2)
    page = response.content.decode()
    for text in (evaluation.title, "alice@example.com", "3 / 4", "1 / 2", "Draft"):
        assert text in page
    assert "The questionnaire opens when the coordinator opens the panel." in page


def test_an_open_panel_has_no_draft_note(client, expert, evaluation):
    evaluation.status = Evaluation.Status.OPEN
    evaluation.save()
    client.force_login(expert)

    page = client.get(reverse("expert-home")).content.decode()

    assert "The questionnaire opens when" not in page


def test_invitations_not_accepted_or_revoked_are_not_listed(
    client, expert, expert_membership, coordinator, invite, make_user
):
    invite("bob.second@example.com")  # sent to another address, not accepted
    invitation_revoke(membership=expert_membership, actor=coordinator)
    client.force_login(expert)

    response = client.get(reverse("expert-home"))

    assert response.context["rows"] == []
    assert "You are on no panel yet" in response.content.decode()


def test_someone_elses_panels_are_not_listed(outsider_client, expert):
    response = outsider_client.get(reverse("expert-home"))

    assert response.context["rows"] == []


def test_my_panels_takes_a_constant_number_of_queries(
    client, expert, coordinator, invite, django_assert_num_queries
):
    for number in range(3):
        other = evaluation_create_from_template(
            owner=coordinator, template_key="sme-management-measures", subjects=[f"S{number}"]
        )
        (token,) = invite("bob@example.com", to=other)
        invitation_accept(token=token, user=expert)
    client.force_login(expert)

    # session, user, evaluation ids, required parents, subjects, memberships with progress
    # 7th: the screening surveys with an open round; 8th: evaluations to type in on paper
    with django_assert_num_queries(8):
        response = client.get(reverse("expert-home"))
    assert len(response.context["rows"]) == 4


def test_the_navigation_links_to_my_panels(client, expert):
    client.force_login(expert)

    page = client.get(reverse("expert-home")).content.decode()

    assert f'href="{reverse("expert-home")}"' in page
