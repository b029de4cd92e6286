"""Migration 0011 (the judgment scale) keeps every existing evaluation's numbers and ballots: the
demo, built before it, is taken back to the schema without the setting and forward again; it is
on the verbal scale, its results computed afresh equal its snapshot bit for bit, and its stored
judgments are all on that scale, so every ballot can still be saved as it is."""

import pytest

from evaluations.models import Evaluation
from evaluations.services.results import panel_input, results_compute
from surveys.models import PairwiseBallot
from surveys.scales import scale_value
from tests.evaluations.migrating import columns, migrate, seeded_demo
from tests.evaluations.test_migration_method_variants import stored_consistency
from tests.results_equal import assert_same

BEFORE = [("evaluations", "0006_method_variant_settings")]


@pytest.mark.django_db(transaction=True)
def test_the_demo_keeps_its_numbers_and_its_ballots_through_the_migration(capsys):
    evaluation, snapshot = seeded_demo(capsys)
    ballots = stored_consistency(evaluation)

    migrate(BEFORE)
    try:
        assert "judgment_scale" not in columns(Evaluation)  # the schema before the setting
    finally:
        migrate()

    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert "judgment_scale" in columns(Evaluation)
    assert evaluation.judgment_scale == "verbal"
    assert stored_consistency(evaluation) == ballots
    data = panel_input(evaluation=evaluation)
    assert data.settings["judgment_scale"] == "verbal"
    assert_same(results_compute(data), snapshot)
    # A snapshot's settings from before the key existed compute the same numbers.
    data.settings.pop("judgment_scale")
    old_style = results_compute(data)
    assert old_style.pop("settings") == data.settings
    assert_same(old_style, {k: v for k, v in snapshot.items() if k != "settings"})
    # Every stored judgment is a verbal value, unchanged by the scale's parser.
    values = [
        answer["value"]
        for judgments in PairwiseBallot.objects.filter(parent__evaluation=evaluation).values_list(
            "submitted_judgments", flat=True
        )
        for answer in (judgments or {}).values()
    ]
    assert values and all(scale_value(v, "verbal") == v for v in values)
