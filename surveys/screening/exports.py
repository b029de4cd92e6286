"""A screening round's statistics as CSV (UTF-8 with a BOM), XLSX and JSON.

CSV and XLSX are written by the results' writers (evaluations.exports) from the same tables,
so every text cell goes through their formula neutralisation and numbers stay numbers; the
JSON is the round's figures (surveys.screening.statistics) as they are, the page's numbers.
"""

import dataclasses
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from evaluations import exports as writers
from evaluations.exports import Percent, Section, Table

from .models import ItemDecision, ScreeningSurvey
from .statistics import (
    AuthorityStatistics,
    ChoiceQuestionStatistics,
    RoundStatistics,
    ScaleQuestionStatistics,
    SuggestionQuestionStatistics,
)

FORMATS = writers.FORMATS
CONTENT_TYPES = writers.CONTENT_TYPES


def _percent(share: float | None) -> Percent | None:
    return None if share is None else Percent(share)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def verdict_label(verdict: str) -> str:
    labels = {"keep": _("keep"), "drop": _("drop"), "discuss": _("discuss")}
    return labels.get(verdict, verdict)


def decision_label(decision: str) -> str:
    return str(ItemDecision.Decision(decision).label)


def rule_label(rule: str) -> str:
    return str(ScreeningSurvey.Rule(rule).label)


def round_tables(*, statistics: RoundStatistics) -> list[Table]:
    """Every table of the round, in the page's order."""
    tables = [_responses_table(statistics)]
    for number, question in enumerate(statistics.questions, start=1):
        if isinstance(question, ScaleQuestionStatistics):
            tables.append(_scale_table(number, question))
        elif isinstance(question, ChoiceQuestionStatistics):
            tables.append(_choice_table(number, question))
        elif isinstance(question, SuggestionQuestionStatistics):
            tables.append(_suggestion_table(number, question))
    if statistics.authority is not None:
        tables.append(_authority_table(statistics.authority))
    return tables


def _responses_table(statistics: RoundStatistics) -> Table:
    counts = statistics.counts
    rows = [
        [_("Invited"), counts.invited],
        [_("Submitted"), counts.submitted],
        [_("Valid"), counts.valid],
        [_("Valid, invited experts"), counts.valid_experts],
        [_("Valid, open link"), counts.valid_open],
        [_("Invalid: answered too fast"), counts.invalid.get("too_fast", 0)],
        [_("Invalid: attention question missed"), counts.invalid.get("attention", 0)],
        [_("Started, not submitted"), counts.not_submitted],
        [_("Positive coefficient"), _percent(counts.positive_coefficient)],
        [_("Screening rule"), rule_label(statistics.rule)],
        [_("Share of the full score"), statistics.threshold_share],
    ]
    if statistics.previous_number is not None:
        changed = _percent(statistics.overall_changed_share)
        rows.append([_("Answers changed since the previous round"), changed])
    title = _("Round {number}: responses").format(number=statistics.number)
    return Table(title, _("Responses"), [Section([_("Figure"), _("Value")], rows)])


def _scale_table(number: int, question: ScaleQuestionStatistics) -> Table:
    header = [
        _("Code"), _("Item"), _("Valid N"), _("Missing"), _("Cannot judge"), _("Mean"),
        _("Standard error"), _("Standard deviation"), _("Variance"), _("Coefficient of variation"),
        _("Median"), _("Interquartile range"), _("Full-score share"), _("Agreement"),
        _("Key factor"), _("Rule's verdict"), _("Decision"), _("New name"), _("Merged into"),
        _("Note"), _("Change of CV"), _("Answers changed"),
    ]  # fmt: skip
    rows = [
        [
            item.code, item.name, item.valid, item.missing, item.cannot_judge, item.mean,
            item.se, item.sd, item.variance, item.cv, item.median, item.iqr,
            _percent(item.full_score_share), _percent(item.agreement_share),
            _yes_no(item.key_factor), verdict_label(item.verdict), *_decision_cells(item),
            item.cv_change, _percent(item.changed_share),
        ]
        for item in question.items
    ]  # fmt: skip
    sections = [Section(header, rows), Section(None, _figures(question))]
    sections.append(_distribution(question))
    reasons = [[item.name, r.author, r.text] for item in question.items for r in item.reasons]
    if reasons:
        sections.append(Section([_("Item"), _("Respondent"), _("Reason for the change")], reasons))
    return Table(question.text, _("Q{number}").format(number=number), sections)


def _decision_cells(item) -> list[str]:
    """Decision, new name, merged into, note ("" without a decision)."""
    decision = item.decision
    if decision is None:
        return ["", "", "", ""]
    label = decision_label(decision.decision)
    return [label, decision.new_name, decision.merged_into, decision.note]


def _figures(question: ScaleQuestionStatistics) -> list[list]:
    rows = [
        [_("Screening rule"), rule_label(question.rule)],
        [_("Full score"), question.top_score],
        [_("Threshold on the mean"), question.threshold],
    ]
    if question.points:
        rows.append([_("Points per place"), ", ".join(f"{p:g}" for p in question.points)])
    if question.agreement_level is not None:
        rows.append([_("Agreement from level"), question.agreement_level])
    if question.boundary is not None:
        rows += [
            [_("Boundary: mean at least"), question.boundary.mean],
            [_("Boundary: full-score share at least"), question.boundary.full_score_share],
            [_("Boundary: CV at most"), question.boundary.cv],
        ]
    if question.consensus_max_iqr is not None:
        rows += [
            [_("Consensus: IQR at most"), question.consensus_max_iqr],
            [_("Consensus: agreement at least"), _percent(question.consensus_min_agreement)],
        ]
    kendall = question.kendall
    if kendall is not None:
        rows += [
            [_("Kendall's W"), kendall.w],
            ["χ²", kendall.chi2],
            [_("Degrees of freedom"), kendall.df],
            ["p", kendall.p],
            [_("Experts with every item answered"), kendall.experts],
        ]
    return rows


def _distribution(question: ScaleQuestionStatistics) -> Section:
    if question.levels:
        columns = [str(level) for level in range(1, question.levels + 1)]
    else:
        columns = [_("Place {n}").format(n=n) for n in range(1, len(question.items) + 1)]
    rows = [[item.code, item.name, *item.distribution] for item in question.items]
    return Section([_("Code"), _("Item"), *columns], rows)


def _choice_table(number: int, question: ChoiceQuestionStatistics) -> Table:
    rows = [[o.name, o.count, _percent(o.share)] for o in question.options]
    sections = [
        Section([_("Option"), _("Count"), _("Percentage")], rows),
        Section(None, [[_("Respondents who answered"), question.answered]]),
    ]
    if question.other_texts:
        others = [[r.author, r.text] for r in question.other_texts]
        sections.append(Section([_("Respondent"), _("“Other” answer")], others))
    return Table(question.text, _("Q{number}").format(number=number), sections)


def _suggestion_table(number: int, question: SuggestionQuestionStatistics) -> Table:
    rows = [[r.author, r.text] for r in question.suggestions]
    return Table(
        question.text,
        _("Q{number}").format(number=number),
        [Section([_("Respondent"), _("Suggestion")], rows)],
    )


def _authority_table(authority: AuthorityStatistics) -> Table:
    rows = [[e.label, e.ca, e.cs, e.cr] for e in authority.experts]
    summary = [
        [_("Panel's authority Cr (mean)"), authority.panel],
        [_("Customarily acceptable from"), authority.acceptable_line],
        [_("Acceptable"), _yes_no(authority.acceptable)],
    ]
    return Table(
        _("Experts' authority"),
        _("Authority"),
        [Section([_("Expert"), "Ca", "Cs", "Cr"], rows), Section(None, summary)],
    )


def export_round(*, survey: ScreeningSurvey, statistics: RoundStatistics, fmt: str) -> bytes:
    """The round's statistics in `fmt` (csv, xlsx or json)."""
    if fmt == "json":
        payload = {
            "evaluation": survey.evaluation_id,
            "survey": survey.pk,
            "title": survey.title,
            "round": statistics.number,
            "statistics": dataclasses.asdict(statistics),
        }
        return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
    tables = round_tables(statistics=statistics)
    writer = writers.export_csv if fmt == "csv" else writers.export_xlsx
    return writer(tables=tables)


def export_filename(*, survey: ScreeningSurvey, number: int, fmt: str) -> str:
    return f"ahpanel-evaluation-{survey.evaluation_id}-screening-{survey.pk}-round-{number}.{fmt}"
