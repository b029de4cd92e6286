"""The robustness analysis of an evaluation with a measured leaf (issue 15 §2): its baseline is
the results' ranking, and the measured row stays fixed while the experts are resampled."""

import pytest

from evaluations.direct_membership import services as direct
from evaluations.models import RobustnessAnalysis
from evaluations.robustness import analysis as service
from evaluations.services.results import results_recompute

from ..test_results_pages import panel_results
from .test_analysis import SEED, analyse, seeded

pytestmark = pytest.mark.robustness_analysis


def test_the_analysis_keeps_the_measured_row_and_matches_the_results(evaluation, coordinator):
    leaf = evaluation.indicators.get(code="U11")
    with service.analyses_paused():
        panel_results(evaluation)
        direct.leaf_source_set(
            indicator=leaf,
            actor=coordinator,
            settings=direct.SourceSettings(
                source="measured", better="lower", thresholds=[2, 5, 10]
            ),
        )
        a, b = evaluation.subjects.all()
        direct.leaf_inputs_replace(
            indicator=leaf,
            actor=coordinator,
            inputs=[
                direct.InputRow(subject=a.pk, value=1.0),
                direct.InputRow(subject=b.pk, value=50),
            ],
        )
        # The edits marked the results stale; the recompute ran in-process after each.
        results_recompute(evaluation_id=evaluation.pk)
        snapshot = evaluation.snapshots.latest()
    analysis = analyse(seeded(evaluation, seed=SEED))
    assert analysis.status == RobustnessAnalysis.Status.DONE
    assert analysis.data["baseline"]["ranking"] == snapshot.data["ranking"]
    assert len(snapshot.data["ranking"]) == 2
    assert snapshot.data["subjects"][0]["membership_source"] == {"U11": "measured"}
    # Without the fixed rows U11 would be unrated for both (its votes do not count): no ranking.
    assert set(analysis.data["simulation"]["bootstrap"]["rank_probabilities"]) == {
        str(s) for s in snapshot.data["ranking"]
    }
