"""Build the demonstration evaluation: the paper's setting, deterministic, re-runnable."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from evaluations.services import evaluation_create_from_template

DEMO_USERNAME = "coordinator"
DEMO_PASSWORD = "ahpanel-demo"
DEMO_TEMPLATE = "sme-management-measures"
DEMO_TITLE = "Management of three SME e-commerce modes (demo)"
DEMO_SUBJECTS = [
    "Mode A: platform store",
    "Mode B: independent web shop",
    "Mode C: social commerce",
]


class Command(BaseCommand):
    help = "Create the demo coordinator and the demo evaluation (replacing an earlier demo)."

    @transaction.atomic
    def handle(self, *args, **options):
        user_model = get_user_model()
        coordinator, _ = user_model.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "coordinator@example.com"}
        )
        coordinator.set_password(DEMO_PASSWORD)
        coordinator.save()
        # Re-running gives the same demo, not a second copy.
        coordinator.evaluations.filter(title=DEMO_TITLE).delete()
        evaluation = evaluation_create_from_template(
            owner=coordinator,
            template_key=DEMO_TEMPLATE,
            subjects=DEMO_SUBJECTS,
            title=DEMO_TITLE,
        )
        self.stdout.write(
            f"Demo evaluation #{evaluation.pk}: "
            f"{evaluation.indicators.filter(children__isnull=True).count()} leaf indicators, "
            f"{evaluation.grades.count()} grades, {evaluation.subjects.count()} subjects.\n"
            f"Sign in at http://127.0.0.1:8000/accounts/login/ as "
            f"{DEMO_USERNAME} / {DEMO_PASSWORD}"
        )
