"""The round's respondents: who answered (counts and the positive coefficient), the experts'
authority, and how the same experts' answers moved since the previous round."""

import dataclasses

import numpy as np

from evaluations.engine import screening

from ..answers import BASES, RANKING, RATING
from ..authority_tables import basis_table_of, familiarity_table_of
from ..models import ScreeningResponse, ScreeningSurvey
from ..responses import INVALID_ATTENTION, INVALID_TOO_FAST
from .figures import (
    AuthorityStatistics,
    AuthorityTables,
    Counts,
    ExpertAuthority,
    ScaleQuestionStatistics,
)
from .questions import number, points_for
from .reading import Labels, RoundData, ranking_orders, rating_table

SUBMITTED = ScreeningResponse.Status.SUBMITTED


def counts(round_data: RoundData) -> Counts:
    responses = round_data.responses
    submitted = [r for r in responses if r.status == SUBMITTED]
    valid = round_data.valid
    valid_experts = sum(1 for r in valid if r.membership_id is not None)
    invited = round_data.round.invited
    return Counts(
        invited=invited,
        submitted=len(submitted),
        valid=len(valid),
        valid_experts=valid_experts,
        valid_open=len(valid) - valid_experts,
        invalid={
            reason: sum(1 for r in submitted if r.valid is False and r.invalid_reason == reason)
            for reason in (INVALID_TOO_FAST, INVALID_ATTENTION)
        },
        not_submitted=len(responses) - len(submitted),
        positive_coefficient=_positive_coefficient(valid_experts, invited),
    )


def _positive_coefficient(responses: int, invited: int) -> float | None:
    if invited < 1:
        return None
    if responses > invited:
        # `invited` counts the panel when the round opened; experts who joined later and
        # answered push the share past 1, which the engine refuses as impossible. Shown as is.
        return responses / invited
    return screening.response_rate(responses, invited)


def authority(
    round_data: RoundData, labels: Labels, survey: ScreeningSurvey
) -> AuthorityStatistics:
    """Ca, Cs and Cr of each valid expert response with a complete self-rating, with the
    survey's coefficient tables (the common defaults where it has none)."""
    tables = authority_tables(survey)
    rated = []
    for response in round_data.valid:
        rating = response.authority or {}
        basis, familiarity = rating.get("basis") or {}, rating.get("familiarity")
        if response.membership_id is None or set(basis) != set(BASES):
            continue
        if familiarity not in tables.familiarity:
            continue
        ca = screening.judgment_basis_coefficient(basis, tables.basis)
        cs = screening.familiarity_coefficient(familiarity, tables.familiarity)
        rated.append((labels.of(response), ca, cs))
    line = screening.ACCEPTABLE_AUTHORITY
    if not rated:
        return AuthorityStatistics(
            experts=(), panel=None, acceptable_line=line, acceptable=None, tables=tables
        )
    cr = screening.authority([ca for _, ca, _ in rated], [cs for _, _, cs in rated])
    panel = screening.panel_authority(cr)
    experts = tuple(
        ExpertAuthority(label=label, ca=ca, cs=cs, cr=float(value))
        for (label, ca, cs), value in zip(rated, cr, strict=True)
    )
    return AuthorityStatistics(
        experts=experts,
        panel=panel,
        acceptable_line=line,
        acceptable=panel >= line,
        tables=tables,
    )


def authority_tables(survey: ScreeningSurvey) -> AuthorityTables:
    return AuthorityTables(
        basis=dict(basis_table_of(survey)),
        familiarity=dict(familiarity_table_of(survey)),
        basis_default=survey.basis_table is None,
        familiarity_default=survey.familiarity_table is None,
    )


def stability(
    questions: list, models: dict, current: RoundData, previous: RoundData
) -> tuple[list, float | None, int]:
    """The scale questions with each item's CV change and changed share filled in, the overall
    share of changed answers, and how many experts answered validly in both rounds.

    Only the same experts are compared (open-link respondents are not followed across
    rounds), on the items both rounds asked. A ranking is compared only when both rounds asked
    the same items: with another t its points mean something else."""
    before, now = previous.valid_experts(), current.valid_experts()
    experts = sorted(set(before) & set(now))
    rows_before = [before[m] for m in experts]
    rows_now = [now[m] for m in experts]
    tables_before, tables_now, columns = [], [], []
    for figures in questions:
        if not isinstance(figures, ScaleQuestionStatistics):
            continue
        question = models[figures.question_id]
        pair = _tables(question, current, previous, rows_before, rows_now)
        if pair is None:
            continue
        (table_before, table_now), ids = pair
        tables_before.append(table_before)
        tables_now.append(table_now)
        columns += [(figures.question_id, item_id) for item_id in ids]
    if not columns:
        return questions, None, len(experts)
    result = screening.stability(np.hstack(tables_before), np.hstack(tables_now))
    per_item = {
        key: (result.cv_change[i], result.changed_share[i], int(result.answered_both[i]))
        for i, key in enumerate(columns)
    }
    return (
        [_with_stability(q, per_item, len(experts)) for q in questions],
        number(result.overall_changed_share),
        len(experts),
    )


def _tables(question, current: RoundData, previous: RoundData, rows_before, rows_now):
    """The previous and current tables of one question over the same experts and the items
    both rounds asked, or None when the question cannot be compared."""
    items_now = current.by_question.get(question.pk, [])
    items_before = {item.pk for item in previous.by_question.get(question.pk, [])}
    common = [item for item in items_now if item.pk in items_before]
    if not common:
        return None
    if question.kind == RATING:
        before, _ = rating_table(question, common, rows_before)
        now, _ = rating_table(question, common, rows_now)
        return (before, now), [item.pk for item in common]
    if question.kind == RANKING and len(common) == len(items_now) == len(items_before):
        t = len(common)
        points = points_for(question, t)
        points = None if points is None else points.tolist()
        before = screening.ranking_scores(ranking_orders(question, common, rows_before), t, points)
        now = screening.ranking_scores(ranking_orders(question, common, rows_now), t, points)
        return (before, now), [item.pk for item in common]
    return None


def _with_stability(figures, per_item: dict, experts: int):
    if not isinstance(figures, ScaleQuestionStatistics):
        return figures
    items, changed, both, compared = [], 0, 0, False
    for item in figures.items:
        found = per_item.get((figures.question_id, item.item_id))
        if found is None:
            items.append(item)
            continue
        cv_change, share, answered = found
        compared = True
        items.append(
            dataclasses.replace(
                item,
                cv_change=number(cv_change),
                changed_share=number(share),
                answered_both=answered,
            )
        )
        if answered:
            # The engine gives shares; the share times its base is the whole count again.
            changed += round(float(share) * answered)
            both += answered
    if not compared:
        return figures
    return dataclasses.replace(
        figures,
        items=tuple(items),
        overall_changed_share=(changed / both) if both else None,
        stability_experts=experts,
    )
