"""The coordinator's screening pages before and around the rounds (views_setup.py, its questions
and items views_questions.py, Adopt views_adopt.py); the rounds page and its statistics are
urls_rounds.py's."""

from django.urls import path

from . import views_adopt, views_questions
from . import views_setup as views

SETUP = "evaluations/<int:evaluation_id>/screening/"
SURVEY = f"{SETUP}<int:survey_id>/"

urlpatterns = [
    path(SETUP, views.setup_home, name="screening-setup"),
    path(SURVEY, views.survey_page, name="screening-setup-survey"),
    path(f"{SURVEY}settings/", views.survey_settings, name="screening-setup-settings"),
    path(f"{SURVEY}questions/", views_questions.question_add, name="screening-setup-question-add"),
    path(
        f"{SURVEY}questions/<int:question_id>/",
        views_questions.question_update,
        name="screening-setup-question-update",
    ),
    path(
        f"{SURVEY}questions/<int:question_id>/delete/",
        views_questions.question_delete,
        name="screening-setup-question-delete",
    ),
    path(
        f"{SURVEY}questions/<int:question_id>/items/",
        views_questions.item_add,
        name="screening-setup-item-add",
    ),
    path(
        f"{SURVEY}items/<int:item_id>/",
        views_questions.item_update,
        name="screening-setup-item-update",
    ),
    path(
        f"{SURVEY}items/<int:item_id>/delete/",
        views_questions.item_delete,
        name="screening-setup-item-delete",
    ),
    path(f"{SURVEY}open-link/", views.open_link, name="screening-setup-open-link"),
    path(f"{SURVEY}start/", views.round_one_open, name="screening-setup-start"),
    path(f"{SURVEY}adopt/", views_adopt.survey_adopt, name="screening-setup-adopt"),
]
