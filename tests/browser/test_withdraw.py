"""In a real browser: a draft on top of a submission says the submitted answers still count,
and withdrawing asks for confirmation first."""

import pytest

from evaluations.models import Evaluation
from surveys import services
from surveys.models import BallotRevision, PairwiseBallot
from tests.conftest import accepted_membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSISTENT = [2, 4, 8, 2, 4, 2]


@pytest.fixture
def submitted(open_evaluation, expert):
    membership = accepted_membership(open_evaluation, expert)
    u1 = open_evaluation.indicators.get(code="U1")
    children = list(u1.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    services.pairwise_ballot_save(
        membership=membership,
        parent=u1,
        judgments={k: {"value": v, "comment": ""} for k, v in zip(keys, CONSISTENT, strict=True)},
        submit=True,
    )
    return u1, keys


def test_an_expert_sees_a_draft_on_top_and_withdraws_after_confirming(
    page, live_server, sign_in, expert, open_evaluation, submitted, screenshot
):
    u1, keys = submitted
    sign_in(expert)
    page.goto(f"{live_server.url}/panels/{open_evaluation.pk}/pairwise/{u1.pk}/")
    page.wait_for_selector("text=Submitted. You may revise it")

    page.check(f'input[name="pair-{keys[0]}"][value="3"]')  # autosaved as a draft
    page.wait_for_selector("text=these changes are a draft until you submit")
    screenshot("draft-on-top")
    assert PairwiseBallot.objects.get().submitted_judgments[keys[0]]["value"] == 2

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Withdraw submission").click()
    assert PairwiseBallot.objects.get().submitted_at is not None  # not confirmed: nothing

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw submission").click()
    page.wait_for_selector("text=Withdrawn: your answers no longer count in the results.")
    screenshot("withdrawn")
    ballot = PairwiseBallot.objects.get()
    assert ballot.submitted_at is None and ballot.judgments[keys[0]]["value"] == 3
    assert BallotRevision.objects.filter(action="withdrawn").count() == 1
    assert Evaluation.objects.get(pk=open_evaluation.pk).input_version == 2
