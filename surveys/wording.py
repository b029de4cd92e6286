"""The 1–9 scale in words, for the forms and the revision hints (DESIGN §2.1)."""

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
    """9 → "9", 1/3 → "1/3": how a scale value travels in forms."""
    if value >= 1:
        return str(round(value))
    return f"1/{round(1 / value)}"


def parse_token(text: str):
    """ "1/3" → 0.333…, "5" → 5.0; anything else is returned unchanged for the service to refuse."""
    try:
        return float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError, AttributeError):
        return text


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
    if cr is None:
        return _("CR not known yet: answer every pair")
    verdict = _("consistent") if consistent else _("inconsistent")
    return _("CR %(cr)s, %(verdict)s") % {"cr": f"{cr:.3f}", "verdict": verdict}
