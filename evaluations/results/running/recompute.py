"""One recompute: from the running sums when they still hold (taking in the ballots changed
since), or from every ballot (the full recompute, which builds the sums again).

The sums hold while their fingerprint (state.fingerprint: settings, hierarchy, grades,
subjects, counted experts and weights) is unchanged; anything else a recompute needs (names,
given weights, measured values, the comments of the counted ballots) is read each time, in a
few small queries.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass

from ...models import BallotShare, Evaluation
from ..compute import _tree, results_compute
from ..panel import PanelInput, order_comments, panel_context
from .source import RunningSums
from .state import Tally, apply_changes, fingerprint, rebuild, running_lock


@dataclass
class Recomputed:
    data: dict
    pairwise: int  # pairwise ballots weighed
    ratings: int  # rating ballots counted
    full: bool
    changed: int  # ballots taken in (every one on a full recompute)


def recompute_locked(evaluation: Evaluation, version: int, *, full: bool = False) -> Recomputed:
    """Inside the caller's transaction: lock the evaluation's running results, bring them up
    to date and compute the snapshot data for `version`."""
    state = running_lock(evaluation.pk)
    data, layout = panel_context(evaluation=evaluation)
    key = fingerprint(data, layout)
    root = _tree(data.indicators)
    full = full or key != state.key
    if full:
        tally = Tally({}, data, layout, root)
        with _without_cycle_collection():
            rebuild(evaluation, tally, version)
            results = results_compute(data)  # compute.BallotStack over the ballots just read
        changed = len(data.pairwise) + len(data.ratings)
        weighed = len(data.pairwise)
    else:
        tally = Tally(state.sums, data, layout, root)
        changed = apply_changes(evaluation, tally, version)
        _counted_comments(evaluation, data, layout)
        given = {layout.by_id[pk].code for pk in layout.given}
        data.ignored_pairwise = {code: tally.matrices[code]["ballots"] for code in given}
        results = results_compute(data, RunningSums(tally, data))
        weighed = sum(e["submitted"] for c, e in tally.matrices.items() if c not in given)
    state.key, state.sums = key, tally.as_json()
    state.save()
    return Recomputed(results, weighed, tally.ratings, full, changed)


@contextmanager
def _without_cycle_collection():
    """A full recompute makes a few dicts per ballot, hundreds of thousands on a large panel,
    none of them in a reference cycle: the cyclic collector's passes over them, triggered by
    the allocations, cost a third of the time at 33,000 ballots and more beyond. Reference
    counting still frees them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _counted_comments(evaluation: Evaluation, data: PanelInput, layout) -> None:
    """The comments of the counted ballots, from their shares (those of a given node's
    ballots are not shown while its weights are given, as in panel.panel_input)."""
    shares = BallotShare.objects.filter(evaluation=evaluation, until__isnull=True).exclude(
        comments=[]
    )
    for parent_id, comments in shares.values_list("parent_id", "comments"):
        if parent_id is None:
            data.comments["ratings"].extend(comments)
        elif parent_id not in layout.given:
            data.comments["pairwise"].extend(comments)
    order_comments(data, layout.tree)
