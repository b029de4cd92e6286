"""Results pages, the SME management profile, the printable report and the exports."""

from django.urls import path

from .robustness import views as robustness
from .views import results

urlpatterns = [
    path("evaluations/<int:evaluation_id>/results/", results.results, name="results"),
    path(
        "evaluations/<int:evaluation_id>/results/profile/<int:subject_id>/",
        results.results_profile,
        name="results-profile",
    ),
    path(
        "evaluations/<int:evaluation_id>/results/robustness/",
        robustness.results_robustness,
        name="results-robustness",
    ),
    path(
        "evaluations/<int:evaluation_id>/results/report/",
        results.results_report_page,
        name="results-report",
    ),
    path(
        "evaluations/<int:evaluation_id>/results/export.<str:fmt>",
        results.results_export,
        name="results-export",
    ),
]
