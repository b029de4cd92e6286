"""Stored consistency of pairwise ballots, kept in step with the evaluation's settings.

A ballot stores the CR of its working copy and of its submitted copy (surveys.models) so that
forms and panel figures need no engine call. Those numbers depend on the weighting method, the
RI table, the CR threshold and its rule (fixed or by the matrix's size); when a coordinator
changes one, the stored values must follow, or the panel page would count as valid a ballot
the results call inconsistent.
"""

import math

import numpy as np

from evaluations.engine import ahp, incomplete
from evaluations.models import Evaluation, Indicator
from evaluations.services.limits import cr_limit
from experts.models import PanelMembership

from .models import PairwiseBallot

# Stored CRs that differ by less than this are the same number computed twice (a batch and a
# single matrix may round differently in the last bits): not a change worth a write.
CR_TOLERANCE = 1e-12


def pairwise_ballots_reassess(*, evaluation: Evaluation) -> int:
    """Recompute the stored CR and consistent flag of every pairwise ballot of `evaluation`
    with its current settings; the number of ballots whose stored values changed.

    Both copies are reassessed, the working one (what the form shows) and the submitted one
    (what the results and the panel figures count). Nothing is withdrawn or blocked: a ballot
    submitted under the old settings stays submitted even if it now fails the threshold, and
    shows as inconsistent. Revisions keep the CR of their time and are not touched.
    Call it inside the transaction that changes the settings.
    """
    # Ballot saves lock their membership first and read the settings after the lock, so with
    # the panel's memberships locked here no save can store a CR of the old settings after
    # these ballots are read.
    list(
        PanelMembership.objects.select_for_update()
        .filter(evaluation=evaluation)
        .values_list("pk", flat=True)
    )
    children: dict[int, list[int]] = {}
    for parent_id, pk in Indicator.objects.filter(
        evaluation=evaluation, parent__isnull=False
    ).values_list("parent_id", "pk"):
        children.setdefault(parent_id, []).append(pk)
    by_parent: dict[int, list[PairwiseBallot]] = {}
    ballots = PairwiseBallot.objects.filter(parent__evaluation=evaluation).only(
        "parent_id", "judgments", "cr", "consistent", "submitted_judgments", "submitted_cr",
        "submitted_consistent",
    )  # fmt: skip
    for ballot in ballots:
        by_parent.setdefault(ballot.parent_id, []).append(ballot)
    changed: set[PairwiseBallot] = set()
    for parent_id, group in by_parent.items():
        changed |= _reassess(evaluation, children.get(parent_id, []), group)
    PairwiseBallot.objects.bulk_update(
        list(changed), ["cr", "consistent", "submitted_cr", "submitted_consistent"], batch_size=500
    )
    return len(changed)


def _reassess(evaluation: Evaluation, child_ids: list[int], ballots) -> set[PairwiseBallot]:
    """One engine call for all complete copies (working and submitted) under one parent."""
    copies = []  # (ballot, prefix of the stored fields, upper-triangle values)
    for ballot in ballots:
        for prefix, judgments in (
            ("", ballot.judgments),
            ("submitted_", ballot.submitted_judgments),
        ):
            values = upper_values(judgments, child_ids)
            if values is not None:
                copies.append((ballot, prefix, values))
    if not copies:
        return set()
    stack = ahp.from_upper([values for _b, _p, values in copies], len(child_ids))
    threshold = evaluation_cr_limit(evaluation, len(child_ids))
    cr_of, consistent_of = _crs(evaluation, stack, threshold)
    changed = set()
    for k, (ballot, prefix, _values) in enumerate(copies):
        if np.isnan(cr_of[k]):
            continue  # skipped pairs the method cannot weigh: the stored figures stay
        cr, consistent = float(cr_of[k]), bool(consistent_of[k])
        cr = cr if math.isfinite(cr) else None  # a weight of 0 (Chang): infinite, not JSON
        old_cr, old_consistent = (
            getattr(ballot, f"{prefix}cr"),
            getattr(ballot, f"{prefix}consistent"),
        )
        moved = cr is None or old_cr is None or abs(old_cr - cr) > CR_TOLERANCE
        if moved or old_consistent != consistent:
            setattr(ballot, f"{prefix}cr", cr)
            setattr(ballot, f"{prefix}consistent", consistent)
            changed.add(ballot)
    return changed


def _crs(evaluation: Evaluation, stack: np.ndarray, threshold: float):
    """CR and consistent flag of each matrix; those with skipped pairs (NaN) by the incomplete
    method of the evaluation's weighting (ahp.llsm / ahp.harker: Ágoston & Csató's CR), NaN
    where it has none (a fuzzy method)."""
    cr = np.full(len(stack), np.nan)
    consistent = np.zeros(len(stack), dtype=bool)
    missing = np.isnan(stack)
    gaps = missing.any(axis=(1, 2))
    method, ri = evaluation.weighting_method, evaluation.ri_table
    if (~gaps).any():
        full = ahp.priorities(stack[~gaps], method=method, ri=ri, threshold=threshold)
        cr[~gaps], consistent[~gaps] = full.cr, full.consistent
    # A draft may skip pairs that leave the elements unlinked: it has no CR (stored None).
    weighable = gaps & incomplete.graph.connected(~missing)
    if weighable.any() and method in ahp.METHODS:
        weigh = ahp.llsm if method == "geometric" else ahp.harker
        try:
            part = weigh(stack[weighable], ri=ri, threshold=threshold)
        except RuntimeError:  # the λmax minimisation did not converge: keep what is stored
            return cr, consistent
        cr[weighable], consistent[weighable] = part.cr, part.consistent
    return cr, consistent


def evaluation_cr_limit(evaluation: Evaluation, order: int) -> float:
    """The CR limit of a matrix of `order` elements under the evaluation's threshold rule."""
    return cr_limit(
        rule=evaluation.cr_threshold_rule, threshold=evaluation.cr_threshold, order=order
    )


def upper_values(judgments: dict | None, child_ids: list[int]) -> list[float] | None:
    """A stored ballot's upper-triangle judgments in the children's order, NaN for a skipped
    pair (surveys.skipped), or None while one is neither answered nor skipped (a draft's
    gaps). The results read submitted ballots through it too."""
    if not judgments or len(child_ids) < 2:
        return None
    values = []
    for x, row in enumerate(child_ids):
        for col in child_ids[x + 1 :]:
            answer = judgments.get(f"{row}-{col}")
            if answer and answer.get("skipped") is True:
                values.append(math.nan)
            elif not answer or answer.get("value") is None:
                return None
            else:
                values.append(float(answer["value"]))
    return values
