import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from experts.models import PanelMembership
from surveys.spreadsheets import layout
from surveys.spreadsheets.questionnaire import questionnaire_build
from tests.conftest import accepted_membership

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def member(open_evaluation, expert) -> PanelMembership:
    membership = accepted_membership(open_evaluation, expert)
    membership.name = "Erin Expert"
    membership.save()
    return membership


def consistent_value(i: int, j: int) -> str:
    """A perfectly consistent matrix: w_i ∝ 2^(−i), so b_ij = 2^(j−i) (capped on the scale)."""
    return str(min(2 ** (j - i), 8))


def fill(data: bytes, *, evaluation, value=consistent_value, grade=None, name=None) -> bytes:
    """Answer every input cell as an expert would with a spreadsheet program."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    structure = layout.structure_of(evaluation)
    titles = {
        (row[0], row[1]): row[2]
        for row in workbook[layout.META].iter_rows(
            min_row=layout.FORM_ROW, max_col=3, values_only=True
        )
        if row[0]
    }
    for matrix in structure.matrices:
        sheet = workbook[titles[("pairwise", matrix.parent.pk)]]
        n = len(matrix.children)
        for i in range(n):
            for j in range(i + 1, n):
                sheet.cell(layout.FIRST_ROW + i, layout.FIRST_COL + j).value = value(i, j)
    grade_name = grade or structure.grades[0].name
    for subject in structure.subjects:
        sheet = workbook[titles[("rating", subject.pk)]]
        for offset in range(len(structure.leaves)):
            sheet.cell(layout.FIRST_ROW + offset, layout.GRADE_COL).value = grade_name
    if name is not None:
        workbook[workbook.sheetnames[0]][layout.NAME_CELL] = name
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload_file(data: bytes, name: str = "answers.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


@pytest.fixture
def filled(open_evaluation, member) -> bytes:
    data = questionnaire_build(evaluation=open_evaluation, membership=member)
    return fill(data, evaluation=open_evaluation)
