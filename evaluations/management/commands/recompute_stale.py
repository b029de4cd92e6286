"""Heal results that stayed stale: requeue their recompute, or compute here.

Scheduled every minute by the Celery scheduler (config/celery.py); also runs from cron
without Redis: `python manage.py recompute_stale --direct`.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from evaluations.services.pipeline import SWEEP_GRACE, recompute_sweep


class Command(BaseCommand):
    help = "Recompute evaluations whose results are older than their input."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=float,
            default=SWEEP_GRACE.total_seconds(),
            help="seconds since the last change before an evaluation counts as stale",
        )
        parser.add_argument(
            "--direct",
            action="store_true",
            help="compute in this process instead of queueing (no broker needed)",
        )

    def handle(self, *args, grace: float, direct: bool, **options):
        done = recompute_sweep(grace=timedelta(seconds=grace), direct=direct)
        self.stdout.write(
            f"queued {done['queued']}, computed {done['computed']}, failed {done['failed']}"
        )
