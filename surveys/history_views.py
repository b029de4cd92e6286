"""The coordinator's view of one expert's history: every submission and withdrawal."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from evaluations.selectors import access_evaluation
from experts.selectors import access_membership

from .history import membership_history


@login_required
@require_GET
def expert_history(request: HttpRequest, evaluation_id: int, membership_id: int) -> HttpResponse:
    # The coordinator's only: 404 for anyone else, the expert included.
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    membership = access_membership(evaluation=evaluation, membership_id=membership_id)
    context = {
        "evaluation": evaluation,
        "membership": membership,
        "revisions": membership_history(membership=membership),
    }
    return render(request, "surveys/history.html", context)
