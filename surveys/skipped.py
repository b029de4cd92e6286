"""Skipped comparisons in pairwise ballots: "I cannot compare these two" (issue 15 §1).

With the evaluation's `allow_skipped_comparisons` on, an expert may skip a pair. The ballot's
JSON then holds {"value": null, "skipped": true, "comment": …} for it (answered pairs keep
{"value", "comment"} as before). A draft may skip any pairs; a submission only while the pairs
answered still link every element, because only then do the weights and the CR of the
incomplete matrix exist (Harker 1987; Bozóki, Fülöp & Rónyai 2010): the engine's
evaluations/engine/incomplete names a pair that would link them, and so does the error.

The matrix's weights follow the evaluation's method (geometric → ahp.llsm, eigenvector →
ahp.harker), its CR is Ágoston & Csató's (2022): CI of the λmax-minimising completion over
RI(n, m), m the number of skipped pairs (m = 0: the evaluation's RI table).
"""

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.engine import ahp, incomplete
from evaluations.services.skipping import skipping_allowed_with

from .consistency import evaluation_cr_limit

SKIP_TOKEN = "skip"  # the form's value of "I cannot compare these two"

ERROR_SKIPPED_NOT_BOOLEAN = gettext_noop("{row} vs {col}: “skipped” must be true or false.")
ERROR_SKIPPED_AND_VALUE = gettext_noop(
    "{row} vs {col}: give a value or skip the comparison, not both."
)
ERROR_SKIPPING_OFF = gettext_noop(
    "{row} vs {col}: this evaluation does not allow skipping a comparison (the setting "
    "allow_skipped_comparisons is off); choose a value."
)
ERROR_SKIPPING_METHOD = gettext_noop(
    "{row} vs {col}: the evaluation's weighting method cannot weigh skipped comparisons "
    "(only the geometric and the eigenvector methods can); choose a value."
)
ERROR_NOT_CONNECTED = gettext_noop(
    "Too many comparisons skipped: the pairs you answered do not link {groups}. Answer "
    "{row} vs {col} to connect them, then submit again."
)


def skip_errors(answer: dict, row, col, *, evaluation) -> tuple[bool, list[str]]:
    """Whether the answer skips its pair, and what is wrong with it (hostile input included:
    "skipped" must be a JSON boolean, and a skipped pair has no value)."""
    flag = answer.get("skipped", False)
    codes = {"row": row.code, "col": col.code}
    if flag is None or flag is False:
        return False, []
    if flag is not True:
        return False, [_(ERROR_SKIPPED_NOT_BOOLEAN).format(**codes)]
    if answer.get("value") not in (None, ""):
        return True, [_(ERROR_SKIPPED_AND_VALUE).format(**codes)]
    if not evaluation.allow_skipped_comparisons:
        return True, [_(ERROR_SKIPPING_OFF).format(**codes)]
    if not skipping_allowed_with(evaluation.weighting_method):
        return True, [_(ERROR_SKIPPING_METHOD).format(**codes)]
    return True, []


def connection_error(children: list, matrix: np.ndarray | None) -> tuple[str, str] | None:
    """(pair key, message) when the answered pairs of `matrix` (NaN = skipped) leave the
    elements in separate groups, naming the first pair that would join two of them; None when
    they link every element (or there is no matrix yet)."""
    if matrix is None or not np.isnan(matrix).any():
        return None
    groups = incomplete.components(matrix)
    if len(groups) == 1:
        return None
    x, y = incomplete.connecting_pairs(groups)[0]
    row, col = children[x], children[y]
    shown = _(" and ").join(
        "{" + ", ".join(children[i].code for i in group) + "}" for group in groups
    )
    message = _(ERROR_NOT_CONNECTED).format(groups=shown, row=row.code, col=col.code)
    return f"{row.pk}-{col.pk}", message


def incomplete_check(evaluation, children: list, matrix: np.ndarray) -> dict:
    """The live panel's figures of a matrix with skipped pairs (services.Consistency's fields
    but the threshold): weights and CR when the answered pairs link every element, else the
    message naming the pair that would."""
    threshold = evaluation_cr_limit(evaluation, len(children))
    figures = {"complete": False, "weights": None, "cr": None, "consistent": None,
               "revisions": [], "skipped": skipped_count(matrix), "disconnected": None}  # fmt: skip
    unlinked = connection_error(children, matrix)
    if unlinked is not None:
        return {**figures, "disconnected": unlinked[1]}
    try:
        result = incomplete_priorities(
            matrix, method=evaluation.weighting_method, ri=evaluation.ri_table, threshold=threshold
        )
    except RuntimeError:  # the λmax minimisation did not converge: no CR to show
        result = None
    if result is None:
        return figures
    return {
        **figures,
        "complete": True,
        "weights": result.weights.tolist(),
        "cr": result.cr,
        "consistent": result.consistent,
        "revisions": [] if result.consistent else revisions_of(matrix, result.weights),
    }


def incomplete_priorities(matrix: np.ndarray, *, method: str, ri: str, threshold: float):
    """Weights, λmax, CI, CR of a matrix with skipped pairs (NaN) by the evaluation's method,
    or None when they do not exist (pairs not linked, or a fuzzy method)."""
    if not skipping_allowed_with(method) or len(incomplete.components(matrix)) > 1:
        return None
    weigh = ahp.llsm if method == "geometric" else ahp.harker
    return weigh(matrix, ri=ri, threshold=threshold)


def revisions_of(matrix: np.ndarray, weights: np.ndarray) -> list[ahp.Revision]:
    """The answered judgments to revise, worst first: ahp.diagnose on the matrix with each
    skipped pair filled by the ratio the weights imply, which it then leaves out."""
    skipped = np.isnan(matrix)
    filled = np.where(skipped, weights[:, None] / weights[None, :], matrix)
    return [r for r in ahp.diagnose(filled, weights=weights) if not skipped[r.row, r.col]]


def skipped_count(matrix: np.ndarray) -> int:
    """m: the skipped pairs of the upper triangle."""
    rows, cols = np.triu_indices(len(matrix), 1)
    return int(np.isnan(matrix[rows, cols]).sum())
