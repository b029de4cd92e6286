"""The paper-entry API: the same services as the pages, the expert API's layout and errors."""

import pytest

from evaluations.models import AuditEntry
from experts.models import Invitation, PanelMembership
from surveys.models import BallotRevision, PairwiseBallot, RatingBallot
from surveys.paper.models import PaperEntry
from tests.api.conftest import token_client

CONSISTENT = [2, 4, 8, 2, 4, 2]


def pairwise_body(membership, parent, values, number="F-3"):
    children = list(parent.children.all())
    pairs = [(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {
        "membership": membership.pk,
        "parent": parent.pk,
        "form_number": number,
        "judgments": [
            {"row": r.code, "col": c.code, "value": v}
            for (r, c), v in zip(pairs, values, strict=True)
        ],
    }


def ratings_body(evaluation, membership, subject, grade_index=0):
    grade = list(evaluation.grades.all())[grade_index]
    leaves = evaluation.indicators.filter(children__isnull=True)
    return {
        "membership": membership.pk,
        "subject": subject.pk,
        "ratings": [{"indicator": leaf.code, "grade": grade.pk} for leaf in leaves],
    }


@pytest.fixture
def api(coordinator):
    return token_client(coordinator)


def url(evaluation, kind):
    return f"/api/v1/evaluations/{evaluation.pk}/paper/{kind}/"


def test_a_paper_pairwise_ballot_posted_counts(api, open_evaluation, paper_expert, coordinator):
    u1 = open_evaluation.indicators.get(code="U1")

    response = api.post(
        url(open_evaluation, "pairwise"), pairwise_body(paper_expert, u1, CONSISTENT), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json() == {"status": "counted", "entry": None, "mismatches": []}
    revision = BallotRevision.objects.get()
    assert (revision.channel, revision.form_number, revision.user) == ("paper", "F-3", coordinator)


def test_an_off_scale_judgment_is_refused_naming_the_pair_by_code(
    api, open_evaluation, paper_expert
):
    u1 = open_evaluation.indicators.get(code="U1")
    children = list(u1.children.all())

    body = pairwise_body(paper_expert, u1, [2, 4, 8, 2, 4, 11])
    response = api.post(url(open_evaluation, "pairwise"), body, format="json")

    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {f"judgments.{children[2].code}-{children[3].code}"}
    assert not PairwiseBallot.objects.exists()


def test_a_paper_rating_ballot_posted_by_an_assistant_counts(
    open_evaluation, paper_expert, assistant
):
    subject = open_evaluation.subjects.first()

    response = token_client(assistant).post(
        url(open_evaluation, "ratings"),
        ratings_body(open_evaluation, paper_expert, subject),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert RatingBallot.objects.get().submitted_at is not None
    assert BallotRevision.objects.get().user == assistant


def test_under_double_entry_the_api_answers_pending_then_mismatch(
    open_evaluation, paper_expert, assistant, second_assistant
):
    open_evaluation.double_entry = True
    open_evaluation.save()
    subject = open_evaluation.subjects.first()

    first = token_client(assistant).post(
        url(open_evaluation, "ratings"),
        ratings_body(open_evaluation, paper_expert, subject, 0),
        format="json",
    )
    second = token_client(second_assistant).post(
        url(open_evaluation, "ratings"),
        ratings_body(open_evaluation, paper_expert, subject, 1),
        format="json",
    )

    assert first.json()["status"] == "pending"
    body = second.json()
    assert body["status"] == "mismatch" and len(body["mismatches"]) == 12
    assert not RatingBallot.objects.exists()
    assert PaperEntry.objects.count() == 2


def test_an_outsider_or_a_member_of_another_evaluation_gets_404(
    outsider, open_evaluation, paper_expert
):
    u1 = open_evaluation.indicators.get(code="U1")
    response = token_client(outsider).post(
        url(open_evaluation, "pairwise"), pairwise_body(paper_expert, u1, CONSISTENT), format="json"
    )

    assert response.status_code == 404


def test_a_read_only_token_cannot_type_in(coordinator, open_evaluation, paper_expert):
    u1 = open_evaluation.indicators.get(code="U1")
    response = token_client(coordinator, read_only=True).post(
        url(open_evaluation, "pairwise"), pairwise_body(paper_expert, u1, CONSISTENT), format="json"
    )

    assert response.status_code == 403
    assert not PairwiseBallot.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"form_number": "x" * 41},
        {"form_number": "a\u0085b"},
        {"judgments": [{"row": "U11", "col": "U12", "value": 2}] * 10_000},
        {"membership": "1; DROP"},
        {"extra": 1},
    ],
)
def test_hostile_bodies_are_refused_with_400_and_change_nothing(
    api, open_evaluation, paper_expert, change
):
    u1 = open_evaluation.indicators.get(code="U1")
    body = {**pairwise_body(paper_expert, u1, CONSISTENT), **change}

    response = api.post(url(open_evaluation, "pairwise"), body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"]
    assert not PairwiseBallot.objects.exists()


def test_the_coordinator_adds_a_name_only_expert_through_the_api(api, open_evaluation, mailoutbox):
    response = api.post(
        f"/api/v1/evaluations/{open_evaluation.pk}/experts/named/",
        {"name": "Li Lei", "organisation": "Changsha"},
        format="json",
    )

    assert response.status_code == 201
    member = PanelMembership.objects.get(pk=response.json()["membership"])
    assert member.email == "" and not Invitation.objects.exists() and mailoutbox == []
    assert AuditEntry.objects.filter(action="added_experts").exists()
    panel = api.get(f"/api/v1/evaluations/{open_evaluation.pk}/panel/").json()
    assert panel["experts"][0]["email"] == "" and panel["experts"][0]["name"] == "Li Lei"


def test_an_assistant_cannot_add_experts(open_evaluation, assistant):
    response = token_client(assistant).post(
        f"/api/v1/evaluations/{open_evaluation.pk}/experts/named/", {"name": "X"}, format="json"
    )

    assert response.status_code == 403
    assert not PanelMembership.objects.exists()


def test_the_schema_documents_the_paper_endpoints(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    assert "post" in paths["/api/v1/evaluations/{evaluation_id}/paper/pairwise/"]
    assert "post" in paths["/api/v1/evaluations/{evaluation_id}/paper/ratings/"]
    assert "post" in paths["/api/v1/evaluations/{evaluation_id}/experts/named/"]


def test_double_entry_is_a_setting_of_the_evaluation_api(api, open_evaluation):
    before = api.get(f"/api/v1/evaluations/{open_evaluation.pk}/").json()

    response = api.patch(
        f"/api/v1/evaluations/{open_evaluation.pk}/", {"double_entry": True}, format="json"
    )

    assert before["double_entry"] is False
    assert response.status_code == 200 and response.json()["double_entry"] is True
    open_evaluation.refresh_from_db()
    assert open_evaluation.double_entry is True
    refused = api.patch(
        f"/api/v1/evaluations/{open_evaluation.pk}/", {"double_entry": "maybe"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "double_entry"
