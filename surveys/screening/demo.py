"""The demo's screening stage, through the same services as the pages (seed_demo calls it).

Two surveys on the demo evaluation, both finished:
- "Which indicators measure the management?": the panel's experts rate the 12 indicators of
  the template and two candidates typed in, in two Delphi rounds. After round 1 one candidate
  is dropped and the other merged into the indicator it repeats; round 2 converges (the
  experts who change an answer say why), every indicator is kept and the survey is adopted,
  which leaves the paper's 12 indicators as they are.
- "Key risks of micro-store modes": the micro-store study's ranking question (4-3-2-1 points,
  a key factor when the mean exceeds 3.2) and a multiple-choice question, answered by 40
  visitors of the open link in one round; three answered too fast and are not valid.

Deterministic: every answer comes from the random generator the caller seeds.
"""

from datetime import timedelta

import numpy as np
from django.contrib.auth.models import AbstractBaseUser

from evaluations.models import Evaluation
from experts.models import PanelMembership

from . import adopt, items, open_link, responses, rounds, services
from .models import ItemDecision, ScreeningItem, ScreeningQuestion, ScreeningResponse
from .selectors import round_items

Kind = ScreeningQuestion.Kind
Decision = ItemDecision.Decision

INDICATOR_SURVEY = "Which indicators measure the management? (demo)"
RISK_SURVEY = "Key risks of micro-store modes (demo)"
# Typed in by the coordinator under U1 and U3: the first rated low and dropped after round 1,
# the second merged into the indicator it repeats.
CANDIDATES = {"U1": "Platform fee control", "U3": "Backup of the shop's customer data"}
MERGED_INTO = "U33"
RISKS = ["Credit risk", "Operational risk", "Market risk", "Legal and compliance risk"]
# How strongly the public ranks each risk first: credit risk far ahead (the study's only key
# factor), then the others.
RISK_APPEAL = [6.0, 1.2, 1.0, 0.6]
PROBLEMS = ["Too little working capital", "Unstable suppliers", "Few repeat customers"]
OPEN_RESPONDENTS = 40
TOO_FAST = 3
MIN_SECONDS = 60
REASONS = [
    "The panel's median convinced me: in small shops this matters more than I first said.",
    "On reflection this is less decisive for a shop of this size.",
]


def seed_screening(
    *,
    evaluation: Evaluation,
    coordinator: AbstractBaseUser,
    memberships: list[PanelMembership],
    rng: np.random.Generator,
) -> str:
    """Both demo surveys on the (still draft) demo evaluation; returns the open link's token."""
    _indicator_survey(evaluation, coordinator, memberships, rng)
    return _risk_survey(evaluation, coordinator, rng)


def _indicator_survey(evaluation, coordinator, memberships, rng) -> None:
    survey = services.survey_create(
        evaluation=evaluation,
        actor=coordinator,
        title=INDICATOR_SURVEY,
        introduction="Rate how well each indicator measures the management of an SME web shop.",
        rule="boundary_value",
    )
    for code in ("U1", "U2", "U3"):
        node = evaluation.indicators.get(code=code)
        question = services.question_add(
            survey=survey,
            actor=coordinator,
            kind=Kind.RATING,
            text=f"How important is each indicator of “{node.name}”?",
            levels=5,
            items_from=node,
        )
        if code in CANDIDATES:
            items.item_add(
                question=question, actor=coordinator, name=CANDIDATES[code], place_under=node
            )
    services.question_add(
        survey=survey,
        actor=coordinator,
        kind=Kind.SUGGESTION,
        text="Which indicators are missing?",
    )
    first = rounds.round_open(survey=survey, actor=coordinator)
    _rate(first, memberships, rng, previous=None)
    rounds.round_close(round=first, actor=coordinator)
    merged_into = ScreeningItem.objects.get(
        question__survey=survey, indicator=evaluation.indicators.get(code=MERGED_INTO)
    )
    for item in round_items(round=first):
        if item.question.kind != Kind.RATING:
            continue
        if item.name == CANDIDATES["U1"]:
            decision = {"decision": Decision.DROP, "note": "Rated low by most experts."}
        elif item.name == CANDIDATES["U3"]:
            decision = {
                "decision": Decision.MERGE,
                "merged_into": merged_into,
                "note": "Repeats data backup and monitoring.",
            }
        else:
            decision = {"decision": Decision.KEEP}
        rounds.decision_set(round=first, item=item, actor=coordinator, **decision)
    second = rounds.round_open(survey=survey, actor=coordinator)
    _rate(second, memberships, rng, previous=first)
    rounds.round_close(round=second, actor=coordinator)
    for item in round_items(round=second):
        if item.question.kind == Kind.RATING:
            rounds.decision_set(round=second, item=item, actor=coordinator, decision=Decision.KEEP)
    adopt.survey_adopt(survey=survey, actor=coordinator)


def _rate(round, memberships, rng, *, previous) -> None:
    """Each expert rates every asked item: the template's indicators 4 or 5 mostly, the
    candidates lower; in round 2 an expert moves one answer toward the panel and says why."""
    asked = [item for item in round_items(round=round) if item.question.kind == Kind.RATING]
    suggestion = round.survey.questions.get(kind=Kind.SUGGESTION)
    for number, membership in enumerate(memberships):
        response = responses.response_for_expert(round=round, membership=membership)
        earlier = responses.previous_answers(response=response) if previous else None
        answers: dict = {}
        reasons: dict = {}
        for item in asked:
            level = _level(rng, item)
            answered = (earlier or {}).get(str(item.question_id), {})
            if str(item.pk) in answered:
                before = answered[str(item.pk)]  # a level, or None: "cannot judge"
                # Most keep their answer; some move one step toward 4, with a reason.
                if before is not None and before != 4 and rng.random() < 0.3:
                    level = before + (1 if before < 4 else -1)
                    reasons[str(item.pk)] = REASONS[0 if level > before else 1]
                else:
                    level = before
            answers.setdefault(str(item.question_id), {})[str(item.pk)] = level
        if previous is None and number < 2:
            answers[str(suggestion.pk)] = {"text": "Customer data privacy, with its own law now."}
        responses.response_save(
            response=response,
            answers=answers,
            reasons=reasons,
            authority=_authority(number),
            submit=True,
            channel="page",
        )


def _level(rng, item: ScreeningItem) -> int | None:
    if item.name in CANDIDATES.values():
        centre = 2.2 if item.name == CANDIDATES["U1"] else 3.6
    else:
        centre = 4.3
    if rng.random() < 0.03:
        return None  # "cannot judge / not my field"
    return int(np.clip(np.rint(rng.normal(centre, 0.7)), 1, 5))


def _authority(number: int) -> dict:
    levels = ["high", "medium", "low"]
    return {
        "basis": {
            "practice": levels[number % 2],
            "theory": levels[(number + 1) % 3],
            "literature": "medium",
            "intuition": "low",
        },
        "familiarity": ["very_familiar", "familiar", "somewhat"][number % 3],
    }


def _risk_survey(evaluation, coordinator, rng) -> str:
    """The public survey; returns its open link's token (the survey is closed, so the link
    shows that its questionnaire is not open)."""
    survey = services.survey_create(
        evaluation=evaluation,
        actor=coordinator,
        title=RISK_SURVEY,
        introduction="A public questionnaire for owners of micro-stores.",
        rule="mean_threshold",
        ask_authority=False,
        reason_required=False,
        min_seconds=MIN_SECONDS,
    )
    ranking = services.question_add(
        survey=survey,
        actor=coordinator,
        kind=Kind.RANKING,
        text="Order these risks of your store by importance.",
        items=RISKS,
    )
    choice = services.question_add(
        survey=survey,
        actor=coordinator,
        kind=Kind.CHOICE,
        text="Which problem troubles your store most?",
        items=PROBLEMS,
        allow_other=True,
    )
    token = open_link.open_link_enable(survey=survey, actor=coordinator)
    round = rounds.round_open(survey=survey, actor=coordinator)
    risk_ids = list(ranking.items.order_by("order").values_list("pk", flat=True))
    options = list(choice.items.order_by("order"))
    appeal = np.array(RISK_APPEAL)
    for number in range(OPEN_RESPONDENTS):
        response = responses.response_for_open_link(
            survey=survey,
            token=token,
            respondent_key=f"demo-visitor-{number}",
            address=f"198.51.100.{number}",  # documentation addresses: one per visitor
        )
        # The order a visitor gives: risks drawn without replacement by their appeal; one in
        # eight ranks only the first two places.
        drawn = rng.choice(len(RISKS), size=len(RISKS), replace=False, p=appeal / appeal.sum())
        order = [int(index) for index in drawn]
        if rng.random() < 0.125:
            order = order[:2]
        pick = options[int(rng.integers(len(options)))]
        selected = {"selected": [pick.pk]}
        if pick.is_other:
            selected["other"] = "Rent rises every year"
        seconds = int(rng.integers(20, 50)) if number < TOO_FAST else int(rng.integers(90, 600))
        ScreeningResponse.objects.filter(pk=response.pk).update(
            started_at=response.started_at - timedelta(seconds=seconds)
        )
        response.refresh_from_db()
        responses.response_save(
            response=response,
            answers={
                str(ranking.pk): {"order": [risk_ids[i] for i in order]},
                str(choice.pk): selected,
            },
            submit=True,
            channel="page",
        )
    rounds.round_close(round=round, actor=coordinator)
    return token
