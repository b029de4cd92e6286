"""The screening stage's API routes, under /api/v1/ (config/api_urls.py): the coordinator's
under the evaluation, the expert's under the panel, as the ballots' are."""

from django.urls import path

from .expert import QuestionnaireView
from .rounds import (
    AdoptView,
    DecisionsView,
    RoundCloseView,
    RoundListView,
    SuggestedItemView,
)
from .setup import (
    ItemDetailView,
    ItemListView,
    QuestionDetailView,
    QuestionListView,
    SurveyDetailView,
    SurveyListView,
)
from .statistics import StatisticsView

SURVEYS = "evaluations/<int:evaluation_id>/screening/"
SURVEY = f"{SURVEYS}<int:survey_id>/"
QUESTION = f"{SURVEY}questions/<int:question_id>/"
ROUND = f"{SURVEY}rounds/<int:round_number>/"

urlpatterns = [
    path(SURVEYS, SurveyListView.as_view(), name="screening-surveys"),
    path(SURVEY, SurveyDetailView.as_view(), name="screening-survey"),
    path(f"{SURVEY}questions/", QuestionListView.as_view(), name="screening-questions"),
    path(QUESTION, QuestionDetailView.as_view(), name="screening-question"),
    path(f"{QUESTION}items/", ItemListView.as_view(), name="screening-items"),
    path(f"{QUESTION}items/<int:item_id>/", ItemDetailView.as_view(), name="screening-item"),
    path(f"{SURVEY}rounds/", RoundListView.as_view(), name="screening-rounds"),
    path(f"{ROUND}close/", RoundCloseView.as_view(), name="screening-round-close"),
    path(f"{ROUND}decisions/", DecisionsView.as_view(), name="screening-decisions"),
    path(f"{ROUND}items/", SuggestedItemView.as_view(), name="screening-suggested-items"),
    path(f"{ROUND}statistics/", StatisticsView.as_view(), name="screening-statistics"),
    path(f"{SURVEY}adopt/", AdoptView.as_view(), name="screening-adopt"),
    path(
        "panels/<int:evaluation_id>/screening/<int:survey_id>/",
        QuestionnaireView.as_view(),
        name="screening-answers",
    ),
]
