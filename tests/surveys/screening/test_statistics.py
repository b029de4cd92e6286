"""The statistics of a screening round (surveys.screening.statistics): small rounds computed by
hand, and the same figures as the engine (evaluations.engine.screening) gives for the tables
the service builds. Only submitted, valid responses count; the round is read in a fixed
number of queries."""

import math

import numpy as np
import pytest
from django.utils import timezone

from evaluations.engine import screening
from surveys.models import ItemDecision, ScreeningResponse, ScreeningRound, ScreeningSurvey
from surveys.screening import rounds
from surveys.screening.statistics import (
    W_TOO_FEW_EXPERTS,
    W_TOO_FEW_ITEMS,
    round_statistics,
    survey_statistics,
)
from tests.conftest import accepted_membership

SUBMITTED = ScreeningResponse.Status.SUBMITTED
DRAFT = ScreeningResponse.Status.DRAFT
CLOSE = 1e-9


def respond(
    round: ScreeningRound,
    answers: dict,
    *,
    membership=None,
    key: str = "",
    valid: bool = True,
    reason: str = "",
    status: str = SUBMITTED,
    reasons: dict | None = None,
    authority: dict | None = None,
) -> ScreeningResponse:
    """A response stored as the respondents' service leaves it (the layout of
    surveys.screening.answers), without going through its form and clock."""
    submitted = status == SUBMITTED
    return ScreeningResponse.objects.create(
        round=round,
        membership=membership,
        respondent_key=key if membership is None else "",
        channel="page",
        status=status,
        answers=answers,
        reasons=reasons or {},
        authority=authority or {},
        submitted_at=timezone.now() if submitted else None,
        valid=valid if submitted else None,
        invalid_reason=reason,
    )


def ids(question) -> list[int]:
    return list(question.items.order_by("order", "pk").values_list("pk", flat=True))


def rated(question, levels) -> dict:
    """A rating answer: levels in item order, None for "cannot judge"."""
    return {str(question.pk): {str(i): v for i, v in zip(ids(question), levels, strict=True)}}


def ranked(question, places) -> dict:
    """A ranking answer: item positions (0 = the first item) most important first."""
    items = ids(question)
    return {str(question.pk): {"order": [items[p] for p in places]}}


def merged(*answers: dict) -> dict:
    out: dict = {}
    for answer in answers:
        out.update(answer)
    return out


@pytest.fixture
def experts(evaluation, make_user):
    return [accepted_membership(evaluation, make_user(f"expert{n}")) for n in range(1, 6)]


def figures_of(statistics, question):
    return statistics.question(question.pk)


# --- rating questions ----------------------------------------------------------------------

RATINGS = [  # four valid respondents (three experts, one open-link visitor) × U11…U14
    (5, 2, 5, 3),
    (4, None, 5, 3),
    (3, 2, 5, 2),
    (4, 1, 4, 1),
]


@pytest.fixture
def rating_round(first_round, rating_question, experts):
    first_round.invited = 5
    first_round.save()
    for membership, levels in zip(experts[:3], RATINGS[:3], strict=True):
        respond(first_round, rated(rating_question, levels), membership=membership)
    respond(first_round, rated(rating_question, RATINGS[3]), key="open-browser-1")
    # Neither an invalid response nor a draft counts, whatever it says.
    respond(
        first_round,
        rated(rating_question, (1, 1, 1, 1)),
        membership=experts[3],
        valid=False,
        reason="too_fast",
    )
    respond(first_round, rated(rating_question, (1, 5, 1, 5)), key="b2", valid=False,
            reason="attention")  # fmt: skip
    respond(first_round, rated(rating_question, (2, 2, 2, 2)), membership=experts[4], status=DRAFT)
    return first_round


@pytest.mark.django_db
def test_the_round_counts_who_answered_and_what_counted(rating_round):
    counts = round_statistics(round=rating_round).counts

    assert (counts.invited, counts.submitted, counts.valid) == (5, 6, 4)
    assert (counts.valid_experts, counts.valid_open) == (3, 1)
    assert counts.invalid == {"too_fast": 1, "attention": 1}
    assert counts.not_submitted == 1
    # Valid expert responses over invitations: the open link has no invitation to count.
    assert counts.positive_coefficient == pytest.approx(3 / 5)


@pytest.mark.django_db
def test_a_round_without_invitations_has_no_positive_coefficient(first_round):
    first_round.invited = 0
    first_round.save()

    assert round_statistics(round=first_round).counts.positive_coefficient is None


@pytest.mark.django_db
def test_a_rating_item_is_described_as_computed_by_hand(rating_round, rating_question):
    figures = figures_of(round_statistics(round=rating_round), rating_question)
    first = figures.items[0]  # 5, 4, 3, 4

    assert (first.valid, first.missing, first.cannot_judge) == (4, 0, 0)
    assert first.mean == pytest.approx(4.0)
    assert first.sd == pytest.approx(math.sqrt(2 / 3))
    assert first.variance == pytest.approx(2 / 3)
    assert first.se == pytest.approx(math.sqrt(2 / 3) / 2)
    assert first.cv == pytest.approx(math.sqrt(2 / 3) / 4)
    assert first.median == pytest.approx(4.0)
    assert first.iqr == pytest.approx(4.25 - 3.75)  # numpy's linear quantiles
    assert first.full_score_share == pytest.approx(1 / 4)
    assert first.agreement_share == pytest.approx(3 / 4)  # 4 or 5 of 5
    assert first.distribution == (0, 0, 1, 2, 1)


@pytest.mark.django_db
def test_cannot_judge_is_left_out_of_n_and_counted_apart(rating_round, rating_question):
    second = figures_of(round_statistics(round=rating_round), rating_question).items[1]

    assert (second.valid, second.missing, second.cannot_judge) == (3, 1, 1)
    assert second.mean == pytest.approx(5 / 3)
    assert second.distribution == (1, 2, 0, 0, 0)


@pytest.mark.django_db
def test_the_rating_figures_are_the_engines_on_the_valid_answers(rating_round, rating_question):
    figures = figures_of(round_statistics(round=rating_round), rating_question)
    table = np.array([[np.nan if v is None else v for v in row] for row in RATINGS])
    expected = screening.describe(table, full_score=5)
    concordance = screening.kendall_w(table)

    for name in ("valid", "mean", "se", "sd", "variance", "cv", "median", "iqr"):
        got = [getattr(item, name) for item in figures.items]
        assert np.allclose(got, getattr(expected, name), atol=CLOSE), name
    assert np.allclose(
        [i.full_score_share for i in figures.items], expected.full_score_share, atol=CLOSE
    )
    # W over the three respondents who rated every item (the "cannot judge" row is left out).
    assert figures.kendall.experts == concordance.experts == 3
    assert figures.kendall.w == pytest.approx(concordance.w)
    assert figures.kendall.chi2 == pytest.approx(concordance.chi2)
    assert figures.kendall.p == pytest.approx(concordance.p)
    assert figures.kendall.df == 3


@pytest.mark.django_db
def test_the_mean_rule_keeps_only_items_above_the_share_of_the_full_score(
    rating_round, rating_question
):
    figures = figures_of(round_statistics(round=rating_round), rating_question)

    assert figures.threshold == pytest.approx(0.8 * 5)
    # Means 4 (not above 4), 5/3, 4.75, 2.25.
    assert [item.verdict for item in figures.items] == ["drop", "drop", "keep", "drop"]


@pytest.mark.django_db
def test_the_boundary_value_rule_gives_the_engines_verdicts_and_thresholds(
    rating_round, rating_question
):
    ScreeningSurvey.objects.filter(pk=rating_round.survey_id).update(rule="boundary_value")
    figures = figures_of(round_statistics(round=rating_round), rating_question)
    means = [item.mean for item in figures.items]
    shares = [item.full_score_share for item in figures.items]
    cvs = [item.cv for item in figures.items]
    limits = screening.boundary_thresholds(means, shares, cvs)

    assert [item.verdict for item in figures.items] == screening.boundary_value(means, shares, cvs)
    assert figures.boundary.mean == pytest.approx(limits.mean)
    assert figures.boundary.full_score_share == pytest.approx(limits.full_score_share)
    assert figures.boundary.cv == pytest.approx(limits.cv)


@pytest.mark.django_db
def test_the_consensus_rule_keeps_narrow_agreed_items_and_discusses_the_rest(
    rating_round, rating_question
):
    ScreeningSurvey.objects.filter(pk=rating_round.survey_id).update(
        rule="consensus", agreement_level=5, consensus_min_agreement=0.75
    )
    figures = figures_of(round_statistics(round=rating_round), rating_question)

    # Only U13 (5, 5, 5, 4): IQR 0.25 and three of four at 5.
    assert [item.agreement_share for item in figures.items][2] == pytest.approx(0.75)
    assert [item.verdict for item in figures.items] == ["discuss", "discuss", "keep", "discuss"]
    assert (figures.consensus_max_iqr, figures.consensus_min_agreement) == (1.0, 0.75)
    assert figures.agreement_level == 5


@pytest.mark.django_db
def test_kendalls_w_is_missing_with_its_reason(first_round, rating_question, experts):
    respond(first_round, rated(rating_question, (5, 4, 3, 2)), membership=experts[0])

    figures = figures_of(round_statistics(round=first_round), rating_question)

    assert figures.kendall is None
    assert figures.kendall_missing == W_TOO_FEW_EXPERTS


# --- ranking questions ---------------------------------------------------------------------

ORDERS = [(0, 1, 2, 3), (0, 2, 1, 3), (0, 1, 3, 2), (1, 0)]  # the last ranks two places only


@pytest.fixture
def ranking_round(first_round, ranking_question, experts):
    for membership, places in zip(experts, ORDERS, strict=False):
        respond(first_round, ranked(ranking_question, places), membership=membership)
    respond(
        first_round, ranked(ranking_question, (3, 2, 1, 0)), key="fast", valid=False,
        reason="too_fast",
    )  # fmt: skip
    return first_round


@pytest.mark.django_db
def test_a_ranking_scores_t_to_1_and_marks_the_key_factors(ranking_round, ranking_question):
    figures = figures_of(round_statistics(round=ranking_round), ranking_question)
    credit, operational, market, legal = figures.items

    assert figures.points == (4.0, 3.0, 2.0, 1.0) and figures.top_score == 4.0
    assert figures.threshold == pytest.approx(3.2)
    # Credit 4, 4, 4, 3: the micro-store study's only key factor.
    assert (credit.valid, credit.missing, credit.mean) == (4, 0, pytest.approx(3.75))
    assert (credit.sd, credit.se, credit.variance) == (
        pytest.approx(0.5),
        pytest.approx(0.25),
        pytest.approx(0.25),
    )
    assert credit.key_factor and credit.verdict == "keep"
    assert operational.mean == pytest.approx(3.0) and not operational.key_factor
    assert operational.verdict == "drop"
    # Unranked places are missing, not zero.
    assert (market.valid, market.missing, market.mean) == (3, 1, pytest.approx(2.0))
    assert legal.mean == pytest.approx(4 / 3)
    assert credit.distribution == (3, 1, 0, 0)  # first three times, second once
    assert market.distribution == (0, 1, 1, 1)


@pytest.mark.django_db
def test_kendalls_w_of_a_ranking_uses_the_complete_rankings(ranking_round, ranking_question):
    figures = figures_of(round_statistics(round=ranking_round), ranking_question)
    scores = screening.ranking_scores([list(order) for order in ORDERS], 4)

    assert figures.kendall.experts == 3
    assert figures.kendall.w == pytest.approx(screening.kendall_w(scores).w)


@pytest.fixture
def closed_round(first_round, coordinator):
    return rounds.round_close(round=first_round, actor=coordinator)


@pytest.mark.django_db
def test_set_points_give_the_first_places_when_fewer_items_are_asked(
    survey, ranking_question, closed_round, coordinator, experts
):
    ranking_question.scoring = [10, 6, 3, 1]
    ranking_question.save()
    legal = ranking_question.items.get(name="Legal risk")
    rounds.decision_set(round=closed_round, item=legal, actor=coordinator, decision="drop")
    second = rounds.round_open(survey=survey, actor=coordinator)
    respond(second, ranked(ranking_question, (0, 1, 2)), membership=experts[0])
    respond(second, ranked(ranking_question, (1, 0)), membership=experts[1])

    figures = figures_of(round_statistics(round=second), ranking_question)

    assert figures.points == (10.0, 6.0, 3.0) and figures.top_score == 10.0
    assert figures.threshold == pytest.approx(8.0)
    assert [item.name for item in figures.items] == [
        "Credit risk",
        "Operational risk",
        "Market risk",
    ]
    credit = figures.items[0]
    assert credit.mean == pytest.approx(8.0) and not credit.key_factor  # 10 and 6: not above 8
    assert figures.items[1].mean == pytest.approx(8.0)
    assert figures.items[2].mean == pytest.approx(3.0)


# --- choice and suggestion questions, authority --------------------------------------------


@pytest.mark.django_db
def test_a_choice_is_tabulated_with_its_other_texts(first_round, choice_question, experts):
    stock, staff, _payments, other = ids(choice_question)
    key = str(choice_question.pk)
    respond(first_round, {key: {"selected": [stock], "other": ""}}, membership=experts[0])
    respond(first_round, {key: {"selected": [stock], "other": ""}}, membership=experts[1])
    respond(first_round, {key: {"selected": [other], "other": "Delivery"}}, key="visitor")
    respond(first_round, {key: {"selected": [staff]}}, membership=experts[2], valid=False,
            reason="attention")  # fmt: skip

    figures = figures_of(round_statistics(round=first_round), choice_question)

    assert figures.answered == 3
    assert [(o.name, o.count) for o in figures.options] == [
        ("Stock", 2), ("Staff", 0), ("Payments", 0), ("Other", 1),
    ]  # fmt: skip
    assert figures.options[0].percent == pytest.approx(200 / 3)
    assert [(r.author, r.text) for r in figures.other_texts] == [
        ("Anonymous respondent", "Delivery")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("named", [False, True])
def test_suggestions_name_experts_only_when_the_evaluation_names_comments(
    first_round, suggestion_question, evaluation, experts, named
):
    evaluation.comments_named = named
    evaluation.save()
    key = str(suggestion_question.pk)
    respond(first_round, {key: {"text": "Logistics"}}, membership=experts[1])
    respond(first_round, {key: {"text": "Cash flow"}}, key="visitor")

    figures = figures_of(round_statistics(round=first_round), suggestion_question)

    first_author = experts[1].display_name if named else "Expert 2"  # the panel's order
    assert [(r.author, r.text) for r in figures.suggestions] == [
        (first_author, "Logistics"),
        ("Anonymous respondent", "Cash flow"),
    ]


@pytest.mark.django_db
def test_authority_is_read_per_expert_with_the_default_tables(first_round, experts):
    respond(first_round, {}, membership=experts[0], authority={
        "basis": {"practice": "high", "theory": "medium", "literature": "low",
                  "intuition": "low"},
        "familiarity": "very_familiar",
    })  # fmt: skip
    respond(first_round, {}, membership=experts[1], authority={
        "basis": {"practice": "medium", "theory": "low", "literature": "medium",
                  "intuition": "medium"},
        "familiarity": "somewhat",
    })  # fmt: skip
    respond(first_round, {}, key="visitor")  # no self-rating: not counted

    authority = round_statistics(round=first_round).authority

    assert [(e.ca, e.cs, e.cr) for e in authority.experts] == [
        (pytest.approx(0.8), 1.0, pytest.approx(0.9)),
        (pytest.approx(0.7), 0.6, pytest.approx(0.65)),
    ]
    assert authority.panel == pytest.approx(0.775)
    assert authority.acceptable_line == 0.7 and authority.acceptable


@pytest.mark.django_db
def test_authority_is_left_out_when_the_survey_does_not_ask_for_it(first_round, survey):
    survey.ask_authority = False
    survey.save()

    assert round_statistics(round=first_round).authority is None


# --- two rounds: stability, decisions ------------------------------------------------------


@pytest.fixture
def two_rounds(survey, first_round, rating_question, ranking_question, coordinator, experts):
    """Round 1: three experts; round 2: two of them again (one changes U11 from 3 to 4, with a
    reason) and an open-link visitor, who is not compared."""
    before = [(5, 4, 4, 2), (3, 4, 4, 2), (4, 4, 5, 2)]
    for membership, levels in zip(experts, before, strict=False):
        answers = merged(rated(rating_question, levels), ranked(ranking_question, (0, 1, 2, 3)))
        respond(first_round, answers, membership=membership)
    rounds.round_close(round=first_round, actor=coordinator)
    price = rating_question.items.get(name="Price control")
    rounds.decision_set(
        round=first_round, item=price, actor=coordinator, decision="revise",
        new_name="Price and discount control", note="Discounts belong here", rule_verdict="drop",
    )  # fmt: skip
    second = rounds.round_open(survey=survey, actor=coordinator)
    after = [(5, 4, 4, 2), (4, 4, 4, 2)]
    for membership, levels in zip(experts, after, strict=False):
        answers = merged(rated(rating_question, levels), ranked(ranking_question, (0, 1, 2, 3)))
        reasons = {str(ids(rating_question)[0]): "Read the others' view"} if levels[0] == 4 else {}
        respond(second, answers, membership=membership, reasons=reasons)
    respond(second, rated(rating_question, (1, 1, 1, 1)), key="visitor")
    return first_round, second


@pytest.mark.django_db
def test_stability_compares_the_same_experts_with_the_previous_round(
    two_rounds, rating_question, ranking_question
):
    _first, second = two_rounds
    statistics = round_statistics(round=second)
    rating = figures_of(statistics, rating_question)
    first_item = rating.items[0]

    assert statistics.previous_number == 1 and statistics.stability_experts == 2
    # U11 of experts 1 and 2: (5, 3) then (5, 4).
    cv_before = math.sqrt(2) / 4
    cv_after = math.sqrt(0.5) / 4.5
    assert first_item.cv_change == pytest.approx(cv_after - cv_before)
    assert (first_item.changed_share, first_item.answered_both) == (pytest.approx(0.5), 2)
    assert [item.changed_share for item in rating.items[1:]] == [0.0, 0.0, 0.0]
    assert rating.overall_changed_share == pytest.approx(1 / 8)
    ranking = figures_of(statistics, ranking_question)
    assert ranking.overall_changed_share == 0.0
    # One changed answer of 16 given by both experts in both rounds (8 ratings, 8 places).
    assert statistics.overall_changed_share == pytest.approx(1 / 16)
    assert [(r.author, r.text) for r in first_item.reasons] == [
        ("Expert 2", "Read the others' view")
    ]


@pytest.mark.django_db
def test_stability_is_the_engines_on_the_same_experts_tables(two_rounds, rating_question):
    _first, second = two_rounds
    rating = figures_of(round_statistics(round=second), rating_question)
    expected = screening.stability([[5, 4, 4, 2], [3, 4, 4, 2]], [[5, 4, 4, 2], [4, 4, 4, 2]])

    assert np.allclose([i.cv_change for i in rating.items], expected.cv_change, atol=CLOSE)


@pytest.mark.django_db
def test_a_round_shows_its_decisions_under_the_names_it_asked(two_rounds, rating_question):
    first, second = two_rounds
    price_before = figures_of(round_statistics(round=first), rating_question).items[3]
    price_after = figures_of(round_statistics(round=second), rating_question).items[3]

    assert price_before.name == "Price control"
    assert price_before.decision.decision == ItemDecision.Decision.REVISE
    assert (price_before.decision.previous_name, price_before.decision.new_name) == (
        "Price control",
        "Price and discount control",
    )
    assert price_before.decision.note == "Discounts belong here"
    assert price_after.name == "Price and discount control" and price_after.decision is None


@pytest.mark.django_db
def test_the_survey_gives_its_rounds_side_by_side(two_rounds, survey):
    first, second = two_rounds

    statistics = survey_statistics(survey=survey)

    assert [(s.number, s.status) for s in statistics] == [(1, "closed"), (2, "open")]
    assert statistics[0].previous_number is None and statistics[1].previous_number == 1
    assert statistics[1] == round_statistics(round=second)


@pytest.mark.django_db
def test_the_round_is_read_in_a_bounded_number_of_queries(
    first_round, rating_question, ranking_question, choice_question, suggestion_question,
    evaluation, make_user, django_assert_max_num_queries,
):  # fmt: skip
    stock = ids(choice_question)[0]
    for n in range(12):
        membership = accepted_membership(evaluation, make_user(f"panel{n}"))
        answers = merged(
            rated(rating_question, (1 + n % 5, 2, None, 4)),
            ranked(ranking_question, (n % 4, (n + 1) % 4)),
            {str(choice_question.pk): {"selected": [stock]}},
            {str(suggestion_question.pk): {"text": f"Idea {n}"}},
        )
        respond(first_round, answers, membership=membership)
    for n in range(8):
        respond(first_round, rated(rating_question, (3, 3, 3, 3)), key=f"visitor-{n}")

    # The round, questions, decisions, the previous round, items, responses and the panel
    # (for "Expert n"): as many for 20 responses as for 2.
    with django_assert_max_num_queries(7):
        statistics = round_statistics(round=first_round)

    assert statistics.counts.valid == 20
    assert len(figures_of(statistics, suggestion_question).suggestions) == 12


@pytest.mark.django_db
def test_the_whole_survey_is_read_in_a_few_queries_per_round(
    two_rounds, survey, django_assert_max_num_queries
):
    # The survey, questions, decisions and rounds once; items and responses per round; the
    # panel once.
    with django_assert_max_num_queries(9):
        assert len(survey_statistics(survey=survey)) == 2


@pytest.mark.django_db
def test_a_round_nobody_answered_has_no_figures_and_no_verdicts(first_round, rating_question):
    figures = figures_of(round_statistics(round=first_round), rating_question)

    assert figures.respondents == 0
    assert all(item.valid == 0 and item.mean is None for item in figures.items)
    assert {item.verdict for item in figures.items} == {"discuss"}
    assert figures.kendall is None and figures.kendall_missing == W_TOO_FEW_EXPERTS


@pytest.mark.django_db
def test_a_single_item_has_no_concordance(first_round, rating_question, experts):
    for item in rating_question.items.all()[1:]:
        item.delete()
    respond(first_round, {str(rating_question.pk): {str(ids(rating_question)[0]): 4}},
            membership=experts[0])  # fmt: skip

    figures = figures_of(round_statistics(round=first_round), rating_question)

    assert figures.kendall is None and figures.kendall_missing == W_TOO_FEW_ITEMS
