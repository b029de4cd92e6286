"""Migrations experts 0006 (weights per criterion) and evaluations 0012 (the fuzzy methods'
longer choice, the robustness analysis's "unavailable" status) keep the demo's numbers: taken
back to the schema before them and forward again, its results computed afresh equal its
snapshot exactly, with no expert weighted per criterion and no zero weight."""

import pytest

from evaluations.models import Evaluation
from evaluations.services.results import panel_input, results_compute
from experts.models import PanelMembership
from tests.evaluations.migrating import columns, migrate, seeded_demo
from tests.results_equal import assert_same

BEFORE = [("experts", "0005_remove_loginfailure"), ("evaluations", "0006_method_variant_settings")]


@pytest.mark.django_db(transaction=True)
def test_the_demo_keeps_its_numbers_through_the_criterion_migrations(capsys):
    evaluation, snapshot = seeded_demo(capsys)

    migrate(BEFORE)
    try:
        assert "criterion_weights" not in columns(PanelMembership)
    finally:
        migrate()

    assert "criterion_weights" in columns(PanelMembership)
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert evaluation.weighting_method == "geometric"
    assert all(m.criterion_weights == {} for m in evaluation.memberships.all())
    assert_same(results_compute(panel_input(evaluation=evaluation)), snapshot)
    assert snapshot["expert_criterion_weights"] == {}
    assert snapshot["zero_weight_warnings"] == []
    assert all(m["zero_weights"] == [] for m in snapshot["matrices"])
