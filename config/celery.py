"""The Celery app. Workers: `celery -A config worker`; scheduler: `celery -A config beat`."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from kombu import Queue

from config.logging import redact_every_handler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ahpanel")
# Broker URL, result backend and eager mode come from Django settings (CELERY_* from the env).
app.config_from_object("django.conf:settings", namespace="CELERY")

app.conf.update(
    # Acknowledge a message only after the task finished, so a worker killed mid-task does not
    # lose it: the broker hands it out again. Tasks must therefore be idempotent.
    task_acks_late=True,
    # ...and requeue it when the worker process itself dies (OOM kill, SIGKILL).
    task_reject_on_worker_lost=True,
    # One message at a time per worker process: with acks late a prefetched message would
    # sit reserved behind a long task, and be redelivered only after the visibility timeout.
    worker_prefetch_multiplier=1,
    # A recompute is seconds of numpy; minutes mean something is stuck. The soft limit raises
    # inside the task so it can log; the hard limit kills the process.
    task_soft_time_limit=120,
    task_time_limit=180,
    # Redis redelivers an unacknowledged message after this many seconds. It must exceed the
    # longest task (hard limit above) or a running task would be delivered twice.
    # Connecting to an unreachable Redis fails within seconds rather than hanging a request.
    broker_transport_options={
        "visibility_timeout": 600,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    },
    # JSON only: never unpickle what comes off the wire.
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # Results are read back only by health checks (the ping task asks for its own); keep
    # Redis from filling up, and keep `.delay()` from waiting on the result store while Redis
    # is down (it retries for about 20 s before giving up).
    task_ignore_result=True,
    result_expires=3600,
    # A submission queues its recompute inside the request: while Redis is down, give up
    # after about a second (the ballot is saved and the sweep queues the recompute later)
    # instead of holding the request.
    task_publish_retry_policy={
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    },
    # Keep retrying the broker at start-up (Redis may come up after the worker).
    broker_connection_retry_on_startup=True,
    # If the broker connection drops mid-task, the message is redelivered anyway (acks late),
    # so stop the running copy instead of letting two run.
    worker_cancel_long_running_tasks_on_connection_loss=True,
    # The scheduler (`celery -A config beat`) heals what a lost task left stale.
    beat_schedule={
        "recompute-stale": {"task": "evaluations.sweep_stale", "schedule": 60.0},
        "analyses-lost": {"task": "evaluations.sweep_analyses", "schedule": 60.0},
        # Export files are kept a day (evaluations/exports/jobs.py: JOB_TTL).
        "exports-expired": {"task": "evaluations.expire_exports", "schedule": 3600.0},
    },
    # Two queues: "celery" for the results recomputes and everything else, "analysis" for the
    # slower analyses of a snapshot (robustness simulations), so they never wait in front of
    # a recompute (DESIGN §3). A worker started without -Q consumes both (a laptop's single
    # worker); production runs one worker per queue (docker-compose.yml). Listing both also
    # lets `celery purge` and app.control.purge() empty both.
    task_default_queue="celery",
    task_queues=(
        Queue("celery", routing_key="celery"),
        Queue("analysis", routing_key="analysis"),
    ),
    # Large PDF and Word reports are rendered there too: seconds of layout, like an analysis.
    task_routes={
        "evaluations.analyse_robustness": {"queue": "analysis"},
        "evaluations.render_export": {"queue": "analysis"},
    },
)

app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_worker_logs(**kwargs) -> None:
    """A worker replaces the handlers of settings.LOGGING with its own (and gives the task
    logger one): they get the same redaction (config/logging.py)."""
    redact_every_handler()
