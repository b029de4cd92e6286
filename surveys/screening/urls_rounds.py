"""The coordinator's rounds page (views_rounds.py): the statistics round by round, the
decisions after a round, suggested items, opening and closing rounds, and the exports."""

from django.urls import path

from . import views_rounds as views

ROUNDS = "evaluations/<int:evaluation_id>/screening/<int:survey_id>/rounds/"
ROUND = f"{ROUNDS}<int:round_number>/"

urlpatterns = [
    path(ROUNDS, views.rounds_page, name="screening-rounds"),
    path(f"{ROUNDS}open/", views.round_open, name="screening-round-open"),
    path(f"{ROUND}close/", views.round_close, name="screening-round-close"),
    path(
        f"{ROUND}items/<int:item_id>/decision/",
        views.decision_set,
        name="screening-round-decision",
    ),
    path(f"{ROUND}suggested/", views.suggested_item_add, name="screening-round-suggested"),
    path(f"{ROUND}export/<str:fmt>/", views.round_export, name="screening-round-export"),
]
