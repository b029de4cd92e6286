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
SHORT = {
    1: gettext_lazy("equal"),
    3: gettext_lazy("moderate"),
    5: gettext_lazy("strong"),
    7: gettext_lazy("very strong"),
    9: gettext_lazy("extreme"),
}


def token(value: float) -> str:
    """9 → "9", 1/3 → "1/3": how a scale value travels in forms; "" (no box ticked) for what
    is no judgment at all, such as the 0 a refused form is redrawn with."""
    if not math.isfinite(value) or value <= 0:
        return ""
    if value >= 1:
        return str(round(value))
    return f"1/{round(1 / value)}"


# What a judgment may look like as text, checked before any conversion: a whole number or a
# decimal of a few digits ("3", "0.3333"), or a fraction of two short whole numbers ("1/3").
# Exponents and long digit strings never reach Fraction or float: Fraction("1e10000000")
# builds a ten-million-digit integer and holds the process for seconds.
TOKEN_LIMIT = 24
TOKEN = re.compile(r"([0-9]{1,3})(?:\.([0-9]{1,16}))?|([0-9]{1,3})/([0-9]{1,3})")


def parse_token(text: str):
    """ "1/3" → 0.333…, "5" → 5.0; anything else is returned unchanged for the service to refuse
    (naming the pair), so hostile text costs a regular-expression match and nothing more."""
    if not isinstance(text, str) or len(text) > TOKEN_LIMIT:
        return text
    found = TOKEN.fullmatch(text.strip())
    if found is None:
        return text
    whole, decimals, numerator, denominator = found.groups()
    if numerator is not None:
        if int(denominator) == 0:
            return text
        return float(Fraction(int(numerator), int(denominator)))
    return float(f"{whole}.{decimals or 0}")


def scale_options() -> list[dict]:
    """The 17 choices of a pair, from "left extremely more important" to "right extremely"."""
    options = []
    for n in range(9, 1, -1):
        options.append({"token": str(n), "side": "left", "n": n, "short": SHORT.get(n, "")})
    options.append({"token": "1", "side": "equal", "n": 1, "short": SHORT[1]})
    for n in range(2, 10):
        options.append({"token": f"1/{n}", "side": "right", "n": n, "short": SHORT.get(n, "")})
    return options


def describe(row_name: str, col_name: str, value: float) -> str:
    """A judgment in words: "Supplier selection is strongly more important than Price control"."""
    if abs(value - 1) < 1e-9:
        return _("%(a)s and %(b)s are equally important") % {"a": row_name, "b": col_name}
    first, second, n = (row_name, col_name, value) if value > 1 else (col_name, row_name, 1 / value)
    return _("%(a)s is %(how)s than %(b)s (%(n)s)") % {
        "a": first,
        "how": INTENSITY[round(n)],
        "b": second,
        "n": round(n),
    }


def consistency_summary(cr: float | None, consistent: bool | None) -> str:
    """The short line announced when the consistency changes: "CR 0.123, inconsistent"."""
    if cr is None and consistent is False:
        return _("CR infinite (a weight of 0), inconsistent")
    if cr is None:
        return _("CR not known yet: answer every pair")
    verdict = _("consistent") if consistent else _("inconsistent")
    return _("CR %(cr)s, %(verdict)s") % {"cr": f"{cr:.3f}", "verdict": verdict}
