from django.urls import path

from .api import (
    QuestionnaireCommitView,
    QuestionnaireFileView,
    QuestionnairePreviewView,
    QuestionnaireUploadView,
)

EVALUATION = "evaluations/<int:evaluation_id>/"

urlpatterns = [
    path(
        f"{EVALUATION}questionnaire.xlsx",
        QuestionnaireFileView.as_view(),
        name="questionnaire-xlsx",
    ),
    path(
        f"{EVALUATION}questionnaires/",
        QuestionnaireUploadView.as_view(),
        name="questionnaire-upload",
    ),
    path(
        f"{EVALUATION}questionnaires/<str:token>/",
        QuestionnairePreviewView.as_view(),
        name="questionnaire-preview",
    ),
    path(
        f"{EVALUATION}questionnaires/<str:token>/commit/",
        QuestionnaireCommitView.as_view(),
        name="questionnaire-commit",
    ),
]
