"""Migration 0008 ("don't know" and the minimum ratings per leaf) keeps every existing
evaluation's numbers: the demo is taken back to the schema without the settings and forward
again; its settings are off and 3, and its results computed afresh equal its snapshot, with no
don't-know and no leaf below the minimum (the demo's raters rate every leaf)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from evaluations.management.commands import seed_demo
from evaluations.models import Evaluation
from evaluations.services.results import panel_input, results_compute

BEFORE = [("evaluations", "0006_method_variant_settings")]
NEW_COLUMNS = {"allow_dont_know", "min_ratings_per_leaf"}


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()


def evaluation_columns() -> set[str]:
    with connection.cursor() as cursor:
        table = Evaluation._meta.db_table
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


@pytest.mark.django_db(transaction=True)
def test_the_demo_keeps_its_numbers_through_the_dont_know_migration(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    evaluation = Evaluation.objects.get(title=seed_demo.DEMO_TITLE)
    snapshot = evaluation.snapshots.latest().data

    migrate(BEFORE)
    try:
        assert not NEW_COLUMNS & evaluation_columns()
    finally:
        migrate()

    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert (evaluation.allow_dont_know, evaluation.min_ratings_per_leaf) == (False, 3)
    data = panel_input(evaluation=evaluation)
    assert results_compute(data) == snapshot
    assert snapshot["few_ratings"] == []
    for subject in snapshot["subjects"]:
        assert set(subject["dont_know"].values()) == {0}
        assert min(subject["rated"].values()) >= 3  # the demo's experts who rated
    # Computed from settings without the new keys (a snapshot's from before), the numbers are
    # the same: only the settings record differs.
    data.settings = {k: v for k, v in data.settings.items() if k not in NEW_COLUMNS}
    old_style = results_compute(data)
    assert old_style.pop("settings") == data.settings
    assert old_style == {k: v for k, v in snapshot.items() if k != "settings"}
    # The comparison can fail: a minimum above the panel's size warns about every leaf.
    data.settings["min_ratings_per_leaf"] = 100
    assert results_compute(data)["few_ratings"] != snapshot["few_ratings"]
