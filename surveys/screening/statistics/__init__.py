"""The statistics of screening rounds (DESIGN §2.8), through the engine
(evaluations.engine.screening), for the rounds page, its exports and the respondents' round-2
feedback.

`round_statistics(round=…)` reads one round's responses once (a fixed number of queries,
never one per response) and counts only the submitted, valid ones, experts' and open-link
alike; `survey_statistics(survey=…)` gives every round in order, side by side. The figures
are frozen dataclasses (figures.py). Modules: reading (the queries and the answers' tables),
questions (per question), panel (counts, authority, stability).
"""

from ..answers import CHOICE, SUGGESTION
from ..models import ScreeningRound, ScreeningSurvey
from . import panel, questions
from .figures import (  # noqa: F401 — the figures callers read
    W_ALL_TIED,
    W_TOO_FEW_EXPERTS,
    W_TOO_FEW_ITEMS,
    AuthorityStatistics,
    AuthorityTables,
    BoundaryLimits,
    ChoiceOption,
    ChoiceQuestionStatistics,
    Counts,
    DecisionRecord,
    ExpertAuthority,
    ItemStatistics,
    KendallW,
    QuestionStatistics,
    Remark,
    RoundStatistics,
    ScaleQuestionStatistics,
    SuggestionQuestionStatistics,
)
from .reading import RoundData, SurveyData


def round_statistics(*, round: ScreeningRound) -> RoundStatistics:
    """The figures of one round, compared with the previous round where there is one."""
    round = ScreeningRound.objects.select_related("survey__evaluation").get(pk=round.pk)
    data = SurveyData.read(round.survey)
    previous = round.survey.rounds.filter(number=round.number - 1).first()
    return _figures(data, RoundData.read(round), previous and RoundData.read(previous))


def survey_statistics(*, survey: ScreeningSurvey) -> list[RoundStatistics]:
    """Every round of the survey in order; each round is read once for its own figures and
    for the next round's comparison."""
    survey = ScreeningSurvey.objects.select_related("evaluation").get(pk=survey.pk)
    data = SurveyData.read(survey)
    figures, previous = [], None
    for round in survey.rounds.order_by("number"):
        round.survey = survey
        current = RoundData.read(round)
        figures.append(_figures(data, current, previous))
        previous = current
    return figures


def _figures(data: SurveyData, current: RoundData, previous: RoundData | None) -> RoundStatistics:
    survey, responses = data.survey, current.valid
    computed: list = []
    for question in data.questions:
        if question.kind == CHOICE:
            computed.append(questions.choice_question(question, data, current, responses))
        elif question.kind == SUGGESTION:
            computed.append(questions.suggestion_question(question, data, responses))
        else:
            computed.append(questions.scale_question(question, data, current, responses))
    overall, experts = None, 0
    if previous is not None:
        models = {question.pk: question for question in data.questions}
        computed, overall, experts = panel.stability(computed, models, current, previous)
    return RoundStatistics(
        round_id=current.round.pk,
        number=current.round.number,
        status=current.round.status,
        rule=survey.rule,
        threshold_share=survey.threshold_share,
        counts=panel.counts(current),
        questions=tuple(computed),
        authority=panel.authority(current, data.labels, survey) if survey.ask_authority else None,
        previous_number=previous.round.number if previous is not None else None,
        overall_changed_share=overall,
        stability_experts=experts,
    )
