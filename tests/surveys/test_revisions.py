"""Nothing an expert submitted is lost or hidden: revisions, drafts on top of a submission,
explicit withdrawal, and the activity log."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import AuditEntry, Evaluation, ResultSnapshot
from evaluations.results.experts import with_experts
from experts.selectors import Stage, evaluation_figures, panel_rows
from surveys import services
from surveys.models import BallotRevision, PairwiseBallot, RatingBallot
from tests.api.conftest import token_client
from tests.conftest import accepted_membership

CONSISTENT = [2, 4, 8, 2, 4, 2]  # U1's four children: weights 8 : 4 : 2 : 1
OTHER = [1 / 2, 1 / 4, 1 / 8, 1 / 2, 1 / 4, 1 / 2]  # the same, reversed: 1 : 2 : 4 : 8


def judgments_for(parent, values, comment=""):
    children = list(parent.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {key: {"value": v, "comment": comment} for key, v in zip(keys, values, strict=True)}


def form_fields(parent, values, comment=""):
    """The pairwise page's POST fields for these values."""
    fields = {}
    for key, answer in judgments_for(parent, values, comment).items():
        value = answer["value"]
        fields[f"pair-{key}"] = str(round(value)) if value >= 1 else f"1/{round(1 / value)}"
        fields[f"comment-{key}"] = comment
    return fields


def every_rating(evaluation, grade, comment=""):
    return {
        str(leaf.pk): {"grade": grade.pk, "comment": comment}
        for leaf in evaluation.indicators.filter(children__isnull=True)
    }


@pytest.fixture
def answering(open_evaluation, expert):
    """The expert, accepted on the panel (so the panel page counts them)."""
    return accepted_membership(open_evaluation, expert)


@pytest.fixture
def u1(open_evaluation):
    return open_evaluation.indicators.get(code="U1")


def latest_snapshot(evaluation) -> ResultSnapshot:
    return ResultSnapshot.objects.filter(evaluation=evaluation).latest("version")


def expert_weights_in_results(evaluation, code: str) -> list[float] | None:
    [matrix] = [
        m for m in with_experts(latest_snapshot(evaluation))["matrices"] if m["parent"] == code
    ]
    return matrix["per_expert"][0]["weights"] if matrix["per_expert"] else None


def version(evaluation) -> int:
    evaluation.refresh_from_db()
    return evaluation.input_version


def submit_everything(membership, evaluation, *, u1_values=CONSISTENT):
    """Submit every form of the panel through the services (page channel)."""
    for parent in evaluation.indicators.all():
        children = list(parent.children.all())
        if len(children) < 2:
            continue
        t = len(children)
        values = u1_values if parent.code == "U1" else [1.0] * (t * (t - 1) // 2)
        services.pairwise_ballot_save(
            membership=membership,
            parent=parent,
            judgments=judgments_for(parent, values),
            submit=True,
        )
    for subject in evaluation.subjects.all():
        services.rating_ballot_save(
            membership=membership,
            subject=subject,
            ratings=every_rating(evaluation, evaluation.grades.first()),
            submit=True,
        )


# --- revisions ----------------------------------------------------------------------------


def test_a_submission_on_the_page_is_kept_as_a_revision_with_its_cr_and_the_expert(
    client, expert, answering, open_evaluation, u1
):
    client.force_login(expert)

    response = client.post(
        reverse("pairwise-form", args=[open_evaluation.pk, u1.pk]),
        {**form_fields(u1, CONSISTENT, comment="costs first"), "action": "submit"},
    )

    assert response.status_code == 302
    revision = BallotRevision.objects.get()
    assert revision.action == BallotRevision.Action.SUBMITTED
    assert revision.channel == "page"
    assert revision.user == expert and revision.membership == answering
    assert revision.parent == u1 and revision.subject is None
    assert revision.answers == judgments_for(u1, CONSISTENT, comment="costs first")
    assert revision.cr == pytest.approx(0, abs=1e-9) and revision.consistent is True


def test_a_submission_through_the_api_is_kept_with_the_api_channel(
    expert, answering, open_evaluation
):
    subject = open_evaluation.subjects.first()
    grade = open_evaluation.grades.first()
    ratings = [
        {"indicator": leaf.code, "grade": grade.pk, "comment": "fine"}
        for leaf in open_evaluation.indicators.filter(children__isnull=True)
    ]

    response = token_client(expert).put(
        reverse("v1:ratings", args=[open_evaluation.pk, subject.pk]),
        {"ratings": ratings, "submit": True},
        format="json",
    )

    assert response.status_code == 200, response.json()
    revision = BallotRevision.objects.get()
    assert (revision.channel, revision.action, revision.subject) == ("api", "submitted", subject)
    assert revision.answers == every_rating(open_evaluation, grade, comment="fine")
    assert response.json()["submitted_ratings"][0]["comment"] == "fine"


def test_drafts_write_no_revision_and_a_repeated_submit_writes_one(answering, u1):
    judgments = judgments_for(u1, CONSISTENT)
    services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments, submit=False
    )
    assert not BallotRevision.objects.exists()

    for _click in range(2):  # a double click
        services.pairwise_ballot_save(
            membership=answering, parent=u1, judgments=judgments, submit=True
        )

    assert BallotRevision.objects.count() == 1


def test_every_submission_and_withdrawal_stays_in_order(answering, u1):
    for values in (CONSISTENT, OTHER):
        services.pairwise_ballot_save(
            membership=answering, parent=u1, judgments=judgments_for(u1, values), submit=True
        )
    services.pairwise_ballot_withdraw(membership=answering, parent=u1)

    revisions = list(BallotRevision.objects.all())
    assert [r.action for r in revisions] == ["submitted", "submitted", "withdrawn"]
    assert revisions[0].answers == judgments_for(u1, CONSISTENT)
    # The withdrawal keeps what was withdrawn.
    assert revisions[2].answers == judgments_for(u1, OTHER)


def test_submissions_and_withdrawals_are_in_the_activity_log(expert, answering, open_evaluation):
    subject = open_evaluation.subjects.first()
    services.rating_ballot_save(
        membership=answering,
        subject=subject,
        ratings=every_rating(open_evaluation, open_evaluation.grades.first()),
        submit=True,
    )
    services.rating_ballot_withdraw(membership=answering, subject=subject)

    withdrew, submitted = AuditEntry.objects.filter(
        action__in=[AuditEntry.Action.SUBMITTED, AuditEntry.Action.WITHDREW]
    )
    assert (submitted.action, withdrew.action) == ("submitted", "withdrew")
    assert submitted.actor == expert and submitted.evaluation == open_evaluation
    assert submitted.params["kind"] == "rating"
    assert submitted.params["subject"] == subject.name
    assert submitted.params["channel"] == "page"
    assert f"ratings of {subject.name}" in submitted.detail


# --- a draft on top of a submission ------------------------------------------------------


def test_a_draft_on_top_keeps_the_submitted_answers_in_the_results(
    answering, open_evaluation, u1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.pairwise_ballot_save(
            membership=answering, parent=u1, judgments=judgments_for(u1, CONSISTENT), submit=True
        )
    submitted_weights = expert_weights_in_results(open_evaluation, "U1")
    before = version(open_evaluation)

    with django_capture_on_commit_callbacks(execute=True):
        ballot = services.pairwise_ballot_save(
            membership=answering, parent=u1, judgments=judgments_for(u1, OTHER), submit=False
        )

    assert ballot.status == "draft" and ballot.submitted_at is not None
    assert version(open_evaluation) == before  # the results' input did not change
    # Recomputed from scratch, the results still hold the submitted answers.
    Evaluation.objects.filter(pk=open_evaluation.pk).update(input_version=before + 1)
    from evaluations.services.results import results_recompute

    results_recompute(evaluation_id=open_evaluation.pk)
    assert latest_snapshot(open_evaluation).version == before + 1
    assert expert_weights_in_results(open_evaluation, "U1") == pytest.approx(submitted_weights)
    assert submitted_weights[0] > submitted_weights[3]


def test_a_draft_on_top_keeps_the_expert_submitted_in_the_panel_figures(
    answering, open_evaluation, u1
):
    submit_everything(answering, open_evaluation)
    assert evaluation_figures(evaluation=open_evaluation).submitted == 1

    services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments_for(u1, [3, None, 8, 2, 4, 2]),
        submit=False,
    )  # fmt: skip

    (row,) = panel_rows(evaluation=open_evaluation)
    assert row.stage == Stage.SUBMITTED
    figures = evaluation_figures(evaluation=open_evaluation)
    assert (figures.submitted, figures.valid) == (1, 1)


def test_a_draft_back_to_the_submitted_answers_is_the_submitted_ballot_again(answering, u1):
    services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments_for(u1, CONSISTENT), submit=True
    )
    services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments_for(u1, OTHER), submit=False
    )

    ballot = services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments_for(u1, CONSISTENT), submit=False
    )

    assert ballot.status == "submitted"


def test_the_form_says_the_submitted_answers_count_while_a_draft_is_on_top(
    client, expert, answering, open_evaluation, u1
):
    services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments_for(u1, CONSISTENT), submit=True
    )
    client.force_login(expert)
    url = reverse("pairwise-autosave", args=[open_evaluation.pk, u1.pk])

    state = client.post(url, form_fields(u1, OTHER)).json()["state"]

    assert "these changes are a draft until you submit" in state
    page = client.get(reverse("pairwise-form", args=[open_evaluation.pk, u1.pk]))
    assert "these changes are a draft until you submit" in page.content.decode()
    assert reverse("pairwise-withdraw", args=[open_evaluation.pk, u1.pk]) in page.content.decode()


# --- withdrawal ---------------------------------------------------------------------------


def test_withdrawing_on_the_page_takes_the_answers_out_of_results_and_figures(
    client, expert, answering, open_evaluation, u1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_everything(answering, open_evaluation)
    before = version(open_evaluation)
    client.force_login(expert)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pairwise-withdraw", args=[open_evaluation.pk, u1.pk]))

    assert response.status_code == 302
    assert version(open_evaluation) == before + 1
    assert expert_weights_in_results(open_evaluation, "U1") is None
    ballot = PairwiseBallot.objects.get(parent=u1)
    assert ballot.submitted_judgments is None and ballot.submitted_at is None
    assert ballot.judgments == judgments_for(u1, CONSISTENT)  # kept as a draft
    assert ballot.status == "draft"
    assert evaluation_figures(evaluation=open_evaluation).submitted == 0
    revision = BallotRevision.objects.get(action="withdrawn")
    assert revision.channel == "page" and revision.user == expert


def test_withdrawing_through_the_api(expert, answering, open_evaluation):
    subject = open_evaluation.subjects.first()
    services.rating_ballot_save(
        membership=answering,
        subject=subject,
        ratings=every_rating(open_evaluation, open_evaluation.grades.first()),
        submit=True,
    )

    response = token_client(expert).post(
        reverse("v1:ratings-withdraw", args=[open_evaluation.pk, subject.pk])
    )

    assert response.status_code == 200, response.json()
    assert response.json()["submitted_ratings"] is None
    assert response.json()["status"] == "draft"
    assert RatingBallot.objects.get().submitted_at is None
    assert BallotRevision.objects.get(action="withdrawn").channel == "api"


def test_withdrawing_nothing_is_refused(answering, u1):
    with pytest.raises(ValidationError) as raised:
        services.pairwise_ballot_withdraw(membership=answering, parent=u1)

    assert raised.value.message_dict["status"] == [services.ERROR_NOTHING_TO_WITHDRAW]


def test_withdrawing_nothing_through_the_api_answers_409(expert, answering, open_evaluation, u1):
    response = token_client(expert).post(
        reverse("v1:pairwise-withdraw", args=[open_evaluation.pk, u1.pk])
    )

    assert response.status_code == 409  # a valid request the ballot's state refuses
    assert response.json()["errors"][0]["message"] == services.ERROR_NOTHING_TO_WITHDRAW


def test_a_closed_panel_refuses_a_withdrawal(answering, open_evaluation, u1):
    services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments_for(u1, CONSISTENT), submit=True
    )
    Evaluation.objects.filter(pk=open_evaluation.pk).update(status=Evaluation.Status.CLOSED)

    with pytest.raises(ValidationError) as raised:
        services.pairwise_ballot_withdraw(membership=answering, parent=u1)

    assert raised.value.message_dict["status"] == [services.ERROR_NOT_OPEN]
    assert PairwiseBallot.objects.get().submitted_at is not None


def test_another_expert_cannot_withdraw_through_the_page(
    client, make_user, answering, open_evaluation, u1
):
    services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments_for(u1, CONSISTENT), submit=True
    )
    client.force_login(make_user("oscar"))

    response = client.post(reverse("pairwise-withdraw", args=[open_evaluation.pk, u1.pk]))

    assert response.status_code == 404
    assert PairwiseBallot.objects.get().submitted_at is not None


def test_the_panel_list_says_which_forms_count_in_the_results(
    expert, answering, open_evaluation, u1
):
    services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments_for(u1, CONSISTENT), submit=True
    )
    services.pairwise_ballot_save(
        membership=answering, parent=u1, judgments=judgments_for(u1, OTHER), submit=False
    )

    [panel] = token_client(expert).get(reverse("v1:panel-list")).json()

    [matrix] = [m for m in panel["matrices"] if m["parent"] == "U1"]
    assert (matrix["status"], matrix["in_results"]) == ("draft", True)
    assert all(m["in_results"] is False for m in panel["matrices"] if m["parent"] != "U1")


def test_the_rating_form_says_the_submitted_ratings_count_while_a_draft_is_on_top(
    client, expert, answering, open_evaluation
):
    subject = open_evaluation.subjects.first()
    first, second = open_evaluation.grades.all()[:2]
    services.rating_ballot_save(
        membership=answering,
        subject=subject,
        ratings=every_rating(open_evaluation, first),
        submit=True,
    )
    client.force_login(expert)
    fields = {f"grade-{key}": str(second.pk) for key in every_rating(open_evaluation, second)}

    response = client.post(
        reverse("rating-autosave", args=[open_evaluation.pk, subject.pk]), fields
    )

    assert "these changes are a draft until you submit" in response.json()["state"]
    ballot = RatingBallot.objects.get()
    assert {a["grade"] for a in ballot.submitted_ratings.values()} == {first.pk}
    assert {a["grade"] for a in ballot.ratings.values()} == {second.pk}
