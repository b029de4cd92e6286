"""The 1–9 scale in words, for the forms and the revision hints (DESIGN §2.1)."""

import math
import re
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Saaty's verbal scale; even values lie between their neighbours.
INTENSITY = {
    1: gettext_lazy("equally important"),
    2: gettext_lazy("equal to moderately more important"),
    3: gettext_lazy("moderately more important"),
    4: gettext_lazy("moderately to strongly more important"),
    5: gettext_lazy("strongly more important"),
    6: gettext_lazy("strongly to very strongly more important"),
    7: gettext_lazy("very strongly more important"),
    8: gettext_lazy("very strongly to extremely more important"),
    9: gettext_lazy("extremely more important"),
}
# A judgment between 1 and 1.5 on a finer scale (1.2, 1/1.25).
SLIGHTLY = gettext_lazy("slightly more important")
SHORT = {
    1: gettext_lazy("equal"),
    3: gettext_lazy("moderate"),
    5: gettext_lazy("strong"),
    7: gettext_lazy("very strong"),
    9: gettext_lazy("extreme"),
}


def token(value: float) -> str:
    """9 → "9", 1/3 → "1/3", 2.5 → "2.5", 0.4 → "1/2.5", 0.8 → "0.8": how a judgment travels in
    forms, as short as says it exactly; "" (no box ticked) for what is no judgment at all, such
    as the 0 a refused form is redrawn with."""
    if not math.isfinite(value) or value <= 0:
        return ""
    if value >= 1:
        return _short(value) or f"{value:.12g}"
    reciprocal = 1 / value
    if reciprocal <= 1e3 and abs(round(2 * reciprocal) - 2 * reciprocal) <= 1e-9 * reciprocal:
        return f"1/{_short(reciprocal)}"  # 1/3, 1/2.5: the scales' own spelling
    if (short := _short(value)) is not None:
        return short  # 0.8, as typed
    if (short := _short(reciprocal)) is not None:
        return f"1/{short}"  # 1/2.37, as the slider writes it
    return f"{value:.12g}"


def _short(value: float) -> str | None:
    """value with at most three decimals ("2.5", "1.25") if that is it exactly, else None (and
    for what is no judgment's size at all, beyond 1000 or below 0.001)."""
    if not 1e-3 <= value <= 1e3:
        return None
    for decimals in range(4):
        rounded = round(value, decimals)
        if abs(rounded - value) <= 1e-9 * value:
            return f"{rounded:.{decimals}f}"
    return None


# What a judgment may look like as text, checked before any conversion: a whole number or a
# decimal of a few digits ("3", "0.3333"), or a fraction of a short whole number over a short
# whole number or decimal ("1/3", "1/2.5"). Exponents and long digit strings never reach
# Fraction or float: Fraction("1e10000000") builds a ten-million-digit integer and holds the
# process for seconds.
TOKEN_LIMIT = 24
TOKEN = re.compile(r"([0-9]{1,3})(?:\.([0-9]{1,16}))?|([0-9]{1,3})/([0-9]{1,3}(?:\.[0-9]{1,6})?)")


def parse_token(text: str):
    """ "1/3" → 0.333…, "1/2.5" → 0.4, "5" → 5.0; anything else is returned unchanged for the
    service to refuse (naming the pair), so hostile text costs a regular-expression match and
    nothing more."""
    if not isinstance(text, str) or len(text) > TOKEN_LIMIT:
        return text
    found = TOKEN.fullmatch(text.strip())
    if found is None:
        return text
    whole, decimals, numerator, denominator = found.groups()
    if numerator is not None:
        denominator = Fraction(denominator)  # at most 3 + 6 digits: the pattern says so
        if denominator == 0:
            return text
        return float(int(numerator) / denominator)
    return float(f"{whole}.{decimals or 0}")


def scale_options(judgment_scale: str = "verbal") -> list[dict]:
    """The choices of a pair, from "left extremely more important" to "right extremely": the 17
    of the verbal scale, with the half steps between them (2.5, 1/2.5) on the intermediate one.
    The continuous scale has a slider instead (its choices here are the verbal ones, the marks
    under it)."""
    step = 0.5 if judgment_scale == "intermediate" else 1.0
    sizes = [9 - step * i for i in range(int(8 / step))]  # 9, 8.5 … 1.5 (or 9 … 2)
    options = [_option(n, "left", token(n)) for n in sizes]
    options.append({"token": "1", "side": "equal", "n": 1, "short": SHORT[1], "half": False})
    options += [_option(n, "right", token(1 / n)) for n in reversed(sizes)]
    options[len(sizes) + 1]["first_right"] = True  # where the other side's caption goes
    return options


def _option(n: float, side: str, text: str) -> dict:
    half = n != int(n)
    number = n if half else int(n)
    return {"token": text, "side": side, "n": number, "short": SHORT.get(n, ""), "half": half}


def describe(row_name: str, col_name: str, value: float) -> str:
    """A judgment in words: "Supplier selection is strongly more important than Price control".

    A finer judgment is worded by its nearest whole intensity, its number shown as given
    ("(2.5)"); one below 1.5 is "slightly more important"."""
    if abs(value - 1) < 1e-9:
        return _("%(a)s and %(b)s are equally important") % {"a": row_name, "b": col_name}
    first, second, n = (row_name, col_name, value) if value > 1 else (col_name, row_name, 1 / value)
    whole = min(9, math.floor(n + 0.5))
    how = INTENSITY[whole] if whole >= 2 else SLIGHTLY
    return _("%(a)s is %(how)s than %(b)s (%(n)s)") % {
        "a": first,
        "how": how,
        "b": second,
        "n": _short(n) or f"{n:.3g}",
    }


def consistency_summary(cr: float | None, consistent: bool | None) -> str:
    """The short line announced when the consistency changes: "CR 0.123, inconsistent"."""
    if cr is None and consistent is False:
        return _("CR infinite (a weight of 0), inconsistent")
    if cr is None:
        return _("CR not known yet: answer every pair")
    verdict = _("consistent") if consistent else _("inconsistent")
    return _("CR %(cr)s, %(verdict)s") % {"cr": f"{cr:.3f}", "verdict": verdict}
