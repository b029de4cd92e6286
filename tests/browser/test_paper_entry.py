"""In a real browser: the coordinator adds an expert who answers on paper, types in one
pairwise form and one rating form, and under double entry resolves two typings that differ."""

import pytest
from django.conf import settings

from experts.models import PanelMembership
from surveys import services as ballots
from surveys.models import BallotRevision, PairwiseBallot, RatingBallot
from surveys.paper import services
from surveys.paper.models import DataEntryAssistant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSISTENT = [2, 4, 8, 2, 4, 2]


def pair_keys(parent):
    children = list(parent.children.all())
    return [ballots.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]


def test_the_coordinator_types_in_a_paper_pairwise_and_rating_form(
    page, live_server, sign_in, coordinator, open_evaluation, screenshot
):
    sign_in(coordinator)
    page.goto(f"{live_server.url}/evaluations/{open_evaluation.pk}/panel/")
    page.fill("#named-name", "Wang Fang")
    page.fill("#named-organisation", "Hunan SME bureau")
    page.get_by_role("button", name="Add to the panel").click()
    page.wait_for_selector("text=Wang Fang added")
    screenshot("panel")
    member = PanelMembership.objects.get(name="Wang Fang")
    assert member.email == ""

    page.get_by_role("link", name="Enter a paper form of Wang Fang").click()
    u1 = open_evaluation.indicators.get(code="U1")
    page.get_by_role("link", name="Type in the comparisons under U1").click()
    page.fill("#form_number", "Q-0042")
    for key, value in zip(pair_keys(u1), CONSISTENT, strict=True):
        page.check(f'input[name="pair-{key}"][value="{value}"]')
    screenshot("pairwise-form")
    page.get_by_role("button", name="Enter the paper form").click()
    page.wait_for_selector("text=Paper form entered: it counts in the results.")
    assert PairwiseBallot.objects.get(membership=member).submitted_at is not None

    subject = open_evaluation.subjects.first()
    page.get_by_role("link", name=f"Type in the ratings of {subject.name}").click()
    page.fill("#form_number", "Q-0042")
    grade = open_evaluation.grades.all()[1]
    for leaf in open_evaluation.indicators.filter(children__isnull=True):
        page.check(f'input[name="grade-{leaf.pk}"][value="{grade.pk}"]')
    screenshot("rating-form")
    page.get_by_role("button", name="Enter the paper form").click()
    page.wait_for_selector("text=Paper form entered: it counts in the results.")
    screenshot("member")
    assert RatingBallot.objects.get(membership=member).submitted_at is not None
    revisions = BallotRevision.objects.filter(membership=member)
    assert {(r.channel, r.form_number, r.user_id) for r in revisions} == {
        ("paper", "Q-0042", coordinator.pk)
    }

    page.goto(f"{live_server.url}/evaluations/{open_evaluation.pk}/panel/{member.pk}/history/")
    page.wait_for_selector("text=paper form number")
    screenshot("history")


def test_the_coordinator_resolves_a_double_entry_mismatch(
    page, live_server, sign_in, coordinator, make_user, open_evaluation, screenshot
):
    open_evaluation.double_entry = True
    open_evaluation.save()
    typist = make_user("dana")
    DataEntryAssistant.objects.create(evaluation=open_evaluation, user=typist, added_by=coordinator)
    member = PanelMembership.objects.create(evaluation=open_evaluation, name="Li Lei")
    u1 = open_evaluation.indicators.get(code="U1")
    keys = pair_keys(u1)
    services.paper_ballot_enter(
        form=services.PaperForm(membership=member, parent=u1),
        answers={k: {"value": v, "comment": ""} for k, v in zip(keys, CONSISTENT, strict=True)},
        form_number="Q-7",
        actor=typist,
    )

    sign_in(coordinator)
    page.goto(
        f"{live_server.url}/evaluations/{open_evaluation.pk}/paper/{member.pk}/pairwise/{u1.pk}/"
    )
    page.fill("#form_number", "Q-7")
    for key, value in zip(keys, [2, 4, 8, 2, 4, 3], strict=True):
        page.check(f'input[name="pair-{key}"][value="{value}"]')
    page.get_by_role("button", name="Enter the paper form").click()
    page.wait_for_selector("text=1 difference between the two typings")
    screenshot("mismatch")
    assert not PairwiseBallot.objects.exists()

    page.check(f'input[name="choice-{keys[-1]}"][value="first"]')
    page.get_by_role("button", name="Save with the chosen values").click()
    page.wait_for_selector("text=Differences resolved")
    ballot = PairwiseBallot.objects.get(membership=member)
    assert ballot.submitted_judgments[keys[-1]]["value"] == 2
    revision = BallotRevision.objects.get(membership=member)
    assert (revision.user, revision.first_entered_by) == (coordinator, typist)

    page.goto(f"{live_server.url}/evaluations/{open_evaluation.pk}/paper/")
    screenshot("home")

    # The same pages in Chinese: every string of them is translatable.
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}]
    )
    page.goto(
        f"{live_server.url}/evaluations/{open_evaluation.pk}/paper/{member.pk}/pairwise/{u1.pk}/"
    )
    page.wait_for_selector('html[lang="zh-hans"]')
    screenshot("pairwise-form-zh-hans")
