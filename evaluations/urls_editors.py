"""The coordinator's structure editors; included at the site root, so paths are complete."""

from django.urls import path

from .given_weights import views as given_weights
from .views import editors

INDICATOR = "evaluations/<int:evaluation_id>/hierarchy/<int:indicator_id>"

urlpatterns = [
    path(
        "evaluations/<int:evaluation_id>/hierarchy/",
        editors.hierarchy_edit,
        name="hierarchy-edit",
    ),
    path(f"{INDICATOR}/add/", editors.hierarchy_add, name="hierarchy-add"),
    path(f"{INDICATOR}/update/", editors.hierarchy_update, name="hierarchy-update"),
    path(f"{INDICATOR}/reorder/", editors.hierarchy_reorder, name="hierarchy-reorder"),
    path(f"{INDICATOR}/move/", editors.hierarchy_move, name="hierarchy-move"),
    path(f"{INDICATOR}/delete/", editors.hierarchy_delete, name="hierarchy-delete"),
    path(
        f"{INDICATOR}/given-weights/",
        given_weights.given_weights_edit,
        name="given-weights-edit",
    ),
    path(
        f"{INDICATOR}/given-weights/clear/",
        given_weights.given_weights_remove,
        name="given-weights-clear",
    ),
    path("evaluations/<int:evaluation_id>/grades/", editors.grades_edit, name="grades-edit"),
    path("evaluations/<int:evaluation_id>/subjects/", editors.subjects_edit, name="subjects-edit"),
    path(
        "evaluations/<int:evaluation_id>/settings/",
        editors.evaluation_settings,
        name="evaluation-settings",
    ),
]
