"""Read the weights a coordinator types or a client sends, and check them as a whole.

A weight is a decimal ("0.35", ".35"), a fraction ("7/20") or a percentage ("35%", "35 %");
API clients may also send a JSON number. Text is matched against a short grammar before any
conversion, and converted with Fraction, so a hostile value costs a regular-expression match
and rounding never decides whether weights add up.

Whole rule: every child gets a positive weight and the weights add up to 1 within
SUM_TOLERANCE; what is stored is then divided by the sum, so it adds up to 1 exactly (up to
float rounding). Refusing a sum off by more than the tolerance catches typos and a forgotten
child; accepting a smaller gap lets published weights rounded to two or three decimals in.
"""

import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import Indicator

# Published weights are rounded: nine children rounded to three decimals are at most 0.0045
# off, whole percentages add up to 100 unless one is mistyped. A gap above one percentage
# point is a typo or a missing child, not rounding.
SUM_TOLERANCE = Fraction(1, 100)
TEXT_LIMIT = 24  # characters of one typed weight: "0.333333333 %" fits with room to spare
NUMBER_LIMIT = 10**6  # any JSON number beyond this cannot be a share of 1 (or of 100 %)
# "0.35", ".35", "35 %" (ASCII or full-width sign); or "7/20". Digits are bounded, so Fraction
# never sees a long number.
DECIMAL = r"(?P<decimal>[0-9]{0,6}(?:\.[0-9]{1,9})?)\s?(?P<percent>[%％])?"
FRACTION = r"(?P<num>[0-9]{1,6})/(?P<den>[0-9]{1,6})"
WEIGHT = re.compile(f"{DECIMAL}|{FRACTION}")

ERROR_TOO_FEW_CHILDREN = gettext_noop(
    "{code} has fewer than two sub-indicators: there are no weights to give."
)
ERROR_MISSING = gettext_noop("{child}: enter a weight.")
ERROR_UNREADABLE = gettext_noop(
    "{child}: “{value}” is not a weight. Write a decimal (0.4), a fraction (2/5) or a "
    "percentage (40%)."
)
ERROR_NOT_POSITIVE = gettext_noop("{child}: the weight must be greater than 0.")
ERROR_UNKNOWN_CHILD = gettext_noop("“{key}” is not a sub-indicator of {code}.")
ERROR_SUM = gettext_noop(
    "The weights add up to {total}; they must add up to 1 (100%) within {tolerance}."
)
ERROR_SUM_PERCENT_HINT = gettext_noop("If they are percentages, write each with a % sign (40%).")
ERROR_SOURCE_TOO_LONG = gettext_noop("The source may have at most {limit} characters.")
ERROR_SOURCE_CONTROL = gettext_noop("The source must not contain control characters.")


def parse_weight(value) -> Fraction | None:
    """The weight `value` stands for, or None when it is not a number this grammar reads.

    Zero and negative numbers are returned (the caller names the rule they break)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value) if abs(value) <= NUMBER_LIMIT else None
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > NUMBER_LIMIT:
            return None
        return Fraction(value)
    if not isinstance(value, str) or len(value) > TEXT_LIMIT:
        return None
    found = WEIGHT.fullmatch(value.strip())
    if found is None:
        return None
    if found["num"] is not None:
        denominator = int(found["den"])
        return Fraction(int(found["num"]), denominator) if denominator else None
    decimal = found["decimal"]
    if not decimal or decimal == ".":
        return None
    number = Fraction(decimal)
    return number / 100 if found["percent"] else number


def child_label(child: Indicator) -> str:
    return f"{child.code} {child.name}"


def given_weights_clean(
    *, parent: Indicator, children: Sequence[Indicator], raw: Mapping
) -> dict[str, float]:
    """{"<child id>": weight} normalised to sum 1, from `raw` keyed by child id (int or str).

    Raises ValidationError keyed by the child's id (or "given_weights" for the whole) with
    every problem found, each naming the child and the rule."""
    if len(children) < 2:
        message = _(ERROR_TOO_FEW_CHILDREN).format(code=parent.code)
        raise ValidationError({"given_weights": message})
    by_key = {str(child.pk): child for child in children}
    errors: dict[str, list[str]] = {}
    unknown = next((key for key in raw if str(key) not in by_key), None)
    if unknown is not None:  # the first one only: a client's list of junk keys is not echoed
        shown = str(unknown)[:TEXT_LIMIT]
        message = _(ERROR_UNKNOWN_CHILD).format(key=shown, code=parent.code)
        errors.setdefault("given_weights", []).append(message)
    values = {str(key): value for key, value in raw.items()}
    weights: dict[str, Fraction] = {}
    for key, child in by_key.items():
        value = values.get(key)
        label = child_label(child)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.setdefault(key, []).append(_(ERROR_MISSING).format(child=label))
            continue
        weight = parse_weight(value)
        if weight is None:
            shown = str(value)
            shown = shown if len(shown) <= TEXT_LIMIT else shown[: TEXT_LIMIT - 1] + "…"
            message = _(ERROR_UNREADABLE).format(child=label, value=shown)
            errors.setdefault(key, []).append(message)
        elif weight <= 0:
            errors.setdefault(key, []).append(_(ERROR_NOT_POSITIVE).format(child=label))
        else:
            weights[key] = weight
    if errors:
        raise ValidationError(errors)
    total = sum(weights.values())
    if abs(total - 1) > SUM_TOLERANCE:
        message = _(ERROR_SUM).format(
            total=f"{float(total):.4g}", tolerance=f"{float(SUM_TOLERANCE):g}"
        )
        if abs(total - 100) <= 100 * SUM_TOLERANCE:
            message = f"{message} {_(ERROR_SUM_PERCENT_HINT)}"
        raise ValidationError({"given_weights": message})
    return {key: float(weight / total) for key, weight in weights.items()}


def given_weights_source_clean(source) -> str:
    limit = Indicator._meta.get_field("given_weights_source").max_length
    source = str(source or "").strip()
    if any(ord(c) < 32 and c not in "\t" for c in source[: limit + 1]):
        raise ValidationError({"given_weights_source": _(ERROR_SOURCE_CONTROL)})
    if len(source) > limit:
        raise ValidationError(
            {"given_weights_source": _(ERROR_SOURCE_TOO_LONG).format(limit=limit)}
        )
    return source
