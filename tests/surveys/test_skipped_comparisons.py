"""Skipped comparisons, "I cannot compare these two" (issue 15 §1): the ballot rules, the
stored JSON, the live consistency, and the stored CRs.

Reference values by hand: answered judgments that are ratios of (8, 4, 2, 1) give exactly those
weights and CR 0 whatever is skipped while the rest link; a 4-cycle U11→U12→U13→U14 with
b12 = b23 = b34 = 2 and b14 = 4 (U11–U13 and U12–U14 skipped) misses consistency by
e = ln 8 − ln 4 = ln 2 around the loop, which least squares spreads evenly over its four
edges: w ∝ (2^2.25, 2^1.5, 2^0.75, 1). Its CR is Ágoston & Csató's: the λmax of the
least-squares completion (optimal for a single cycle; computed here with numpy's eigvals,
not the engine's minimisation) as CI over RI(4, 2) = 0.284326.
"""

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from evaluations.engine import ahp, incomplete
from evaluations.forms_editors import EvaluationSettingsForm
from evaluations.models import Evaluation
from evaluations.services.lifecycle import evaluation_update_settings
from evaluations.services.skipping import ERROR_SKIPPING_METHOD
from surveys import services, skipped
from surveys.history import membership_history
from surveys.models import PairwiseBallot
from tests.conftest import accepted_membership
from tests.evaluations.test_editor_pages import settings_data
from tests.evaluations.test_results_pages import add_experts

NAN = np.nan
# U1's six pairs in order: U11–U12, U11–U13, U11–U14, U12–U13, U12–U14, U13–U14.
CONSISTENT_GAPS = [2, 4, None, None, 4, 2]  # ratios of (8, 4, 2, 1); U11–U14, U12–U13 skipped
CYCLE = [2, None, 4, 2, None, 2]  # U11–U13 and U12–U14 skipped: the cycle 1-2-3-4-1
ISOLATED = [2, 4, None, 2, None, None]  # nobody compared with U14
CYCLE_WEIGHTS = np.array([2**2.25, 2**1.5, 2**0.75, 1.0]) / (2**2.25 + 2**1.5 + 2**0.75 + 1)
RI_4_2 = 0.284326


def answers(parent, values) -> dict:
    """The service's judgments for `values` in pair order, None = skipped."""
    children = list(parent.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {
        key: {"value": None, "skipped": True, "comment": ""}
        if value is None
        else {"value": value, "comment": ""}
        for key, value in zip(keys, values, strict=True)
    }


def matrix_of(values) -> np.ndarray:
    return ahp.from_upper([NAN if v is None else v for v in values], 4)


@pytest.fixture
def skipping(open_evaluation):
    open_evaluation.allow_skipped_comparisons = True
    open_evaluation.cr_policy = Evaluation.CRPolicy.WARN
    open_evaluation.save()
    return open_evaluation


@pytest.fixture
def u1(open_evaluation):
    return open_evaluation.indicators.get(code="U1")


@pytest.fixture
def member(open_evaluation):
    return add_experts(open_evaluation, ["Dr. Skip"])[0]


def save(member, parent, values, submit=True):
    return services.pairwise_ballot_save(
        membership=member, parent=parent, judgments=answers(parent, values), submit=submit
    )


# --- what a ballot may skip -----------------------------------------------------------------


def test_a_skipped_pair_is_stored_as_null_with_skipped_true(skipping, u1, member):
    children = list(u1.children.all())
    judgments = answers(u1, CYCLE)
    key = services.pair_key(children[0], children[2])
    judgments[key]["comment"] = "  I know U13 too little  "

    ballot = services.pairwise_ballot_save(
        membership=member, parent=u1, judgments=judgments, submit=True
    )

    assert ballot.submitted_judgments[key] == {
        "value": None,
        "skipped": True,
        "comment": "I know U13 too little",
    }
    # Answered pairs keep the JSON they always had (no "skipped": false added).
    assert ballot.submitted_judgments[services.pair_key(children[0], children[1])] == {
        "value": 2.0,
        "comment": "",
    }


def test_the_weights_of_consistent_answers_with_gaps_are_their_ratios(skipping, u1):
    children = list(u1.children.all())
    for method in ("geometric", "eigenvector"):
        skipping.weighting_method = method
        check = services.pairwise_consistency(
            evaluation=skipping, children=children, judgments=answers(u1, CONSISTENT_GAPS)
        )
        assert check.complete and check.skipped == 2
        assert check.weights == pytest.approx([8 / 15, 4 / 15, 2 / 15, 1 / 15], abs=1e-12)
        assert check.cr == pytest.approx(0.0, abs=1e-9)


def test_a_cycle_with_two_gaps_has_the_hand_computed_weights_and_cr(skipping, u1, member):
    children = list(u1.children.all())
    check = services.pairwise_consistency(
        evaluation=skipping, children=children, judgments=answers(u1, CYCLE)
    )
    completion = matrix_of(CYCLE)
    completion[0, 2], completion[1, 3] = CYCLE_WEIGHTS[0] / CYCLE_WEIGHTS[2], 2**1.5
    completion[2, 0], completion[3, 1] = 1 / completion[0, 2], 1 / completion[1, 3]
    lambda_max = np.linalg.eigvals(completion).real.max()
    cr = (lambda_max - 4) / 3 / RI_4_2

    assert check.weights == pytest.approx(CYCLE_WEIGHTS.tolist(), abs=1e-12)
    assert check.cr == pytest.approx(cr, abs=1e-9)
    assert cr == pytest.approx(0.0353, abs=5e-5)  # the number the page shows
    # The stored CR of the submitted ballot is the same.
    ballot = save(member, u1, CYCLE)
    assert ballot.submitted_cr == pytest.approx(cr, abs=1e-9)


def test_the_eigenvector_method_weighs_the_gaps_by_harker(skipping, u1):
    one_gap = [2, 4, None, 3, 2, 2]  # U11–U14 skipped; inconsistent
    skipping.weighting_method = Evaluation.WeightingMethod.EIGENVECTOR
    check = services.pairwise_consistency(
        evaluation=skipping, children=list(u1.children.all()), judgments=answers(u1, one_gap)
    )
    harker, llsm = ahp.harker(matrix_of(one_gap)), ahp.llsm(matrix_of(one_gap))
    assert check.weights == pytest.approx(harker.weights.tolist(), abs=1e-12)
    # Harker's weights differ from least squares here; the CR (Ágoston & Csató) does not.
    assert np.abs(harker.weights - llsm.weights).max() > 0.01
    assert check.cr == pytest.approx(llsm.cr, abs=1e-12)
    assert check.cr == pytest.approx(0.0591, abs=5e-5)
    assert harker.ri == pytest.approx(0.579481)  # RI(4, 1) of the shipped table


def test_answers_that_leave_an_element_unlinked_are_refused_naming_the_pair(skipping, u1, member):
    children = list(u1.children.all())
    with pytest.raises(ValidationError) as refused:
        save(member, u1, ISOLATED)

    key = services.pair_key(children[0], children[3])
    assert list(refused.value.message_dict) == [key]
    message = refused.value.message_dict[key][0]
    assert message == skipped.ERROR_NOT_CONNECTED.format(
        groups="{U11, U12, U13} and {U14}", row="U11", col="U14"
    )
    assert not PairwiseBallot.objects.exists()  # nothing was saved


def test_a_draft_may_leave_the_answers_unlinked(skipping, u1, member):
    ballot = save(member, u1, ISOLATED, submit=False)

    assert ballot.status == "draft" and ballot.cr is None
    check = services.pairwise_consistency(
        evaluation=skipping, children=list(u1.children.all()), judgments=ballot.judgments
    )
    assert not check.complete and "Answer U11 vs U14" in check.disconnected


def test_answering_the_named_pair_makes_the_ballot_submittable(skipping, u1, member):
    ballot = save(member, u1, [2, 4, 8, 2, None, None])

    assert ballot.submitted_at is not None and ballot.submitted_consistent is True


@pytest.mark.parametrize("submit", [True, False])
def test_skipping_is_refused_while_the_setting_is_off(open_evaluation, u1, member, submit):
    with pytest.raises(ValidationError) as refused:
        save(member, u1, CYCLE, submit=submit)

    messages = [m for ms in refused.value.message_dict.values() for m in ms]
    assert messages and all("allow_skipped_comparisons is off" in m for m in messages)
    assert messages[0] == skipped.ERROR_SKIPPING_OFF.format(row="U11", col="U13")
    assert not PairwiseBallot.objects.exists()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"value": None, "skipped": "yes"}, skipped.ERROR_SKIPPED_NOT_BOOLEAN),
        ({"value": None, "skipped": 1}, skipped.ERROR_SKIPPED_NOT_BOOLEAN),
        ({"value": None, "skipped": "true"}, skipped.ERROR_SKIPPED_NOT_BOOLEAN),
        ({"value": None, "skipped": []}, skipped.ERROR_SKIPPED_NOT_BOOLEAN),
        ({"value": 3, "skipped": True}, skipped.ERROR_SKIPPED_AND_VALUE),
        ({"value": "1/3", "skipped": True}, skipped.ERROR_SKIPPED_AND_VALUE),
    ],
)
def test_hostile_skips_are_refused_naming_the_pair(skipping, u1, member, answer, error):
    children = list(u1.children.all())
    judgments = answers(u1, [2, 4, 8, 2, 4, 2])
    key = services.pair_key(children[0], children[1])
    judgments[key] = {**answer, "comment": ""}

    with pytest.raises(ValidationError) as refused:
        services.pairwise_ballot_save(
            membership=member, parent=u1, judgments=judgments, submit=True
        )

    assert refused.value.message_dict == {key: [error.format(row="U11", col="U12")]}
    assert not PairwiseBallot.objects.exists()


@pytest.mark.parametrize("flag", [False, None])
def test_skipped_false_or_null_is_an_ordinary_answer(skipping, u1, member, flag):
    judgments = answers(u1, [2, 4, 8, 2, 4, 2])
    for answer in judgments.values():
        answer["skipped"] = flag

    ballot = services.pairwise_ballot_save(
        membership=member, parent=u1, judgments=judgments, submit=True
    )
    assert all("skipped" not in answer for answer in ballot.submitted_judgments.values())


def test_a_skipped_pair_counts_as_answered_for_a_submission(skipping, u1, member):
    judgments = answers(u1, CYCLE)
    children = list(u1.children.all())
    del judgments[services.pair_key(children[2], children[3])]  # neither answered nor skipped

    with pytest.raises(ValidationError) as refused:
        services.pairwise_ballot_save(
            membership=member, parent=u1, judgments=judgments, submit=True
        )
    assert refused.value.messages == ["U13 vs U14: choose a value before submitting."]


def test_an_inconsistent_incomplete_ballot_is_blocked_under_the_block_policy(skipping, u1, member):
    skipping.cr_policy = Evaluation.CRPolicy.BLOCK
    skipping.save()
    inconsistent = [9, None, 1 / 9, 9, None, 9]  # a cycle far from transitive
    assert ahp.llsm(matrix_of(inconsistent)).cr > 0.1

    with pytest.raises(ValidationError, match="inconsistent"):
        save(member, u1, inconsistent)
    # The form's flags name answered pairs only, never a skipped one.
    check = services.pairwise_consistency(
        evaluation=skipping, children=list(u1.children.all()), judgments=answers(u1, inconsistent)
    )
    skipped_cells = {(0, 2), (1, 3)}
    assert check.revisions and all((r.row, r.col) not in skipped_cells for r in check.revisions)


# --- the setting ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["fuzzy_buckley", "fuzzy_chang"])
def test_skipping_is_refused_with_a_fuzzy_weighting(evaluation, coordinator, method):
    evaluation.allow_skipped_comparisons = True
    evaluation.save()

    with pytest.raises(ValidationError) as refused:
        evaluation_update_settings(
            evaluation=evaluation, actor=coordinator, weighting_method=method
        )
    assert refused.value.message_dict == {"allow_skipped_comparisons": [ERROR_SKIPPING_METHOD]}
    evaluation.refresh_from_db()
    assert evaluation.weighting_method == "geometric"


def test_turning_skipping_on_is_refused_under_a_fuzzy_weighting(evaluation, coordinator):
    Evaluation.objects.filter(pk=evaluation.pk).update(weighting_method="fuzzy_buckley")
    evaluation.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        evaluation_update_settings(
            evaluation=evaluation, actor=coordinator, allow_skipped_comparisons=True
        )
    assert "allow_skipped_comparisons" in refused.value.message_dict
    evaluation.refresh_from_db()
    assert evaluation.allow_skipped_comparisons is False


def test_a_ballot_under_a_fuzzy_weighting_may_not_skip(skipping, u1, member):
    Evaluation.objects.filter(pk=skipping.pk).update(weighting_method="fuzzy_chang")

    with pytest.raises(ValidationError) as refused:
        save(member, u1, CYCLE)
    assert refused.value.messages[0] == skipped.ERROR_SKIPPING_METHOD.format(row="U11", col="U13")


def test_the_stored_cr_of_an_incomplete_ballot_follows_the_threshold(
    skipping, u1, member, coordinator
):
    ballot = save(member, u1, CYCLE)
    assert ballot.submitted_consistent is True  # CR 0.0353 < 0.1

    evaluation_update_settings(evaluation=skipping, actor=coordinator, cr_threshold=0.03)

    ballot.refresh_from_db()
    assert ballot.submitted_cr == pytest.approx(incomplete.incomplete_cr(matrix_of(CYCLE)).cr)
    assert ballot.submitted_consistent is False


# --- the pages ------------------------------------------------------------------------------


def test_the_coordinator_turns_skipping_on_in_the_settings_page(coordinator_client, evaluation):
    url = reverse("evaluation-settings", args=[evaluation.pk])
    assert "Experts may skip comparisons" in coordinator_client.get(url).content.decode()

    response = coordinator_client.post(url, settings_data(allow_skipped_comparisons="on"))

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.allow_skipped_comparisons is True
    overview = coordinator_client.get(reverse("evaluation-detail", args=[evaluation.pk]))
    assert "Skipped comparisons" in overview.content.decode()


def test_the_settings_page_refuses_skipping_with_a_fuzzy_method(
    coordinator_client, evaluation, monkeypatch
):
    # The fuzzy methods become choices of the form with their own feature; offer one here.
    field = EvaluationSettingsForm.base_fields["weighting_method"]
    monkeypatch.setattr(field, "choices", [*field.choices, ("fuzzy_buckley", "Buckley")])
    url = reverse("evaluation-settings", args=[evaluation.pk])

    response = coordinator_client.post(
        url, settings_data(allow_skipped_comparisons="on", weighting_method="fuzzy_buckley")
    )

    assert response.status_code == 400
    assert escape(ERROR_SKIPPING_METHOD) in response.content.decode()
    evaluation.refresh_from_db()
    assert (evaluation.allow_skipped_comparisons, evaluation.weighting_method) == (
        False,
        "geometric",
    )


def form_data(parent, values, action="submit") -> dict:
    children = list(parent.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    data = {"action": action}
    for key, value in zip(keys, values, strict=True):
        data[f"pair-{key}"] = skipped.SKIP_TOKEN if value is None else str(value)
        data[f"comment-{key}"] = ""
    return data


def test_the_form_offers_i_cannot_compare_and_takes_it(client, skipping, u1, expert):
    membership = accepted_membership(skipping, expert)
    client.force_login(expert)
    url = reverse("pairwise-form", args=[skipping.pk, u1.pk])
    assert "I cannot compare these two" in client.get(url).content.decode()

    response = client.post(url, form_data(u1, CYCLE))

    assert response.status_code == 302
    ballot = PairwiseBallot.objects.get(membership=membership)
    assert sum(1 for a in ballot.submitted_judgments.values() if a.get("skipped")) == 2
    page = client.get(url).content.decode()
    assert page.count('value="skip" checked') == 2
    assert "2 comparisons skipped" in page


def test_on_the_continuous_scale_a_skip_is_a_checkbox_beside_the_number_box(
    client, skipping, u1, expert
):
    """The continuous form's number box is the pair's field, so "I cannot compare these two"
    is a checkbox of its own there; checked, it skips the pair whatever the box holds."""
    skipping.judgment_scale = Evaluation.JudgmentScale.CONTINUOUS
    skipping.save()
    membership = accepted_membership(skipping, expert)
    client.force_login(expert)
    url = reverse("pairwise-form", args=[skipping.pk, u1.pk])
    children = list(u1.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    assert f'type="checkbox" name="skip-{keys[1]}"' in client.get(url).content.decode()
    data = {"action": "submit"}
    for key, value in zip(keys, CYCLE, strict=True):
        data[f"pair-{key}"] = "" if value is None else str(value)
        data[f"comment-{key}"] = ""
        if value is None:
            data[f"skip-{key}"] = skipped.SKIP_TOKEN
    data[f"pair-{keys[1]}"] = "2.5"  # typed, then skipped: the skip wins

    assert client.post(url, data).status_code == 302

    stored = PairwiseBallot.objects.get(membership=membership).submitted_judgments
    assert [bool(stored[key].get("skipped")) for key in keys] == [v is None for v in CYCLE]
    assert stored[keys[1]]["value"] is None
    assert 'name="skip-' in client.get(url).content.decode()


def test_the_form_refuses_too_many_skips_naming_the_pair(client, skipping, u1, expert):
    accepted_membership(skipping, expert)
    client.force_login(expert)
    url = reverse("pairwise-form", args=[skipping.pk, u1.pk])

    response = client.post(url, form_data(u1, ISOLATED))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Answer U11 vs U14 to connect them" in page
    assert "saved as a draft" in page  # a draft may skip as it likes


def test_the_form_offers_no_skip_while_the_setting_is_off(client, open_evaluation, u1, expert):
    accepted_membership(open_evaluation, expert)
    client.force_login(expert)
    url = reverse("pairwise-form", args=[open_evaluation.pk, u1.pk])
    assert "I cannot compare these two" not in client.get(url).content.decode()

    response = client.post(url, form_data(u1, CYCLE))

    assert response.status_code == 400
    assert "allow_skipped_comparisons is off" in response.content.decode()
    assert not PairwiseBallot.objects.exists()


def test_the_autosave_redraws_the_panel_for_an_incomplete_ballot(client, skipping, u1, expert):
    accepted_membership(skipping, expert)
    client.force_login(expert)
    url = reverse("pairwise-autosave", args=[skipping.pk, u1.pk])

    body = client.post(url, form_data(u1, ISOLATED, action="save")).json()
    assert body["saved"] and "Answer U11 vs U14" in body["html"]
    assert body["summary"] == "CR not known: the pairs answered do not link every indicator"

    body = client.post(url, form_data(u1, CYCLE, action="save")).json()
    assert body["summary"] == "CR 0.035, consistent"
    assert "2 comparisons skipped" in body["html"]


def test_the_ballot_history_shows_a_skipped_pair_as_such(skipping, u1, member):
    save(member, u1, CYCLE)

    [revision] = membership_history(membership=member)
    answers_by_pair = {a["code"]: a["answer"] for a in revision["answers"]}
    assert answers_by_pair["U11 – U13"] == "skipped (cannot compare)"
    assert answers_by_pair["U11 – U12"] == "2"
