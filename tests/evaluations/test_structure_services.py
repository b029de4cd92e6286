"""Editing the hierarchy, the grade set and the subjects through the structure services."""

import math

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from evaluations.models import MAX_CHILDREN, AuditEntry, Grade, Indicator
from evaluations.services import evaluation_create_from_template
from evaluations.services.structure import (
    ERROR_ALREADY_FIRST,
    ERROR_ALREADY_LAST,
    ERROR_DUPLICATE_GRADE,
    ERROR_DUPLICATE_SUBJECT,
    ERROR_GRADE_NAME_REQUIRED,
    ERROR_GRADE_SCORE_NOT_FINITE,
    ERROR_GRADE_SCORES_NOT_DECREASING,
    ERROR_GRADES_LOCKED,
    ERROR_INDICATOR_GONE,
    ERROR_MOVE_INTO_OWN_SUBTREE,
    ERROR_NAME_REQUIRED,
    ERROR_NAME_TOO_LONG,
    ERROR_NO_SUBJECTS,
    ERROR_PARENT_FULL,
    ERROR_ROOT_DELETE,
    ERROR_ROOT_MOVE,
    ERROR_STALE_ROW,
    ERROR_STRUCTURE_LOCKED,
    ERROR_SUBJECT_HAS_BALLOTS,
    ERROR_SUBJECT_NAME_REQUIRED,
    ERROR_TOO_DEEP,
    ERROR_TOO_FEW_GRADES,
    MAX_DEPTH,
    GradeRow,
    SubjectRow,
    grade_set_replace,
    indicator_add,
    indicator_delete,
    indicator_move,
    indicator_reorder,
    indicator_update_text,
    subject_set_replace,
)
from experts.models import PanelMembership
from surveys.models import PairwiseBallot, RatingBallot

# ---------------------------------------------------------------------------------------------
# Helpers


def at(evaluation, code: str) -> Indicator:
    return evaluation.indicators.get(code=code)


def codes(evaluation) -> dict[str, str]:
    """name → code of every indicator."""
    return dict(evaluation.indicators.values_list("name", "code"))


def snapshot(evaluation) -> list[tuple]:
    return list(
        evaluation.indicators.order_by("pk").values_list(
            "pk", "parent_id", "code", "order", "name", "description", "recommendation"
        )
    )


def assert_codes_follow_the_tree(evaluation) -> None:
    """Every code is its parent's code plus its 1-based position; orders are 0..n-1."""
    indicators = {i.pk: i for i in evaluation.indicators.all()}
    siblings: dict[int | None, list[Indicator]] = {}
    for indicator in indicators.values():
        siblings.setdefault(indicator.parent_id, []).append(indicator)
    for parent_id, children in siblings.items():
        children.sort(key=lambda i: i.order)
        assert [c.order for c in children] == list(range(len(children)))
        for position, child in enumerate(children, start=1):
            expected = "U" if parent_id is None else f"{indicators[parent_id].code}{position}"
            assert child.code == expected


def audit_details(evaluation, action) -> list[str]:
    return list(evaluation.audit_entries.filter(action=action).values_list("detail", flat=True))


def message_of(error: ValidationError) -> str:
    (message,) = error.messages
    return message


def make_membership(evaluation) -> PanelMembership:
    return PanelMembership.objects.create(evaluation=evaluation, email="expert@example.com")


def make_pairwise_ballot(evaluation) -> PairwiseBallot:
    return PairwiseBallot.objects.create(
        membership=make_membership(evaluation), parent=at(evaluation, "U")
    )


def make_rating_ballot(evaluation, subject=None) -> RatingBallot:
    subject = subject or evaluation.subjects.first()
    return RatingBallot.objects.create(membership=make_membership(evaluation), subject=subject)


# ---------------------------------------------------------------------------------------------
# Adding


def test_adding_a_child_gives_it_the_next_code_and_records_it(evaluation, coordinator):
    child = indicator_add(
        parent=at(evaluation, "U2"),
        actor=coordinator,
        name="  Career paths  ",
        description="Promotion ladders",
        recommendation="Publish the ladder",
    )

    assert (child.code, child.name, child.order) == ("U25", "Career paths", 4)
    assert child.description == "Promotion ladders"
    assert_codes_follow_the_tree(evaluation)
    assert audit_details(evaluation, AuditEntry.Action.EDITED_HIERARCHY) == [
        "added U25 Career paths"
    ]


def test_a_child_can_be_added_under_a_leaf_at_any_depth(evaluation, coordinator):
    grandchild = indicator_add(parent=at(evaluation, "U34"), actor=coordinator, name="Patching")
    deeper = indicator_add(parent=grandchild, actor=coordinator, name="Patch window")

    assert (grandchild.code, deeper.code) == ("U341", "U3411")
    assert_codes_follow_the_tree(evaluation)


def test_it_refuses_a_blank_name_and_saves_nothing(evaluation, coordinator):
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as raised:
        indicator_add(parent=at(evaluation, "U1"), actor=coordinator, name="   ")

    assert raised.value.message_dict == {"name": [_(ERROR_NAME_REQUIRED)]}
    assert snapshot(evaluation) == before
    assert audit_details(evaluation, AuditEntry.Action.EDITED_HIERARCHY) == []


def test_it_refuses_a_name_longer_than_the_column(evaluation, coordinator):
    with pytest.raises(ValidationError) as raised:
        indicator_add(parent=at(evaluation, "U1"), actor=coordinator, name="x" * 201)

    assert raised.value.message_dict["name"] == [
        _(ERROR_NAME_TOO_LONG).format(name="x" * 40 + "…", limit=200)
    ]


def test_it_refuses_a_tenth_child_and_saves_nothing(evaluation, coordinator):
    parent = at(evaluation, "U1")
    for number in range(MAX_CHILDREN - 4):
        indicator_add(parent=parent, actor=coordinator, name=f"Extra {number}")
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as raised:
        indicator_add(parent=parent, actor=coordinator, name="One too many")

    assert raised.value.message_dict == {
        "parent": [_(ERROR_PARENT_FULL).format(code="U1", limit=MAX_CHILDREN)]
    }
    assert "RI tables stop at 9" in message_of(raised.value)
    assert snapshot(evaluation) == before
    assert at(evaluation, "U19").name == "Extra 4"


def test_it_refuses_to_go_deeper_than_a_code_can_hold(evaluation, coordinator):
    parent = at(evaluation, "U11")
    for level in range(MAX_DEPTH - 2):
        parent = indicator_add(parent=parent, actor=coordinator, name=f"Level {level}")
    assert len(parent.code) == MAX_DEPTH + 1

    with pytest.raises(ValidationError) as raised:
        indicator_add(parent=parent, actor=coordinator, name="Too deep")

    assert raised.value.message_dict == {"parent": [_(ERROR_TOO_DEEP).format(limit=MAX_DEPTH)]}


# ---------------------------------------------------------------------------------------------
# Reordering


def test_moving_up_swaps_the_codes_of_two_siblings_and_their_subtrees(evaluation, coordinator):
    moved = indicator_reorder(indicator=at(evaluation, "U2"), actor=coordinator, direction="up")

    assert moved.code == "U1"
    now = codes(evaluation)
    assert now["Human resource management"] == "U1"
    assert now["Procurement and sales management"] == "U2"
    assert now["Talent reserve programmes"] == "U11"
    assert now["Supplier selection"] == "U21"
    assert_codes_follow_the_tree(evaluation)
    assert audit_details(evaluation, AuditEntry.Action.EDITED_HIERARCHY) == ["moved U2 up (now U1)"]


def test_moving_down_swaps_with_the_next_sibling(evaluation, coordinator):
    indicator_reorder(indicator=at(evaluation, "U23"), actor=coordinator, direction="down")

    now = codes(evaluation)
    assert (now["Retraining system"], now["Incentive mechanism"]) == ("U24", "U23")
    assert_codes_follow_the_tree(evaluation)


@pytest.mark.parametrize(
    ("code", "direction", "message"),
    [("U1", "up", ERROR_ALREADY_FIRST), ("U34", "down", ERROR_ALREADY_LAST)],
)
def test_it_refuses_to_move_past_the_ends(evaluation, coordinator, code, direction, message):
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as raised:
        indicator_reorder(indicator=at(evaluation, code), actor=coordinator, direction=direction)

    assert message_of(raised.value) == _(message).format(code=code)
    assert snapshot(evaluation) == before


# ---------------------------------------------------------------------------------------------
# Moving


def test_moving_a_subtree_under_a_later_sibling_recodes_both_sides(evaluation, coordinator):
    moved = indicator_move(
        indicator=at(evaluation, "U2"), actor=coordinator, new_parent=at(evaluation, "U3")
    )

    now = codes(evaluation)
    assert now["Information system management"] == "U2"  # the old U3 closes the gap
    assert moved.code == "U25"
    assert now["Talent reserve programmes"] == "U251"
    assert now["Incentive mechanism"] == "U254"
    assert now["Security organisation and products"] == "U21"
    assert_codes_follow_the_tree(evaluation)
    assert audit_details(evaluation, AuditEntry.Action.EDITED_HIERARCHY) == [
        "moved U2 Human resource management under U2 (now U25)"
    ]


def test_moving_a_leaf_under_a_leaf_of_another_branch(evaluation, coordinator):
    moved = indicator_move(
        indicator=at(evaluation, "U11"), actor=coordinator, new_parent=at(evaluation, "U34")
    )

    now = codes(evaluation)
    assert moved.code == "U341"
    assert (now["Procurement authorisation"], now["Price control"]) == ("U11", "U13")
    assert_codes_follow_the_tree(evaluation)


def test_moving_a_deep_subtree_up_to_the_goal(evaluation, coordinator):
    branch = indicator_add(parent=at(evaluation, "U34"), actor=coordinator, name="Patching")
    indicator_add(parent=branch, actor=coordinator, name="Patch window")

    moved = indicator_move(indicator=branch, actor=coordinator, new_parent=at(evaluation, "U"))

    assert moved.code == "U4"
    assert codes(evaluation)["Patch window"] == "U41"
    assert_codes_follow_the_tree(evaluation)


def test_moving_under_the_current_parent_puts_it_last(evaluation, coordinator):
    indicator_move(
        indicator=at(evaluation, "U1"), actor=coordinator, new_parent=at(evaluation, "U")
    )

    now = codes(evaluation)
    assert now["Procurement and sales management"] == "U3"
    assert now["Human resource management"] == "U1"
    assert_codes_follow_the_tree(evaluation)


@pytest.mark.parametrize("target", ["U2", "U23"])
def test_it_refuses_to_move_an_indicator_under_itself_or_its_descendants(
    evaluation, coordinator, target
):
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as raised:
        indicator_move(
            indicator=at(evaluation, "U2"), actor=coordinator, new_parent=at(evaluation, target)
        )

    assert raised.value.message_dict == {
        "parent": [_(ERROR_MOVE_INTO_OWN_SUBTREE).format(code="U2", target=target)]
    }
    assert snapshot(evaluation) == before


def test_it_refuses_to_move_under_a_full_parent(evaluation, coordinator):
    for number in range(MAX_CHILDREN - 4):
        indicator_add(parent=at(evaluation, "U1"), actor=coordinator, name=f"Extra {number}")
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as raised:
        indicator_move(
            indicator=at(evaluation, "U21"), actor=coordinator, new_parent=at(evaluation, "U1")
        )

    assert raised.value.message_dict == {
        "parent": [_(ERROR_PARENT_FULL).format(code="U1", limit=MAX_CHILDREN)]
    }
    assert snapshot(evaluation) == before


def test_it_refuses_a_new_parent_from_another_evaluation(evaluation, coordinator):
    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )

    with pytest.raises(ValidationError) as raised:
        indicator_move(
            indicator=at(evaluation, "U11"), actor=coordinator, new_parent=at(other, "U2")
        )

    assert message_of(raised.value) == _(ERROR_INDICATOR_GONE)
    assert at(evaluation, "U11").parent == at(evaluation, "U1")


# ---------------------------------------------------------------------------------------------
# Deleting


def test_deleting_removes_the_subtree_and_closes_the_gap(evaluation, coordinator):
    deleted = indicator_delete(indicator=at(evaluation, "U1"), actor=coordinator)

    assert deleted == 5
    now = codes(evaluation)
    assert "Supplier selection" not in now
    assert (now["Human resource management"], now["Information system management"]) == (
        "U1",
        "U2",
    )
    assert now["Security technology updates"] == "U24"
    assert evaluation.indicators.count() == 11
    assert_codes_follow_the_tree(evaluation)
    assert audit_details(evaluation, AuditEntry.Action.EDITED_HIERARCHY) == [
        "deleted U1 Procurement and sales management and 4 indicators below it"
    ]


def test_deleting_a_leaf_moves_its_later_siblings_up(evaluation, coordinator):
    indicator_delete(indicator=at(evaluation, "U22"), actor=coordinator)

    now = codes(evaluation)
    assert (now["Retraining system"], now["Incentive mechanism"]) == ("U22", "U23")
    assert_codes_follow_the_tree(evaluation)


def test_the_goal_cannot_be_reordered_moved_or_deleted(evaluation, coordinator):
    root = at(evaluation, "U")
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as reorder:
        indicator_reorder(indicator=root, actor=coordinator, direction="down")
    with pytest.raises(ValidationError) as move:
        indicator_move(indicator=root, actor=coordinator, new_parent=at(evaluation, "U1"))
    with pytest.raises(ValidationError) as delete:
        indicator_delete(indicator=root, actor=coordinator)

    assert message_of(reorder.value) == _(ERROR_ROOT_MOVE)
    assert message_of(move.value) in {_(ERROR_ROOT_MOVE), _(ERROR_MOVE_INTO_OWN_SUBTREE)}
    assert message_of(delete.value) == _(ERROR_ROOT_DELETE)
    assert snapshot(evaluation) == before


def test_it_reports_an_indicator_deleted_in_another_tab(evaluation, coordinator):
    stale = at(evaluation, "U12")
    indicator_delete(indicator=at(evaluation, "U12"), actor=coordinator)

    with pytest.raises(ValidationError) as raised:
        indicator_reorder(indicator=stale, actor=coordinator, direction="up")

    assert message_of(raised.value) == _(ERROR_INDICATOR_GONE)


# ---------------------------------------------------------------------------------------------
# Texts


def test_text_edits_change_only_the_texts_and_are_recorded(evaluation, coordinator):
    indicator = indicator_update_text(
        indicator=at(evaluation, "U23"),
        actor=coordinator,
        name=" Training system ",
        description="",
        recommendation="Budget two training days a year",
    )

    indicator.refresh_from_db()
    assert (indicator.code, indicator.name) == ("U23", "Training system")
    assert indicator.recommendation == "Budget two training days a year"
    assert_codes_follow_the_tree(evaluation)
    (detail,) = audit_details(evaluation, AuditEntry.Action.EDITED_HIERARCHY)
    assert detail.startswith("edited U23 Training system: name")
    assert "recommendation" in detail


def test_saving_unchanged_texts_records_nothing(evaluation, coordinator):
    indicator = at(evaluation, "U23")

    indicator_update_text(
        indicator=indicator,
        actor=coordinator,
        name=indicator.name,
        description=indicator.description,
        recommendation=indicator.recommendation,
    )

    assert audit_details(evaluation, AuditEntry.Action.EDITED_HIERARCHY) == []


def test_a_text_edit_refuses_a_blank_name(evaluation, coordinator):
    with pytest.raises(ValidationError) as raised:
        indicator_update_text(indicator=at(evaluation, "U1"), actor=coordinator, name=" ")

    assert raised.value.message_dict == {"name": [_(ERROR_NAME_REQUIRED)]}
    assert at(evaluation, "U1").name == "Procurement and sales management"


# ---------------------------------------------------------------------------------------------
# The structure lock


STRUCTURAL_EDITS = {
    "add": lambda e, actor: indicator_add(parent=at(e, "U1"), actor=actor, name="New"),
    "reorder": lambda e, actor: indicator_reorder(
        indicator=at(e, "U2"), actor=actor, direction="up"
    ),
    "move": lambda e, actor: indicator_move(
        indicator=at(e, "U11"), actor=actor, new_parent=at(e, "U2")
    ),
    "delete": lambda e, actor: indicator_delete(indicator=at(e, "U3"), actor=actor),
}


@pytest.mark.parametrize("ballot", [make_pairwise_ballot, make_rating_ballot])
@pytest.mark.parametrize("edit", list(STRUCTURAL_EDITS))
def test_structural_edits_are_refused_once_a_ballot_exists(evaluation, coordinator, ballot, edit):
    ballot(evaluation)
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as raised:
        STRUCTURAL_EDITS[edit](evaluation, coordinator)

    assert raised.value.message_dict == {"structure": [_(ERROR_STRUCTURE_LOCKED)]}
    assert snapshot(evaluation) == before
    assert audit_details(evaluation, AuditEntry.Action.EDITED_HIERARCHY) == []


def test_text_edits_stay_allowed_once_a_ballot_exists(evaluation, coordinator):
    make_pairwise_ballot(evaluation)

    indicator_update_text(indicator=at(evaluation, "U1"), actor=coordinator, name="Purchasing")

    assert at(evaluation, "U1").name == "Purchasing"


def test_structural_edits_are_allowed_while_open_without_ballots(evaluation, coordinator):
    evaluation.status = evaluation.Status.OPEN
    evaluation.save()

    child = indicator_add(parent=at(evaluation, "U1"), actor=coordinator, name="New")

    assert child.code == "U15"


# ---------------------------------------------------------------------------------------------
# The grade set


def grade_rows(evaluation) -> list[GradeRow]:
    return [GradeRow(id=g.pk, name=g.name, score=g.score) for g in evaluation.grades.all()]


def grade_list(evaluation) -> list[tuple[str, float]]:
    return list(evaluation.grades.values_list("name", "score"))


def test_the_grade_set_is_replaced_keeping_ids_in_the_new_order(evaluation, coordinator):
    very_strong, strong, general, poor = grade_rows(evaluation)

    saved = grade_set_replace(
        evaluation=evaluation,
        actor=coordinator,
        grades=[
            GradeRow(id=very_strong.id, name="excellent", score=95),
            GradeRow(id=strong.id, name="good", score=85),
            GradeRow(name="fair", score=70),
            GradeRow(id=poor.id, name="poor", score=50),
        ],
    )

    assert grade_list(evaluation) == [("excellent", 95), ("good", 85), ("fair", 70), ("poor", 50)]
    assert [g.pk for g in saved][:2] == [very_strong.id, strong.id]
    assert not Grade.objects.filter(pk=general.id).exists()
    (detail,) = audit_details(evaluation, AuditEntry.Action.EDITED_GRADES)
    assert detail == "added fair 70; removed general 2; now excellent 95, good 85, fair 70, poor 50"


def test_swapping_two_grade_names_does_not_trip_the_unique_constraint(evaluation, coordinator):
    very_strong, strong, general, poor = grade_rows(evaluation)

    grade_set_replace(
        evaluation=evaluation,
        actor=coordinator,
        grades=[
            GradeRow(id=strong.id, name="very strong", score=4),
            GradeRow(id=very_strong.id, name="strong", score=3),
            general,
            poor,
        ],
    )

    assert evaluation.grades.get(name="very strong").pk == strong.id
    assert grade_list(evaluation)[:2] == [("very strong", 4), ("strong", 3)]


def test_saving_an_unchanged_grade_set_records_nothing(evaluation, coordinator):
    grade_set_replace(evaluation=evaluation, actor=coordinator, grades=grade_rows(evaluation))

    assert audit_details(evaluation, AuditEntry.Action.EDITED_GRADES) == []


@pytest.mark.parametrize(
    ("grades", "message"),
    [
        ([GradeRow(name="only", score=1)], _(ERROR_TOO_FEW_GRADES)),
        (
            [GradeRow(name="high", score=2), GradeRow(name=" ", score=1)],
            _(ERROR_GRADE_NAME_REQUIRED).format(position=2),
        ),
        (
            [GradeRow(name="High", score=2), GradeRow(name="high", score=1)],
            _(ERROR_DUPLICATE_GRADE).format(name="high"),
        ),
        (
            [GradeRow(name="high", score=math.inf), GradeRow(name="low", score=1)],
            _(ERROR_GRADE_SCORE_NOT_FINITE).format(name="high"),
        ),
        (
            [GradeRow(name="high", score=2), GradeRow(name="low", score=math.nan)],
            _(ERROR_GRADE_SCORE_NOT_FINITE).format(name="low"),
        ),
        (
            [
                GradeRow(name="high", score=3),
                GradeRow(name="middle", score=2),
                GradeRow(name="low", score=2),
            ],
            _(ERROR_GRADE_SCORES_NOT_DECREASING).format(
                name="low", score="2", previous="middle", previous_score="2"
            ),
        ),
        (
            [GradeRow(name="low", score=1), GradeRow(name="high", score=2.5)],
            _(ERROR_GRADE_SCORES_NOT_DECREASING).format(
                name="high", score="2.5", previous="low", previous_score="1"
            ),
        ),
    ],
)
def test_it_refuses_an_invalid_grade_set_and_saves_nothing(
    evaluation, coordinator, grades, message
):
    before = grade_list(evaluation)

    with pytest.raises(ValidationError) as raised:
        grade_set_replace(evaluation=evaluation, actor=coordinator, grades=grades)

    assert raised.value.message_dict == {"rows": [message]}
    assert grade_list(evaluation) == before
    assert audit_details(evaluation, AuditEntry.Action.EDITED_GRADES) == []


def test_it_refuses_a_grade_id_of_another_evaluation(evaluation, coordinator):
    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    foreign = other.grades.first()

    with pytest.raises(ValidationError) as raised:
        grade_set_replace(
            evaluation=evaluation,
            actor=coordinator,
            grades=[GradeRow(id=foreign.pk, name="a", score=2), GradeRow(name="b", score=1)],
        )

    assert message_of(raised.value) == _(ERROR_STALE_ROW)
    assert other.grades.get(pk=foreign.pk).name == foreign.name


def test_the_grade_set_is_locked_by_a_rating_ballot(evaluation, coordinator):
    make_rating_ballot(evaluation)
    rows = grade_rows(evaluation)
    rows[0] = GradeRow(id=rows[0].id, name="superb", score=rows[0].score)

    with pytest.raises(ValidationError) as raised:
        grade_set_replace(evaluation=evaluation, actor=coordinator, grades=rows)

    assert message_of(raised.value) == _(ERROR_GRADES_LOCKED)
    assert grade_list(evaluation)[0] == ("very strong", 4)


def test_a_pairwise_ballot_does_not_lock_the_grade_set(evaluation, coordinator):
    make_pairwise_ballot(evaluation)
    rows = grade_rows(evaluation)
    rows[0] = GradeRow(id=rows[0].id, name="superb", score=rows[0].score)

    grade_set_replace(evaluation=evaluation, actor=coordinator, grades=rows)

    assert grade_list(evaluation)[0] == ("superb", 4)


# ---------------------------------------------------------------------------------------------
# Subjects


def subject_rows(evaluation) -> list[SubjectRow]:
    return [
        SubjectRow(id=s.pk, name=s.name, description=s.description)
        for s in evaluation.subjects.all()
    ]


def subject_names(evaluation) -> list[str]:
    return list(evaluation.subjects.values_list("name", flat=True))


def test_subjects_are_added_renamed_described_and_reordered(evaluation, coordinator):
    a, b = subject_rows(evaluation)

    subject_set_replace(
        evaluation=evaluation,
        actor=coordinator,
        subjects=[
            SubjectRow(name=" Enterprise C ", description="A newcomer"),
            SubjectRow(id=b.id, name="Enterprise A", description="Renamed from B"),
            SubjectRow(id=a.id, name="Enterprise B"),
        ],
    )

    assert subject_names(evaluation) == ["Enterprise C", "Enterprise A", "Enterprise B"]
    assert evaluation.subjects.get(pk=b.id).description == "Renamed from B"
    (detail,) = audit_details(evaluation, AuditEntry.Action.EDITED_SUBJECTS)
    assert detail == "added Enterprise C; now Enterprise C, Enterprise A, Enterprise B"


def test_a_subject_without_ballots_can_be_deleted(evaluation, coordinator):
    a, _b = subject_rows(evaluation)

    subject_set_replace(evaluation=evaluation, actor=coordinator, subjects=[a])

    assert subject_names(evaluation) == ["Enterprise A"]
    (detail,) = audit_details(evaluation, AuditEntry.Action.EDITED_SUBJECTS)
    assert detail.startswith("removed Enterprise B")


def test_a_rated_subject_cannot_be_deleted_but_can_be_renamed(evaluation, coordinator):
    a, b = subject_rows(evaluation)
    make_rating_ballot(evaluation, subject=evaluation.subjects.get(pk=b.id))

    with pytest.raises(ValidationError) as raised:
        subject_set_replace(evaluation=evaluation, actor=coordinator, subjects=[a])

    assert message_of(raised.value) == _(ERROR_SUBJECT_HAS_BALLOTS).format(name="Enterprise B")
    assert subject_names(evaluation) == ["Enterprise A", "Enterprise B"]

    subject_set_replace(
        evaluation=evaluation,
        actor=coordinator,
        subjects=[a, SubjectRow(id=b.id, name="Enterprise Beta")],
    )
    assert subject_names(evaluation) == ["Enterprise A", "Enterprise Beta"]


@pytest.mark.parametrize(
    ("subjects", "message"),
    [
        ([], _(ERROR_NO_SUBJECTS)),
        (
            [SubjectRow(name="A"), SubjectRow(name="  ")],
            _(ERROR_SUBJECT_NAME_REQUIRED).format(position=2),
        ),
        (
            [SubjectRow(name="Shop"), SubjectRow(name="SHOP")],
            _(ERROR_DUPLICATE_SUBJECT).format(name="SHOP"),
        ),
    ],
)
def test_it_refuses_an_invalid_subject_list_and_saves_nothing(
    evaluation, coordinator, subjects, message
):
    with pytest.raises(ValidationError) as raised:
        subject_set_replace(evaluation=evaluation, actor=coordinator, subjects=subjects)

    assert raised.value.message_dict == {"rows": [message]}
    assert subject_names(evaluation) == ["Enterprise A", "Enterprise B"]
    assert audit_details(evaluation, AuditEntry.Action.EDITED_SUBJECTS) == []


def test_swapping_two_subject_names_does_not_trip_the_unique_constraint(evaluation, coordinator):
    a, b = subject_rows(evaluation)

    subject_set_replace(
        evaluation=evaluation,
        actor=coordinator,
        subjects=[SubjectRow(id=a.id, name=b.name), SubjectRow(id=b.id, name=a.name)],
    )

    assert evaluation.subjects.get(pk=a.id).name == "Enterprise B"
