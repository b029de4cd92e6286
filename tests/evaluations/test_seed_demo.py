"""seed_demo builds the paper's setting, and its results are the engine's on the same ballots."""

import re

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse

from evaluations.engine import ahp, fuzzy
from evaluations.management.commands import seed_demo
from evaluations.models import Evaluation
from experts.selectors import evaluation_figures
from surveys.models import BallotRevision, Channel, PairwiseBallot, RatingBallot


@pytest.fixture
def demo(db, capsys):
    call_command("seed_demo")
    return Evaluation.objects.get(title=seed_demo.DEMO_TITLE), capsys.readouterr().out


def test_it_builds_the_papers_twelve_indicator_evaluation_with_ten_experts(demo):
    evaluation, output = demo

    assert evaluation.status == "open"
    assert evaluation.indicators.filter(children__isnull=True).count() == 12
    assert list(evaluation.grades.values_list("name", "score")) == [
        ("very strong", 4), ("strong", 3), ("general", 2), ("poor", 1)
    ]  # fmt: skip
    assert evaluation.subjects.count() == 2
    assert evaluation.memberships.count() == 10
    figures = evaluation_figures(evaluation=evaluation)
    assert (figures.sent, figures.submitted, figures.valid) == (10, 7, 7)
    assert seed_demo.DEMO_USERNAME in output and seed_demo.DEMO_PASSWORD in output


def test_the_printed_invitation_links_work(demo, client):
    _evaluation, output = demo
    links = re.findall(r"http://127\.0\.0\.1:8000(/invitations/\S+/)", output)

    assert len(links) == 2
    for link in links:
        assert client.get(link).status_code == 200


def test_it_can_run_twice_and_leaves_one_demo(demo, client):
    call_command("seed_demo")

    assert Evaluation.objects.filter(title=seed_demo.DEMO_TITLE).count() == 1
    # The sign-in lockout checks every authenticate() against its request: give it one.
    password = seed_demo.DEMO_PASSWORD
    assert client.login(request=HttpRequest(), username=seed_demo.DEMO_USERNAME, password=password)
    assert client.login(request=HttpRequest(), username="demo-expert-1", password=password)


def test_the_demo_results_are_the_engine_run_independently_on_the_same_ballots(demo):
    evaluation, _output = demo
    snapshot = evaluation.snapshots.latest()
    data = snapshot.data
    assert data["complete"] is True
    assert snapshot.version == evaluation.input_version

    # Weights: AIJ of the submitted matrices with expert weights, root method.
    local = {}
    for parent in evaluation.indicators.filter(children__isnull=False).distinct():
        children = list(parent.children.all())
        ballots = PairwiseBallot.objects.filter(parent=parent, status="submitted")
        stack = np.array([
            ahp.from_upper([b.judgments[f"{r.pk}-{c.pk}"]["value"]
                            for x, r in enumerate(children) for c in children[x + 1 :]])
            for b in ballots.order_by("membership_id")
        ])  # fmt: skip
        weights = [b.membership.weight for b in ballots.order_by("membership_id")]
        local[parent.code] = ahp.aggregate(stack, weights=weights).weights
    rows = {row["code"]: row for row in data["indicators"]}
    for code in ("U11", "U23", "U34"):
        parent = code[:2]
        expected = local["U"][int(parent[1]) - 1] * local[parent][int(code[2]) - 1]
        assert rows[code]["global_weight"] == pytest.approx(expected, abs=1e-12)

    # Fuzzy evaluation: weighted vote counts → R_i, G_i = D_i R_i, E = F G.
    grades = list(evaluation.grades.all())
    for subject in evaluation.subjects.all():
        counts = {}
        for ballot in RatingBallot.objects.filter(subject=subject, status="submitted"):
            for leaf_id, answer in ballot.ratings.items():
                row = counts.setdefault(int(leaf_id), np.zeros(len(grades)))
                row[[g.pk for g in grades].index(answer["grade"])] += ballot.membership.weight
        g = []
        for first in evaluation.indicators.get(code="U").children.all():
            r = fuzzy.membership([counts[leaf.pk] for leaf in first.children.all()])
            g.append(local[first.code] @ r)
        e = fuzzy.evaluate(local["U"], np.array(g))
        result = next(s for s in data["subjects"] if s["id"] == subject.pk)
        np.testing.assert_allclose(result["vector"], e, atol=1e-12)
        assert result["score"] == pytest.approx(e @ [4, 3, 2, 1], abs=1e-12)


def test_some_demo_experts_explain_their_answers_and_the_coordinator_reads_them(demo, client):
    evaluation, _output = demo
    client.force_login(evaluation.owner)

    page = client.get(f"/evaluations/{evaluation.pk}/results/").content.decode()

    for on_pair, on_leaf in seed_demo.DEMO_COMMENTS.values():
        for comment in filter(None, (on_pair, on_leaf)):
            assert comment.replace("'", "&#x27;") in page


def test_the_demo_screened_its_indicators_in_two_rounds_and_adopted_them(demo):
    from surveys.models import ScreeningItem, ScreeningSurvey
    from surveys.screening import demo as screening_demo

    evaluation, _output = demo
    survey = ScreeningSurvey.objects.get(
        evaluation=evaluation, title=screening_demo.INDICATOR_SURVEY
    )
    statuses = [r.status for r in survey.rounds.order_by("number")]
    typed = dict(
        ScreeningItem.objects.filter(question__survey=survey, source="typed").values_list(
            "name", "status"
        )
    )

    assert statuses == ["closed", "closed"]
    assert [r.responses.filter(valid=True).count() for r in survey.rounds.all()] == [7, 7]
    assert typed == {
        "Platform fee control": "dropped",
        "Backup of the shop's customer data": "merged",
    }
    # Adopt left the paper's twelve indicators, and its entry is in the activity log.
    assert evaluation.audit_entries.filter(params__change="adopted").count() == 1
    # Round 2 kept every round-1 answer or changed it with a reason.
    second = survey.rounds.get(number=2)
    assert any(response.reasons for response in second.responses.all())


def test_the_demo_public_survey_makes_credit_risk_the_only_key_factor(demo, client):
    from evaluations.engine import screening
    from surveys.models import ScreeningResponse, ScreeningSurvey
    from surveys.screening import demo as screening_demo

    evaluation, output = demo
    survey = ScreeningSurvey.objects.get(evaluation=evaluation, title=screening_demo.RISK_SURVEY)
    ranking = survey.questions.get(kind="ranking")
    ids = list(ranking.items.order_by("order").values_list("pk", flat=True))
    responses = ScreeningResponse.objects.filter(round__survey=survey)
    valid = responses.filter(valid=True)
    orders = [[ids.index(pk) for pk in r.answers[str(ranking.pk)]["order"]] for r in valid]
    means = screening.describe(screening.ranking_scores(orders, len(ids))).mean

    assert responses.count() == screening_demo.OPEN_RESPONDENTS
    assert (
        responses.filter(valid=False, invalid_reason="too_fast").count() == screening_demo.TOO_FAST
    )
    assert [float(mean) > 3.2 for mean in means] == [True, False, False, False]
    # The printed open link reaches the (closed) questionnaire.
    link = re.search(r"http://127\.0\.0\.1:8000(/s/\S+/)", output).group(1)
    assert client.get(link).status_code in (200, 409)


def test_one_experts_forms_came_on_paper_and_an_assistant_may_type_in_more(demo, client):
    """The demo shows paper entry: demo-expert-7's forms were typed in by the coordinator, each
    with its form number, and demo-typist is the evaluation's data-entry assistant."""
    evaluation, output = demo
    paper = BallotRevision.objects.filter(membership__evaluation=evaluation, channel=Channel.PAPER)
    typed = paper.values_list("membership__user__username", "user__username", "form_number")
    assert {(expert, by) for expert, by, _ in typed} == {("demo-expert-7", "coordinator")}
    numbers = [number for *_, number in typed]
    assert len(numbers) == 6 and len(set(numbers)) == 6  # 4 matrices and 2 subjects
    assert all(number.startswith("P-07-") for number in numbers)
    assert seed_demo.DEMO_TYPIST in output
    typist = get_user_model().objects.get(username=seed_demo.DEMO_TYPIST)
    assert typist.check_password(seed_demo.DEMO_PASSWORD)
    client.force_login(typist)
    assert client.get(reverse("paper-home", args=[evaluation.pk])).status_code == 200
    assert client.get(reverse("results", args=[evaluation.pk])).status_code == 404
