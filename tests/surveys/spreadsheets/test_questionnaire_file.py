"""The generated workbook: drop-downs, protection, formulas, hidden ids, language."""

import io

import openpyxl
import pytest
from django.utils import translation

from surveys.spreadsheets import layout
from surveys.spreadsheets.questionnaire import questionnaire_build


def _book(evaluation, membership=None):
    data = questionnaire_build(evaluation=evaluation, membership=membership)
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.django_db
def test_it_gives_every_upper_cell_a_scale_drop_down_and_locks_the_rest(open_evaluation, member):
    book = _book(open_evaluation, member)
    structure = layout.structure_of(open_evaluation)
    matrix = structure.matrices[0]
    sheet = book[matrix.parent.code]
    assert sheet.protection.sheet is True
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1.startswith('"1/9,1/8,') and validation.formula1.endswith(',8,9"')
    n = len(matrix.children)
    upper = {
        sheet.cell(layout.FIRST_ROW + i, layout.FIRST_COL + j).coordinate
        for i in range(n)
        for j in range(i + 1, n)
    }
    assert set(str(validation.sqref).split()) == upper
    for i in range(n):
        for j in range(n):
            cell = sheet.cell(layout.FIRST_ROW + i, layout.FIRST_COL + j)
            assert cell.protection.locked is (cell.coordinate not in upper)
            if j < i:
                upper_cell = sheet.cell(layout.FIRST_ROW + j, layout.FIRST_COL + i).coordinate
                assert cell.data_type == "f" and upper_cell in cell.value
            if i == j:
                assert cell.value == 1
    assert book.security.lockStructure is True


@pytest.mark.django_db
def test_it_carries_the_ids_in_hidden_cells_not_the_names(open_evaluation, member):
    book = _book(open_evaluation, member)
    structure = layout.structure_of(open_evaluation)
    meta = book[layout.META]
    assert meta.sheet_state == "veryHidden"
    assert meta["B2"].value == open_evaluation.pk
    assert meta["B3"].value == member.pk
    assert meta["B4"].value == structure.fingerprint
    matrix = structure.matrices[0]
    sheet = book[matrix.parent.code]
    assert sheet.row_dimensions[1].hidden and sheet.column_dimensions["A"].hidden
    assert [sheet.cell(layout.FIRST_ROW + k, 1).value for k in range(len(matrix.children))] == [
        child.pk for child in matrix.children
    ]
    rating = book[f"Ratings {structure.subjects[0].name}"]
    assert rating["A1"].value == structure.subjects[0].pk
    (validation,) = rating.data_validations.dataValidation
    assert validation.formula1 == f"'{layout.META}'!$E$1:$E${len(structure.grades)}"
    assert [meta[f"F{k + 1}"].value for k in range(len(structure.grades))] == [
        grade.pk for grade in structure.grades
    ]


@pytest.mark.django_db
def test_the_blank_questionnaire_has_a_name_cell_and_no_member(open_evaluation):
    book = _book(open_evaluation)
    assert book[layout.META]["B3"].value is None
    name = book.worksheets[0][layout.NAME_CELL]
    assert name.protection.locked is False


@pytest.mark.django_db
def test_it_is_pre_filled_with_the_members_answers(open_evaluation, member):
    from surveys.services import pairwise_ballot_save

    matrix = layout.structure_of(open_evaluation).matrices[0]
    first, second = matrix.children[:2]
    pairwise_ballot_save(
        membership=member,
        parent=matrix.parent,
        judgments={f"{first.pk}-{second.pk}": {"value": 1 / 3}},
        submit=False,
    )
    sheet = _book(open_evaluation, member)[matrix.parent.code]
    assert sheet.cell(layout.FIRST_ROW, layout.FIRST_COL + 1).value == "1/3"


@pytest.mark.django_db
def test_names_that_look_like_formulas_are_neutralised(open_evaluation, member):
    leaf = layout.structure_of(open_evaluation).leaves[0]
    leaf.name = "=HYPERLINK(1)"
    leaf.save()
    book = _book(open_evaluation, member)
    sheet = next(ws for ws in book.worksheets if ws.title.startswith("Ratings"))
    cell = sheet.cell(layout.FIRST_ROW, 3)
    assert (cell.value, cell.data_type) == ("'=HYPERLINK(1)", "s")


@pytest.mark.django_db
def test_the_instructions_follow_the_evaluations_language(open_evaluation, member):
    open_evaluation.language = "zh-hans"
    open_evaluation.save()
    with translation.override("en"):
        book = _book(open_evaluation, member)
    texts = " ".join(
        str(cell.value) for row in book.worksheets[0].iter_rows() for cell in row if cell.value
    )
    assert "1 — 同等重要" in texts  # the scale explained in Chinese
    assert any(title.startswith("评分 ") for title in book.sheetnames)  # the rating sheets
    assert translation.get_language() == "en"


@pytest.mark.django_db
def test_the_continuous_scale_gets_a_decimal_range(open_evaluation, member):
    open_evaluation.judgment_scale = "continuous"
    open_evaluation.save()
    sheet = _book(open_evaluation, member)[
        layout.structure_of(open_evaluation).matrices[0].parent.code
    ]
    (validation,) = sheet.data_validations.dataValidation
    assert (validation.type, validation.formula1, validation.formula2) == ("decimal", "1/9", "9")
