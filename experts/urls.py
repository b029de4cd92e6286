from django.urls import path

from . import views
from .criterion_weights_views import criterion_weights

PANEL = "evaluations/<int:evaluation_id>/panel/"

urlpatterns = [
    path(PANEL, views.panel, name="panel"),
    path(f"{PANEL}remind/", views.panel_remind, name="panel-remind"),
    path(f"{PANEL}<int:membership_id>/resend/", views.panel_resend, name="panel-resend"),
    path(f"{PANEL}<int:membership_id>/revoke/", views.panel_revoke, name="panel-revoke"),
    path(f"{PANEL}<int:membership_id>/restore/", views.panel_restore, name="panel-restore"),
    path(f"{PANEL}<int:membership_id>/weight/", views.panel_weight, name="panel-weight"),
    path(
        f"{PANEL}<int:membership_id>/criterion-weights/",
        criterion_weights,
        name="panel-criterion-weights",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("panels/", views.expert_home, name="expert-home"),
]
