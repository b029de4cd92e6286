from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("evaluations/<int:evaluation_id>/", views.evaluation_detail, name="evaluation-detail"),
]
