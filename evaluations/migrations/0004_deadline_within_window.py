"""Deadlines stored before the window existed (evaluations.services.limits) are moved to its
nearest edge: 9999-12-31T23:59:59Z has no local time east of UTC, and every page showing it
failed. Frozen here, as a migration must not follow later changes of the rule."""

from datetime import UTC, datetime, timedelta

from django.db import migrations
from django.utils import timezone

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
HORIZON = timedelta(days=3650)


def deadlines_into_window(apps, schema_editor):
    Evaluation = apps.get_model("evaluations", "Evaluation")
    latest = timezone.now() + HORIZON
    Evaluation.objects.filter(deadline__lt=EARLIEST).update(deadline=EARLIEST)
    Evaluation.objects.filter(deadline__gt=latest).update(deadline=latest)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_comments_named_audit_params"),
    ]

    operations = [
        migrations.RunPython(deadlines_into_window, migrations.RunPython.noop, elidable=True),
    ]
