"""Each question's figures in one round, computed by the engine (evaluations.engine.screening)
from the tables surveys.screening.statistics.reading builds."""

import math

import numpy as np

from evaluations.engine import screening

from ..answers import DEFAULT_LEVELS, RANKING
from ..models import ScreeningItem, ScreeningResponse, ScreeningSurvey
from .figures import (
    W_ALL_TIED,
    W_TOO_FEW_EXPERTS,
    W_TOO_FEW_ITEMS,
    BoundaryLimits,
    ChoiceOption,
    ChoiceQuestionStatistics,
    ItemStatistics,
    KendallW,
    ScaleQuestionStatistics,
    SuggestionQuestionStatistics,
)
from .reading import (
    RoundData,
    SurveyData,
    choice_selections,
    ranking_orders,
    rating_table,
    reasons_for,
    suggestions,
)

Rule = ScreeningSurvey.Rule


def number(value) -> float | None:
    """A float for the figures, None where the engine says NaN (undefined)."""
    value = float(value)
    return None if math.isnan(value) else value


def points_for(question, t: int) -> np.ndarray | None:
    """The points per place of a ranking that asks t items: the question's scoring cut to its
    first t places (an item dropped after round 1 leaves the lower places unused), or None for
    t, t − 1, …, 1."""
    if not question.scoring:
        return None
    return np.array(question.scoring[:t], dtype=float)


def scale_question(
    question, data: SurveyData, round_data: RoundData, responses: list[ScreeningResponse]
) -> ScaleQuestionStatistics:
    """A ranking's or rating's per-item figures, verdicts and Kendall's W."""
    items = round_data.by_question.get(question.pk, [])
    survey = data.survey
    if question.kind == RANKING:
        table, cannot, distribution, points = _ranking(question, items, responses)
        top = float(points[0]) if len(points) else float(len(items))
        levels, agreement_level = None, None
    else:
        table, cannot = rating_table(question, items, responses)
        levels = question.levels or DEFAULT_LEVELS
        distribution = _counts_per_value(table, range(1, levels + 1))
        points, top = np.array([]), float(levels)
        agreement_level = survey.agreement_level or screening.default_agreement_level(levels)
    described = screening.describe(table, full_score=top)
    agreement = (
        screening.agreement_share(table, agreement_level)
        if agreement_level is not None
        else np.full(len(items), np.nan)
    )
    threshold = screening.key_threshold(top, survey.threshold_share) if items else 0.0
    rule = Rule.MEAN_THRESHOLD if question.kind == RANKING else survey.rule
    verdicts, boundary = _verdicts(rule, described, agreement, threshold, survey)
    kendall, missing = _kendall(table)
    figures = []
    for index, item in enumerate(items):
        figures.append(
            ItemStatistics(
                item_id=item.pk,
                name=data.name_in(item, round_data.round.number),
                code=item.indicator.code if item.indicator_id else "",
                new=item.first_round == round_data.round.number and item.first_round > 1,
                valid=int(described.valid[index]),
                missing=int(described.missing[index]),
                cannot_judge=int(cannot[index]),
                mean=number(described.mean[index]),
                se=number(described.se[index]),
                sd=number(described.sd[index]),
                variance=number(described.variance[index]),
                cv=number(described.cv[index]),
                median=number(described.median[index]),
                iqr=number(described.iqr[index]),
                full_score_count=int(described.full_score_count[index]),
                full_score_share=number(described.full_score_share[index]),
                agreement_share=number(agreement[index]),
                distribution=tuple(int(c) for c in distribution[index]),
                key_factor=(
                    bool(screening.is_key(described.mean[index], threshold))
                    if question.kind == RANKING
                    else None
                ),
                verdict=verdicts[index],
                reasons=reasons_for(item, responses, data.labels),
                decision=data.decision(round_data.round.number, item.pk),
            )
        )
    return ScaleQuestionStatistics(
        question_id=question.pk,
        kind=question.kind,
        text=question.text,
        respondents=len(responses),
        levels=levels,
        points=tuple(float(p) for p in points),
        top_score=top,
        rule=rule,
        threshold=threshold,
        agreement_level=agreement_level,
        boundary=boundary,
        consensus_max_iqr=survey.consensus_max_iqr if rule == Rule.CONSENSUS else None,
        consensus_min_agreement=(
            survey.consensus_min_agreement if rule == Rule.CONSENSUS else None
        ),
        kendall=kendall,
        kendall_missing=missing,
        items=tuple(figures),
    )


def _ranking(question, items: list[ScreeningItem], responses: list[ScreeningResponse]):
    """Scores (respondents × t), no "cannot judge", the count per place, the points used."""
    t = len(items)
    orders = ranking_orders(question, items, responses)
    if t == 0:
        return np.empty((len(responses), 0)), np.zeros(0, dtype=int), np.zeros((0, 0)), []
    points = points_for(question, t)
    scores = screening.ranking_scores(orders, t, None if points is None else points.tolist())
    places = np.full((len(orders), t), np.nan)
    for row, order in enumerate(orders):
        places[row, order] = np.arange(1, len(order) + 1)
    distribution = _counts_per_value(places, range(1, t + 1))
    used = points if points is not None else np.arange(t, 0, -1, dtype=float)
    return scores, np.zeros(t, dtype=int), distribution, used


def _counts_per_value(table: np.ndarray, values: range) -> np.ndarray:
    """items × values: how many answered each value (a level, or a place)."""
    if table.shape[1] == 0:
        return np.zeros((0, len(values)), dtype=int)
    return np.stack([(table == value).sum(axis=0) for value in values], axis=1)


def _verdicts(rule: str, described, agreement: np.ndarray, threshold: float, survey):
    """Per item "keep" / "drop" / "discuss" by the rule, and the boundary thresholds.

    Mean rule: keep above the threshold, drop at or below it; an item nobody answered has no
    mean and is discussed rather than dropped on no evidence."""
    means = described.mean
    if len(means) == 0:
        return [], None
    if rule == Rule.BOUNDARY_VALUE:
        cvs, shares = described.cv, described.full_score_share
        limits = screening.boundary_thresholds(means, shares, cvs)
        boundary = BoundaryLimits(
            mean=number(limits.mean),
            full_score_share=number(limits.full_score_share),
            cv=number(limits.cv),
        )
        return screening.boundary_value(means, shares, cvs), boundary
    if rule == Rule.CONSENSUS:
        agreed = screening.consensus(
            described.iqr,
            agreement,
            max_iqr=survey.consensus_max_iqr,
            min_agreement=survey.consensus_min_agreement,
        )
        return [screening.KEEP if a else screening.DISCUSS for a in agreed], None
    key = screening.key_factors(means, threshold)
    verdicts = [
        screening.DISCUSS if math.isnan(m) else screening.KEEP if k else screening.DROP
        for m, k in zip(means, key, strict=True)
    ]
    return verdicts, None


def _kendall(table: np.ndarray) -> tuple[KendallW | None, str]:
    """Kendall's W over the complete rows; None and the reason when it cannot be computed."""
    if table.shape[1] < 2:
        return None, W_TOO_FEW_ITEMS
    if int((~np.isnan(table).any(axis=1)).sum()) < 2:
        return None, W_TOO_FEW_EXPERTS
    result = screening.kendall_w(table)
    figures = KendallW(
        w=number(result.w),
        chi2=number(result.chi2),
        df=int(result.df),
        p=number(result.p),
        experts=int(result.experts),
    )
    return figures, W_ALL_TIED if figures.w is None else ""


def choice_question(
    question, data: SurveyData, round_data: RoundData, responses: list[ScreeningResponse]
) -> ChoiceQuestionStatistics:
    """Counts and shares per option (the engine's choice_table) and the "other" texts."""
    items = round_data.by_question.get(question.pk, [])
    selections, others = choice_selections(question, items, responses, data.labels)
    options = []
    if items:
        table = screening.choice_table(selections, [item.pk for item in items])
        for index, item in enumerate(items):
            options.append(
                ChoiceOption(
                    item_id=item.pk,
                    name=data.name_in(item, round_data.round.number),
                    is_other=item.is_other,
                    count=int(table.counts[index]),
                    share=number(table.share[index]),
                )
            )
        answered = table.answered
    else:
        answered = 0
    return ChoiceQuestionStatistics(
        question_id=question.pk,
        kind=question.kind,
        text=question.text,
        multiple=question.multiple,
        answered=answered,
        options=tuple(options),
        other_texts=tuple(others),
    )


def suggestion_question(
    question, data: SurveyData, responses: list[ScreeningResponse]
) -> SuggestionQuestionStatistics:
    return SuggestionQuestionStatistics(
        question_id=question.pk,
        kind=question.kind,
        text=question.text,
        suggestions=tuple(suggestions(question, responses, data.labels)),
    )
