"""The report's charts as SVG: the results page, the printable report, its PDF and the Word
file all draw them here, so a chart cannot differ between them."""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import charts


def report_charts(report: dict) -> dict:
    """The SVG charts of a report, marked safe: charts.py escapes every text it places.
    A subject's heat map goes on the subject, where its section is rendered."""
    leaves = sorted(
        (row for row in report["leaves"] if row["global_weight"] is not None),
        key=lambda row: -row["global_weight"],
    )
    weights = charts.bar_chart(
        [(f"{row['code']} {row['name']}", row["global_weight"]) for row in leaves],
        chart_id="chart-weights",
        title=_("Global weights of the leaf indicators"),
        description=_("One bar per leaf indicator, largest first; the value is printed."),
    )
    for subject in report["subjects"]:
        subject["heat_map"] = subject_heat_map(report, subject)
    return {
        "weights": mark_safe(weights) if leaves else "",
        "radar": subjects_radar(report, report["subjects"], "chart-radar"),
    }


def subject_heat_map(report: dict, subject: dict) -> str:
    rows = [row for group in subject["groups"] for row in group["rows"]]
    if not rows or rows[0]["cells"][0]["degree"] is None:
        return ""
    markup = charts.heat_map(
        [f"{row['code']} {row['name']}" for row in rows],
        [grade["name"] for grade in report["grades"]],
        [[cell["degree"] for cell in row["cells"]] for row in rows],
        chart_id=f"chart-heat-{subject['id']}",
        title=_("Membership degrees of {subject}").format(subject=subject["name"]),
        description=_(
            "Leaf indicators in rows, grades in columns; each cell prints the share of experts "
            "who chose that grade. Darker cells are larger."
        ),
    )
    return mark_safe(markup)


def subjects_radar(report: dict, subjects: list[dict], chart_id: str) -> str:
    scored = [s for s in subjects if s["score"] is not None]
    scores = [grade["score"] for grade in report["grades"]]
    if not scored or len(scores) < 2:
        return ""
    markup = charts.radar(
        [(row["code"], row["name"]) for row in report["first_level"]],
        [(s["name"], [g["score"] for g in s["groups"]]) for s in scored],
        low=min(scores),
        high=max(scores),
        rings=sorted(set(scores)),
        chart_id=chart_id,
        title=_("Scores of the first-level indicators"),
        description=_(
            "One axis per first-level indicator, from the worst grade score at the centre to "
            "the best at the rim; one outline per subject, told apart by line pattern, marker "
            "and the legend."
        ),
    )
    return mark_safe(markup)
