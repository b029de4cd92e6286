from django.urls import path

from . import invitation_views, views

PAPER = "evaluations/<int:evaluation_id>/paper/"

urlpatterns = [
    path(PAPER, views.paper_home, name="paper-home"),
    path(f"{PAPER}assistants/", views.paper_assistant_add, name="paper-assistant-add"),
    path(
        f"{PAPER}assistants/<int:assistant_id>/remove/",
        views.paper_assistant_remove,
        name="paper-assistant-remove",
    ),
    path(
        f"{PAPER}invitations/<int:invitation_id>/resend/",
        invitation_views.paper_invitation_resend,
        name="paper-invitation-resend",
    ),
    path(
        f"{PAPER}invitations/<int:invitation_id>/cancel/",
        invitation_views.paper_invitation_cancel,
        name="paper-invitation-cancel",
    ),
    # Public: the token is the credential (as experts' "invitation").
    path(
        "assistant-invitations/<str:token>/",
        invitation_views.assistant_invitation,
        name="assistant-invitation",
    ),
    path(f"{PAPER}entries/<int:entry_id>/", views.paper_compare, name="paper-compare"),
    path(f"{PAPER}entries/<int:entry_id>/discard/", views.paper_discard, name="paper-discard"),
    path(f"{PAPER}<int:membership_id>/", views.paper_member, name="paper-member"),
    path(
        f"{PAPER}<int:membership_id>/pairwise/<int:parent_id>/",
        views.paper_pairwise,
        name="paper-pairwise",
    ),
    path(
        f"{PAPER}<int:membership_id>/ratings/<int:subject_id>/",
        views.paper_rating,
        name="paper-rating",
    ),
    path(
        "evaluations/<int:evaluation_id>/panel/add-named/",
        views.panel_add_named,
        name="panel-add-named",
    ),
]
