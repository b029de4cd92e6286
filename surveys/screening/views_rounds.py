"""The coordinator's rounds page: every round's statistics side by side (surveys.screening.
statistics), what changed between rounds and why, the decisions after the latest closed round,
suggested items, opening and closing rounds, and each round's exports.

Every view starts from survey_for_coordinator (another coordinator's survey is a 404). Changes
are POSTs, each one service call of surveys.screening.rounds. A refused form is shown again
with its errors and answers 400; a refusal by the round's state (already closed, still open,
opened meanwhile in another tab) is a message on the page the view redirects to.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from evaluations.models import Indicator
from evaluations.selectors import indicator_tree

from . import exports, rounds
from . import rounds_tables as tables
from .answers import CHOICE, RANKING, RATING
from .checks import ERROR_GONE, ERROR_NOT_THIS_EVALUATION
from .items import HELP_TEXT_LIMIT
from .models import ItemDecision, ScreeningItem, ScreeningRound, ScreeningSurvey
from .selectors import round_items, survey_for_coordinator
from .statistics import (
    RoundStatistics,
    ScaleQuestionStatistics,
    round_statistics,
    survey_statistics,
)

NAME_LIMIT = ScreeningItem._meta.get_field("name").max_length
NOTE_LIMIT = ItemDecision._meta.get_field("note").max_length
# Fields a refusal names that are the round's state, not the form's input: shown as messages.
STATE_FIELDS = ("round", "item", "question", "survey", "questions")


# --- forms ---------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"))
    new_name = forms.CharField(
        label=gettext_lazy("New name (revise)"), max_length=NAME_LIMIT, required=False
    )
    merged_into = forms.TypedChoiceField(
        label=gettext_lazy("Merge into"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=NOTE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, targets: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("", "—"), *ItemDecision.Decision.choices]
        self.fields["merged_into"].choices = [("", "—"), *targets]


class SuggestedItemForm(forms.Form):
    # Which of the page's forms this is (a suggestion's number, or "new"): shown open again.
    key = forms.CharField(widget=forms.HiddenInput, max_length=12, required=False)
    question = forms.TypedChoiceField(label=gettext_lazy("Add to the question"), coerce=int)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=NAME_LIMIT)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=HELP_TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    place_under = forms.TypedChoiceField(
        label=gettext_lazy("Place under (for Adopt)"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args, questions, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = questions
        self.fields["place_under"].choices = [("", "—"), *parents]


# --- access --------------------------------------------------------------------------------


def _survey(request: HttpRequest, evaluation_id: int, survey_id: int) -> ScreeningSurvey:
    survey = survey_for_coordinator(user=request.user, survey_id=survey_id)
    if survey.evaluation_id != evaluation_id:
        raise Http404
    return survey


def _round(survey: ScreeningSurvey, number: int) -> ScreeningRound:
    return get_object_or_404(ScreeningRound, survey=survey, number=number)


def _back(survey: ScreeningSurvey, anchor: str = "") -> HttpResponse:
    url = reverse(
        "screening-rounds", kwargs={"evaluation_id": survey.evaluation_id, "survey_id": survey.pk}
    )
    return redirect(f"{url}#{anchor}" if anchor else url)


def _setup_url(survey: ScreeningSurvey) -> str:
    kwargs = {"evaluation_id": survey.evaluation_id, "survey_id": survey.pk}
    return reverse("screening-setup-survey", kwargs=kwargs)


def _state_refusal(error: ValidationError) -> bool:
    return hasattr(error, "error_dict") and set(error.message_dict) <= set(STATE_FIELDS)


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    for name, texts in error.message_dict.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


# --- the page ------------------------------------------------------------------------------


@dataclass
class Failed:
    """A refused form to show again, bound, with its errors: ("decision", item id) or
    ("suggested", key)."""

    kind: str
    key: object
    form: forms.Form


@login_required
@require_GET
def rounds_page(request: HttpRequest, evaluation_id: int, survey_id: int) -> HttpResponse:
    return _page(request, _survey(request, evaluation_id, survey_id))


def _page(request: HttpRequest, survey: ScreeningSurvey, failed: Failed | None = None):
    statistics = survey_statistics(survey=survey)
    latest = statistics[-1] if statistics else None
    decidable = latest is not None and latest.status == ScreeningRound.Status.CLOSED
    parents = _parents(survey) if decidable else []
    # A survey's questions are fixed once round 1 opens: every round has the same ones.
    questions, count = (latest.questions if latest else ()), len(statistics)
    context = {
        "evaluation": survey.evaluation,
        "survey": survey,
        "setup_url": _setup_url(survey),
        "rounds": statistics,
        "latest": latest,
        "decidable": decidable,
        "counts": tables.counts_rows(statistics),
        "percents": tables.percent_rows(statistics),
        "authority_tables": tables.authority_tables(statistics),
        "blocks": [tables.question_block(n, statistics) for n in range(len(questions))],
        "changes": [tables.changes(statistics[n - 1], statistics[n]) for n in range(1, count)],
        "decisions": _decision_blocks(survey, latest, failed) if decidable else [],
        "suggested": _suggested_forms(survey, statistics, parents, failed) if decidable else [],
        "rule_label": exports.rule_label(survey.rule),
    }
    return render(request, "screening/rounds.html", context, status=400 if failed else 200)


# --- decisions and suggested items ---------------------------------------------------------


def _targets(items, item_id: int) -> list[tuple[int, str]]:
    return [(other.item_id, other.name) for other in items if other.item_id != item_id]


def _decision_form(item, targets) -> DecisionForm:
    """The item's form, filled with its decision if it has one. Without one nothing is chosen:
    the rule's verdict is shown beside it, not saved on the coordinator's behalf."""
    decision = item.decision
    initial = {}
    if decision is not None:
        initial = {
            "decision": decision.decision,
            "new_name": decision.new_name,
            "merged_into": decision.merged_into_id,
            "note": decision.note,
        }
    return DecisionForm(initial=initial, targets=targets, auto_id=f"decision-{item.item_id}-%s")


def _decision_blocks(survey, latest: RoundStatistics, failed: Failed | None) -> list[dict]:
    """Per ranking and rating question, a decision form per item the round asked; a refused
    one comes back bound (and open)."""
    kwargs = {"evaluation_id": survey.evaluation_id, "survey_id": survey.pk}
    blocks = []
    for question in latest.questions:
        if not isinstance(question, ScaleQuestionStatistics):
            continue
        entries = []
        for item in question.items:
            form = _decision_form(item, _targets(question.items, item.item_id))
            if failed and failed.kind == "decision" and failed.key == item.item_id:
                form = failed.form
            where = {**kwargs, "round_number": latest.number, "item_id": item.item_id}
            entry = {
                "item": item,
                "form": form,
                "action": reverse("screening-round-decision", kwargs=where),
                "verdict": exports.verdict_label(item.verdict),
                "decided": tables.cell(item)["decision"],
            }
            entries.append(entry)
        blocks.append({"question": question, "entries": entries})
    return blocks


def _parents(survey: ScreeningSurvey) -> list[tuple[int, str]]:
    return [
        (indicator.pk, "\u00a0\u00a0" * depth + f"{indicator.code} {indicator.name}")
        for indicator, depth in indicator_tree(evaluation=survey.evaluation)
    ]


def _item_questions(latest: RoundStatistics) -> list[tuple[int, str]]:
    return [
        (q.question_id, q.text) for q in latest.questions if q.kind in (RANKING, RATING, CHOICE)
    ]


def _suggested_forms(survey, statistics, parents, failed: Failed | None) -> list[dict]:
    """An "add as item" form per suggestion of any round (numbered through the rounds), and
    one blank form; a refused one comes back bound and open (in the blank one's place when its
    suggestion is no longer listed)."""
    questions = _item_questions(statistics[-1])
    if not questions:
        return []
    remarks = [
        remark for s in statistics for q in s.questions for remark in getattr(q, "suggestions", ())
    ]
    entries = [(str(n), remark) for n, remark in enumerate(remarks, start=1)]
    entries.append(("new", None))
    keys = {key for key, _remark in entries}
    shown = []
    for key, remark in entries:
        initial = {"key": key, "name": remark.text[:NAME_LIMIT] if remark else ""}
        if remark and len(remark.text) > NAME_LIMIT:
            initial["description"] = remark.text[:HELP_TEXT_LIMIT]
        form = SuggestedItemForm(
            initial=initial, questions=questions, parents=parents, auto_id=f"suggested-{key}-%s"
        )
        refused = failed is not None and failed.kind == "suggested"
        if refused and (failed.key == key or (key == "new" and failed.key not in keys)):
            form = failed.form
        shown.append({"key": key, "remark": remark, "form": form, "open": form.is_bound})
    return shown


# --- changes -------------------------------------------------------------------------------


@login_required
@require_POST
def round_open(request: HttpRequest, evaluation_id: int, survey_id: int) -> HttpResponse:
    survey = _survey(request, evaluation_id, survey_id)
    try:
        opened = rounds.round_open(survey=survey, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Round {number} is open.").format(number=opened.number))
    return _back(survey)


@login_required
@require_POST
def round_close(
    request: HttpRequest, evaluation_id: int, survey_id: int, round_number: int
) -> HttpResponse:
    survey = _survey(request, evaluation_id, survey_id)
    round = _round(survey, round_number)
    try:
        rounds.round_close(round=round, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Round {number} is closed.").format(number=round.number))
    return _back(survey)


@login_required
@require_POST
def decision_set(
    request: HttpRequest, evaluation_id: int, survey_id: int, round_number: int, item_id: int
) -> HttpResponse:
    survey = _survey(request, evaluation_id, survey_id)
    round = _round(survey, round_number)
    item = get_object_or_404(ScreeningItem, pk=item_id, question__survey=survey)
    asked = round_items(round=round).filter(question_id=item.question_id)
    targets = [(other.pk, other.name) for other in asked if other.pk != item.pk]
    form = DecisionForm(request.POST, targets=targets, auto_id=f"decision-{item.pk}-%s")
    if form.is_valid():
        data = form.cleaned_data
        merged_into = next((o for o in asked if o.pk == data["merged_into"]), None)
        figures = round_statistics(round=round).item(item.pk)
        try:
            rounds.decision_set(
                round=round,
                item=item,
                actor=request.user,
                decision=data["decision"],
                new_name=data["new_name"],
                merged_into=merged_into,
                note=data["note"],
                rule_verdict=figures.verdict if figures else "",
            )
        except ValidationError as error:
            if _state_refusal(error):
                _refused(request, error)
                return _back(survey)
            _form_errors(form, error)
        else:
            messages.success(request, _("Decision saved for “{name}”.").format(name=item.name))
            return _back(survey, f"decide-{item.pk}")
    return _page(request, survey, Failed("decision", item.pk, form))


@login_required
@require_POST
def suggested_item_add(
    request: HttpRequest, evaluation_id: int, survey_id: int, round_number: int
) -> HttpResponse:
    survey = _survey(request, evaluation_id, survey_id)
    round = _round(survey, round_number)
    questions = [
        (q.pk, q.text) for q in survey.questions.filter(kind__in=(RANKING, RATING, CHOICE))
    ]
    # The key only names the form shown again (and its element ids): a number or "new".
    key = request.POST.get("key", "")
    key = key if key.isascii() and key.isdigit() and len(key) <= 4 else "new"
    form = SuggestedItemForm(
        request.POST, questions=questions, parents=_parents(survey), auto_id=f"suggested-{key}-%s"
    )
    if form.is_valid():
        added = _suggested_add(request, survey, round, form)
        if isinstance(added, HttpResponse):
            return added
        if added is not None:
            message = _("“{name}” is added: round {number} asks it.")
            messages.success(request, message.format(name=added.name, number=round.number + 1))
            return _back(survey, "suggestions")
    return _page(request, survey, Failed("suggested", key, form))


def _suggested_add(request, survey, round, form) -> ScreeningItem | HttpResponse | None:
    """The item added; a redirect for a refusal by the round's state; None with the form's
    errors set."""
    data = form.cleaned_data
    # Both were among the form's choices; one deleted meanwhile (another tab) is refused here.
    question = survey.questions.filter(pk=data["question"]).first()
    if question is None:
        messages.error(request, _(ERROR_GONE))
        return _back(survey)
    place = None
    if data["place_under"] is not None:
        place = Indicator.objects.filter(pk=data["place_under"], evaluation=survey.evaluation)
        place = place.first()
        if place is None:
            form.add_error("place_under", _(ERROR_NOT_THIS_EVALUATION))
            return None
    try:
        return rounds.suggested_item_add(
            round=round,
            question=question,
            actor=request.user,
            name=data["name"],
            description=data["description"],
            place_under=place,
        )
    except ValidationError as error:
        if _state_refusal(error):
            _refused(request, error)
            return _back(survey)
        _form_errors(form, error)
        return None


# --- exports -------------------------------------------------------------------------------


@login_required
@require_GET
def round_export(
    request: HttpRequest, evaluation_id: int, survey_id: int, round_number: int, fmt: str
) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    survey = _survey(request, evaluation_id, survey_id)
    round = _round(survey, round_number)
    # A file is a document of the evaluation: its headings in the evaluation's language.
    with translation.override(survey.evaluation.language):
        statistics = round_statistics(round=round)
        body = exports.export_round(survey=survey, statistics=statistics, fmt=fmt)
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    filename = exports.export_filename(survey=survey, number=round.number, fmt=fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
