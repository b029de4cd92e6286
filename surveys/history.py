"""What each expert submitted and withdrew, in order: the revisions, ready to show or export.

Revisions store answers keyed by indicator and grade ids, as the ballots do; here they become
codes, names and the 1–9 tokens the forms show. Indicators and grades cannot change under
saved ballots (the structure locks), so today's names are those of then.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from evaluations.models import Evaluation
from evaluations.results.comments import expert_aliases
from evaluations.selectors import depth_first
from experts.models import PanelMembership

from .models import BallotRevision
from .wording import token


def membership_history(*, membership: PanelMembership) -> list[dict]:
    """One expert's revisions, oldest first (the coordinator's history page)."""
    revisions = BallotRevision.objects.filter(membership=membership)
    return _rows(membership.evaluation, revisions)


def evaluation_history(*, evaluation: Evaluation) -> list[dict]:
    """Every revision of the panel, oldest first (the exports)."""
    revisions = BallotRevision.objects.filter(membership__evaluation=evaluation)
    return _rows(evaluation, revisions)


def history_export(*, evaluation: Evaluation, data: dict) -> list[dict]:
    """Every revision for the exports (JSON-ready), the experts named or numbered as the
    comments of the results `data` are (the evaluation's comments_named)."""
    rows = evaluation_history(evaluation=evaluation)
    aliases = {} if evaluation.comments_named else expert_aliases(data)
    for membership in sorted({row["membership"] for row in rows} - aliases.keys()):
        aliases[membership] = _("Expert {number}").format(number=len(aliases) + 1)
    for row in rows:
        if not evaluation.comments_named:
            row["expert"], row["user"] = aliases[row["membership"]], ""
            row["first_entered_by"] = ""
        for answer in row["answers"]:
            del answer["order"]
    return rows


def answer_rows(*, evaluation: Evaluation, answers: dict, pairwise: bool) -> dict[str, dict]:
    """One ballot's answers as the history lists them (code, name, answer, value, comment,
    order), by the ballot's key: the comparison of two typings of a paper form reads them so."""
    indicators, grades = _lookups(evaluation)
    rows = {}
    for key, answer in answers.items():
        one = {key: answer}
        [rows[key]] = _judgments(one, indicators) if pairwise else _ratings(one, indicators, grades)
    return rows


def _lookups(evaluation: Evaluation) -> tuple[dict, dict]:
    tree = depth_first(evaluation.indicators.all())
    indicators = {indicator.pk: indicator for indicator, _depth in tree}
    # Answers are listed as the forms list them: in the hierarchy's reading order.
    for position, (indicator, _depth) in enumerate(tree):
        indicator.position = position
    grades = {grade.pk: grade.name for grade in evaluation.grades.all()}
    return indicators, grades


def _rows(evaluation: Evaluation, revisions: QuerySet[BallotRevision]) -> list[dict]:
    indicators, grades = _lookups(evaluation)
    revisions = revisions.select_related(
        "membership", "subject", "user", "first_entered_by"
    ).order_by("created_at", "id")
    return [_row(revision, indicators, grades) for revision in revisions]


def _row(revision: BallotRevision, indicators: dict, grades: dict) -> dict:
    if revision.parent_id:
        parent = indicators.get(revision.parent_id)
        form_code, form_name = (parent.code, parent.name) if parent else ("", "")
        answers = _judgments(revision.answers, indicators)
    else:
        form_code, form_name = "", revision.subject.name
        answers = _ratings(revision.answers, indicators, grades)
    return {
        "id": revision.pk,
        "time": revision.created_at,
        "membership": revision.membership_id,
        "expert": revision.membership.display_name,
        "user": revision.user.get_username() if revision.user else "",
        "kind": revision.kind,
        "action": revision.action,
        "action_label": revision.get_action_display(),
        "channel": revision.channel,
        "channel_label": revision.get_channel_display() if revision.channel else "",
        # Paper ballots: the form's number, and who typed it first under double entry.
        "form_number": revision.form_number,
        "first_entered_by": (
            revision.first_entered_by.get_username() if revision.first_entered_by else ""
        ),
        "form_code": form_code,
        "form_name": form_name,
        "cr": revision.cr,
        "consistent": revision.consistent,
        "answers": answers,
    }


def _judgments(judgments: dict, indicators: dict) -> list[dict]:
    rows = []
    for key, answer in judgments.items():
        row_id, _dash, col_id = key.partition("-")
        row, col = indicators.get(int(row_id)), indicators.get(int(col_id))
        value = answer.get("value")
        rows.append(
            {
                "code": f"{row.code if row else row_id} – {col.code if col else col_id}",
                "name": f"{row.name if row else ''} – {col.name if col else ''}",
                "order": (getattr(row, "position", -1), getattr(col, "position", -1)),
                "answer": _skipped_or_token(answer, value),
                "value": value,
                "comment": answer.get("comment", ""),
            }
        )
    return sorted(rows, key=lambda r: r["order"])


def _skipped_or_token(answer: dict, value) -> str:
    if answer.get("skipped") is True:
        return _("skipped (cannot compare)")
    return "" if value is None else token(value)


def _ratings(ratings: dict, indicators: dict, grades: dict) -> list[dict]:
    rows = []
    for key, answer in ratings.items():
        leaf = indicators.get(int(key))
        grade = answer.get("grade")
        rows.append(
            {
                "code": leaf.code if leaf else key,
                "name": leaf.name if leaf else "",
                "order": (getattr(leaf, "position", -1), 0),
                "answer": _("Don't know")
                if answer.get("dont_know")
                else grades.get(grade, "" if grade is None else str(grade)),
                "value": grade,
                "comment": answer.get("comment", ""),
            }
        )
    return sorted(rows, key=lambda r: r["order"])
