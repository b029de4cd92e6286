from django.urls import include, path

from .views import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("evaluations/new/", pages.evaluation_create, name="evaluation-create"),
    path("evaluations/<int:evaluation_id>/", pages.evaluation_detail, name="evaluation-detail"),
    path(
        "evaluations/<int:evaluation_id>/status/",
        pages.evaluation_status,
        name="evaluation-status",
    ),
    path("evaluations/<int:evaluation_id>/copy/", pages.evaluation_copy, name="evaluation-copy"),
    # Hierarchy, grade set, subjects and settings editors.
    path("", include("evaluations.urls_editors")),
    # Leaves whose membership is given or measured instead of voted.
    path("", include("evaluations.direct_membership.urls")),
    # Results pages, the management profile and exports.
    path("", include("evaluations.urls_results")),
]
