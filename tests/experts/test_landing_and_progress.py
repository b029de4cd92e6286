"""Where signing in lands (an expert who coordinates nothing: My panels), and the expert's
progress with drafts counted apart from submitted forms."""

from django.urls import reverse

from evaluations.services import evaluation_create_blank
from experts.services import invitation_revoke
from surveys.models import BallotStatus, PairwiseBallot, RatingBallot
from tests.conftest import PASSWORD

from .conftest import answer, required_parents


def sign_in(client, user, next_url: str = ""):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.get_username(), "password": PASSWORD})


def test_an_expert_who_coordinates_nothing_lands_on_my_panels(client, expert):
    response = sign_in(client, expert)

    assert response.status_code == 302
    assert response["Location"] == reverse("expert-home")


def test_a_coordinator_lands_on_their_evaluations(client, coordinator, evaluation):
    response = sign_in(client, coordinator)

    assert response["Location"] == reverse("home")


def test_someone_both_expert_and_coordinator_lands_on_their_evaluations(client, expert):
    evaluation_create_blank(owner=expert, title="My own study", subjects=["A"], language="en")

    response = sign_in(client, expert)

    assert response["Location"] == reverse("home")


def test_a_new_user_on_no_panel_lands_on_the_evaluations(client, make_user):
    response = sign_in(client, make_user("newcomer"))

    assert response["Location"] == reverse("home")


def test_a_revoked_expert_lands_on_the_evaluations(client, expert, expert_membership, coordinator):
    invitation_revoke(membership=expert_membership, actor=coordinator)

    assert sign_in(client, expert)["Location"] == reverse("home")


def test_the_next_parameter_still_wins(client, expert):
    response = sign_in(client, expert, next_url="/accounts/tokens/")

    assert response["Location"] == "/accounts/tokens/"


def test_my_panels_shows_drafts_apart_from_submitted_forms(
    client, expert, expert_membership, evaluation
):
    answer(expert_membership, pairwise=1, ratings=0)
    parents = required_parents(evaluation)
    for parent in parents[1:3]:
        PairwiseBallot.objects.create(membership=expert_membership, parent=parent)
    subject = evaluation.subjects.first()
    RatingBallot.objects.create(membership=expert_membership, subject=subject)
    client.force_login(expert)

    response = client.get(reverse("expert-home"))

    (row,) = response.context["rows"]
    assert (row.pairwise_submitted, row.pairwise_drafts) == (1, 2)
    assert (row.ratings_submitted, row.ratings_drafts) == (0, 1)
    page = response.content.decode()
    assert "1 / 4 submitted" in page and "2 drafts" in page
    assert "0 / 2 submitted" in page and "1 draft<" in page


def test_a_draft_on_top_of_a_submitted_form_counts_in_both(
    client, expert, expert_membership, evaluation
):
    answer(expert_membership, pairwise=1, ratings=0)
    PairwiseBallot.objects.filter(membership=expert_membership).update(status=BallotStatus.DRAFT)
    client.force_login(expert)

    (row,) = client.get(reverse("expert-home")).context["rows"]

    assert (row.pairwise_submitted, row.pairwise_drafts) == (1, 1)


def test_the_coordinators_panel_page_shows_drafts_too(
    coordinator_client, expert_membership, evaluation
):
    parent = required_parents(evaluation)[0]
    PairwiseBallot.objects.create(membership=expert_membership, parent=parent)

    page = coordinator_client.get(reverse("panel", args=[evaluation.pk])).content.decode()

    assert "Comparisons 0/4 submitted" in page
    assert "1 draft<" in page


def test_the_evaluations_page_points_an_expert_who_coordinates_nothing_to_my_panels(client, expert):
    client.force_login(expert)

    page = client.get(reverse("home")).content.decode()

    assert "You answer as an expert on 1 panel" in page
    assert f'<a href="{reverse("expert-home")}">My panels</a>' in page
    assert "Create the first one." in page  # and may still start one of their own


def test_the_evaluations_page_of_a_coordinator_says_nothing_about_panels(
    coordinator_client, evaluation
):
    page = coordinator_client.get(reverse("home")).content.decode()

    assert "You answer as an expert" not in page
