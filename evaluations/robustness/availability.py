"""When the robustness simulation cannot reproduce an evaluation's results, and says so.

The simulation's batched engine weighs complete matrices by the crisp methods only
(simulation.problem's CRISP_ONLY). Rather than simulate something other than the results, the
analysis of a snapshot computed with a fuzzy method, or from ballots that skip comparisons
(issue 15 §1), is recorded as "unavailable" with the reason, and the Robustness tab, the API
and the exports show it. (Expert weights per criterion are simulated as the
results use them: simulation.from_panel's node weights.)
"""

import numpy as np
from django.utils.translation import gettext_lazy as _

from ..engine import ahp

FUZZY_WEIGHTING = "fuzzy_weighting"
SKIPPED_COMPARISONS = "skipped_comparisons"

REASONS = {
    FUZZY_WEIGHTING: _(
        "The robustness simulation is not available for fuzzy weighting methods (Buckley, "
        "Chang): it draws crisp judgments only. The flip points above are computed from "
        "these results' own weights."
    ),
    SKIPPED_COMPARISONS: _(
        "The robustness simulation is not available while submitted ballots skip "
        "comparisons: it perturbs and resamples complete judgment matrices. The flip points "
        "above are computed from these results' own weights."
    ),
}


def unavailable_reason(data) -> str | None:
    """Why the analysis of this panel input (results' PanelInput) cannot run, or None."""
    if data.settings["weighting_method"] in ahp.FUZZY_METHODS:
        return FUZZY_WEIGHTING
    if any(np.isnan(ballot["matrix"]).any() for ballot in data.pairwise):
        return SKIPPED_COMPARISONS
    return None


def reason_text(reason: str) -> str:
    return str(REASONS.get(reason, reason))
