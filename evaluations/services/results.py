"""Turn an evaluation's included ballots into a result snapshot, through the engine.

Reading (`panel_input`) is separated from computing (`results_compute`, plain data in, a
JSON-ready dict out) so the numbers can be checked against the engine run independently, and
from writing (`snapshot_write`, version-guarded) so a late or repeated task never goes back.

Snapshot data layout (all JSON):
  settings        the method settings the numbers were computed with
  grades          [{name, score}] best first
  expert_weights  {membership id: the expert weight used}
  expert_criterion_weights  {membership id: {first-level code: weight}}: the weights per
                  criterion used instead in that criterion's subtree (experts with any)
  indicators      [{code, name, parent, depth, is_leaf, local_weight, global_weight, rank}]
  matrices        one per parent with ≥ 2 children: group weights, λmax, CI, RI, CR, the
                  aggregated matrix, consensus S*, and every included expert's own figures
                  (with the expert weight used for that matrix); zero_weights, the children
                  a fuzzy method (Chang's) weighs exactly 0 (codes; empty for the others);
                  source "pairwise", or "given" (the coordinator's direct weights, with
                  given_source and ignored_ballots, the figures from judgments null);
                  with skipped comparisons (issue 15 §1): `skipped` (pairs skipped over the
                  submitted ballots), `unanswered` ([row, col] codes nobody included answered,
                  null in the matrix), and per expert `skipped` (m) and `ri` (RI(t, m))
  consensus       {value, word} overall (weighted by global weight), null for < 2 experts
  warnings        matrices at or over the CR threshold, with the experts who caused them
  subjects        per subject: vote counts and membership rows per leaf, `rated` and
                  `dont_know` ({leaf code: number of experts} who gave a grade / answered
                  "don't know", which is no vote), G per first-level indicator (vector, grade,
                  score), E, grade, score, the other operators, the weak points, and the rank;
                  membership_source {leaf code: "given" | "measured"} for the leaves not voted
                  (their counts stay 0), measured {leaf code: the measured value used}, units
                  {leaf code: unit}
  few_ratings     [{subject, subject_name, leaf, rated, dont_know, minimum}]: leaves of a
                  subject rated by fewer experts than the evaluation's minimum (at least one)
  ranking         subject ids by score, best first
  robustness      the flip points at every node with ≥ 2 children, the most critical
                  criterion and the score lines, over the scored subjects (layout:
                  evaluations.robustness.flips; empty without global weights or scores)
  complete        whether every matrix and every leaf of every subject had answers
  comments        the experts' comments on their submitted answers, named as on the panel
                  (pages and exports choose names or "Expert n"): {pairwise: [{parent, row,
                  col, value, membership, name, text}], ratings: [{subject, subject_name,
                  leaf, grade, membership, name, text}]}, in hierarchy order, then by expert
  missing         why not, in words

The code lives in evaluations/results/: panel.py reads, compute.py and matrices.py compute,
snapshots.py writes; this module is the services' one entry point to them.
"""

from ..results.compute import OPERATORS, results_compute
from ..results.panel import PanelInput, panel_input
from ..results.snapshots import results_recompute, snapshot_write

__all__ = [
    "OPERATORS",
    "PanelInput",
    "panel_input",
    "results_compute",
    "results_recompute",
    "snapshot_write",
]
