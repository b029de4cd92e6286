"""Reading a survey's rounds for the statistics: a few queries per round, never one per
response, and the answers' layout (surveys.screening.answers) turned into the engine's tables.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from experts.models import PanelMembership

from ..models import ItemDecision, ScreeningItem, ScreeningResponse, ScreeningRound, ScreeningSurvey
from ..selectors import round_items
from .figures import DecisionRecord, Remark

SUBMITTED = ScreeningResponse.Status.SUBMITTED
REVISE = ItemDecision.Decision.REVISE


class Labels:
    """Who wrote a text, as the ballots' comments say it (evaluations.results.comments): the
    expert's name when the evaluation's comments_named is set, else "Expert n" with the same n
    for the same expert in every round (numbered in the panel's order); open-link respondents
    are anonymous either way. The panel is read once, and only when a label needs it."""

    def __init__(self, survey: ScreeningSurvey):
        self.named = survey.evaluation.comments_named
        self.evaluation_id = survey.evaluation_id
        self._numbers: dict[int, int] | None = None

    def of(self, response: ScreeningResponse) -> str:
        if response.membership_id is None:
            return _("Anonymous respondent")
        if self.named:
            return response.membership.display_name
        if self._numbers is None:
            panel = PanelMembership.objects.filter(evaluation_id=self.evaluation_id)
            ids = panel.order_by("created_at", "id").values_list("pk", flat=True)
            self._numbers = {pk: number for number, pk in enumerate(ids, start=1)}
        return _("Expert {number}").format(number=self._numbers[response.membership_id])


@dataclass
class SurveyData:
    """What every round of a survey shares: its questions and every decision taken."""

    survey: ScreeningSurvey
    questions: list
    decisions: list[ItemDecision]
    labels: Labels

    @classmethod
    def read(cls, survey: ScreeningSurvey) -> "SurveyData":
        decisions = ItemDecision.objects.filter(round__survey=survey).select_related(
            "round", "merged_into"
        )
        return cls(
            survey=survey,
            questions=list(survey.questions.all()),
            decisions=list(decisions),
            labels=Labels(survey),
        )

    def decision(self, round_number: int, item_id: int) -> DecisionRecord | None:
        for d in self.decisions:
            if d.round.number == round_number and d.item_id == item_id:
                return DecisionRecord(
                    decision=d.decision,
                    rule_verdict=d.rule_verdict,
                    note=d.note,
                    previous_name=d.previous_name,
                    new_name=d.new_name,
                    merged_into=d.merged_into.name if d.merged_into else "",
                    merged_into_id=d.merged_into_id,
                )
        return None

    def name_in(self, item: ScreeningItem, round_number: int) -> str:
        """The item's name while round `round_number` asked it: a later "revise" keeps the
        name it replaced, so the earliest revision at or after that round holds it."""
        revisions = [
            d
            for d in self.decisions
            if d.item_id == item.pk and d.decision == REVISE and d.round.number >= round_number
        ]
        if not revisions:
            return item.name
        return min(revisions, key=lambda d: d.round.number).previous_name or item.name


@dataclass
class RoundData:
    """One round: the items it asked, in the form's order, and all its responses."""

    round: ScreeningRound
    items: list[ScreeningItem]
    responses: list[ScreeningResponse]
    by_question: dict[int, list[ScreeningItem]] = field(default_factory=dict)

    @classmethod
    def read(cls, round: ScreeningRound) -> "RoundData":
        items = list(round_items(round=round).select_related("indicator"))
        responses = list(round.responses.select_related("membership").order_by("started_at", "id"))
        by_question: dict[int, list[ScreeningItem]] = {}
        for item in items:
            by_question.setdefault(item.question_id, []).append(item)
        return cls(round=round, items=items, responses=responses, by_question=by_question)

    @property
    def valid(self) -> list[ScreeningResponse]:
        """The responses the statistics count: submitted and valid, experts' and open-link."""
        return [r for r in self.responses if r.status == SUBMITTED and r.valid is True]

    def valid_experts(self) -> dict[int, ScreeningResponse]:
        return {r.membership_id: r for r in self.valid if r.membership_id is not None}


def _answer(response: ScreeningResponse, question_id: int) -> dict:
    answer = (response.answers or {}).get(str(question_id))
    return answer if isinstance(answer, dict) else {}


def rating_table(
    question, items: list[ScreeningItem], responses: Iterable[ScreeningResponse]
) -> tuple[np.ndarray, np.ndarray]:
    """Respondents × items levels (NaN: not rated or "cannot judge"), and per item the count
    of "cannot judge" (a null level, DESIGN §2.8: left out of N)."""
    responses = list(responses)
    table = np.full((len(responses), len(items)), np.nan)
    cannot = np.zeros(len(items), dtype=int)
    levels = question.levels or 5
    for row, response in enumerate(responses):
        answer = _answer(response, question.pk)
        for column, item in enumerate(items):
            key = str(item.pk)
            if key not in answer:
                continue
            level = answer[key]
            if level is None:
                cannot[column] += 1
            elif isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= levels:
                table[row, column] = level
    return table, cannot


def ranking_orders(
    question, items: list[ScreeningItem], responses: Iterable[ScreeningResponse]
) -> list[list[int]]:
    """Each respondent's order as column indices, most important first. Ids the round did not
    ask are passed over (the answers' rules refuse them; old data should not break a page)."""
    column = {item.pk: index for index, item in enumerate(items)}
    orders = []
    for response in responses:
        order, seen = [], set()
        for item_id in _answer(response, question.pk).get("order") or []:
            if item_id in column and item_id not in seen:
                order.append(column[item_id])
                seen.add(item_id)
        orders.append(order)
    return orders


def choice_selections(
    question, items: list[ScreeningItem], responses: Iterable[ScreeningResponse], labels: Labels
) -> tuple[list[list[int]], list[Remark]]:
    """Each respondent's chosen item ids (asked ones only) and the "other" texts written."""
    asked = {item.pk for item in items}
    selections, others = [], []
    for response in responses:
        answer = _answer(response, question.pk)
        chosen = [i for i in dict.fromkeys(answer.get("selected") or []) if i in asked]
        selections.append(chosen)
        text = answer.get("other")
        if isinstance(text, str) and text.strip():
            others.append(Remark(author=labels.of(response), text=text.strip()))
    return selections, others


def suggestions(question, responses: Iterable[ScreeningResponse], labels: Labels) -> list[Remark]:
    remarks = []
    for response in responses:
        text = _answer(response, question.pk).get("text")
        if isinstance(text, str) and text.strip():
            remarks.append(Remark(author=labels.of(response), text=text.strip()))
    return remarks


def reasons_for(
    item: ScreeningItem, responses: Iterable[ScreeningResponse], labels: Labels
) -> tuple[Remark, ...]:
    """Why respondents changed their answer to the item since the previous round."""
    remarks = []
    for response in responses:
        text = (response.reasons or {}).get(str(item.pk))
        if isinstance(text, str) and text.strip():
            remarks.append(Remark(author=labels.of(response), text=text.strip()))
    return tuple(remarks)
