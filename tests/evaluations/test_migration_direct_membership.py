"""Migration 0007 (direct membership) keeps every existing evaluation's numbers: the demo, built
before it, is taken back to the schema without the settings and forward again; every leaf is
then voted and its results computed afresh equal its snapshot."""

import pytest
from django.db import connection

from evaluations.models import Indicator, LeafInput
from evaluations.services.results import panel_input, results_compute
from tests.evaluations.migrating import columns, migrate, seeded_demo
from tests.results_equal import assert_same

BEFORE = [("evaluations", "0006_method_variant_settings")]
NEW_COLUMNS = {"membership_source", "better", "thresholds", "threshold_shape", "unit"}


@pytest.mark.django_db(transaction=True)
def test_the_demo_keeps_its_numbers_through_the_migration(capsys):
    evaluation, snapshot = seeded_demo(capsys)

    migrate(BEFORE)
    try:
        assert not NEW_COLUMNS & columns(Indicator)
        assert LeafInput._meta.db_table not in connection.introspection.table_names()
    finally:
        migrate()

    assert NEW_COLUMNS <= columns(Indicator)
    sources = set(evaluation.indicators.values_list("membership_source", flat=True))
    assert sources == {"votes"}
    data = panel_input(evaluation=evaluation)
    assert data.direct == {}
    fresh = results_compute(data)
    assert_same(fresh, snapshot)
    assert all(s["membership_source"] == {} and s["measured"] == {} for s in fresh["subjects"])
    # The comparison can fail: a leaf given a row moves the scores.
    leaf = evaluation.indicators.get(code="U11")
    leaf.membership_source = "given"
    leaf.save()
    LeafInput.objects.create(indicator=leaf, row=[0, 0, 0, 1])
    moved = results_compute(panel_input(evaluation=evaluation))
    assert [s["score"] for s in moved["subjects"]] != [s["score"] for s in snapshot["subjects"]]
