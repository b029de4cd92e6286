"""Results from running sums (evaluations/results/running): after random sequences of
submissions, revisions and withdrawals, each recompute from the sums equals a full recompute
from every ballot to 1e-12, a recompute reads only the changed ballots, and a snapshot keeps
each expert's own figures once per ballot instead of in every snapshot."""

import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from evaluations.models import BallotShare, Evaluation, RunningResults
from evaluations.results.compute import results_compute
from evaluations.results.experts import with_experts
from evaluations.results.panel import panel_input
from evaluations.services.results import results_recompute
from surveys import services
from surveys.models import BallotRevision
from tests.evaluations.test_results_pages import add_experts, judgments_for
from tests.results_equal import assert_same

pytestmark = pytest.mark.django_db
SCALE = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 7, 9]

VARIANTS = {
    "aij-geometric": {},
    "aip-eigenvector-consistent-only": {
        "aggregation": "aip",
        "weighting_method": "eigenvector",
        "ballot_inclusion": "consistent",
    },
    "aip-arithmetic-saaty": {"aggregation": "aip", "aip_mean": "arithmetic", "ri_table": "saaty"},
    "fuzzy-buckley": {"weighting_method": "fuzzy_buckley"},
    "skipped-comparisons": {"allow_skipped_comparisons": True},
    "dont-know": {"allow_dont_know": True},
}


def full_recompute(evaluation) -> dict:
    """The snapshot data a full recompute computes from every ballot (panel.panel_input: the
    ballots read directly, not through the shares), with each expert's own figures."""
    return results_compute(panel_input(evaluation=Evaluation.objects.get(pk=evaluation.pk)))


class Panel:
    """An evaluation and a few experts, each action through the ballot services."""

    def __init__(self, evaluation: Evaluation, rng: random.Random):
        self.evaluation, self.rng = evaluation, rng
        self.members = add_experts(evaluation, [f"Expert {k}" for k in range(5)])
        for member in self.members[:2]:
            member.weight = rng.choice([0.5, 2.0, 3.0])
            member.save()
        self.parents = [
            p for p in evaluation.indicators.filter(children__isnull=False).distinct()
            if p.children.count() >= 2
        ]  # fmt: skip
        self.leaves = list(evaluation.indicators.filter(children__isnull=True))
        self.grades = list(evaluation.grades.all())
        self.subjects = list(evaluation.subjects.all())
        self.submitted: set[tuple] = set()

    def judgments(self, parent) -> dict:
        children = list(parent.children.all())
        count = len(children) * (len(children) - 1) // 2
        values = [self.rng.choice(SCALE) for _ in range(count)]
        answers = judgments_for(parent, values)
        if self.evaluation.allow_skipped_comparisons and len(children) >= 3:
            # Skip one pair that leaves the rest linked: (first, last) when a chain remains.
            keys = list(answers)
            answers[keys[len(children) - 2]] = {"skipped": True, "comment": ""}
        if self.rng.random() < 0.2:
            first = next(iter(answers))
            answers[first]["comment"] = f"comment {self.rng.randint(0, 99)}"
        return answers

    def ratings(self) -> dict:
        chosen = {}
        for leaf in self.leaves:
            if self.evaluation.allow_dont_know and self.rng.random() < 0.2:
                chosen[str(leaf.pk)] = {"dont_know": True, "comment": ""}
            else:
                grade = self.rng.choice(self.grades)
                chosen[str(leaf.pk)] = {"grade": grade.pk, "comment": ""}
        return chosen

    def act(self) -> None:
        member = self.rng.choice(self.members)
        if self.rng.random() < 0.6:
            parent = self.rng.choice(self.parents)
            key = ("p", member.pk, parent.pk)
            if key in self.submitted and self.rng.random() < 0.3:
                services.pairwise_ballot_withdraw(membership=member, parent=parent)
                self.submitted.discard(key)
            else:
                services.pairwise_ballot_save(
                    membership=member, parent=parent, judgments=self.judgments(parent), submit=True
                )
                self.submitted.add(key)
        else:
            subject = self.rng.choice(self.subjects)
            key = ("r", member.pk, subject.pk)
            if key in self.submitted and self.rng.random() < 0.3:
                services.rating_ballot_withdraw(membership=member, subject=subject)
                self.submitted.discard(key)
            else:
                services.rating_ballot_save(
                    membership=member, subject=subject, ratings=self.ratings(), submit=True
                )
                self.submitted.add(key)


def open_with(evaluation, **settings) -> Evaluation:
    evaluation.status = Evaluation.Status.OPEN
    evaluation.cr_policy = Evaluation.CRPolicy.WARN
    for name, value in settings.items():
        setattr(evaluation, name, value)
    evaluation.save()
    return evaluation


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("seed", [1, 2])
def test_each_recompute_from_the_sums_equals_a_full_recompute(evaluation, variant, seed):
    open_with(evaluation, **VARIANTS[variant])
    panel = Panel(evaluation, random.Random(f"{variant}-{seed}"))
    incremental_runs = 0
    for step in range(8):
        for _ in range(panel.rng.randint(1, 6)):
            panel.act()
        snapshot = results_recompute(evaluation_id=evaluation.pk)
        if snapshot is None:
            continue
        snapshot.refresh_from_db()  # as stored (PostgreSQL's jsonb orders keys its own way)
        assert_same(with_experts(snapshot), full_recompute(evaluation), f"step {step}")
        incremental_runs += step > 0
    assert incremental_runs >= 5
    assert not BallotRevision.objects.filter(applied=False).exists()


def test_the_full_recompute_writes_the_same_numbers(evaluation):
    open_with(evaluation)
    panel = Panel(evaluation, random.Random(7))
    for _ in range(4):
        for _ in range(5):
            panel.act()
        results_recompute(evaluation_id=evaluation.pk)
    incremental = evaluation.snapshots.latest()
    Evaluation.objects.filter(pk=evaluation.pk).update(input_version=F("input_version") + 1)

    full = results_recompute(evaluation_id=evaluation.pk, full=True)

    full.refresh_from_db()
    incremental.refresh_from_db()
    assert_same(with_experts(incremental), with_experts(full))


def test_a_recompute_after_one_ballot_reads_that_ballot_only(
    evaluation, django_assert_max_num_queries
):
    open_with(evaluation)
    panel = Panel(evaluation, random.Random(3))
    for _ in range(30):
        panel.act()
    results_recompute(evaluation_id=evaluation.pk)
    parent = panel.parents[0]
    services.pairwise_ballot_save(
        membership=panel.members[0], parent=parent, judgments=panel.judgments(parent), submit=True
    )

    with CaptureQueriesContext(connection) as queries:
        snapshot = results_recompute(evaluation_id=evaluation.pk)

    assert snapshot is not None
    ballot_reads = [
        q["sql"] for q in queries.captured_queries
        if 'FROM "surveys_pairwiseballot"' in q["sql"] or 'FROM "surveys_ratingballot"' in q["sql"]
    ]  # fmt: skip
    # One read of the changed pairwise ballot (the rating read asks for no subject).
    assert len(ballot_reads) <= 2
    assert all(str(panel.members[0].pk) in sql for sql in ballot_reads)
    snapshot.refresh_from_db()
    assert_same(with_experts(snapshot), full_recompute(evaluation))


def test_a_snapshot_keeps_no_per_expert_figures_and_old_snapshots_keep_theirs(evaluation):
    open_with(evaluation)
    panel = Panel(evaluation, random.Random(11))
    for _ in range(20):
        panel.act()
    first = results_recompute(evaluation_id=evaluation.pk)
    shown_then = with_experts(first)
    parent = panel.parents[0]
    for member in panel.members:
        services.pairwise_ballot_save(
            membership=member, parent=parent, judgments=panel.judgments(parent), submit=True
        )
        panel.submitted.add(("p", member.pk, parent.pk))
    second = results_recompute(evaluation_id=evaluation.pk)

    first.refresh_from_db()
    assert all("per_expert" not in m for m in first.data["matrices"])
    # The first snapshot still shows the figures of the ballots it counted.
    assert_same(with_experts(first), shown_then)
    assert with_experts(second) != shown_then
    # Each ballot's share is stored once; the replaced ones until the snapshots that count
    # them are pruned.
    assert BallotShare.objects.filter(until__isnull=True).count() == len(panel.submitted)


def test_changing_a_setting_rebuilds_the_sums(evaluation):
    open_with(evaluation)
    panel = Panel(evaluation, random.Random(5))
    for _ in range(25):
        panel.act()
    results_recompute(evaluation_id=evaluation.pk)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        aggregation="aip", input_version=F("input_version") + 1
    )

    snapshot = results_recompute(evaluation_id=evaluation.pk)

    snapshot.refresh_from_db()
    assert snapshot.data["settings"]["aggregation"] == "aip"
    assert_same(with_experts(snapshot), full_recompute(evaluation))
    for _ in range(5):
        panel.act()
    snapshot = results_recompute(evaluation_id=evaluation.pk)
    snapshot.refresh_from_db()
    assert_same(with_experts(snapshot), full_recompute(evaluation))


def test_recompute_stale_full_recomputes_from_every_ballot_and_heals_drifted_sums(evaluation):
    open_with(evaluation)
    panel = Panel(evaluation, random.Random(9))
    for _ in range(20):
        panel.act()
    before = results_recompute(evaluation_id=evaluation.pk)
    # Sums that no longer match the ballots (as if a ballot had been edited behind the
    # services' back): the full recompute does not read them, and builds them again.
    state = RunningResults.objects.get(evaluation=evaluation)
    u = state.sums["matrices"]["U"]["sums"]
    u["log_judgments"][0][1] += 5.0
    state.save()

    out = io.StringIO()
    call_command("recompute_stale", "--full", "--evaluation", str(evaluation.pk), stdout=out)

    assert "recomputed 1 from every ballot" in out.getvalue()
    latest = evaluation.snapshots.latest()
    assert latest.version > before.version
    assert_same(with_experts(latest), full_recompute(evaluation))
    state.refresh_from_db()
    assert state.sums["matrices"]["U"]["sums"]["log_judgments"][0][1] != u["log_judgments"][0][1]
    panel.act()
    again = results_recompute(evaluation_id=evaluation.pk)
    assert_same(with_experts(again), full_recompute(evaluation))


def test_evaluation_goes_with_full_only():
    with pytest.raises(CommandError, match="--evaluation goes with --full"):
        call_command("recompute_stale", "--evaluation", "1")
