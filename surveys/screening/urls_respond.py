"""The respondents' pages: an expert's questionnaire (under the panel's address, as the
ballots are) and the public open link."""

from django.urls import path

from . import views_respond

urlpatterns = [
    path(
        "panels/<int:evaluation_id>/screening/<int:survey_id>/",
        views_respond.respond,
        name="screening-respond",
    ),
    # s/<token>/: the token is a credential; config/logging.py redacts it from every log line.
    path("s/<str:token>/", views_respond.open_link, name="screening-open-link"),
]
