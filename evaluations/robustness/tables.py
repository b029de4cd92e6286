"""The robustness figures as export tables (CSV and XLSX, beside the results' own tables):
flip points, each simulation's probabilities and weight intervals, and, for the coordinator,
the experts' agreement and leave-one-out. Read from `reading.robustness_read`'s dict; the
writers in evaluations/exports.py neutralise every text cell."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..exports import Percent, Section, Table


def robustness_tables(*, robustness: dict, data: dict) -> list[Table]:
    """The tables of `robustness` (reading.py's layout) for the results `data` it belongs to;
    none for a part that is empty or not computed."""
    names = {row["code"]: row["name"] for row in data.get("indicators", [])}
    subjects = {str(s["id"]): s["name"] for s in data.get("subjects", [])}
    grades = [g["name"] for g in data.get("grades", [])]
    tables = []
    if robustness.get("flip_points"):
        tables.append(_flip_table(robustness, names))
    simulation = robustness.get("simulation") or {}
    if simulation.get("status") == "unavailable":
        about = [[_("Not available"), simulation.get("message", "")]]
        tables.append(Table(_("Robustness simulation"), _("Simulation"), [Section(None, about)]))
    for source, figures in (simulation.get("sources") or {}).items():
        tables.append(_simulation_table(source, figures, names, subjects, grades, data))
    if robustness.get("agreement"):
        tables.append(_agreement_table(robustness["agreement"]))
    if robustness.get("leave_one_out"):
        tables.append(_leave_one_out_table(robustness["leave_one_out"], subjects))
    return tables


def _flip_table(robustness: dict, names: dict) -> Table:
    header = [
        _("Node"), _("Criterion"), _("Indicator"), _("Local weight"),
        _("Order changes below"), _("Order changes above"), _("Relative change"),
        _("Top changes below"), _("Top changes above"), _("Relative change of the top"),
        _("A grade changes below"), _("A grade changes above"),
    ]  # fmt: skip
    rows = [
        [
            row["node"], row["criterion"], names.get(row["criterion"], ""), row["weight"],
            row["below"], row["above"], _percent(row["relative_change"]),
            row["top_below"], row["top_above"], _percent(row["top_relative_change"]),
            row["grade_below"], row["grade_above"],
        ]
        for row in robustness["flip_points"]
    ]  # fmt: skip
    sections = [Section(header, rows)]
    critical = robustness.get("most_critical")
    if critical:
        sections.append(
            Section(
                [_("Most critical criterion"), _("Node"), _("Local weight"), _("Top changes at"),
                 _("Relative change")],
                [[f"{critical['criterion']} {names.get(critical['criterion'], '')}".strip(),
                  critical["node"], critical["weight"], critical["point"],
                  _percent(critical["relative_change"])]],
            )
        )  # fmt: skip
    method = _("exact line crossings") if robustness.get("exact") else _("bracketing to 1e-6")
    sections.append(Section(None, [[_("Method"), method], [_("Empty cell: none within [0, 1]")]]))
    return Table(_("Flip points of the weights"), _("Flip points"), sections)


SOURCE_TITLES = {
    "noise": gettext_noop("Simulation: judgment noise"),
    "bootstrap": gettext_noop("Simulation: panel bootstrap"),
}
SOURCE_SHEETS = {"noise": gettext_noop("Judgment noise"), "bootstrap": gettext_noop("Bootstrap")}


def _simulation_table(source, figures, names, subjects, grades, data) -> Table:
    ranks = len(next(iter(figures["rank_probabilities"].values()), []))
    about = [
        [_("Draws"), figures["draws"]],
        [_("Seed"), str(figures["seed"])],
        [_("Largest step k"), figures["k"] if figures.get("k") is not None else ""],
        [_("Top subject"), subjects.get(str(figures["top"]), "")],
        [_("Probability that it stays on top"), _percent(figures["top_probability"])],
    ]
    rank_header = [_("Subject")] + [_("Rank {n}").format(n=n) for n in range(1, ranks + 1)]
    rank_rows = [
        [subjects.get(subject, subject), *(_percent(p) for p in row)]
        for subject, row in figures["rank_probabilities"].items()
    ]
    grade_rows = [
        [subjects.get(subject, subject), *(_percent(p) for p in row)]
        for subject, row in figures["grade_probabilities"].items()
    ]
    current = {row["code"]: row["global_weight"] for row in data.get("indicators", [])}
    weight_rows = [
        [code, names.get(code, ""), current.get(code), *row]
        for code, row in figures["weight_percentiles"].items()
    ]
    weight_header = [
        _("Code"), _("Indicator"), _("Global weight"), _("5 %"), _("50 %"), _("95 %"),
    ]  # fmt: skip
    return Table(
        _(SOURCE_TITLES[source]),
        _(SOURCE_SHEETS[source]),
        [
            Section(None, about),
            Section(rank_header, rank_rows),
            Section([_("Subject"), *grades], grade_rows),
            Section(weight_header, weight_rows),
        ],
    )


def _agreement_table(agreement: dict) -> Table:
    rows = [
        [
            _expert(expert), expert["overall"], _("yes") if expert["flagged"] else _("no"),
            "; ".join(f"{m['node']}: S {_fixed(m['s'])}, r {_fixed(m['r'])}"
                      for m in expert["matrices"]),
        ]
        for expert in agreement["experts"]
    ]  # fmt: skip
    header = [_("Expert"), _("Overall compatibility S"), _("Flagged"), _("Per matrix")]
    threshold = [[_("Flagged when S exceeds"), agreement["threshold"]]]
    return Table(
        _("Experts against the group"),
        _("Agreement"),
        [Section(None, threshold), Section(header, rows)],
    )


def _leave_one_out_table(rows: list[dict], subjects: dict) -> Table:
    header = [_("Expert"), _("Top subject without them"), _("Top changes"), _("Ranks that change")]
    body = [
        [
            _expert(row),
            subjects.get(str(row["top"]), "") if row["top"] is not None else "",
            _("yes") if row["top_changes"] else _("no"),
            "; ".join(
                f"{subjects.get(subject, subject)} → {rank}"
                for subject, rank in row["rank_changes"].items()
            ),
        ]
        for row in rows
    ]
    return Table(_("Leave one expert out"), _("Leave-one-out"), [Section(header, body)])


def _expert(row: dict) -> str:
    return row["name"] if row.get("named") else _("Expert {number}").format(number=row["number"])


def _percent(value: float | None) -> Percent | None:
    return None if value is None else Percent(value)


def _fixed(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"
