"""What a questionnaire asks and where each answer sits in the workbook: shared by the writer
(questionnaire.py) and the reader (reading.py), so they cannot drift apart.

A pairwise sheet: row 1 and column A are hidden and carry the children's indicator ids; the
matrix's headers are row 5 and column B, its cells start at C6 (the paper's layout, the
diagonal 1, the upper triangle answered, the lower one following by reciprocity). A rating
sheet: column A hidden with the leaf ids, row 1 hidden with the subject id, one grade cell a
leaf in column D from row 6. The very hidden sheet META names the evaluation, the membership,
the structure's fingerprint, every form's sheet and the grades.
"""

import hashlib
import re
from dataclasses import dataclass

from evaluations.models import Evaluation, Grade, Indicator, Subject
from evaluations.selectors import depth_first

VOTES = Indicator.MembershipSource.VOTES

FORMAT = "ahpanel-questionnaire/1"
META = "_ahpanel"
FIRST_ROW = 6  # the first answer row of every form sheet
FIRST_COL = 3  # column C: the matrix's first column
ID_ROW, ID_COL = 1, 1
GRADE_COL = 4  # column D on a rating sheet
NAME_CELL = "C8"  # the respondent's name on the instructions sheet of a blank questionnaire

# The meta sheet: fixed cells, then one row a form from FORM_ROW, the grades in columns E:F.
META_CELLS = {"format": "B1", "evaluation": "B2", "membership": "B3", "fingerprint": "B4"}
FORM_ROW = 10
GRADE_NAME_COL, GRADE_ID_COL = "E", "F"


@dataclass(frozen=True)
class Matrix:
    parent: Indicator
    children: list[Indicator]


@dataclass(frozen=True)
class Structure:
    evaluation: Evaluation
    matrices: list[Matrix]
    leaves: list[Indicator]  # the voted leaves, rated on each subject's sheet
    subjects: list[Subject]
    grades: list[Grade]
    fingerprint: str


def structure_of(evaluation: Evaluation) -> Structure:
    """The forms the panel answers (as surveys.selectors.questionnaire lists them)."""
    tree = [indicator for indicator, _depth in depth_first(evaluation.indicators.all())]
    children: dict[int, list[Indicator]] = {}
    for indicator in tree:
        if indicator.parent_id:
            children.setdefault(indicator.parent_id, []).append(indicator)
    matrices = [
        Matrix(indicator, children[indicator.pk])
        for indicator in tree
        if len(children.get(indicator.pk, [])) >= 2 and indicator.given_weights is None
    ]
    leaves = [i for i in tree if i.pk not in children and i.membership_source == VOTES]
    subjects = list(evaluation.subjects.all()) if leaves else []
    grades = list(evaluation.grades.all())
    return Structure(
        evaluation,
        matrices,
        leaves,
        subjects,
        grades,
        _fingerprint(matrices, leaves, subjects, grades),
    )


def _fingerprint(matrices, leaves, subjects, grades) -> str:
    """Changes whenever a form of the file would ask something else: a matrix's children or
    their order, the rated leaves, the subjects, the grades."""
    parts = [
        "m:"
        + ",".join(f"{m.parent.pk}({'.'.join(str(c.pk) for c in m.children)})" for m in matrices),
        "l:" + ",".join(str(leaf.pk) for leaf in leaves),
        "s:" + ",".join(str(subject.pk) for subject in subjects),
        "g:" + ",".join(str(grade.pk) for grade in grades),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")


def sheet_titles(structure: Structure, ratings_word: str) -> tuple[list[str], list[str]]:
    """Unique sheet names (at most 31 characters, none of []:*?/\\'): the parent's code for a
    matrix, "<ratings word> <subject>" for a subject."""
    taken = {META.lower()}

    def unique(text: str) -> str:
        base = SHEET_FORBIDDEN.sub("_", text).strip() or "_"
        base = base[:28]
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base[:26]}~{n}"
        taken.add(name.lower())
        return name

    matrices = [unique(matrix.parent.code) for matrix in structure.matrices]
    subjects = [unique(f"{ratings_word} {subject.name}") for subject in structure.subjects]
    return matrices, subjects
