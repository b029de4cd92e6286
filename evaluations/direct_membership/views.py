"""The coordinator's page for leaves whose membership is given or measured (issue 15 §2).

One list of the leaves, and per leaf a page with two forms: the source settings and the
inputs. Each POST is one service call; refused input is shown again with the service's
message (status 400), a saved one redirects (PRG).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..models import Indicator
from ..selectors import access_evaluation, indicator_tree
from . import services
from .forms import InputsForm, SourceForm, numbers_text


def _leaves(evaluation) -> list[tuple[Indicator, int]]:
    tree = indicator_tree(evaluation=evaluation)
    parents = {indicator.parent_id for indicator, _depth in tree}
    return [(indicator, depth) for indicator, depth in tree if indicator.pk not in parents]


@login_required
def leaf_list(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    context = {"evaluation": evaluation, "leaves": [leaf for leaf, _d in _leaves(evaluation)]}
    return render(request, "evaluations/direct_membership/list.html", context)


def _source_initial(leaf: Indicator) -> dict:
    return {
        "membership_source": leaf.membership_source,
        "better": leaf.better,
        "thresholds": numbers_text(leaf.thresholds),
        "threshold_shape": leaf.threshold_shape,
        "unit": leaf.unit,
    }


def _inputs_initial(leaf: Indicator) -> dict:
    initial = {}
    for item in leaf.inputs.all():
        key = item.subject_id or "all"
        initial[f"row_{key}"] = numbers_text(item.row)
        if item.value is not None:
            initial[f"value_{key}"] = f"{item.value:g}"
    return initial


@login_required
def leaf_edit(request: HttpRequest, evaluation_id: int, indicator_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    leaf = get_object_or_404(
        Indicator, pk=indicator_id, evaluation=evaluation, children__isnull=True
    )
    subjects = list(evaluation.subjects.all())
    posted = request.POST.get("form") if request.method == "POST" else None
    source_form = SourceForm(
        request.POST if posted == "source" else None, initial=_source_initial(leaf)
    )
    inputs_form = InputsForm(
        request.POST if posted == "inputs" else None,
        initial=_inputs_initial(leaf),
        subjects=subjects,
    )
    errors: list[str] = []
    form = {"source": source_form, "inputs": inputs_form}.get(posted)
    if form is not None and form.is_valid():
        try:
            if posted == "source":
                services.leaf_source_set(
                    indicator=leaf, actor=request.user, settings=source_form.settings()
                )
            else:
                services.leaf_inputs_replace(
                    indicator=leaf, actor=request.user, inputs=inputs_form.rows()
                )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Saved."))
            return redirect("direct-membership-edit", evaluation.pk, leaf.pk)
    context = {
        "evaluation": evaluation,
        "leaf": leaf,
        "grades": list(evaluation.grades.all()),
        "source_form": source_form,
        "inputs_form": inputs_form,
        "posted": posted,
        "errors": errors,
    }
    status = 400 if request.method == "POST" else 200  # a POST that got here was refused
    return render(request, "evaluations/direct_membership/edit.html", context, status=status)
