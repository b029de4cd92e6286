from django.urls import path

from . import views

EVALUATION = "evaluations/<int:evaluation_id>/panel/"

urlpatterns = [
    path(
        f"{EVALUATION}questionnaire.xlsx",
        views.questionnaire_download,
        name="questionnaire-blank-xlsx",
    ),
    path(
        f"{EVALUATION}<int:membership_id>/questionnaire.xlsx",
        views.questionnaire_download,
        name="questionnaire-xlsx",
    ),
    path(f"{EVALUATION}questionnaires/", views.upload, name="questionnaire-upload"),
    path(
        f"{EVALUATION}questionnaires/<str:token>/",
        views.preview,
        name="questionnaire-preview",
    ),
]
