"""Migration 0008 ("don't know" and the minimum ratings per leaf) keeps every existing
evaluation's numbers: the demo is taken back to the schema without the settings and forward
again; its settings are off and 3, and its results computed afresh equal its snapshot, with no
don't-know and no leaf below the minimum (the demo's raters rate every leaf)."""

import pytest

from evaluations.models import Evaluation
from evaluations.services.results import panel_input, results_compute
from tests.evaluations.migrating import columns, migrate, seeded_demo
from tests.results_equal import assert_same

BEFORE = [("evaluations", "0006_method_variant_settings")]
NEW_COLUMNS = {"allow_dont_know", "min_ratings_per_leaf"}


@pytest.mark.django_db(transaction=True)
def test_the_demo_keeps_its_numbers_through_the_dont_know_migration(capsys):
    evaluation, snapshot = seeded_demo(capsys)

    migrate(BEFORE)
    try:
        assert not NEW_COLUMNS & columns(Evaluation)
    finally:
        migrate()

    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert (evaluation.allow_dont_know, evaluation.min_ratings_per_leaf) == (False, 3)
    data = panel_input(evaluation=evaluation)
    assert_same(results_compute(data), snapshot)
    assert snapshot["few_ratings"] == []
    for subject in snapshot["subjects"]:
        assert set(subject["dont_know"].values()) == {0}
        assert min(subject["rated"].values()) >= 3  # the demo's experts who rated
    # Computed from settings without the new keys (a snapshot's from before), the numbers are
    # the same: only the settings record differs.
    data.settings = {k: v for k, v in data.settings.items() if k not in NEW_COLUMNS}
    old_style = results_compute(data)
    assert old_style.pop("settings") == data.settings
    assert_same(old_style, {k: v for k, v in snapshot.items() if k != "settings"})
    # The comparison can fail: a minimum above the panel's size warns about every leaf.
    data.settings["min_ratings_per_leaf"] = 100
    assert results_compute(data)["few_ratings"] != snapshot["few_ratings"]
