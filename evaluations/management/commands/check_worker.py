from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evaluations.tasks import ping


class Command(BaseCommand):
    help = "Send a ping task through the broker and wait for a worker to answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait")

    def handle(self, *args, timeout: float, **options):
        if not settings.CELERY_BROKER_URL:
            self.stdout.write("CELERY_BROKER_URL is not set: tasks run in-process.")
        try:
            answer = ping.delay().get(timeout=timeout)
        except Exception as error:  # broker down, no worker, timeout: say which
            raise CommandError(
                f"No answer from a worker within {timeout:g} s: {error!r}"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Worker answered: {answer}"))
