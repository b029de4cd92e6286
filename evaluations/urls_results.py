"""Results pages, the SME management profile, the printable report and the exports."""

from django.urls import path

from .exports import views as exports
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
        exports.results_export,
        name="results-export",
    ),
    path(
        "evaluations/<int:evaluation_id>/results/exports/<int:job_id>/",
        exports.export_job_page,
        name="results-export-job",
    ),
    path(
        "evaluations/<int:evaluation_id>/results/exports/<int:job_id>/status/",
        exports.export_job_status,
        name="results-export-job-status",
    ),
    path(
        "evaluations/<int:evaluation_id>/results/exports/<int:job_id>/file/",
        exports.export_job_file,
        name="results-export-job-file",
    ),
]
