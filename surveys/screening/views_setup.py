"""The coordinator's screening pages before and around the rounds: the evaluation's surveys, one
survey's page with its settings, its open link and opening round 1. The page's questions and
items are changed in views_questions.py, Adopt in views_adopt.py; both draw with the helpers here.

Every view reaches the survey through selectors.survey_for_coordinator (another coordinator's
survey is a 404), every change is a POST handled by one service call, and a successful POST
redirects (PRG) — except the two that show something once: a new open link (its token is not
stored) and Adopt's summary. A refused form comes back on the page with the service's message
on its field, answered 400.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluations.models import AuditEntry, Evaluation
from evaluations.selectors import access_evaluation, indicator_tree
from evaluations.views.pages import _form_errors

from . import services
from .checks import error, survey_lock
from .forms_setup import (
    ItemForm,
    OpenLinkForm,
    QuestionAddForm,
    QuestionEditForm,
    SurveySettingsForm,
    question_initial,
)
from .models import (
    ScreeningItem,
    ScreeningQuestion,
    ScreeningRound,
    ScreeningSurvey,
)
from .open_link import open_link_disable, open_link_enable
from .selectors import round_latest, survey_for_coordinator, surveys_for_coordinator

Kind = ScreeningQuestion.Kind
Source = ScreeningItem.Source

ERROR_ALREADY_STARTED = gettext_noop(
    "Round 1 has already been opened: the next rounds are opened on the rounds page."
)
ERROR_OPEN_LINK_ACTION = gettext_noop("Choose to switch the open link on or off.")


def access_survey(request: HttpRequest, evaluation_id: int, survey_id: int) -> ScreeningSurvey:
    survey = survey_for_coordinator(user=request.user, survey_id=survey_id)
    if survey.evaluation_id != evaluation_id:  # a survey of another of the user's evaluations
        raise Http404
    return survey


def survey_url(survey: ScreeningSurvey, anchor: str = "") -> str:
    url = reverse(
        "screening-setup-survey",
        kwargs={"evaluation_id": survey.evaluation_id, "survey_id": survey.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def rounds_url(survey: ScreeningSurvey) -> str:
    kwargs = {"evaluation_id": survey.evaluation_id, "survey_id": survey.pk}
    return reverse("screening-rounds", kwargs=kwargs)


def open_link_url(request: HttpRequest, token: str) -> str:
    """The public questionnaire's full address (the respondents' route, views_respond.py)."""
    return request.build_absolute_uri(reverse("screening-open-link", kwargs={"token": token}))


def adopted_surveys(evaluation: Evaluation) -> dict[int, AuditEntry]:
    """The surveys adopted into the evaluation's hierarchy, each with its latest Adopt entry
    (adopt.survey_adopt records one; the survey keeps no mark of its own)."""
    entries = evaluation.audit_entries.filter(
        action=AuditEntry.Action.EDITED_HIERARCHY, params__change="adopted"
    )
    adopted: dict[int, AuditEntry] = {}
    for entry in entries:  # newest first
        adopted.setdefault(entry.params.get("survey"), entry)
    return adopted


# ---------------------------------------------------------------------------------------------
# The evaluation's surveys


@dataclass
class _SurveyRow:
    survey: ScreeningSurvey
    latest: ScreeningRound | None
    adopted: AuditEntry | None


def _survey_rows(evaluation: Evaluation, surveys: list[ScreeningSurvey]) -> list[_SurveyRow]:
    """Each survey with its last round and its Adopt, in three queries whatever their number."""
    latest: dict[int, ScreeningRound] = {}
    for round in ScreeningRound.objects.filter(survey__in=surveys).order_by("number"):
        latest[round.survey_id] = round
    adopted = adopted_surveys(evaluation)
    return [_SurveyRow(s, latest.get(s.pk), adopted.get(s.pk)) for s in surveys]


def _settings_initial(survey: ScreeningSurvey) -> dict:
    return {name: getattr(survey, name) for name in services.SETTINGS_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def setup_home(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    """The evaluation's screening surveys with their state; POST creates one."""
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    data = request.POST if request.method == "POST" else None
    # A new survey starts from the model's defaults (the micro-store study's 0.8, …).
    form = SurveySettingsForm(data, initial=_settings_initial(ScreeningSurvey()), auto_id="new-%s")
    if data is not None and form.is_valid():
        try:
            survey = services.survey_create(
                evaluation=evaluation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as refused:
            _form_errors(form, refused)
        else:
            messages.success(request, _("Survey “%(title)s” created.") % {"title": survey.title})
            return redirect(survey_url(survey))
    surveys = list(surveys_for_coordinator(user=request.user, evaluation=evaluation))
    context = {
        "evaluation": evaluation,
        "rows": _survey_rows(evaluation, surveys),
        "form": form,
        "full": "",
    }
    if len(surveys) >= services.MAX_SURVEYS:
        context["full"] = _(services.ERROR_TOO_MANY_SURVEYS).format(limit=services.MAX_SURVEYS)
    status = 400 if data is not None else 200  # a POST that got here was refused
    return render(request, "screening/setup.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# One survey's page


@dataclass
class _ItemRow:
    item: ScreeningItem
    edit_form: ItemForm | None = None  # None once a round has asked the item
    open_form: bool = False


@dataclass
class _QuestionCard:
    question: ScreeningQuestion
    items: list[_ItemRow] = field(default_factory=list)
    edit_form: QuestionEditForm | None = None  # None once round 1 has opened
    add_item_form: ItemForm | None = None
    open_form: str = ""  # "edit" or "add": the form that failed, shown unfolded

    @property
    def scoring_shown(self) -> str:
        return ", ".join(f"{points:g}" for points in self.question.scoring or [])


def _placeable(question: ScreeningQuestion, item: ScreeningItem | None = None) -> bool:
    """Whether Adopt places the item: not a choice option, nor an item from the hierarchy."""
    if question.kind == Kind.CHOICE:
        return False
    return item is None or (item.source != Source.HIERARCHY and not item.is_other)


def item_form(question, item, tree, data=None) -> ItemForm:
    initial = None
    if item is not None:
        initial = {
            "name": item.name,
            "description": item.description,
            "place_under": str(item.place_under_id or ""),
        }
    prefix = f"item-{item.pk}" if item is not None else f"question-{question.pk}-new-item"
    return ItemForm(
        data,
        initial=initial,
        tree=tree,
        placeable=_placeable(question, item),
        auto_id=f"{prefix}-%s",  # one form per item on the page: unique element ids
    )


def question_form(question: ScreeningQuestion, data=None) -> QuestionEditForm:
    return QuestionEditForm(
        data,
        initial=question_initial(question),
        kind=question.kind,
        options=list(question.items.all()),
        auto_id=f"question-{question.pk}-%s",
    )


def _question_cards(
    survey: ScreeningSurvey, tree: list, latest: ScreeningRound | None, failed: tuple | None
) -> list[_QuestionCard]:
    """The survey's questions with their items and the forms the survey's state allows."""
    items = ScreeningItem.objects.select_related("indicator", "place_under")
    questions = survey.questions.select_related("attention_answer")
    questions = questions.prefetch_related(Prefetch("items", queryset=items))
    asked_up_to = latest.number if latest else 0
    cards = []
    for question in questions:
        card = _QuestionCard(question)
        for item in question.items.all():
            row = _ItemRow(item)
            if item.first_round > asked_up_to:  # no round has asked it yet
                row.edit_form = item_form(question, item, tree)
            card.items.append(row)
        if latest is None:
            card.edit_form = question_form(question)
            if question.kind != Kind.SUGGESTION:
                card.add_item_form = item_form(question, None, tree)
        cards.append(card)
    if failed:
        _put_back(cards, failed)
    return cards


def _put_back(cards: list[_QuestionCard], failed: tuple) -> None:
    """Show a refused form again, unfolded, where it was posted from."""
    kind, pk, form = failed
    for card in cards:
        if kind == "question" and card.question.pk == pk:
            card.edit_form, card.open_form = form, "edit"
        elif kind == "item-add" and card.question.pk == pk:
            card.add_item_form, card.open_form = form, "add"
        for row in card.items:
            if kind == "item" and row.item.pk == pk:
                row.edit_form, row.open_form = form, True


def survey_page_response(
    request: HttpRequest,
    survey: ScreeningSurvey,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    token: str | None = None,
    settings_form: SurveySettingsForm | None = None,
    question_form: QuestionAddForm | None = None,
    failed: tuple | None = None,
    tree: list | None = None,
) -> HttpResponse:
    evaluation = survey.evaluation
    tree = tree if tree is not None else indicator_tree(evaluation=evaluation)
    latest = round_latest(survey=survey)
    if settings_form is None:
        settings_form = SurveySettingsForm(initial=_settings_initial(survey), auto_id="settings-%s")
    if question_form is None and latest is None:
        question_form = QuestionAddForm(tree=tree, auto_id="new-question-%s")
    context = {
        "evaluation": evaluation,
        "survey": survey,
        "latest": latest,
        "adopted": adopted_surveys(evaluation).get(survey.pk),
        "cards": _question_cards(survey, tree, latest, failed),
        "settings_form": settings_form,
        "question_form": question_form,
        "errors": errors or [],
        "open_link": open_link_url(request, token) if token else "",
        "rounds_url": rounds_url(survey),
    }
    response = render(request, "screening/setup_survey.html", context, status=status)
    if token:
        response["Cache-Control"] = "no-store"  # the page carries the link, shown this once
    return response


def refused_page(request: HttpRequest, survey: ScreeningSurvey, refused: ValidationError):
    return survey_page_response(request, survey, status=400, errors=refused.messages)


@login_required
@require_GET
def survey_page(request: HttpRequest, evaluation_id: int, survey_id: int) -> HttpResponse:
    survey = access_survey(request, evaluation_id, survey_id)
    return survey_page_response(request, survey)


@login_required
@require_POST
def survey_settings(request: HttpRequest, evaluation_id: int, survey_id: int) -> HttpResponse:
    survey = access_survey(request, evaluation_id, survey_id)
    form = SurveySettingsForm(request.POST, auto_id="settings-%s")
    if form.is_valid():
        try:
            services.survey_update_settings(survey=survey, actor=request.user, **form.cleaned_data)
        except ValidationError as refused:
            _form_errors(form, refused)
        else:
            messages.success(request, _("Settings saved."))
            return redirect(survey_url(survey, "settings"))
    return survey_page_response(request, survey, status=400, settings_form=form)


# ---------------------------------------------------------------------------------------------
# The open link and round 1


@login_required
@require_POST
def open_link(request: HttpRequest, evaluation_id: int, survey_id: int) -> HttpResponse:
    """Switch the open link on (a new link, shown on this answer only) or off."""
    survey = access_survey(request, evaluation_id, survey_id)
    form = OpenLinkForm(request.POST)
    if not form.is_valid():
        return survey_page_response(request, survey, status=400, errors=[_(ERROR_OPEN_LINK_ACTION)])
    if form.cleaned_data["action"] == "enable":
        token = open_link_enable(survey=survey, actor=request.user)
        return survey_page_response(request, survey, token=token)
    open_link_disable(survey=survey, actor=request.user)
    messages.success(request, _("The open link is off: it no longer opens the questionnaire."))
    return redirect(survey_url(survey, "open-link"))


@login_required
@require_POST
def round_one_open(request: HttpRequest, evaluation_id: int, survey_id: int) -> HttpResponse:
    survey = access_survey(request, evaluation_id, survey_id)
    try:
        with transaction.atomic():
            # Locked before the rounds are read: a stale tab's "open round 1" must not open
            # round 2 after another tab opened and closed round 1 (round_open opens the next).
            locked = survey_lock(survey)
            if locked.rounds.exists():
                raise error("round", _(ERROR_ALREADY_STARTED), code="started")
            services.round_open(survey=locked, actor=request.user)
    except ValidationError as refused:
        return refused_page(request, survey, refused)
    messages.success(request, _("Round 1 is open: the panel's experts can answer it."))
    return redirect(rounds_url(survey))
