"""The coordinator's page for one expert's weights per first-level criterion (the panel page
links it from the expert's weight). The view reads the boxes; the service validates and writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from evaluations.selectors import access_evaluation

from .criterion_weights import (
    effective_criterion_weights,
    first_level_criteria,
    membership_weights_set,
)
from .paste import SHOWN_LIMIT
from .selectors import access_membership

# A box's text is cut here before the service reads it (which bounds it again): enough for
# any number the weight range allows, and a pasted novel is not carried around.
BOX_LIMIT = SHOWN_LIMIT * 2


@login_required
def criterion_weights(request: HttpRequest, evaluation_id: int, membership_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    membership = access_membership(evaluation=evaluation, membership_id=membership_id)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    criteria = first_level_criteria(evaluation)
    current = effective_criterion_weights(membership, criteria)
    values = {c.code: f"{current[c.code]:g}" if c.code in current else "" for c in criteria}
    errors: list[str] = []
    if request.method == "POST":
        values = {c.code: request.POST.get(f"criterion-{c.pk}", "")[:BOX_LIMIT] for c in criteria}
        try:
            membership_weights_set(
                membership=membership, actor=request.user, criterion_weights=values
            )
        except ValidationError as error:
            errors = [m for messages_ in error.message_dict.values() for m in messages_]
        else:
            messages.success(
                request,
                _("The weights per criterion of %(expert)s are saved.")
                % {"expert": membership.display_name},
            )
            return redirect("panel-criterion-weights", evaluation.pk, membership.pk)
    rows = [{"criterion": c, "value": values[c.code]} for c in criteria]
    context = {"evaluation": evaluation, "membership": membership, "rows": rows, "errors": errors}
    return render(request, "experts/criterion_weights.html", context, status=400 if errors else 200)
