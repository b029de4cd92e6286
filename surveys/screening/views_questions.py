"""The coordinator's screening setup page, its questions and items: adding, changing and
deleting them while the services allow (before round 1 opens; an item until a round asks it).
A refused form comes back unfolded where it was posted from, answered 400 (views_setup.py
draws the page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluations.models import Indicator
from evaluations.selectors import indicator_tree
from evaluations.views.pages import _form_errors

from . import services
from .forms_setup import QuestionAddForm
from .models import ScreeningItem, ScreeningQuestion, ScreeningSurvey
from .views_setup import (
    access_survey,
    item_form,
    question_form,
    refused_page,
    survey_page_response,
    survey_url,
)

Kind = ScreeningQuestion.Kind


def _indicators(tree: list[tuple[Indicator, int]]) -> dict[int, Indicator]:
    return {indicator.pk: indicator for indicator, _depth in tree}


@login_required
@require_POST
def question_add(request: HttpRequest, evaluation_id: int, survey_id: int) -> HttpResponse:
    survey = access_survey(request, evaluation_id, survey_id)
    tree = indicator_tree(evaluation=survey.evaluation)
    form = QuestionAddForm(request.POST, tree=tree, auto_id="new-question-%s")
    if form.is_valid():
        data, indicators = form.cleaned_data, _indicators(tree)
        try:
            question = services.question_add(
                survey=survey,
                actor=request.user,
                kind=data["kind"],
                text=data["text"],
                help_text=data["help_text"],
                # The scale is a choice with a default: it counts for a rating only.
                levels=data["levels"] if data["kind"] == Kind.RATING else None,
                scoring=data["scoring"],
                multiple=data["multiple"],
                allow_other=data["allow_other"],
                items_from=indicators.get(data["items_from"]),
                items=form.item_names(),
                place_under=indicators.get(data["place_under"]),
            )
        except ValidationError as refused:
            _form_errors(form, refused)
        else:
            messages.success(request, _("Question added."))
            return redirect(survey_url(survey, f"question-{question.pk}"))
    return survey_page_response(request, survey, status=400, question_form=form, tree=tree)


def _question(survey: ScreeningSurvey, question_id: int) -> ScreeningQuestion:
    return get_object_or_404(ScreeningQuestion, pk=question_id, survey=survey)


@login_required
@require_POST
def question_update(
    request: HttpRequest, evaluation_id: int, survey_id: int, question_id: int
) -> HttpResponse:
    survey = access_survey(request, evaluation_id, survey_id)
    question = _question(survey, question_id)
    form = question_form(question, request.POST)
    if form.is_valid():
        try:
            services.question_update(question=question, actor=request.user, **form.cleaned_data)
        except ValidationError as refused:
            _form_errors(form, refused)
        else:
            messages.success(request, _("Question saved."))
            return redirect(survey_url(survey, f"question-{question.pk}"))
    return survey_page_response(request, survey, status=400, failed=("question", question.pk, form))


@login_required
@require_POST
def question_delete(
    request: HttpRequest, evaluation_id: int, survey_id: int, question_id: int
) -> HttpResponse:
    survey = access_survey(request, evaluation_id, survey_id)
    question = _question(survey, question_id)
    try:
        services.question_delete(question=question, actor=request.user)
    except ValidationError as refused:
        return refused_page(request, survey, refused)
    messages.success(request, _("Question deleted."))
    return redirect(survey_url(survey, "questions"))


@login_required
@require_POST
def item_add(
    request: HttpRequest, evaluation_id: int, survey_id: int, question_id: int
) -> HttpResponse:
    survey = access_survey(request, evaluation_id, survey_id)
    question = _question(survey, question_id)
    tree = indicator_tree(evaluation=survey.evaluation)
    form = item_form(question, None, tree, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.item_add(
                question=question,
                actor=request.user,
                name=data["name"],
                description=data["description"],
                place_under=_indicators(tree).get(data.get("place_under")),
            )
        except ValidationError as refused:
            _form_errors(form, refused)
        else:
            messages.success(request, _("Item added."))
            return redirect(survey_url(survey, f"question-{question.pk}"))
    failed = ("item-add", question.pk, form)
    return survey_page_response(request, survey, status=400, failed=failed, tree=tree)


def _item(survey: ScreeningSurvey, item_id: int) -> ScreeningItem:
    items = ScreeningItem.objects.select_related("question")
    return get_object_or_404(items, pk=item_id, question__survey=survey)


@login_required
@require_POST
def item_update(
    request: HttpRequest, evaluation_id: int, survey_id: int, item_id: int
) -> HttpResponse:
    survey = access_survey(request, evaluation_id, survey_id)
    item = _item(survey, item_id)
    tree = indicator_tree(evaluation=survey.evaluation)
    form = item_form(item.question, item, tree, request.POST)
    if form.is_valid():
        changes = dict(form.cleaned_data)
        if "place_under" in changes:
            changes["place_under"] = _indicators(tree).get(changes["place_under"])
        try:
            services.item_update(item=item, actor=request.user, **changes)
        except ValidationError as refused:
            _form_errors(form, refused)
        else:
            messages.success(request, _("Item saved."))
            return redirect(survey_url(survey, f"question-{item.question_id}"))
    return survey_page_response(
        request, survey, status=400, failed=("item", item.pk, form), tree=tree
    )


@login_required
@require_POST
def item_delete(
    request: HttpRequest, evaluation_id: int, survey_id: int, item_id: int
) -> HttpResponse:
    survey = access_survey(request, evaluation_id, survey_id)
    item = _item(survey, item_id)
    try:
        services.item_delete(item=item, actor=request.user)
    except ValidationError as refused:
        return refused_page(request, survey, refused)
    messages.success(request, _("Item “%(name)s” deleted.") % {"name": item.name})
    return redirect(survey_url(survey, f"question-{item.question_id}"))
