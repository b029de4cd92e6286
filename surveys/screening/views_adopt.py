"""Adopt's pages: what the survey's decisions will add, rename and delete, from the service's
own dry run, with the refusals foreseen; then, adopted, what it did."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import adopt, services
from .models import ScreeningSurvey
from .views_setup import access_survey, adopted_surveys, rounds_url


def _adopt_page(
    request: HttpRequest, survey: ScreeningSurvey, errors: list[str] | None = None
) -> HttpResponse:
    """What Adopt would do, from the service's own dry run (adopt.survey_adopt_plan)."""
    evaluation = survey.evaluation
    plan = adopt.survey_adopt_plan(survey=survey)
    context = {
        "evaluation": evaluation,
        "survey": survey,
        "plan": plan,
        "outcomes": plan.items,
        "blockers": [refusal.message for refusal in plan.refusals],
        "errors": errors or [],
        "rounds_url": rounds_url(survey),
        "adopted": adopted_surveys(evaluation).get(survey.pk),
    }
    status = 400 if errors else 200
    return render(request, "screening/setup_adopt.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def survey_adopt(request: HttpRequest, evaluation_id: int, survey_id: int) -> HttpResponse:
    """GET says what Adopt will add, rename and delete and asks to confirm; POST adopts and
    shows what it did."""
    survey = access_survey(request, evaluation_id, survey_id)
    if request.method != "POST":
        return _adopt_page(request, survey)
    try:
        summary = services.survey_adopt(survey=survey, actor=request.user)
    except ValidationError as refused:
        return _adopt_page(request, survey, errors=refused.messages)
    # The codes of the summary with their names as they are now (deleted ones are gone).
    names = dict(survey.evaluation.indicators.values_list("code", "name"))
    context = {
        "evaluation": survey.evaluation,
        "survey": survey,
        "added": [(code, names.get(code, "")) for code in summary.added],
        "renamed": [(code, names.get(code, "")) for code in summary.renamed],
        "deleted": summary.deleted,
    }
    return render(request, "screening/setup_adopted.html", context)
