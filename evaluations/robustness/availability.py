"""When the robustness simulation cannot reproduce an evaluation's results, and says so.

The simulation's batched engine weighs by the crisp methods only (simulation.problem's
CRISP_ONLY) and with one weight per expert for every matrix and every rating. Rather than
simulate something other than the results, the analysis of such a snapshot is recorded as
"unavailable" with the reason, and the Robustness tab, the API and the exports show it.
"""

from django.utils.translation import gettext_lazy as _

from ..engine import ahp

FUZZY_WEIGHTING = "fuzzy_weighting"
CRITERION_WEIGHTS = "criterion_weights"

REASONS = {
    FUZZY_WEIGHTING: _(
        "The robustness simulation is not available for fuzzy weighting methods (Buckley, "
        "Chang): it draws crisp judgments only. The flip points above are exact for any method."
    ),
    CRITERION_WEIGHTS: _(
        "The robustness simulation is not available while an expert has a weight per criterion "
        "that differs from their overall weight: it weighs each expert the same in every "
        "matrix. The flip points above are computed from the results as they are."
    ),
}


def unavailable_reason(data) -> str | None:
    """Why the analysis of this panel input (results' PanelInput) cannot run, or None."""
    if data.settings["weighting_method"] in ahp.FUZZY_METHODS:
        return FUZZY_WEIGHTING
    for expert in data.experts.values():
        overall = expert["weight"]
        if any(w != overall for w in expert.get("criterion_weights", {}).values()):
            return CRITERION_WEIGHTS
    return None


def reason_text(reason: str) -> str:
    return str(REASONS.get(reason, reason))
