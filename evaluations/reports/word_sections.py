"""The sections of the Word report, in the printable page's order: method, weights,
consistency and the judgment matrices, the fuzzy comprehensive evaluation (R, G = D·R,
E = F·G), the ranking, and the management profile of every subject."""

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from .word_parts import DASH, chart_picture, number, three_line_table

INFINITE = "∞"


class ReportWriter:
    """Writes one report into a python-docx Document, numbering the tables as it goes."""

    def __init__(self, document, report: dict, charts: dict):
        self.document = document
        self.report = report
        self.charts = charts
        self.tables = 0

    def write(self) -> None:
        self.notices()
        self.method()
        self.weights()
        self.consistency()
        self.matrices()
        self.evaluation()
        self.ranking()
        for subject in self.report["subjects"]:
            self.profile(subject)

    def table(self, caption: str, header: list, rows: list, numeric: set[int] | None = None):
        self.tables += 1
        numbered = _("Table {number}").format(number=self.tables) + f"  {caption}"
        return three_line_table(
            self.document, caption=numbered, header=header, rows=rows, numeric=numeric
        )

    def grades(self) -> list[str]:
        return [grade["name"] for grade in self.report["grades"]]

    # --- sections -------------------------------------------------------------------------

    def notices(self) -> None:
        if self.report["complete"]:
            return
        self.document.add_heading(_("These results are incomplete"), 1)
        for reason in self.report["missing"]:
            self.document.add_paragraph(str(reason), style="List Bullet")

    def method(self) -> None:
        self.document.add_heading(_("Method"), 1)
        for label, value in self.report["settings"]:
            paragraph = self.document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(str(value))

    def weights(self) -> None:
        self.document.add_heading(_("Indicator weights"), 1)
        rows = [
            [row["code"], "　" * max(row["depth"] - 1, 0) + row["name"],
             number(row["local_weight"]), number(row["global_weight"]), row["rank"] or ""]
            for row in self.report["indicators"]
        ]  # fmt: skip
        self.table(
            _(
                "Single and total hierarchical ranking: local weight within the parent, global "
                "weight towards the goal, and the rank of each leaf indicator"
            ),
            [_("Code"), _("Indicator"), _("Local weight"), _("Global weight"), _("Rank")],
            rows,
            numeric={2, 3, 4},
        )
        chart_picture(
            self.document,
            self.charts.get("weights"),
            _("Global weights of the leaf indicators, largest first."),
        )

    def consistency(self) -> None:
        self.document.add_heading(_("Judgment matrices: consistency and consensus"), 1)
        rows = [
            [f"{m['parent']} {m['parent_name']}", m["order"], *_figures(m), _verdict(m)]
            for m in self.report["matrices"]
        ]
        self.table(
            _("Consistency of the judgment matrices"),
            [_("Judgment matrix"), _("Order"), "λmax", "CI", "RI", "CR", _("Consistency")],
            rows,
            numeric={1, 2, 3, 4, 5},
        )

    def matrices(self) -> None:
        for m in self.report["matrices"]:
            names = {"code": m["parent"], "name": m["parent_name"]}
            if m["given"]:
                self.document.add_heading(_("Given weights %(code)s %(name)s") % names, 2)
                rows = [[row["code"], row["name"], number(row["weight"])] for row in m["rows"]]
                self.table(_("Given weights %(code)s %(name)s") % names,
                           [m["parent"], _("Indicator"), "W"], rows, numeric={2})  # fmt: skip
                continue
            if not m["matrix"]:
                continue
            self.document.add_heading(_("Judgment matrix %(code)s %(name)s") % names, 2)
            codes = [child["code"] for child in m["children_named"]]
            rows = [
                [row["code"], *(number(v) for v in row["values"]), number(row["weight"])]
                for row in m["rows"]
            ]
            self.table(
                _("Aggregated judgment matrix of %(code)s and its weights W") % names,
                [m["parent"], *codes, "W"],
                rows,
            )
            lam, ci, ri, cr = _figures(m)
            self.document.add_paragraph(f"λmax = {lam}, CI = {ci}, RI = {ri}, CR = {cr}")

    def evaluation(self) -> None:
        self.document.add_heading(_("Fuzzy comprehensive evaluation"), 1)
        for subject in self.report["subjects"]:
            self.document.add_heading(subject["name"], 2)
            if subject["vector"]:
                line = _(
                    "Grade (maximum membership): <strong>%(grade)s</strong> · comprehensive "
                    "score %(score)s"
                ) % {"grade": subject["grade_name"], "score": number(subject["score"])}
                self.document.add_paragraph(strip_tags(line))
            for group in subject["groups"]:
                self.membership(group)
            if subject["vector"]:
                self.table(
                    _("Fuzzy evaluation vector E = F·G of %(subject)s")
                    % {"subject": subject["name"]},
                    [_("Vector"), *self.grades(), _("Grade"), _("Score")],
                    [
                        [
                            "E",
                            *_values(subject["vector"]),
                            subject["grade_name"],
                            number(subject["score"]),
                        ]
                    ],  # fmt: skip
                    numeric={*range(1, len(self.grades()) + 1), len(self.grades()) + 2},
                )
            chart_picture(
                self.document,
                subject.get("heat_map"),
                _("Membership degrees: leaf indicators × grades."),
            )

    def membership(self, group: dict) -> None:
        """R of one first-level indicator, its leaves' degrees r, and G = D·R beneath."""
        caption = _("Membership matrix R of %(code)s %(name)s") % {
            "code": group["code"],
            "name": group["name"],
        }
        if group["weight"] is not None:
            caption += " (" + _("weight %(weight)s") % {"weight": number(group["weight"])} + ")"
        rows = [
            [row["code"], row["name"], number(row["weight"]),
             *(number(cell["degree"]) for cell in row["cells"])]
            for row in group["rows"]
        ]  # fmt: skip
        if group["vector"]:
            label = _("G of %(code)s = D·R") % {"code": group["code"]}
            rows.append(["G", label, "", *_values(group["vector"])])
        header = [_("Code"), _("Indicator"), _("Weight"), *self.grades()]
        self.table(caption, header, rows, numeric=set(range(2, len(header))))

    def ranking(self) -> None:
        self.document.add_heading(_("Ranking of the subjects"), 1)
        if not self.report["ranking"]:
            self.document.add_paragraph(_("No subject can be ranked yet."))
            return
        grades = self.grades()
        rows = [
            [s["rank"], s["name"], *_values(s["vector"]), s["grade_name"], number(s["score"])]
            for s in self.report["ranking"]
        ]
        self.table(
            _("Subjects by comprehensive score, best first, with the evaluation vector E"),
            [_("Rank"), _("Subject"), *grades, _("Grade"), _("Score")],
            rows,
            numeric={0, *range(2, len(grades) + 2), len(grades) + 3},
        )
        chart_picture(
            self.document,
            self.charts.get("radar"),
            _("Scores of the first-level indicators per subject."),
        )

    def profile(self, subject: dict) -> None:
        heading = _("SME management profile: %(subject)s") % {"subject": subject["name"]}
        self.document.add_page_break()
        self.document.add_heading(heading, 1)
        if not subject["vector"]:
            self.document.add_paragraph(
                _(
                    "This subject has no evaluation yet: not every leaf indicator has ratings, "
                    "or the weights are incomplete."
                )
            )
            return
        self.summary(subject)
        grades = self.grades()
        rows = [
            [g["code"], g["name"], number(g["weight"]), *_values(g["vector"]), g["grade_name"],
             number(g["score"])]
            for g in subject["groups"]
        ]  # fmt: skip
        self.table(
            _("First-level indicators: evaluation vector G, grade and score"),
            [_("Code"), _("Indicator"), _("Weight"), *grades, _("Grade"), _("Score")],
            rows,
            numeric={*range(2, len(grades) + 3), len(grades) + 4},
        )
        self.weak_points(subject)

    def summary(self, subject: dict) -> None:
        facts = [
            (_("Overall grade"), f"{subject['grade_name']} {_('(maximum membership principle)')}"),
            (_("Comprehensive score"), number(subject["score"])),
        ]
        if subject["rank"]:
            of = _("%(rank)s of %(count)s") % {
                "rank": subject["rank"],
                "count": len(self.report["ranking"]),
            }
            facts.append((_("Rank"), of))
        for label, value in facts:
            paragraph = self.document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)

    def weak_points(self, subject: dict) -> None:
        self.document.add_heading(_("Weak points and improvement recommendations"), 2)
        if not subject["weak_points"]:
            self.document.add_paragraph(_("No weak points: every indicator has the best grade."))
            return
        none = _("No recommendation recorded for this indicator.")
        rows = [
            [position, f"{w['code']} {w['name']}", number(w["global_weight"]),
             number(w["score"]), number(w["shortfall"]), number(w["priority"]),
             w["recommendation"] or none]
            for position, w in enumerate(subject["weak_points"], start=1)
        ]  # fmt: skip
        self.table(
            _(
                "The leaf indicators where improvement matters most (priority = global weight × "
                "shortfall from the best grade)"
            ),
            [
                "#",
                _("Indicator"),
                _("Global weight"),
                _("Score"),
                _("Shortfall"),
                _("Priority"),
                _("Improvement recommendation"),
            ],  # fmt: skip
            rows,
            numeric={0, 2, 3, 4, 5},
        )


def _values(vector: list[dict] | None) -> list[str]:
    return [number(cell["value"]) for cell in vector or []]


def _figures(m: dict) -> list[str]:
    """λmax, CI, RI, CR as the page prints them: ∞ where a weight of 0 makes them infinite."""
    if m.get("zero_weights"):
        return [INFINITE, INFINITE, number(m["ri"], 2), INFINITE]
    return [number(m["lambda_max"]), number(m["ci"]), number(m["ri"], 2), number(m["cr"])]


def _verdict(m: dict) -> str:
    if m["given"]:
        return _("given")
    if m["cr"] is None and not m["over"]:
        return DASH
    return _("not acceptable") if m["over"] else _("acceptable")
