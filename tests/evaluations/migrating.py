"""Helpers of the migration tests: seed the demo, take the schema back to a migration and
forward again, and read a table's columns (to prove the schema really was the older one)."""

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from evaluations.management.commands import seed_demo
from evaluations.models import Evaluation
from evaluations.results.experts import with_experts


def migrate(targets=None):
    """Migrate to `targets` ([(app, migration)]), or forward to the latest of every app."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()


def columns(model) -> set[str]:
    with connection.cursor() as cursor:
        table = model._meta.db_table
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def seeded_demo(capsys) -> tuple[Evaluation, dict]:
    """The demo evaluation as `make demo` seeds it, and its latest snapshot's data (with each
    expert's own figures, results.experts)."""
    call_command("seed_demo")
    capsys.readouterr()
    evaluation = Evaluation.objects.get(title=seed_demo.DEMO_TITLE)
    return evaluation, with_experts(evaluation.snapshots.latest())
