"""The CR threshold by size on the expert's form, under the block policy (issue 15 §3).

U has three children; the judgments 1, 3, 7 give CR 0.0704 by the paper's RI: consistent
under the fixed 0.1, inconsistent under the size rule's 0.05 for three elements.
"""

import pytest
from django.urls import reverse

from evaluations.engine import ahp
from evaluations.services.lifecycle import evaluation_update_settings
from surveys.models import PairwiseBallot
from tests.surveys.test_pages import pair_fields

TOKENS = ["1", "3", "7"]


@pytest.fixture
def u(open_evaluation):
    assert open_evaluation.cr_policy == "block"
    return open_evaluation.indicators.get(code="U")


def by_size(evaluation) -> None:
    evaluation_update_settings(
        evaluation=evaluation, actor=evaluation.owner, cr_threshold_rule="by_size"
    )


def test_the_matrix_is_between_the_two_limits():
    assert 0.05 < ahp.priorities(ahp.from_upper([1, 3, 7])).cr < 0.1


def test_under_the_fixed_threshold_the_matrix_submits(expert_client, open_evaluation, u):
    url = reverse("pairwise-form", args=[open_evaluation.pk, u.pk])

    response = expert_client.post(url, {**pair_fields(u, TOKENS), "action": "submit"})

    assert response.status_code == 302
    ballot = PairwiseBallot.objects.get()
    assert ballot.status == "submitted" and ballot.consistent is True


def test_under_the_size_rule_the_block_policy_refuses_it_naming_the_limit(
    expert_client, open_evaluation, u
):
    by_size(open_evaluation)
    url = reverse("pairwise-form", args=[open_evaluation.pk, u.pk])

    response = expert_client.post(url, {**pair_fields(u, TOKENS), "action": "submit"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "The judgments are inconsistent (CR = 0.070 ≥ 0.05)" in page
    assert "Inconsistent: CR = 0.070, at or above 0.05." in page
    assert "Revise these judgments first" in page
    ballot = PairwiseBallot.objects.get()
    assert ballot.status == "draft" and ballot.consistent is False


def test_the_live_consistency_panel_follows_the_size_rule(expert_client, open_evaluation, u):
    url = reverse("pairwise-autosave", args=[open_evaluation.pk, u.pk])
    fixed = expert_client.post(url, pair_fields(u, TOKENS)).json()["html"]
    by_size(open_evaluation)

    sized = expert_client.post(url, pair_fields(u, TOKENS)).json()["html"]

    assert "Consistent: CR = 0.070, below 0.1." in fixed
    assert "Inconsistent: CR = 0.070, at or above 0.05." in sized


def test_a_four_element_matrix_is_held_to_0_08(expert_client, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")
    by_size(open_evaluation)
    url = reverse("pairwise-autosave", args=[open_evaluation.pk, u1.pk])

    html = expert_client.post(url, pair_fields(u1, ["2", "4", "8", "2", "4", "2"])).json()["html"]

    assert "below 0.08." in html


@pytest.mark.parametrize("table", ["saaty_later", "alonso_lamata"])
def test_the_live_panel_and_the_stored_cr_follow_the_ri_table(
    expert_client, open_evaluation, u, table
):
    evaluation_update_settings(
        evaluation=open_evaluation, actor=open_evaluation.owner, ri_table=table
    )
    url = reverse("pairwise-autosave", args=[open_evaluation.pk, u.pk])

    html = expert_client.post(url, pair_fields(u, TOKENS)).json()["html"]

    cr = ahp.priorities(ahp.from_upper([1, 3, 7]), ri=table).cr
    assert f"CR = {cr:.3f}" in html
    assert PairwiseBallot.objects.get().cr == pytest.approx(cr, abs=1e-12)
