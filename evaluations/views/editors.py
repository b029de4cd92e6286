"""The coordinator's structure editors: hierarchy, grade set, subjects and settings.

Every view starts from access_evaluation (another coordinator's evaluation is a 404), every
change is a POST handled by one service call, and a successful POST redirects (PRG).
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from surveys.models import RatingBallot

from .. import services
from ..forms_editors import (
    EvaluationSettingsForm,
    GradeFormSet,
    IndicatorMoveForm,
    IndicatorTextForm,
    ReorderForm,
    SubjectFormSet,
    grade_rows,
    subject_rows,
)
from ..given_weights.views import given_cleared_notice, given_parents
from ..models import MAX_CHILDREN, Evaluation, Indicator
from ..selectors import access_evaluation, evaluation_has_ballots, indicator_tree
from ..services import structure
from ..services.lifecycle import SETTINGS_FIELDS
from .pages import _form_errors


def _access_indicator(request: HttpRequest, evaluation_id: int, indicator_id: int):
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    # Scoped to the evaluation: an indicator id of another evaluation is a 404 too.
    indicator = get_object_or_404(Indicator, pk=indicator_id, evaluation=evaluation)
    return evaluation, indicator


def _back_to_tree(evaluation: Evaluation, indicator: Indicator | None = None) -> HttpResponse:
    """Redirect to the hierarchy page, scrolled to the indicator the coordinator just edited."""
    url = reverse("hierarchy-edit", kwargs={"evaluation_id": evaluation.pk})
    return redirect(f"{url}#indicator-{indicator.pk}" if indicator else url)


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---------------------------------------------------------------------------------------------
# The hierarchy page


@dataclass
class _Node:
    """One indicator of the page's tree with the forms shown beside it."""

    indicator: Indicator
    children: list["_Node"] = field(default_factory=list)
    first: bool = False
    last: bool = False
    edit_form: IndicatorTextForm | None = None
    add_form: IndicatorTextForm | None = None
    open_form: str = ""  # "edit" or "add": the form that failed, shown unfolded

    @property
    def full(self) -> bool:
        return len(self.children) >= MAX_CHILDREN

    @property
    def given(self) -> list[tuple[Indicator, float]] | None:
        """The children with their given weights (evaluations/given_weights), or None."""
        weights = self.indicator.given_weights
        if weights is None:
            return None
        return [(c.indicator, weights.get(str(c.indicator.pk))) for c in self.children]


def _edit_form(indicator: Indicator, data=None) -> IndicatorTextForm:
    # Each indicator has its own form on the page: auto_id keeps the element ids unique while
    # the posted field names stay plain.
    initial = {
        "name": indicator.name,
        "description": indicator.description,
        "recommendation": indicator.recommendation,
    }
    return IndicatorTextForm(data, initial=initial, auto_id=f"edit-{indicator.pk}-%s")


def _add_form(parent: Indicator, data=None) -> IndicatorTextForm:
    return IndicatorTextForm(data, auto_id=f"add-{parent.pk}-%s")


def _tree_nodes(
    evaluation: Evaluation, *, locked: bool, failed: tuple[str, int, IndicatorTextForm] | None
) -> list[_Node]:
    """The tree as nested nodes, built from one query; `failed` puts a bound form back."""
    nodes: dict[int, _Node] = {}
    roots: list[_Node] = []
    for indicator, _depth in indicator_tree(evaluation=evaluation):
        node = nodes[indicator.pk] = _Node(indicator)
        (nodes[indicator.parent_id].children if indicator.parent_id else roots).append(node)
    for node in nodes.values():
        if node.children:
            node.children[0].first = node.children[-1].last = True
        node.edit_form = _edit_form(node.indicator)
        if not locked and not node.full:
            node.add_form = _add_form(node.indicator)
    if failed:
        kind, pk, form = failed
        node = nodes.get(pk)
        if node is not None:
            setattr(node, f"{kind}_form", form)
            node.open_form = kind
    return roots


def _hierarchy_page(
    request: HttpRequest,
    evaluation: Evaluation,
    failed: tuple[str, int, IndicatorTextForm] | None = None,
) -> HttpResponse:
    locked = evaluation_has_ballots(evaluation=evaluation)
    context = {
        "evaluation": evaluation,
        "locked": locked,
        "roots": _tree_nodes(evaluation, locked=locked, failed=failed),
        "max_children": MAX_CHILDREN,
        "lock_message": _(structure.ERROR_STRUCTURE_LOCKED),
    }
    # A failed form is shown again with its errors, answered 400 as every refused form is.
    status = 400 if failed else 200
    return render(request, "evaluations/editors/hierarchy.html", context, status=status)


@login_required
def hierarchy_edit(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    return _hierarchy_page(request, evaluation)


@login_required
@require_POST
def hierarchy_add(request: HttpRequest, evaluation_id: int, indicator_id: int) -> HttpResponse:
    evaluation, parent = _access_indicator(request, evaluation_id, indicator_id)
    form = _add_form(parent, request.POST)
    if form.is_valid():
        given = given_parents(parent.pk)
        try:
            child = structure.indicator_add(parent=parent, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Added %(code)s %(name)s.") % {"code": child.code, "name": child.name}
            )
            given_cleared_notice(request, given)
            return _back_to_tree(evaluation, child)
    return _hierarchy_page(request, evaluation, failed=("add", parent.pk, form))


@login_required
@require_POST
def hierarchy_update(request: HttpRequest, evaluation_id: int, indicator_id: int) -> HttpResponse:
    evaluation, indicator = _access_indicator(request, evaluation_id, indicator_id)
    form = _edit_form(indicator, request.POST)
    if form.is_valid():
        try:
            indicator = structure.indicator_update_text(
                indicator=indicator, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved %(code)s.") % {"code": indicator.code})
            return _back_to_tree(evaluation, indicator)
    return _hierarchy_page(request, evaluation, failed=("edit", indicator.pk, form))


@login_required
@require_POST
def hierarchy_reorder(request: HttpRequest, evaluation_id: int, indicator_id: int) -> HttpResponse:
    evaluation, indicator = _access_indicator(request, evaluation_id, indicator_id)
    form = ReorderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to move the indicator up or down."))
        return _back_to_tree(evaluation, indicator)
    old_code = indicator.code
    try:
        indicator = structure.indicator_reorder(
            indicator=indicator, actor=request.user, direction=form.cleaned_data["direction"]
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("Moved %(old)s; it is now %(new)s.") % {"old": old_code, "new": indicator.code},
        )
    return _back_to_tree(evaluation, indicator)


def _subtree_rows(indicator: Indicator) -> list[tuple[Indicator, int]]:
    """The indicator and everything below it, depth-first, depths counted from it."""
    tree = indicator_tree(evaluation=indicator.evaluation)
    start = next(i for i, (node, _depth) in enumerate(tree) if node.pk == indicator.pk)
    base = tree[start][1]
    rows = [(tree[start][0], 0)]
    for node, depth in tree[start + 1 :]:
        if depth <= base:
            break
        rows.append((node, depth - base))
    return rows


def _move_targets(indicator: Indicator) -> list[tuple[Indicator, int]]:
    """Where the indicator may go: not under itself or its subtree, nor under a full parent."""
    tree = indicator_tree(evaluation=indicator.evaluation)
    own = {node.pk for node, _depth in _subtree_rows(indicator)}
    child_counts: dict[int, int] = {}
    for node, _depth in tree:
        if node.parent_id is not None:
            child_counts[node.parent_id] = child_counts.get(node.parent_id, 0) + 1
    return [
        (node, depth)
        for node, depth in tree
        if node.pk not in own
        and node.pk != indicator.parent_id
        and child_counts.get(node.pk, 0) < MAX_CHILDREN
    ]


@login_required
def hierarchy_move(request: HttpRequest, evaluation_id: int, indicator_id: int) -> HttpResponse:
    evaluation, indicator = _access_indicator(request, evaluation_id, indicator_id)
    if indicator.parent_id is None:
        messages.error(request, _(structure.ERROR_ROOT_MOVE))
        return _back_to_tree(evaluation, indicator)
    targets = _move_targets(indicator)
    choices = [(node.pk, f"{node.code} {node.name}") for node, _depth in targets]
    form = IndicatorMoveForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        new_parent = get_object_or_404(
            Indicator, pk=form.cleaned_data["parent"], evaluation=evaluation
        )
        old_code = indicator.code
        given = []
        if new_parent.pk != indicator.parent_id:
            given = given_parents(indicator.parent_id, new_parent.pk)
        try:
            indicator = structure.indicator_move(
                indicator=indicator, actor=request.user, new_parent=new_parent
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("Moved %(old)s under %(parent)s; it is now %(new)s.")
                % {"old": old_code, "parent": new_parent.code, "new": indicator.code},
            )
            given_cleared_notice(request, given)
            return _back_to_tree(evaluation, indicator)
    context = {
        "evaluation": evaluation,
        "indicator": indicator,
        "form": form,
        # Radio buttons paired with their depth, so the choices read as the tree does.
        "options": list(zip(form["parent"], [depth for _node, depth in targets], strict=True)),
        "subtree": _subtree_rows(indicator),
        "locked": evaluation_has_ballots(evaluation=evaluation),
        "lock_message": _(structure.ERROR_STRUCTURE_LOCKED),
        "max_children": MAX_CHILDREN,
    }
    status = 400 if request.method == "POST" else 200  # a POST that got here was refused
    return render(request, "evaluations/editors/indicator_move.html", context, status=status)


@login_required
def hierarchy_delete(request: HttpRequest, evaluation_id: int, indicator_id: int) -> HttpResponse:
    """GET asks for confirmation and lists what goes with the indicator; POST deletes."""
    evaluation, indicator = _access_indicator(request, evaluation_id, indicator_id)
    if indicator.parent_id is None:
        messages.error(request, _(structure.ERROR_ROOT_DELETE))
        return _back_to_tree(evaluation, indicator)
    if request.method == "POST":
        code, name = indicator.code, indicator.name
        given = given_parents(indicator.parent_id)
        try:
            count = structure.indicator_delete(indicator=indicator, actor=request.user)
        except ValidationError as error:
            _error_messages(request, error)
            return _back_to_tree(evaluation, indicator)
        if count > 1:
            message = _("Deleted %(code)s %(name)s and the %(count)d indicators below it.") % {
                "code": code,
                "name": name,
                "count": count - 1,
            }
        else:
            message = _("Deleted %(code)s %(name)s.") % {"code": code, "name": name}
        messages.success(request, message)
        given_cleared_notice(request, given)
        return _back_to_tree(evaluation)
    context = {
        "evaluation": evaluation,
        "indicator": indicator,
        "subtree": _subtree_rows(indicator),
        "locked": evaluation_has_ballots(evaluation=evaluation),
        "lock_message": _(structure.ERROR_STRUCTURE_LOCKED),
    }
    return render(request, "evaluations/editors/indicator_delete.html", context)


# ---------------------------------------------------------------------------------------------
# Grade set and subjects


def _row_id(form) -> int | None:
    try:
        return int(form["id"].value())
    except (TypeError, ValueError):
        return None


@login_required
def grades_edit(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    grades = list(evaluation.grades.all())
    if request.method == "POST":
        # No initial on POST: the posted ids say which rows exist, even from a stale tab.
        formset = GradeFormSet(request.POST, prefix="grades")
    else:
        # 4, not 4.0: whole scores read as the coordinator typed them.
        initial = [
            {"id": g.pk, "name": g.name, "score": int(g.score) if g.score.is_integer() else g.score}
            for g in grades
        ]
        formset = GradeFormSet(initial=initial, prefix="grades")
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            structure.grade_set_replace(
                evaluation=evaluation, actor=request.user, grades=grade_rows(formset)
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Grade set saved."))
            return redirect("grades-edit", evaluation_id=evaluation.pk)
    context = {
        "evaluation": evaluation,
        "grades": grades,
        "formset": formset,
        "errors": errors,
        "locked": RatingBallot.objects.filter(subject__evaluation=evaluation).exists(),
        "lock_message": _(structure.ERROR_GRADES_LOCKED),
    }
    status = 400 if request.method == "POST" else 200  # a POST that got here was refused
    return render(request, "evaluations/editors/grades.html", context, status=status)


@login_required
def subjects_edit(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    if request.method == "POST":
        formset = SubjectFormSet(request.POST, prefix="subjects")
    else:
        initial = [
            {"id": s.pk, "name": s.name, "description": s.description}
            for s in evaluation.subjects.all()
        ]
        formset = SubjectFormSet(initial=initial, prefix="subjects")
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            structure.subject_set_replace(
                evaluation=evaluation, actor=request.user, subjects=subject_rows(formset)
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Subjects saved."))
            return redirect("subjects-edit", evaluation_id=evaluation.pk)
    rated = set(
        RatingBallot.objects.filter(subject__evaluation=evaluation).values_list(
            "subject_id", flat=True
        )
    )
    for form in formset:
        form.rated = _row_id(form) in rated
    context = {"evaluation": evaluation, "formset": formset, "errors": errors}
    status = 400 if request.method == "POST" else 200  # a POST that got here was refused
    return render(request, "evaluations/editors/subjects.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# Settings


@login_required
def evaluation_settings(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(user=request.user, evaluation_id=evaluation_id)
    initial = {name: getattr(evaluation, name) for name in SETTINGS_FIELDS}
    form = EvaluationSettingsForm(request.POST or None, initial=initial, evaluation=evaluation)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_update_settings(
                evaluation=evaluation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("evaluation-settings", evaluation_id=evaluation.pk)
    context = {"evaluation": evaluation, "form": form}
    status = 400 if request.method == "POST" else 200  # a POST that got here was refused
    return render(request, "evaluations/editors/settings.html", context, status=status)
