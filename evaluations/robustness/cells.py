"""Small shared formats of the Robustness tab's selectors: a weight or a share as the page
prints it ("none within [0, 1]" where there is no such change), and names for the codes and
subject ids of a snapshot's data."""

from django.utils.translation import gettext_lazy

NO_CHANGE = gettext_lazy("none within [0, 1]")


def weight_cell(value: float | None, places: int = 4) -> dict:
    """A weight on the page: its value for charts and sorting, its text, whether it is none."""
    if value is None:
        return {"value": None, "text": str(NO_CHANGE), "none": True}
    return {"value": value, "text": f"{value:.{places}f}", "none": False}


def percent_cell(value: float | None, places: int = 1) -> dict:
    """A share as a percentage ("15.6 %"); none when there is no such change."""
    if value is None:
        return {"value": None, "text": str(NO_CHANGE), "none": True}
    return {"value": value, "text": f"{value * 100:.{places}f} %", "none": False}


def names_of(data: dict) -> tuple[dict[str, dict], dict[str, str]]:
    """Indicator rows by code, subject names by id as text (JSON keys are text)."""
    indicators = {row["code"]: row for row in data.get("indicators", [])}
    subjects = {str(subject["id"]): subject["name"] for subject in data.get("subjects", [])}
    return indicators, subjects


def ordered_subjects(data: dict, ids) -> list[str]:
    """Subject ids (text) in the snapshot's ranking order, any others after them by id."""
    ids = {str(i) for i in ids}
    ranked = [str(i) for i in data.get("ranking", []) if str(i) in ids]
    return ranked + sorted(ids - set(ranked), key=lambda i: (len(i), i))
