"""Migrations experts 0006 (weights per criterion) and evaluations 0012 (the fuzzy methods'
longer choice, the robustness analysis's "unavailable" status) keep the demo's numbers: taken
back to the schema before them and forward again, its results computed afresh equal its
snapshot exactly, with no expert weighted per criterion and no zero weight."""

import pytest
from django.core.management import call_command
from django.db import connection

from evaluations.management.commands import seed_demo
from evaluations.models import Evaluation
from evaluations.services.results import panel_input, results_compute
from experts.models import PanelMembership
from tests.evaluations.test_migration_method_variants import migrate

BEFORE = [("experts", "0005_remove_loginfailure"), ("evaluations", "0006_method_variant_settings")]


def membership_columns() -> set[str]:
    with connection.cursor() as cursor:
        table = PanelMembership._meta.db_table
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


@pytest.mark.django_db(transaction=True)
def test_the_demo_keeps_its_numbers_through_the_criterion_migrations(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    evaluation = Evaluation.objects.get(title=seed_demo.DEMO_TITLE)
    snapshot = evaluation.snapshots.latest().data

    migrate(BEFORE)
    try:
        assert "criterion_weights" not in membership_columns()
    finally:
        migrate()

    assert "criterion_weights" in membership_columns()
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert evaluation.weighting_method == "geometric"
    assert all(m.criterion_weights == {} for m in evaluation.memberships.all())
    assert results_compute(panel_input(evaluation=evaluation)) == snapshot
    assert snapshot["expert_criterion_weights"] == {}
    assert snapshot["zero_weight_warnings"] == []
    assert all(m["zero_weights"] == [] for m in snapshot["matrices"])
