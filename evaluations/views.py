from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import access_evaluation, evaluation_list_for_user, indicator_tree


@login_required
def home(request: HttpRequest) -> HttpResponse:
    evaluations = evaluation_list_for_user(user=request.user)
    return render(request, "evaluations/home.html", {"evaluations": evaluations})


@login_required
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    context = {
        "evaluation": evaluation,
        "tree": indicator_tree(evaluation=evaluation),
        "grades": evaluation.grades.all(),
        "subjects": evaluation.subjects.all(),
    }
    return render(request, "evaluations/detail.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker-compose: the app answers and the DB responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
