"""The robustness analysis's settings on an evaluation: their ranges, defaults and messages.

One rule per setting, read by the model's validators, the settings form, the settings service
(every door: the page and the API) and the analysis itself. The ranges are the engine's
(evaluations.engine.robustness.simulation: k 1–8, at most 100,000 draws; agreement: a flag
threshold above 1), so a value the form accepts is one the engine accepts.
"""

import math

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ..engine.robustness.agreement import THRESHOLD
from ..engine.robustness.simulation import DRAWS, MAX_DRAWS, MAX_STEPS

SOURCES = (
    ("both", gettext_lazy("Both: judgment noise and panel resampling")),
    ("noise", gettext_lazy("Judgment noise only")),
    ("bootstrap", gettext_lazy("Panel resampling (bootstrap) only")),
)
# What each choice runs, in the order the analysis stores them.
SOURCE_RUNS = {"both": ("noise", "bootstrap"), "noise": ("noise",), "bootstrap": ("bootstrap",)}

DEFAULT_SOURCES = "both"
DEFAULT_STEPS = 1
DEFAULT_NOISE_DRAWS = DRAWS["noise"]  # 10,000
DEFAULT_BOOTSTRAP_DRAWS = DRAWS["bootstrap"]  # 2,000
DEFAULT_THRESHOLD = THRESHOLD  # Saaty's customary 1.1
MIN_DRAWS = 1
MIN_STEPS = 1
# The seed is stored in a signed 64-bit column; fresh seeds are drawn in the same range, so a
# recorded seed can always be typed back into the setting to repeat an analysis.
MAX_SEED = 2**63 - 1

ERROR_STEPS = gettext_noop(
    "Noise steps (k) must be a whole number of ladder steps from {low} to {high}."
)
ERROR_NOISE_DRAWS = gettext_noop(
    "Noise draws must be a whole number from {low} to {high} (the cap is {high})."
)
ERROR_BOOTSTRAP_DRAWS = gettext_noop(
    "Bootstrap draws must be a whole number from {low} to {high} (the cap is {high})."
)
ERROR_SEED = gettext_noop(
    "The seed must be a whole number from 0 to {high}, or blank for a fresh seed each time."
)
ERROR_THRESHOLD = gettext_noop(
    "The agreement threshold must be a number greater than 1 (S is never below 1; "
    "{default} is customary)."
)
ERROR_SOURCES = gettext_noop("Sources must be one of: both, noise, bootstrap.")

# field name → (low, high or None, message); checked by `check` below.
RANGES = {
    "robustness_noise_steps": (MIN_STEPS, MAX_STEPS, ERROR_STEPS),
    "robustness_noise_draws": (MIN_DRAWS, MAX_DRAWS, ERROR_NOISE_DRAWS),
    "robustness_bootstrap_draws": (MIN_DRAWS, MAX_DRAWS, ERROR_BOOTSTRAP_DRAWS),
    "robustness_seed": (0, MAX_SEED, ERROR_SEED),
}
FIELDS = (
    "robustness_sources",
    "robustness_noise_steps",
    "robustness_noise_draws",
    "robustness_bootstrap_draws",
    "robustness_seed",
    "agreement_threshold",
    "flagged_experts_named",
)


def message(field: str) -> str:
    """The field's rule in the active language."""
    if field == "agreement_threshold":
        return _(ERROR_THRESHOLD).format(default=DEFAULT_THRESHOLD)
    if field == "robustness_sources":
        return _(ERROR_SOURCES)
    low, high, text = RANGES[field]
    return _(text).format(low=f"{low:,}", high=f"{high:,}")


def _whole_in_range(field: str, value) -> bool:
    low, high, _text = RANGES[field]
    whole = isinstance(value, int) and not isinstance(value, bool)
    return whole and low <= value <= high


def check(changed: dict) -> None:
    """Refuse out-of-range robustness settings among `changed` (field → value): a
    ValidationError keyed by each bad field, with its rule. Other fields are ignored."""
    errors = {}
    for field, value in changed.items():
        if field == "robustness_seed" and value is None:
            continue
        if field in RANGES and not _whole_in_range(field, value):
            errors[field] = ValidationError(message(field), code="range")
        elif field == "agreement_threshold" and not threshold_ok(value):
            errors[field] = ValidationError(message(field), code="range")
        elif field == "robustness_sources" and value not in SOURCE_RUNS:
            errors[field] = ValidationError(message(field), code="invalid_choice")
    if errors:
        raise ValidationError(errors)


def threshold_ok(value) -> bool:
    """A finite number greater than 1 (Saaty's S is never below 1)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    # `value > 1` is False for NaN; infinity is refused by name.
    return number and math.isfinite(value) and value > 1


def lazy_message(field: str):
    """message(field), translated when shown (for validators built at import time)."""
    if field == "agreement_threshold":
        return format_lazy(gettext_lazy(ERROR_THRESHOLD), default=DEFAULT_THRESHOLD)
    low, high, text = RANGES[field]
    return format_lazy(gettext_lazy(text), low=f"{low:,}", high=f"{high:,}")


def range_validators(field: str) -> list:
    """The model field's validators: its range, with the rule as the message. Plain minimum
    and maximum validators, so the API's schema states the same bounds (DRF reads them)."""
    low, high, _text = RANGES[field]
    rule = lazy_message(field)
    return [MinValueValidator(low, message=rule), MaxValueValidator(high, message=rule)]


def validate_threshold(value) -> None:
    """The agreement threshold's model validator (an open bound, which no plain validator
    states)."""
    if not threshold_ok(value):
        raise ValidationError(lazy_message("agreement_threshold"), code="range")


def settings_of(evaluation) -> dict:
    """The evaluation's robustness settings as stored with an analysis (JSON)."""
    return {field: getattr(evaluation, field) for field in FIELDS}
