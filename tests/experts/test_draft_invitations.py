"""Experts invited while the evaluation is still a draft are told the panel is not open yet."""

from django.core import mail
from django.urls import reverse

from evaluations.models import Evaluation
from experts.services import invitation_accept, panel_remind

DRAFT_WARNING = 'id="draft-panel-warning"'
NOT_OPEN = 'id="panel-not-open"'


def _panel_page(client, evaluation) -> str:
    return client.get(reverse("panel", args=[evaluation.pk])).content.decode()


def test_the_panel_page_of_a_draft_warns_that_invited_experts_cannot_answer_yet(
    coordinator_client, evaluation
):
    assert evaluation.status == Evaluation.Status.DRAFT
    html = _panel_page(coordinator_client, evaluation)

    assert DRAFT_WARNING in html
    assert "cannot answer until you open the panel" in html


def test_an_open_panel_has_no_such_warning(coordinator_client, open_evaluation):
    assert DRAFT_WARNING not in _panel_page(coordinator_client, open_evaluation)


def test_the_invitation_mail_and_page_of_a_draft_say_the_panel_is_not_open(
    client, django_capture_on_commit_callbacks, invite
):
    with django_capture_on_commit_callbacks(execute=True):
        (token,) = invite("wang@example.com")

    assert "The panel is not open yet" in mail.outbox[0].body
    page = client.get(reverse("invitation", kwargs={"token": token})).content.decode()
    assert NOT_OPEN in page


def test_the_invitation_of_an_open_panel_says_nothing_of_the_kind(
    client, django_capture_on_commit_callbacks, invite, open_evaluation
):
    with django_capture_on_commit_callbacks(execute=True):
        (token,) = invite("wang@example.com")

    assert "The panel is not open yet" not in mail.outbox[0].body
    page = client.get(reverse("invitation", kwargs={"token": token})).content.decode()
    assert NOT_OPEN not in page


def test_an_expert_who_accepts_early_finds_the_panel_listed_as_not_open(
    client, make_user, invite, evaluation
):
    (token,) = invite("wang@example.com")
    user = make_user("wang")
    invitation_accept(token=token, user=user)
    client.force_login(user)

    home = client.get(reverse("expert-home")).content.decode()

    assert evaluation.title in home
    assert "The questionnaire opens when the coordinator opens the panel." in home


def test_a_reminder_before_the_panel_opens_says_it_is_not_open_yet(
    coordinator, django_capture_on_commit_callbacks, evaluation, invite
):
    invite("wang@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        panel_remind(evaluation=evaluation, actor=coordinator, base_url="http://testserver")

    assert "The panel is not open yet" in mail.outbox[-1].body
