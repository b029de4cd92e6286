from django.urls import include, path

from . import history_views, views

PANEL = "panels/<int:evaluation_id>/"

urlpatterns = [
    path(
        "evaluations/<int:evaluation_id>/panel/<int:membership_id>/history/",
        history_views.expert_history,
        name="expert-history",
    ),
    path(PANEL, views.questionnaire_home, name="questionnaire"),
    path(f"{PANEL}pairwise/<int:parent_id>/", views.pairwise_form, name="pairwise-form"),
    path(
        f"{PANEL}pairwise/<int:parent_id>/autosave/",
        views.pairwise_autosave,
        name="pairwise-autosave",
    ),
    path(
        f"{PANEL}pairwise/<int:parent_id>/withdraw/",
        views.pairwise_withdraw,
        name="pairwise-withdraw",
    ),
    path(f"{PANEL}ratings/<int:subject_id>/", views.rating_form, name="rating-form"),
    path(
        f"{PANEL}ratings/<int:subject_id>/withdraw/",
        views.rating_withdraw,
        name="rating-withdraw",
    ),
    path(
        f"{PANEL}ratings/<int:subject_id>/autosave/",
        views.rating_autosave,
        name="rating-autosave",
    ),
    # The screening stage (surveys/screening/): the coordinator's surveys and rounds, the
    # respondents' questionnaires and the open link.
    path("", include("surveys.screening.urls_setup")),
    path("", include("surveys.screening.urls_rounds")),
    path("", include("surveys.screening.urls_respond")),
    # Spreadsheet questionnaires (surveys/spreadsheets/): download, upload, preview, store.
    path("", include("surveys.spreadsheets.urls")),
    # Paper ballots typed in by the coordinator or a data-entry assistant (surveys/paper/).
    path("", include("surveys.paper.urls")),
]
