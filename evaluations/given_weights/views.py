"""The hierarchy editor's page for one node's given weights: set them, change them, or go
back to pairwise comparisons. Each POST is one service call, then a redirect (PRG)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Indicator
from ..selectors import access_evaluation
from .forms import GivenWeightsForm, weight_field_name
from .services import given_weights_clear, given_weights_set


def _access(request: HttpRequest, evaluation_id: int, indicator_id: int):
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    # Scoped to the evaluation: an indicator of another evaluation is a 404 too.
    indicator = get_object_or_404(Indicator, pk=indicator_id, evaluation=evaluation)
    return evaluation, indicator


def _back_to_tree(evaluation, indicator) -> HttpResponse:
    url = reverse("hierarchy-edit", kwargs={"evaluation_id": evaluation.pk})
    return redirect(f"{url}#indicator-{indicator.pk}")


def _initial(indicator: Indicator, children: list[Indicator]) -> dict:
    weights = indicator.given_weights or {}
    initial = {
        weight_field_name(child): f"{weights[str(child.pk)]:.6g}"
        for child in children
        if str(child.pk) in weights
    }
    initial["source"] = indicator.given_weights_source
    return initial


def _put_errors(form: GivenWeightsForm, error: ValidationError) -> None:
    """The service keys errors by child id; the form's fields are weight_<id>."""
    for key, texts in error.message_dict.items():
        field = f"weight_{key}" if f"weight_{key}" in form.fields else None
        if key == "given_weights_source":
            field = "source"
        for text in texts:
            form.add_error(field, text)


def given_parents(*parent_ids: int | None) -> list[str]:
    """Codes of these parents whose weights are given: a change of their children clears
    them (evaluations/given_weights), which the page then says."""
    ids = [pk for pk in parent_ids if pk is not None]
    return list(
        Indicator.objects.filter(pk__in=ids, given_weights__isnull=False).values_list(
            "code", flat=True
        )
    )


def given_cleared_notice(request: HttpRequest, codes: list[str]) -> None:
    if codes:
        messages.warning(
            request,
            _(
                "The given weights under %(codes)s were cleared: the sub-indicators changed. "
                "Give them again, or the panel compares them pairwise."
            )
            % {"codes": ", ".join(codes)},
        )


@login_required
def given_weights_edit(request: HttpRequest, evaluation_id: int, indicator_id: int) -> HttpResponse:
    evaluation, indicator = _access(request, evaluation_id, indicator_id)
    children = list(indicator.children.order_by("order", "pk"))
    if len(children) < 2:  # nothing to weigh: the page says so (a POST is refused)
        context = {"evaluation": evaluation, "indicator": indicator, "form": None}
        status = 400 if request.method == "POST" else 200
        return render(request, "evaluations/editors/given_weights.html", context, status=status)
    form = GivenWeightsForm(
        request.POST or None, children=children, initial=_initial(indicator, children)
    )
    if request.method == "POST" and form.is_valid():
        try:
            given_weights_set(
                indicator=indicator,
                actor=request.user,
                weights=form.weights(),
                source=form.cleaned_data["source"],
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(
                request,
                _("Saved the given weights under %(code)s; the panel no longer compares them.")
                % {"code": indicator.code},
            )
            return _back_to_tree(evaluation, indicator)
    context = {"evaluation": evaluation, "indicator": indicator, "form": form}
    status = 400 if request.method == "POST" else 200  # a POST that got here was refused
    return render(request, "evaluations/editors/given_weights.html", context, status=status)


@login_required
@require_POST
def given_weights_remove(
    request: HttpRequest, evaluation_id: int, indicator_id: int
) -> HttpResponse:
    evaluation, indicator = _access(request, evaluation_id, indicator_id)
    try:
        given_weights_clear(indicator=indicator, actor=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("%(code)s is compared pairwise again; the panel's earlier answers for it count.")
            % {"code": indicator.code},
        )
    return _back_to_tree(evaluation, indicator)
