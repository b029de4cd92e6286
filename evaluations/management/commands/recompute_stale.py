"""Heal results that stayed stale: requeue their recompute, or compute here.

Scheduled every minute by the Celery scheduler (config/celery.py); also runs from cron
without Redis: `python manage.py recompute_stale --direct`. With `--full`, every evaluation
with results (or the one named by --evaluation) is computed here from every ballot, and its
running sums are built again (evaluations/results/running): the check that the sums kept
ballot by ballot still give what all the ballots give.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from evaluations.services.pipeline import SWEEP_GRACE, recompute_full, recompute_sweep


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
        parser.add_argument(
            "--full",
            action="store_true",
            help="recompute from every ballot here, rebuilding the running sums, every "
            "evaluation with results (or --evaluation's)",
        )
        parser.add_argument(
            "--evaluation", type=int, help="with --full: only this evaluation (its id)"
        )

    def handle(self, *args, grace: float, direct: bool, full: bool, evaluation, **options):
        if evaluation is not None and not full:
            raise CommandError("--evaluation goes with --full")
        if full:
            done = recompute_full(evaluation_id=evaluation)
            self.stdout.write(f"recomputed {done['computed']} from every ballot")
            return
        done = recompute_sweep(grace=timedelta(seconds=grace), direct=direct)
        self.stdout.write(
            f"queued {done['queued']}, computed {done['computed']}, failed {done['failed']}"
        )
