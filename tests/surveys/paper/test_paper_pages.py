"""The paper-entry pages: the panel's link, typing a form in, the errors on the form, the
comparison of two typings, name-only experts and assistants."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import AuditEntry
from experts.models import Invitation, PanelMembership
from surveys.models import BallotRevision, PairwiseBallot, RatingBallot
from surveys.paper.models import DataEntryAssistant, PaperEntry

from .conftest import judgments_for

CONSISTENT = [2, 4, 8, 2, 4, 2]


def posted_pairs(parent, values, number="F-9"):
    data = {"form_number": number}
    for key, answer in judgments_for(parent, values).items():
        value = answer["value"]
        data[f"pair-{key}"] = "" if value is None else str(value)
    return data


def posted_grades(evaluation, grade_index=0, number="R-1"):
    grade = list(evaluation.grades.all())[grade_index]
    data = {"form_number": number}
    for leaf in evaluation.indicators.filter(children__isnull=True):
        data[f"grade-{leaf.pk}"] = str(grade.pk)
    return data


def test_the_panel_page_links_each_member_to_paper_entry_and_adds_name_only_experts(
    coordinator_client, open_evaluation, mailoutbox
):
    response = coordinator_client.post(
        f"/evaluations/{open_evaluation.pk}/panel/add-named/",
        {"name": "Wang Fang", "organisation": "SME bureau"},
    )

    assert response.status_code == 302
    member = PanelMembership.objects.get(evaluation=open_evaluation)
    assert (member.email, member.name, member.organisation) == ("", "Wang Fang", "SME bureau")
    assert not Invitation.objects.exists() and mailoutbox == []
    page = coordinator_client.get(f"/evaluations/{open_evaluation.pk}/panel/").content.decode()
    assert f"/evaluations/{open_evaluation.pk}/paper/{member.pk}/" in page
    assert "no e-mail: answers on paper" in page
    assert "Invite" not in page.split(f'id="expert-{member.pk}"')[1].split("</tr>")[0]


def test_a_name_only_expert_needs_a_name(coordinator_client, open_evaluation):
    response = coordinator_client.post(
        f"/evaluations/{open_evaluation.pk}/panel/add-named/", {"name": "  "}, follow=True
    )

    assert "Give the expert&#x27;s name" in response.content.decode()
    assert not PanelMembership.objects.exists()


def test_typing_in_a_pairwise_form_counts_and_shows_in_the_history(
    coordinator_client, open_evaluation, paper_expert, coordinator
):
    u1 = open_evaluation.indicators.get(code="U1")
    url = f"/evaluations/{open_evaluation.pk}/paper/{paper_expert.pk}/pairwise/{u1.pk}/"
    assert coordinator_client.get(url).status_code == 200

    response = coordinator_client.post(url, posted_pairs(u1, CONSISTENT))

    assert response.status_code == 302
    assert PairwiseBallot.objects.get(membership=paper_expert).submitted_at is not None
    history = coordinator_client.get(
        f"/evaluations/{open_evaluation.pk}/panel/{paper_expert.pk}/history/"
    ).content.decode()
    assert "paper form number</span>" in history or "paper form number: F-9" in " ".join(
        history.split()
    )
    assert "typed in by" in history and coordinator.get_username() in history


def test_a_bad_judgment_is_shown_on_the_form_naming_the_pair(
    coordinator_client, open_evaluation, paper_expert
):
    u1 = open_evaluation.indicators.get(code="U1")
    url = f"/evaluations/{open_evaluation.pk}/paper/{paper_expert.pk}/pairwise/{u1.pk}/"
    data = posted_pairs(u1, [2, 4, 8, 2, 4, None])

    response = coordinator_client.post(url, data)

    assert response.status_code == 400
    children = list(u1.children.all())
    assert f"{children[2].code} vs {children[3].code}: choose a value" in response.content.decode()
    assert 'value="F-9"' in response.content.decode()  # what was typed stays
    assert not PairwiseBallot.objects.exists()


def test_typing_in_a_rating_form_counts(assistant_client, open_evaluation, paper_expert):
    subject = open_evaluation.subjects.first()
    url = f"/evaluations/{open_evaluation.pk}/paper/{paper_expert.pk}/ratings/{subject.pk}/"
    assert assistant_client.get(url).status_code == 200

    response = assistant_client.post(url, posted_grades(open_evaluation))

    assert response.status_code == 302
    assert RatingBallot.objects.get(membership=paper_expert).submitted_at is not None
    assert BallotRevision.objects.get().form_number == "R-1"


def test_an_overlong_form_number_is_refused_on_the_form(
    coordinator_client, open_evaluation, paper_expert
):
    u1 = open_evaluation.indicators.get(code="U1")
    url = f"/evaluations/{open_evaluation.pk}/paper/{paper_expert.pk}/pairwise/{u1.pk}/"

    response = coordinator_client.post(url, posted_pairs(u1, CONSISTENT, "9" * 5000))

    assert response.status_code == 400
    assert "at most 40 characters" in response.content.decode()
    assert not PairwiseBallot.objects.exists()


def test_double_entry_mismatch_page_lists_the_differences_and_the_coordinator_resolves(
    client, coordinator, assistant, second_assistant, open_evaluation, paper_expert
):
    open_evaluation.double_entry = True
    open_evaluation.save()
    u1 = open_evaluation.indicators.get(code="U1")
    url = f"/evaluations/{open_evaluation.pk}/paper/{paper_expert.pk}/pairwise/{u1.pk}/"
    client.force_login(assistant)
    client.post(url, posted_pairs(u1, CONSISTENT))
    client.force_login(second_assistant)

    response = client.post(url, posted_pairs(u1, [2, 4, 8, 2, 4, 3]))

    second = PaperEntry.objects.latest("pk")
    assert response.status_code == 302 and response.url.endswith(f"/paper/entries/{second.pk}/")
    page = client.get(response.url).content.decode()
    assert "1 difference between the two typings" in page
    assert 'name="choice-' not in page  # the assistant sees them; the coordinator resolves
    assert client.post(response.url, {}).status_code == 403
    client.force_login(coordinator)
    children = list(u1.children.all())
    key = f"{children[2].pk}-{children[3].pk}"
    refused = client.post(response.url, {})
    assert refused.status_code == 400 and not PairwiseBallot.objects.exists()

    client.post(response.url, {f"choice-{key}": "first"})

    assert PairwiseBallot.objects.get().submitted_judgments[key]["value"] == 2
    revision = BallotRevision.objects.get()
    assert (revision.user, revision.first_entered_by) == (coordinator, assistant)


def test_the_coordinator_adds_and_removes_an_assistant_by_the_accounts_email(
    coordinator_client, open_evaluation, make_user
):
    user = make_user("dana")
    base = f"/evaluations/{open_evaluation.pk}/paper/"

    coordinator_client.post(f"{base}assistants/", {"email": "DANA@example.com"})

    assistant = DataEntryAssistant.objects.get()
    assert assistant.user == user
    refused = coordinator_client.post(
        f"{base}assistants/", {"email": "not an address"}, follow=True
    )
    assert "Enter a valid e-mail address." in refused.content.decode()
    coordinator_client.post(f"{base}assistants/{assistant.pk}/remove/")
    assert not DataEntryAssistant.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"added_assistant", "removed_assistant"} <= actions


@pytest.mark.parametrize(
    "path",
    ["", "panel/", "results/", "settings/", "hierarchy/", "panel/{member}/history/"],
)
def test_an_assistant_sees_only_the_paper_pages(
    assistant_client, open_evaluation, paper_expert, path
):
    url = f"/evaluations/{open_evaluation.pk}/{path.format(member=paper_expert.pk)}"

    assert assistant_client.get(url).status_code == 404


def test_an_assistant_cannot_discard_add_experts_or_manage_assistants(
    assistant_client, open_evaluation
):
    base = f"/evaluations/{open_evaluation.pk}/"
    assert assistant_client.post(f"{base}panel/add-named/", {"name": "X"}).status_code == 403
    assert assistant_client.post(f"{base}paper/assistants/", {"email": "a@b.c"}).status_code == 403
    assert not PanelMembership.objects.exists()


def test_the_assistants_home_lists_the_evaluation_to_type_in(assistant_client, open_evaluation):
    page = assistant_client.get("/panels/").content.decode()

    assert f"/evaluations/{open_evaluation.pk}/paper/" in page


def test_double_entry_is_on_the_settings_page(coordinator_client, open_evaluation):
    url = f"/evaluations/{open_evaluation.pk}/settings/"
    page = coordinator_client.get(url).content.decode()
    assert 'name="double_entry"' in page


def test_a_post_with_too_many_fields_is_refused_without_a_server_error(
    coordinator_client, open_evaluation, paper_expert
):
    u1 = open_evaluation.indicators.get(code="U1")
    url = f"/evaluations/{open_evaluation.pk}/paper/{paper_expert.pk}/pairwise/{u1.pk}/"
    data = {f"pair-{n}-{n + 1}": "3" for n in range(5_000)}

    response = coordinator_client.post(url, data)

    assert response.status_code == 400
    assert not PairwiseBallot.objects.exists()


def test_a_tampered_pair_is_refused_naming_it(coordinator_client, open_evaluation, paper_expert):
    u1 = open_evaluation.indicators.get(code="U1")
    url = f"/evaluations/{open_evaluation.pk}/paper/{paper_expert.pk}/pairwise/{u1.pk}/"
    data = {**posted_pairs(u1, CONSISTENT), "pair-999998-999999": "3"}

    response = coordinator_client.post(url, data)

    assert response.status_code == 400
    assert "“999998-999999” is not a comparison of this form." in response.content.decode()


def test_the_paper_pages_read_in_a_fixed_number_of_queries(
    coordinator_client, open_evaluation, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            PanelMembership.objects.create(evaluation=open_evaluation, name=f"Expert {n}-{count}")

    add(2)
    url = f"/evaluations/{open_evaluation.pk}/paper/"
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(url)
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert coordinator_client.get(url).status_code == 200
