"""The rounds page's tables, round by round side by side: the figures of
surveys.screening.statistics reshaped for templates/screening/rounds*.html (one row per item
across the rounds, one column group per round), with the labels and percentages the template
shows, and each question's chart of means."""

from dataclasses import dataclass, field

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import charts, exports
from .answers import BASES, FAMILIARITY, INFLUENCE_LEVELS, RANKING
from .forms_respond import BASIS_WORDS, FAMILIARITY_WORDS, INFLUENCE_WORDS
from .models import ScreeningSurvey
from .statistics import (
    W_ALL_TIED,
    W_TOO_FEW_EXPERTS,
    W_TOO_FEW_ITEMS,
    ChoiceQuestionStatistics,
    RoundStatistics,
    ScaleQuestionStatistics,
    SuggestionQuestionStatistics,
)

Rule = ScreeningSurvey.Rule
W_REASONS = {
    W_TOO_FEW_ITEMS: gettext_lazy("needs at least 2 items"),
    W_TOO_FEW_EXPERTS: gettext_lazy("needs at least 2 respondents who answered every item"),
    W_ALL_TIED: gettext_lazy("undefined: every respondent answered every item alike"),
}


def _pct(share: float | None) -> float | None:
    return None if share is None else 100 * share


def counts_rows(statistics: list[RoundStatistics]) -> list[tuple[str, list]]:
    """The responses table's rows (label, one count per round)."""
    rows = [
        (_("Invited"), "invited"),
        (_("Submitted"), "submitted"),
        (_("Valid"), "valid"),
        (_("Valid, invited experts"), "valid_experts"),
        (_("Valid, open link"), "valid_open"),
        (_("Started, not submitted"), "not_submitted"),
    ]
    table = [(label, [getattr(s.counts, name) for s in statistics]) for label, name in rows]
    invalid = [
        (_("Invalid: answered too fast"), "too_fast"),
        (_("Invalid: attention question missed"), "attention"),
    ]
    table[3:3] = [(label, [s.counts.invalid.get(r, 0) for s in statistics]) for label, r in invalid]
    return table


def percent_rows(statistics: list[RoundStatistics]) -> list[tuple[str, list]]:
    coefficient = _("Positive coefficient (valid expert responses / invited)")
    changed = _("Answers changed since the previous round (same experts)")
    return [
        (coefficient, [_pct(s.counts.positive_coefficient) for s in statistics]),
        (changed, [_pct(s.overall_changed_share) for s in statistics]),
    ]


def authority_tables(statistics: list[RoundStatistics]) -> dict | None:
    """The coefficient tables the experts' authority was read with, shown under it. Every
    round is read with the survey's tables as they are now, so the latest round's stand for
    all; None when the survey does not ask for the self-rating."""
    authority = statistics[-1].authority if statistics else None
    if authority is None:
        return None
    tables = authority.tables
    return {
        "basis_default": tables.basis_default,
        "familiarity_default": tables.familiarity_default,
        "influences": [INFLUENCE_WORDS[level] for level in INFLUENCE_LEVELS],
        "basis": [
            (BASIS_WORDS[basis], [f"{value:g}" for value in tables.basis[basis]]) for basis in BASES
        ],
        "familiarity": [
            (FAMILIARITY_WORDS[level], f"{tables.familiarity[level]:g}") for level in FAMILIARITY
        ],
    }


@dataclass
class Row:
    """One item across the rounds: its names as asked, and per round its figures or None."""

    item_id: int
    code: str
    names: list[str] = field(default_factory=list)
    cells: list = field(default_factory=list)


def cell(item) -> dict:
    decision = item.decision
    return {
        "s": item,
        "verdict": exports.verdict_label(item.verdict),
        "decision": exports.decision_label(decision.decision) if decision else "",
        "full_pct": _pct(item.full_score_share),
        "agreement_pct": _pct(item.agreement_share),
        "changed_pct": _pct(item.changed_share),
    }


def question_block(index: int, statistics: list[RoundStatistics]) -> dict:
    per_round = [s.questions[index] for s in statistics]
    first = per_round[-1]
    block = {
        "index": index + 1,
        "question": first,
        "kind": first.kind,
        "ranking": first.kind == RANKING,
        "rounds": statistics,
    }
    if isinstance(first, ScaleQuestionStatistics):
        block["rows"] = _rows(per_round)
        block["per_round"] = [
            _scale_summary(q, s.number) for q, s in zip(per_round, statistics, strict=True)
        ]
        block["chart"] = _chart(first, per_round, block["rows"], statistics)
    elif isinstance(first, ChoiceQuestionStatistics):
        block["rows"] = _choice_rows(per_round)
        block["per_round"] = per_round
    elif isinstance(first, SuggestionQuestionStatistics):
        block["per_round"] = per_round
    return block


def _rows(per_round: list[ScaleQuestionStatistics]) -> list[Row]:
    rows: dict[int, Row] = {}
    for position, question in enumerate(per_round):
        for item in question.items:
            row = rows.setdefault(item.item_id, Row(item.item_id, item.code))
            if item.name not in row.names:
                row.names.append(item.name)
            row.cells += [None] * (position - len(row.cells))
            row.cells.append(cell(item))
    for row in rows.values():
        row.cells += [None] * (len(per_round) - len(row.cells))
    return list(rows.values())


def _scale_summary(question: ScaleQuestionStatistics, number: int) -> dict:
    """One round's column of the rule-and-concordance table, and its distribution table."""
    kendall = question.kendall
    places = question.levels or len(question.items)
    return {
        "q": question,
        "round_number": number,
        "values": range(1, places + 1),
        "points": ", ".join(f"{p:g}" for p in question.points),
        "rule": exports.rule_label(question.rule),
        "w_reason": W_REASONS.get(question.kendall_missing, ""),
        "kendall": kendall,
        "changed_pct": _pct(question.overall_changed_share),
        "agreement_pct": _pct(question.consensus_min_agreement),
    }


def _threshold(question: ScaleQuestionStatistics) -> float | None:
    """The line the chart draws: the mean rule's threshold, or the boundary-value method's
    least mean; the consensus rule does not judge the mean."""
    if question.rule == Rule.BOUNDARY_VALUE:
        return question.boundary.mean if question.boundary else None
    if question.rule == Rule.CONSENSUS:
        return None
    return question.threshold


def _chart(first, per_round, rows: list[Row], statistics: list[RoundStatistics]) -> str:
    series = [_("Round {number}").format(number=s.number) for s in statistics]
    values = [_threshold(q) for q in per_round]
    if len(set(values)) == 1:
        thresholds = [(_("Threshold"), values[0])] if values[0] is not None else []
    else:
        thresholds = [
            (_("Threshold, round {number}").format(number=s.number), value)
            for s, value in zip(statistics, values, strict=True)
            if value is not None
        ]
    items = [
        (f"{row.code} {row.names[-1]}".strip(), [c["s"].mean if c else None for c in row.cells])
        for row in rows
    ]
    markup = charts.means_chart(
        items,
        series=series,
        thresholds=thresholds,
        top=max(q.top_score for q in per_round),
        chart_id=f"chart-means-{first.question_id}",
        title=_("Means of “{question}”").format(question=first.text),
        description=_(
            "One bar per item and round from 0 to the full score, the mean printed after it; "
            "the dashed line is the screening threshold on the mean."
        ),
    )
    return mark_safe(markup)  # charts.py escapes every text it places


def _choice_rows(per_round: list[ChoiceQuestionStatistics]) -> list[dict]:
    rows: dict[int, dict] = {}
    for position, question in enumerate(per_round):
        for option in question.options:
            row = rows.setdefault(option.item_id, {"name": option.name, "cells": []})
            row["cells"] += [None] * (position - len(row["cells"]))
            row["cells"].append(option)
    for row in rows.values():
        row["cells"] += [None] * (len(per_round) - len(row["cells"]))
    return list(rows.values())


def changes(before: RoundStatistics, after: RoundStatistics) -> dict:
    """What the coordinator decided after `before`, what `after` asked anew, and why the
    respondents changed their answers in `after`."""
    decided, added, reasons = [], [], []
    for question in before.questions:
        for item in getattr(question, "items", ()):
            if item.decision is not None:
                verdict = exports.verdict_label(item.decision.rule_verdict)
                decided.append(
                    {"item": item, "decision": cell(item)["decision"], "verdict": verdict}
                )
    for question in after.questions:
        for item in getattr(question, "items", ()):
            if item.new:
                added.append(item)
            if item.reasons:
                reasons.append(item)
    return {
        "before": before,
        "after": after,
        "decided": decided,
        "added": added,
        "reasons": reasons,
        "changed_pct": _pct(after.overall_changed_share),
    }
