"""The tables of a snapshot's results, in reading order: what the CSV and the workbook hold.

Built from the page-ready report, so a number cannot differ between the page, the CSV and the
workbook. The workbook follows the layout of Chinese theses: one sheet per judgment matrix with
λmax, CI, RI and CR beneath it, a weight summary, the membership matrix of every subject,
G = D·R and E = F·G (the page's symbols), and the conclusion. The writers (writers.py)
neutralise every text cell, so no table here needs to.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Percent:
    """A fraction shown as a percentage with two decimals (S* = 0.784 → 78.40 %)."""

    value: float


@dataclass
class Section:
    header: list | None
    rows: list[list]


@dataclass
class Table:
    title: str
    sheet: str
    sections: list[Section] = field(default_factory=list)


def results_tables(*, report: dict) -> list[Table]:
    """Every table of the results, in reading order."""
    return [
        _weights_table(report),
        _consistency_table(report),
        *(_matrix_table(matrix) for matrix in report["matrices"] if matrix["matrix"]),
        *(_given_table(matrix) for matrix in report["matrices"] if matrix.get("given")),
        *(_membership_table(subject, report) for subject in report["subjects"]),
        _composition_table(report),
        _conclusion_table(report),
        *_comment_tables(report),
    ]


def _comment_tables(report: dict) -> list[Table]:
    """The experts' comments, per pair and per rated indicator (none: no sheet)."""
    comments = report.get("comments") or {}
    if not comments.get("count"):
        return []
    pairwise = [
        [
            matrix["code"],
            f"{pair['row']} – {pair['col']}",
            comment["expert"],
            comment["answer"],
            comment["text"],
        ]
        for matrix in comments["matrices"]
        for pair in matrix["pairs"]
        for comment in pair["comments"]
    ]
    ratings = [
        [subject["name"], leaf["code"], leaf["name"], comment["expert"], comment["answer"],
         comment["text"]]
        for subject in comments["subjects"]
        for leaf in subject["leaves"]
        for comment in leaf["comments"]
    ]  # fmt: skip
    return [
        Table(
            _("Experts' comments"),
            _("Comments"),
            [
                Section(
                    [_("Judgment matrix"), _("Pair"), _("Expert"), _("Judgment"), _("Comment")],
                    pairwise,
                ),
                Section(_rating_comment_header(), ratings),
            ],
        )
    ]


def _rating_comment_header() -> list[str]:
    return [_("Subject"), _("Code"), _("Indicator"), _("Expert"), _("Grade"), _("Comment")]


def history_table(*, history: list[dict]) -> Table:
    """Every submission and withdrawal, one row per answer (surveys.history's rows)."""
    header = [
        _("Time"), _("Expert"), _("Action"), _("Channel"), _("Form"), _("CR then"),
        _("Item"), _("Answer"), _("Comment"), _("Paper form number"), _("Entered by"),
    ]  # fmt: skip
    rows = []
    for revision in history:
        form = revision["form_code"] or revision["form_name"]
        head = [
            revision["time"].isoformat(timespec="seconds"),
            revision["expert"],
            revision["action_label"],
            revision["channel_label"],
            form,
            revision["cr"],
        ]
        # Paper ballots: the form's number and who typed it in (both people under double entry).
        typed_by = (
            [revision["first_entered_by"], revision["user"]]
            if revision["channel"] == "paper"
            else []
        )
        tail = [revision["form_number"], " + ".join(name for name in typed_by if name)]
        for answer in revision["answers"] or [{"code": "", "answer": "", "comment": ""}]:
            rows.append([*head, answer["code"], answer["answer"], answer["comment"], *tail])
    return Table(_("History of the ballots"), _("History"), [Section(header, rows)])


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def _weights_table(report: dict) -> Table:
    header = [
        _("Code"), _("Indicator"), _("Parent"), _("Local weight"), _("Global weight"),
        _("Rank of leaf"), _("Local weight from"),
    ]  # fmt: skip
    given = set(report.get("given_parents", []))
    rows = [
        [r["code"], r["name"], r["parent"] or "", r["local_weight"], r["global_weight"], r["rank"],
         _weights_from(r["parent"], given)]
        for r in report["indicators"]
    ]  # fmt: skip
    return Table(
        _("Weights (single and total hierarchical ranking)"),
        _("Weights"),
        [Section(header, rows)],
    )


def _consistency_table(report: dict) -> Table:
    header = [
        _("Judgment matrix"), _("Order"), _("Experts included"), _("Experts submitted"),
        "λmax", "CI", "RI", "CR", _("Acceptable"), _("Consensus S*"), _("Consensus"),
        _("Weights from"), _("Source of the given weights"),
        _("Pairs skipped"),
    ]  # fmt: skip
    rows = [
        [
            f"{m['parent']} {m['parent_name']}",
            m["order"],
            m["experts_included"],
            m["experts_submitted"],
            m["lambda_max"],
            m["ci"],
            m["ri"],
            m["cr"],
            # No CR and no zero weight: no judgments yet. A zero weight: CR is infinite.
            _yes_no(None if m["cr"] is None and not m.get("zero_weights") else not m["over"]),
            None if m["consensus"] is None else Percent(m["consensus"]),
            m["consensus_word"],
            _("given") if m.get("given") else _("pairwise comparisons"),
            m.get("given_source", ""),
            m.get("skipped", 0),  # a snapshot from before skipping: none
        ]
        for m in report["matrices"]
    ]
    sections = [Section(header, rows)]
    if report["consensus"]:
        overall = report["consensus"]
        sections.append(
            Section(
                None,
                [[_("Overall consensus S*"), Percent(overall["percent"] / 100), overall["word"]]],
            )
        )
    return Table(_("Consistency of the judgment matrices"), _("Consistency"), sections)


def _weights_from(parent: str | None, given: set[str]) -> str:
    if parent is None:
        return ""
    return _("given") if parent in given else _("pairwise comparisons")


def _given_table(matrix: dict) -> Table:
    """A node whose weights the coordinator gave (evaluations/given_weights): the weights and
    where they come from; no matrix, λmax or CR."""
    rows = [[row["code"], row["name"], row["weight"]] for row in matrix["rows"]]
    about = [
        [_("Weights from"), _("given")],
        [_("Source of the given weights"), matrix.get("given_source", "")],
        [_("Pairwise answers kept but not used"), matrix.get("ignored_ballots", 0)],
    ]
    return Table(
        _("Given weights {code} {name}").format(code=matrix["parent"], name=matrix["parent_name"]),
        _("Given {code}").format(code=matrix["parent"]),
        [Section([matrix["parent"], _("Indicator"), "W"], rows), Section(None, about)],
    )


def _matrix_table(matrix: dict) -> Table:
    codes = [child["code"] for child in matrix["children_named"]]
    rows = [[row["code"], *row["values"], row["weight"]] for row in matrix["rows"]]
    figures = [
        ["λmax", matrix["lambda_max"]],
        ["CI", matrix["ci"]],
        ["RI", matrix["ri"]],
        ["CR", matrix["cr"]],
        [_("Acceptable (CR below the threshold)"), _yes_no(not matrix["over"])],
    ]
    if matrix.get("unanswered"):
        figures.append([_("Pairs nobody answered"), matrix["unanswered_text"]])
    if matrix.get("zero_weights"):
        figures.append([_("Weight of exactly 0 (Chang)"), ", ".join(matrix["zero_weights"])])
    experts = [
        [e["name"], e["weight"], _yes_no(e["included"]), e["lambda_max"], e["ci"], e["cr"],
         e.get("skipped", 0)]
        for e in matrix["per_expert"]
    ]  # fmt: skip
    expert_header = [
        _("Expert"), _("Expert weight"), _("Included"), "λmax", "CI", "CR", _("Pairs skipped (m)"),
    ]  # fmt: skip
    return Table(
        _("Judgment matrix {code} {name}").format(
            code=matrix["parent"], name=matrix["parent_name"]
        ),
        _("Matrix {code}").format(code=matrix["parent"]),
        [
            Section([matrix["parent"], *codes, "W"], rows),
            Section(None, figures),
            Section(expert_header, experts),
        ],
    )


def _membership_table(subject: dict, report: dict) -> Table:
    header = [_("First-level indicator"), _("Code"), _("Indicator"), _("Weight within")]
    votes = _("{grade}: weighted votes") if report.get("weighted_votes") else _("{grade}: votes")
    for grade in report["grades"]:
        header += [
            votes.format(grade=grade["name"]),
            _("{grade}: r").format(grade=grade["name"]),
        ]
    # Leaves given or measured instead of voted (issue 15 §2) add two columns; an evaluation
    # whose leaves are all voted keeps the table as it was.
    direct = any(row["source"] for group in subject["groups"] for row in group["rows"])
    if direct:
        header[3:3] = [_("Membership from"), _("Measured value")]
    # Experts who gave a grade (V counts only them) and who answered "don't know".
    header += [_("Experts who rated"), _("Don't know")]
    rows = []
    for group in subject["groups"]:
        for row in group["rows"]:
            cells = [
                value
                for cell in row["cells"]
                for value in (None if row["source"] else cell["count"], cell["degree"])
            ]
            extra = [_source_word(row["source_kind"]), row["measured_value"]] if direct else []
            rows.append(
                [
                    group["code"],
                    row["code"],
                    row["name"],
                    *extra,
                    row["weight"],
                    *cells,
                    row["rated"],
                    row["dont_know"],
                ]
            )
    return Table(
        _("Membership matrix R: {subject}").format(subject=subject["name"]),
        f"R {subject['name']}",
        [Section(header, rows)],
    )


def _source_word(kind: str) -> str:
    return {"votes": _("votes"), "given": _("given"), "measured": _("measured")}.get(kind, kind)


def _composition_table(report: dict) -> Table:
    grades = [grade["name"] for grade in report["grades"]]
    header = [_("Subject"), _("Code"), _("Indicator"), _("Weight"), *grades]
    header += [_("Grade"), _("Score")]
    rows = []
    for subject in report["subjects"]:
        for group in subject["groups"]:
            vector = [cell["value"] for cell in group["vector"] or []] or [None] * len(grades)
            rows.append(
                [
                    subject["name"],
                    group["code"],
                    group["name"],
                    group["weight"],
                    *vector,
                    group["grade_name"],
                    group["score"],
                ]
            )
        overall = [cell["value"] for cell in subject["vector"] or []] or [None] * len(grades)
        rows.append(
            [
                subject["name"],
                "E",
                _("Overall"),
                1.0,
                *overall,
                subject["grade_name"],
                subject["score"],
            ]
        )
    return Table(
        _("Fuzzy comprehensive evaluation G = D·R and E = F·G"),
        "G = D·R and E = F·G",
        [Section(header, rows)],
    )


def _conclusion_table(report: dict) -> Table:
    ranking = [
        [s["name"], s["grade_name"], s["score"], s["rank"]]
        for s in report["ranking"] or report["subjects"]
    ]
    weak = [
        [
            s["name"],
            position,
            w["code"],
            w["name"],
            w["global_weight"],
            w["score"],
            w["shortfall"],
            w["priority"],
            w["recommendation"],
        ]
        for s in report["subjects"]
        for position, w in enumerate(s["weak_points"], start=1)
    ]
    weak_header = [
        _("Subject"), _("Weak point"), _("Code"), _("Indicator"), _("Global weight"),
        _("Score"), _("Shortfall"), _("Priority"), _("Improvement recommendation"),
    ]  # fmt: skip
    return Table(
        _("Conclusion"),
        _("Conclusion"),
        [
            Section([_("Subject"), _("Grade"), _("Score"), _("Rank")], ranking),
            Section(weak_header, weak),
        ],
    )
