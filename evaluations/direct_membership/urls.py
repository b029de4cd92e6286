"""The coordinator's direct-membership pages; included at the site root."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "evaluations/<int:evaluation_id>/direct-membership/",
        views.leaf_list,
        name="direct-membership",
    ),
    path(
        "evaluations/<int:evaluation_id>/direct-membership/<int:indicator_id>/",
        views.leaf_edit,
        name="direct-membership-edit",
    ),
]
