"""A report over the size limit is rendered by a job on the analysis queue: the page redirects
to its progress page, the job is reused while queued, running or done, a failure is recorded
with its reason, only its requester and the coordinator read it, and it expires after a day."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from evaluations.exports import formats, jobs
from evaluations.exports.jobs import export_job_request, export_job_run, export_jobs_expire
from evaluations.models import ExportJob
from evaluations.results_selectors import snapshot_latest
from tests.conftest import accepted_membership
from tests.evaluations.test_results_pages import accept

pytestmark = pytest.mark.usefixtures("deferred")


def ask(client, evaluation, fmt="pdf", **query):
    return client.get(reverse("results-export", args=[evaluation.pk, fmt]), query)


def job_url(name, job):
    return reverse(name, args=[job.evaluation_id, job.pk])


def test_the_export_task_is_routed_to_the_analysis_queue():
    routes = celery_app.conf.task_routes
    assert routes["evaluations.render_export"] == {"queue": "analysis"}
    assert "evaluations.expire_exports" in {
        entry["task"] for entry in celery_app.conf.beat_schedule.values()
    }


def test_a_large_report_goes_from_queued_to_done_and_downloads_the_direct_rendering(
    coordinator, coordinator_client, evaluation, snapshot, fake_pdf,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        response = ask(coordinator_client, evaluation)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url("results-export-job", job)
    assert job.status == "queued" and fake_pdf == []
    status = coordinator_client.get(job_url("results-export-job-status", job)).json()
    assert (status["status"], status["download"]) == ("queued", None)

    for callback in callbacks:  # the commit: the task runs in-process (no broker)
        callback()

    status = coordinator_client.get(job_url("results-export-job-status", job)).json()
    assert status["status"] == "done"
    assert status["download"] == "http://testserver" + job_url("results-export-job-file", job)
    download = coordinator_client.get(job_url("results-export-job-file", job))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    expected = f"ahpanel-evaluation-{evaluation.pk}-results-v{snapshot.version}.pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{expected}"'
    direct = formats.REGISTRY["pdf"].render(
        evaluation=evaluation, snapshot=snapshot, user=coordinator
    )
    assert download.content == direct


def test_asking_again_reuses_the_queued_and_the_done_job(
    coordinator_client, evaluation, snapshot, fake_pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as first:
        ask(coordinator_client, evaluation)
        ask(coordinator_client, evaluation)  # still queued: its task has not run yet
    with django_capture_on_commit_callbacks(execute=True) as later:
        ask(coordinator_client, evaluation)  # done: the same file

    assert ExportJob.objects.count() == 1
    assert (len(first), len(later)) == (1, 0)
    assert len(fake_pdf) == 1


def test_another_format_is_another_job_and_the_history_option_changes_no_report(
    coordinator_client, evaluation, snapshot, fake_pdf, report_renderers,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        ask(coordinator_client, evaluation)
        ask(coordinator_client, evaluation, history="1")
        ask(coordinator_client, evaluation, "docx")

    assert sorted(ExportJob.objects.values_list("fmt", "history")) == [
        ("docx", False), ("pdf", False),
    ]  # fmt: skip
    assert len(fake_pdf) == 1


def test_a_failed_rendering_is_recorded_and_polled_without_a_server_error(
    coordinator_client, evaluation, snapshot, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setitem(
        formats.REGISTRY, "pdf", formats.ExportFormat("pdf", "application/pdf", "pdf", broken, 1.0)
    )
    with django_capture_on_commit_callbacks(execute=True):
        ask(coordinator_client, evaluation)
    job = ExportJob.objects.get()

    status = coordinator_client.get(job_url("results-export-job-status", job))
    assert status.status_code == 200
    assert status.json()["status"] == "failed"
    assert status.json()["error"] == jobs.ERROR_RENDER
    page = coordinator_client.get(job_url("results-export-job", job))
    assert page.status_code == 200 and jobs.ERROR_RENDER in page.content.decode()
    # The file of a failed job is not there: back to its page, which says why.
    assert coordinator_client.get(job_url("results-export-job-file", job)).status_code == 302


def test_asking_again_after_a_failure_starts_the_job_over(
    coordinator, evaluation, snapshot, fake_pdf, django_capture_on_commit_callbacks
):
    ExportJob.objects.create(
        evaluation=evaluation, version=snapshot.version, fmt="pdf", requested_by=coordinator,
        status="failed", error=jobs.ERROR_RENDER, queued_at=timezone.now(),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_request(
            evaluation=evaluation, snapshot=snapshot, user=coordinator, fmt="pdf", history=False
        )

    job.refresh_from_db()
    assert (job.status, job.error, len(fake_pdf)) == ("done", "", 1)


def test_a_snapshot_pruned_before_the_task_ran_fails_with_a_reason(
    coordinator, evaluation, snapshot, fake_pdf
):
    job = export_job_request(
        evaluation=evaluation, snapshot=snapshot, user=coordinator, fmt="pdf", history=False
    )
    snapshot.delete()

    assert export_job_run(job_id=job.pk).error == jobs.ERROR_SNAPSHOT_GONE
    assert fake_pdf == []


def test_a_job_runs_once_even_if_its_task_is_delivered_twice(
    coordinator, evaluation, snapshot, fake_pdf
):
    job = export_job_request(
        evaluation=evaluation, snapshot=snapshot, user=coordinator, fmt="pdf", history=False
    )

    assert export_job_run(job_id=job.pk).status == "done"
    assert export_job_run(job_id=job.pk) is None
    assert len(fake_pdf) == 1


def test_a_file_over_the_size_cap_is_not_kept(
    coordinator, evaluation, snapshot, fake_pdf, monkeypatch
):
    monkeypatch.setattr(jobs, "MAX_BYTES", 4)
    job = export_job_request(
        evaluation=evaluation, snapshot=snapshot, user=coordinator, fmt="pdf", history=False
    )

    job = export_job_run(job_id=job.pk)
    assert (job.status, job.content, job.error) == ("failed", None, jobs.ERROR_TOO_LARGE)


def test_polling_a_job_reads_it_in_a_few_queries_and_never_renders(
    coordinator_client, coordinator, evaluation, snapshot, fake_pdf, django_assert_max_num_queries
):
    job = export_job_request(
        evaluation=evaluation, snapshot=snapshot, user=coordinator, fmt="pdf", history=False
    )
    coordinator_client.get(job_url("results-export-job-status", job))  # the session, warmed

    with django_assert_max_num_queries(4):  # session, user, evaluation, job
        coordinator_client.get(job_url("results-export-job-status", job))
    assert fake_pdf == []


def test_jobs_expire_after_a_day(coordinator, evaluation, snapshot, fake_pdf):
    job = export_job_request(
        evaluation=evaluation, snapshot=snapshot, user=coordinator, fmt="pdf", history=False
    )
    export_job_run(job_id=job.pk)

    assert export_jobs_expire(now=timezone.now() + timedelta(hours=23)) == 0
    assert export_jobs_expire(now=timezone.now() + jobs.JOB_TTL + timedelta(minutes=1)) == 1
    assert not ExportJob.objects.exists()


def test_an_expired_job_is_not_served_before_the_sweep(
    coordinator_client, coordinator, evaluation, snapshot, fake_pdf
):
    job = export_job_request(
        evaluation=evaluation, snapshot=snapshot, user=coordinator, fmt="pdf", history=False
    )
    export_job_run(job_id=job.pk)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=2))

    assert coordinator_client.get(job_url("results-export-job-file", job)).status_code == 404


# --- who reads a job ----------------------------------------------------------------------


@pytest.fixture
def shared(evaluation, snapshot, expert):
    evaluation.results_visible_to_experts = True
    evaluation.save()
    membership = evaluation.memberships.first()
    accept(membership, expert)
    return membership


def test_an_expert_gets_their_own_job_and_the_coordinator_may_read_it(
    client, coordinator_client, expert, evaluation, shared, fake_pdf,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    client.force_login(expert)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, evaluation)
    job = ExportJob.objects.get()

    assert job.requested_by == expert
    assert client.get(response["Location"]).status_code == 200
    assert coordinator_client.get(job_url("results-export-job-file", job)).status_code == 200


def test_nobody_else_reads_a_job(
    coordinator, client, outsider_client, make_user, evaluation, shared, snapshot, fake_pdf
):
    job = export_job_request(
        evaluation=evaluation, snapshot=snapshot, user=coordinator, fmt="pdf", history=False
    )
    other = make_user("other-expert")
    accepted_membership(evaluation, other)
    client.force_login(other)  # on the panel, results shared: still not their job

    for name in ("results-export-job", "results-export-job-status", "results-export-job-file"):
        assert outsider_client.get(job_url(name, job)).status_code == 404
        assert client.get(job_url(name, job)).status_code == 404


def test_an_expert_whose_results_were_unshared_gets_a_failed_job(
    expert, evaluation, shared, snapshot, fake_pdf
):
    job = export_job_request(
        evaluation=evaluation, snapshot=snapshot, user=expert, fmt="pdf", history=False
    )
    evaluation.results_visible_to_experts = False
    evaluation.save()

    assert export_job_run(job_id=job.pk).error == jobs.ERROR_ACCESS
    assert fake_pdf == []


def test_the_job_of_another_evaluation_is_a_404(
    coordinator, coordinator_client, evaluation, snapshot, fake_pdf
):
    job = export_job_request(
        evaluation=evaluation, snapshot=snapshot, user=coordinator, fmt="pdf", history=False
    )
    from evaluations.services import evaluation_create_from_template

    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    url = reverse("results-export-job-status", args=[other.pk, job.pk])
    assert coordinator_client.get(url).status_code == 404
    assert snapshot_latest(evaluation=evaluation) is not None
