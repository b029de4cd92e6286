"""Results pages: who may see them, which snapshot they show, and what they say.

`panel_results` submits real ballots through the survey services and recomputes, so the pages
render a snapshot the worker would have written.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Evaluation, ResultSnapshot
from evaluations.results.experts import with_experts
from evaluations.results_selectors import (
    access_results,
    results_status,
    snapshot_get,
    snapshot_latest,
)
from evaluations.services.results import results_recompute
from experts.models import Invitation, PanelMembership
from surveys import services

EXPERTS = ["Prof. Wang", "Dr. Li", "Ms. Chen"]
# Upper triangles per expert and parent. U2's are far from transitive for the first two
# experts, so the aggregated U2 matrix is over the CR threshold (the `warn` policy lets them in).
JUDGMENTS = [
    {"U": [2, 3, 2], "U1": [2, 3, 4, 2, 3, 2], "U2": [9, 1 / 9, 1, 9, 1, 1],
     "U3": [1, 2, 3, 2, 3, 1]},
    {"U": [3, 4, 2], "U1": [3, 3, 5, 1, 2, 2], "U2": [7, 1 / 7, 1, 7, 1, 1],
     "U3": [2, 2, 4, 1, 2, 2]},
    {"U": [2, 2, 1], "U1": [1, 2, 3, 2, 3, 1], "U2": [2, 3, 4, 2, 3, 2],
     "U3": [1, 1, 2, 1, 2, 2]},
]  # fmt: skip


def judgments_for(parent, values) -> dict:
    children = list(parent.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {key: {"value": v, "comment": ""} for key, v in zip(keys, values, strict=True)}


def add_experts(evaluation, names=EXPERTS) -> list[PanelMembership]:
    return [
        PanelMembership.objects.create(
            evaluation=evaluation, email=f"expert{k}@example.com", name=name
        )
        for k, name in enumerate(names)
    ]


def submit_judgments(evaluation, memberships, parents=("U", "U1", "U2", "U3")) -> None:
    for k, membership in enumerate(memberships):
        for code in parents:
            parent = evaluation.indicators.get(code=code)
            services.pairwise_ballot_save(
                membership=membership,
                parent=parent,
                judgments=judgments_for(parent, JUDGMENTS[k][code]),
                submit=True,
            )


def submit_ratings(evaluation, memberships, subjects=None) -> None:
    leaves = list(evaluation.indicators.filter(children__isnull=True).order_by("order", "id"))
    grades = list(evaluation.grades.all())
    for s, subject in enumerate(subjects or evaluation.subjects.all()):
        for k, membership in enumerate(memberships):
            # A spread of grades that differs by subject and expert, deterministic.
            chosen = {
                str(leaf.pk): {"grade": grades[(i * (s + 1) + k) % len(grades)].pk, "comment": ""}
                for i, leaf in enumerate(leaves)
            }
            services.rating_ballot_save(
                membership=membership, subject=subject, ratings=chosen, submit=True
            )


def open_for_ballots(evaluation) -> Evaluation:
    evaluation.status = Evaluation.Status.OPEN
    evaluation.cr_policy = Evaluation.CRPolicy.WARN
    evaluation.save()
    return evaluation


def panel_results(evaluation) -> ResultSnapshot:
    """Three experts answer everything; the snapshot the worker would write."""
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)
    return results_recompute(evaluation_id=evaluation.pk)


def accept(membership, user) -> None:
    membership.user = user
    membership.save()
    Invitation.objects.create(
        membership=membership,
        token_hash=f"hash-{membership.pk}",
        status=Invitation.Status.ACCEPTED,
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )


@pytest.fixture
def snapshot(evaluation):
    return panel_results(evaluation)


@pytest.fixture
def expert(make_user):
    return make_user("erin")


@pytest.fixture
def expert_on_panel(evaluation, expert, snapshot):
    membership = PanelMembership.objects.get(evaluation=evaluation, name="Prof. Wang")
    accept(membership, expert)
    return expert


def url(name, evaluation, *args):
    return reverse(name, args=[evaluation.pk, *args])


# --- selectors ------------------------------------------------------------------------------


def test_the_latest_snapshot_is_the_highest_version(evaluation, snapshot):
    ResultSnapshot.objects.create(evaluation=evaluation, version=0, data={})

    assert snapshot_latest(evaluation=evaluation) == snapshot
    assert snapshot_get(evaluation=evaluation, version=0).version == 0


def test_a_version_that_does_not_exist_is_a_404(evaluation, snapshot):
    from django.http import Http404

    with pytest.raises(Http404):
        snapshot_get(evaluation=evaluation, version=snapshot.version + 1)


def test_results_are_stale_while_ballots_changed_after_the_snapshot(evaluation, snapshot):
    assert results_status(evaluation=evaluation, snapshot=snapshot)["stale"] is False

    Evaluation.objects.filter(pk=evaluation.pk).update(input_version=snapshot.version + 1)
    evaluation.refresh_from_db()
    status = results_status(evaluation=evaluation, snapshot=snapshot)

    assert status["stale"] is True
    assert status["version"] == snapshot.version
    assert status["pairwise_ballots"] == 12
    assert status["rating_ballots"] == 6


def test_the_owner_may_read_the_results(coordinator, evaluation):
    assert access_results(user=coordinator, evaluation_id=evaluation.pk) == evaluation


def test_an_expert_of_the_panel_may_read_shared_results(evaluation, expert_on_panel):
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)

    assert access_results(user=expert_on_panel, evaluation_id=evaluation.pk) == evaluation


def test_an_expert_may_not_read_results_that_are_not_shared(evaluation, expert_on_panel):
    from django.http import Http404

    with pytest.raises(Http404):
        access_results(user=expert_on_panel, evaluation_id=evaluation.pk)


def test_an_expert_who_has_not_accepted_may_not_read_shared_results(evaluation, snapshot, expert):
    from django.http import Http404

    membership = PanelMembership.objects.get(evaluation=evaluation, name="Dr. Li")
    accept(membership, expert)
    Invitation.objects.filter(membership=membership).update(status=Invitation.Status.REVOKED)
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)

    with pytest.raises(Http404):
        access_results(user=expert, evaluation_id=evaluation.pk)


def test_an_outsider_may_not_read_results(evaluation, outsider):
    from django.http import Http404

    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)

    with pytest.raises(Http404):
        access_results(user=outsider, evaluation_id=evaluation.pk)


def test_an_expert_who_has_not_accepted_may_not_read_shared_results_either(
    evaluation, snapshot, expert
):
    from django.http import Http404

    membership = PanelMembership.objects.get(evaluation=evaluation, name="Ms. Chen")
    membership.user = expert
    membership.save()  # linked, but the invitation was never accepted
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)

    with pytest.raises(Http404):
        access_results(user=expert, evaluation_id=evaluation.pk)


# --- pages ----------------------------------------------------------------------------------


def test_the_results_page_shows_the_snapshots_numbers(coordinator_client, evaluation, snapshot):
    u2 = next(m for m in snapshot.data["matrices"] if m["parent"] == "U2")
    overall = snapshot.data["consensus"]["value"] * 100

    response = coordinator_client.get(url("results", evaluation))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Results version {snapshot.version}," in page
    assert f"{u2['cr']:.4f}" in page
    assert f"{u2['lambda_max']:.4f}" in page
    assert f"S* = {overall:.2f} % (" in page
    assert "Enterprise A" in page and "Enterprise B" in page
    assert "newer result is being computed" not in page


def test_the_results_page_warns_about_an_inconsistent_matrix_and_names_its_experts(
    coordinator_client, evaluation, snapshot
):
    assert [w["parent"] for w in snapshot.data["warnings"]] == ["U2"]

    page = coordinator_client.get(url("results", evaluation)).content.decode()

    assert "Consistency warnings" in page
    assert "the aggregated judgment matrix of U2 Human resource management" in page
    assert "Experts whose own CR is at or over the threshold: Prof. Wang, Dr. Li." in page
    assert "not acceptable" in page  # in words, not only a colour


def test_the_results_page_shows_every_experts_own_figures_to_the_coordinator(
    coordinator_client, evaluation, snapshot
):
    expert = with_experts(snapshot)["matrices"][0]["per_expert"][2]

    page = coordinator_client.get(url("results", evaluation)).content.decode()

    assert "Ms. Chen" in page
    assert f"{expert['cr']:.4f}" in page
    assert "Results under the other composition operators" in page
    assert "M(∧,∨) main factor" in page


def test_a_large_panels_page_points_to_the_exports_for_each_experts_figures(
    coordinator_client, evaluation, snapshot, monkeypatch
):
    # Three experts against a limit of 2: no per-expert table, a sentence per matrix instead.
    from evaluations.views import results as results_views

    monkeypatch.setattr(results_views, "LISTED_EXPERTS", 2)

    page = coordinator_client.get(url("results", evaluation)).content.decode()

    assert "Ms. Chen" not in page
    assert "Each expert's own weights and CR for U1: 3 experts submitted" in page
    assert "this page lists them for panels of up to 2 experts" in page


def test_the_results_page_has_its_charts_inline(coordinator_client, evaluation, snapshot):
    page = coordinator_client.get(url("results", evaluation)).content.decode()

    assert page.count("<svg") == 2 + len(snapshot.data["subjects"])  # bars, radar, heat maps
    assert 'aria-labelledby="chart-weights-title chart-weights-desc"' in page


def test_the_results_page_says_when_a_newer_result_is_being_computed(
    coordinator_client, evaluation, snapshot
):
    Evaluation.objects.filter(pk=evaluation.pk).update(input_version=snapshot.version + 1)

    page = coordinator_client.get(url("results", evaluation)).content.decode()

    assert f"version {snapshot.version + 1} is being computed" in page


def test_a_failed_recompute_is_shown_to_the_coordinator_with_its_error(
    coordinator_client, evaluation, snapshot
):
    from datetime import timedelta

    Evaluation.objects.filter(pk=evaluation.pk).update(
        input_version=snapshot.version + 1,
        recompute_error="OperationalError: server closed the connection",
        recompute_failed_at=snapshot.computed_at + timedelta(seconds=5),
    )

    page = coordinator_client.get(url("results", evaluation)).content.decode()

    assert "The last recompute failed" in page
    assert "OperationalError: server closed the connection" in page


def test_without_a_snapshot_the_results_page_says_there_are_no_results_yet(
    coordinator_client, evaluation
):
    response = coordinator_client.get(url("results", evaluation))

    assert response.status_code == 200
    assert "No results yet" in response.content.decode()
    assert "Download CSV" not in response.content.decode()


def test_an_incomplete_snapshot_says_what_is_missing(coordinator_client, evaluation):
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation)
    submit_judgments(evaluation, memberships, parents=("U", "U1"))
    results_recompute(evaluation_id=evaluation.pk)

    response = coordinator_client.get(url("results", evaluation))

    page = response.content.decode()
    assert response.status_code == 200
    assert "These results are incomplete" in page
    assert "No submitted judgments for U2 yet." in page
    assert "No submitted judgments for U3 yet." in page


def test_an_older_version_can_be_shown_an_unknown_one_is_a_404_and_no_number_a_400(
    coordinator_client, evaluation, snapshot
):
    ResultSnapshot.objects.create(evaluation=evaluation, version=0, data=snapshot.data)

    assert coordinator_client.get(url("results", evaluation), {"version": 0}).status_code == 200
    assert coordinator_client.get(url("results", evaluation), {"version": 999}).status_code == 404
    assert coordinator_client.get(url("results", evaluation), {"version": "x"}).status_code == 400


def test_the_profile_page_shows_the_weak_points_with_their_recommendations(
    coordinator_client, evaluation, snapshot
):
    subject = evaluation.subjects.get(name="Enterprise A")
    data = next(s for s in snapshot.data["subjects"] if s["id"] == subject.pk)
    weak = data["weak_points"]

    response = coordinator_client.get(url("results-profile", evaluation, subject.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "SME management profile: Enterprise A" in page
    assert f"{data['score']:.4f}" in page
    for point in weak[:5]:
        assert f"{point['code']} {point['name']}" in page
        assert point["recommendation"] in page
        assert f"{point['shortfall']:.4f}" in page
    for point in weak[5:]:
        assert point["recommendation"] not in page  # the top five only
    for level in data["first_level"]:
        assert f"{level['score']:.4f}" in page
    assert "Consistency warnings" in page


def test_a_subject_of_another_evaluation_is_a_404_on_the_profile_page(
    coordinator, coordinator_client, evaluation, snapshot
):
    from evaluations.services import evaluation_create_from_template

    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["Elsewhere"]
    )
    foreign = other.subjects.get()

    response = coordinator_client.get(url("results-profile", evaluation, foreign.pk))

    assert response.status_code == 404


def test_the_profile_page_without_results_says_so(coordinator_client, evaluation):
    subject = evaluation.subjects.first()

    response = coordinator_client.get(url("results-profile", evaluation, subject.pk))

    assert response.status_code == 200
    assert "No results yet" in response.content.decode()


def test_the_report_page_holds_every_section_for_paper(coordinator_client, evaluation, snapshot):
    response = coordinator_client.get(url("results-report", evaluation))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Evaluation report:" in page
    assert page.count("SME management profile:") == len(snapshot.data["subjects"])
    assert '<details class="matrix-details" open>' in page  # printed unfolded
    assert "Membership matrix R of U1" in page
    assert "Ranking of the subjects" in page


@pytest.mark.parametrize("name", ["results", "results-report"])
def test_an_outsider_gets_a_404_from_the_results_pages(outsider_client, evaluation, name):
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)

    assert outsider_client.get(url(name, evaluation)).status_code == 404


def test_an_outsider_gets_a_404_from_a_profile(outsider_client, evaluation):
    subject = evaluation.subjects.first()

    assert outsider_client.get(url("results-profile", evaluation, subject.pk)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, evaluation):
    response = client.get(url("results", evaluation))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_expert_sees_shared_results_without_the_other_experts_names(
    client, evaluation, expert_on_panel
):
    Evaluation.objects.filter(pk=evaluation.pk).update(results_visible_to_experts=True)
    client.force_login(expert_on_panel)

    response = client.get(url("results", evaluation))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Dr. Li" not in page and "Prof. Wang" not in page
    assert "Expert 1, Expert 2" in page  # the CR warning still says how many
    assert "Hierarchy</a>" not in page  # no coordinator tabs


def test_the_results_page_runs_the_same_queries_however_many_subjects_and_experts(
    coordinator, client, evaluation, make_user, django_assert_num_queries
):
    from evaluations.services import evaluation_create_from_template

    small = evaluation
    panel_results(small)
    large = evaluation_create_from_template(
        owner=coordinator,
        template_key="sme-management-measures",
        subjects=[f"Enterprise {n}" for n in range(6)],
    )
    panel_results(large)
    client.force_login(coordinator)

    for each in (small, large):
        # session, user, the evaluation (with access), the snapshot, and the experts' own
        # figures (results.experts: who has some, up to LISTED_EXPERTS + 1; their shares)
        with django_assert_num_queries(6):
            assert client.get(url("results", each)).status_code == 200
