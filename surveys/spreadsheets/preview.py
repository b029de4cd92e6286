"""What the preview shows, for the page and the API alike: per file, the forms it will store
(judgments with each matrix's CR, ratings) and its errors (file, sheet, cell, rule)."""

from evaluations.models import Indicator

from ..wording import token
from . import layout
from .models import UPLOAD_LIFETIME, SpreadsheetUpload
from .services import suggested_member, upload_members


def upload_summary(upload: SpreadsheetUpload) -> dict:
    evaluation = upload.evaluation
    structure = layout.structure_of(evaluation)
    members = upload_members(evaluation)
    by_pk = {membership.pk: membership for membership in members}
    grades = {grade.pk: grade.name for grade in structure.grades}
    codes = {i.pk: i.code for i in Indicator.objects.filter(evaluation=evaluation)}
    files = []
    for index, checked in enumerate(upload.files):
        membership = by_pk.get(checked["membership"])
        files.append(
            {
                "index": index,
                "name": checked["name"],
                "membership": _member(membership),
                "blank": checked["membership"] is None,
                "respondent": checked["respondent"],
                "suggested_member": None
                if checked["membership"]
                else suggested_member(checked["respondent"], members),
                "forms": _forms(checked, structure, codes, grades),
                "errors": checked["errors"],
            }
        )
    errors = sum(len(f["errors"]) for f in files)
    correct = sum(1 for f in files if not f["errors"])
    all_or_nothing = upload.mode == SpreadsheetUpload.Mode.ALL_OR_NOTHING
    return {
        "token": upload.token,
        "mode": upload.mode,
        "expires_at": upload.created_at + UPLOAD_LIFETIME,
        "files": files,
        "error_count": errors,
        "correct_files": correct,
        "can_store": correct > 0 and not (all_or_nothing and errors),
        "members": [_member(membership) for membership in members],
    }


def _member(membership) -> dict | None:
    if membership is None:
        return None
    return {"id": membership.pk, "name": membership.display_name}


def _forms(checked: dict, structure, codes: dict, grades: dict) -> list[dict]:
    forms = []
    checks = checked.get("checks", {})
    for matrix in structure.matrices:
        answers = checked["pairwise"].get(str(matrix.parent.pk))
        if answers is None:
            continue
        check = checks.get(str(matrix.parent.pk), {})
        judgments = []
        for key, answer in answers.items():
            row, col = (int(part) for part in key.split("-"))
            value = answer.get("value")
            shown = "skip" if answer.get("skipped") else token(float(value))
            judgments.append({"row": codes.get(row), "col": codes.get(col), "value": shown})
        forms.append(
            {
                "kind": "pairwise",
                "children": [child.code for child in matrix.children],
                "matrix": _grid(matrix.children, answers),
                "sheet": checked["sheets"].get(f"pairwise-{matrix.parent.pk}", ""),
                "parent": matrix.parent.code,
                "judgments": judgments,
                "cr": check.get("cr"),
                "consistent": check.get("consistent"),
                "threshold": check.get("threshold"),
            }
        )
    for subject in structure.subjects:
        answers = checked["ratings"].get(str(subject.pk))
        if answers is None:
            continue
        ratings = [
            {
                "indicator": codes.get(int(key)),
                "grade": None if answer.get("dont_know") else grades.get(answer.get("grade")),
                "dont_know": bool(answer.get("dont_know")),
            }
            for key, answer in answers.items()
        ]
        forms.append(
            {
                "kind": "rating",
                "sheet": checked["sheets"].get(f"rating-{subject.pk}", ""),
                "subject": subject.name,
                "ratings": ratings,
            }
        )
    return forms


def _grid(children, answers: dict) -> list[list[str]]:
    """The matrix as the paper prints it: 1 on the diagonal, the answers above it, their
    reciprocals below ("" where unanswered, "skip" where skipped)."""
    n = len(children)
    grid = [["1" if i == j else "" for j in range(n)] for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            answer = answers.get(f"{children[i].pk}-{children[j].pk}") or {}
            if answer.get("skipped"):
                grid[i][j] = grid[j][i] = "skip"
            elif answer.get("value") is not None:
                value = float(answer["value"])
                grid[i][j], grid[j][i] = token(value), token(1 / value)
    return grid
