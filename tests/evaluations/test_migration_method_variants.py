"""Migrations 0006 (the CR threshold rule and the AIP mean) and 0010 (skipped comparisons,
off by default) keep every existing evaluation's numbers: the demo, built before them, is taken
back to the schema without the settings and forward again, and its results computed afresh
equal its snapshot bit for bit."""

import pytest

from evaluations.engine.robustness import simulation
from evaluations.models import Evaluation
from evaluations.services.results import panel_input, results_compute
from surveys.models import PairwiseBallot
from tests.evaluations.migrating import columns, migrate, seeded_demo
from tests.results_equal import assert_same

BEFORE = [("evaluations", "0005_robustness_analysis")]
NEW_COLUMNS = {"cr_threshold_rule", "aip_mean", "allow_skipped_comparisons"}


def stored_consistency(evaluation) -> list[tuple]:
    return list(
        PairwiseBallot.objects.filter(parent__evaluation=evaluation)
        .order_by("pk")
        .values_list("pk", "cr", "consistent", "submitted_cr", "submitted_consistent")
    )


@pytest.mark.django_db(transaction=True)
def test_the_demo_keeps_its_numbers_through_the_migration(capsys):
    evaluation, snapshot = seeded_demo(capsys)
    ballots = stored_consistency(evaluation)

    migrate(BEFORE)
    try:
        assert not NEW_COLUMNS & columns(Evaluation)  # really the schema before the settings
    finally:
        migrate()

    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert NEW_COLUMNS <= columns(Evaluation)
    # The migration's defaults are today's method, and the ballots' stored CRs are untouched.
    assert (evaluation.ri_table, evaluation.cr_threshold, evaluation.cr_threshold_rule) == (
        "paper",
        0.1,
        "fixed",
    )
    assert (evaluation.aggregation, evaluation.aip_mean) == ("aij", "geometric")
    assert evaluation.allow_skipped_comparisons is False
    # No demo expert skipped a pair: every matrix is weighed by the paper's method as before.
    assert {e["skipped"] for m in snapshot["matrices"] for e in m["per_expert"]} == {0}
    assert stored_consistency(evaluation) == ballots
    # Given weights (0009_givenweights): none after the migration, every matrix pairwise.
    assert not evaluation.indicators.filter(given_weights__isnull=False).exists()
    assert {m["source"] for m in snapshot["matrices"]} == {"pairwise"}
    # The results computed afresh with the migrated settings are the snapshot's, exactly.
    data = panel_input(evaluation=evaluation)
    assert_same(results_compute(data), snapshot)
    # And so are those computed with a snapshot's settings from before the new keys existed.
    data.settings = {k: v for k, v in data.settings.items() if k not in NEW_COLUMNS}
    old_style = results_compute(data)
    assert old_style.pop("settings") == data.settings
    assert_same(old_style, {k: v for k, v in snapshot.items() if k != "settings"})
    # The comparison can fail: another RI table moves every CR. (The demo's experts are all
    # consistent below 0.021 and it aggregates by AIJ, so the size rule and the AIP mean would
    # not move it: tests/evaluations/test_method_variant_settings.py shows that they work.)
    data.settings["ri_table"] = "saaty"
    assert results_compute(data)["matrices"] != snapshot["matrices"]
    # The robustness analysis averages as before: AIJ, so the geometric mean.
    problem = simulation.from_panel(
        settings=panel_input(evaluation=evaluation).settings,
        indicators=data.indicators,
        grades=data.grades,
        subjects=data.subjects,
        experts=data.experts,
        pairwise=data.pairwise,
        ratings=data.ratings,
    )
    assert (problem.method, problem.mean) == ("aij", "geometric")
