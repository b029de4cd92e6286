"""The coordinator's structure editors as pages: hierarchy, grade set, subjects, settings."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.forms_editors import ERROR_CR_THRESHOLD
from evaluations.models import AuditEntry, Evaluation
from evaluations.services import evaluation_create_from_template
from evaluations.services.structure import (
    ERROR_ALREADY_FIRST,
    ERROR_GRADE_SCORES_NOT_DECREASING,
    ERROR_GRADES_LOCKED,
    ERROR_NAME_REQUIRED,
    ERROR_STRUCTURE_LOCKED,
    ERROR_SUBJECT_HAS_BALLOTS,
    indicator_add,
)
from experts.models import PanelMembership
from surveys.models import PairwiseBallot, RatingBallot

PAGES = ["hierarchy-edit", "grades-edit", "subjects-edit", "evaluation-settings"]
INDICATOR_ROUTES = [
    "hierarchy-add",
    "hierarchy-update",
    "hierarchy-reorder",
    "hierarchy-move",
    "hierarchy-delete",
]


def at(evaluation, code: str):
    return evaluation.indicators.get(code=code)


def page_url(name: str, evaluation) -> str:
    return reverse(name, kwargs={"evaluation_id": evaluation.pk})


def indicator_url(name: str, evaluation, code: str) -> str:
    indicator = at(evaluation, code)
    return reverse(name, kwargs={"evaluation_id": evaluation.pk, "indicator_id": indicator.pk})


def hierarchy_url(evaluation, code: str | None = None) -> str:
    url = page_url("hierarchy-edit", evaluation)
    return f"{url}#indicator-{at(evaluation, code).pk}" if code else url


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def make_ballot(evaluation, kind: str = "pairwise"):
    membership = PanelMembership.objects.create(evaluation=evaluation, email="expert@example.com")
    if kind == "pairwise":
        return PairwiseBallot.objects.create(membership=membership, parent=at(evaluation, "U"))
    return RatingBallot.objects.create(membership=membership, subject=evaluation.subjects.first())


def formset_data(prefix: str, rows: list[dict], initial: int) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def grade_data(evaluation, changes: dict[int, dict] | None = None, extra: dict | None = None):
    """The grade formset as the page posts it, with `changes` applied to rows by index."""
    rows = [
        {"id": g.pk, "name": g.name, "score": g.score, "ORDER": position}
        for position, g in enumerate(evaluation.grades.all(), start=1)
    ]
    for index, change in (changes or {}).items():
        rows[index].update(change)
    rows.append(extra or {"id": "", "name": "", "score": "", "ORDER": ""})
    return formset_data("grades", rows, initial=len(rows) - 1)


def subject_data(evaluation, changes: dict[int, dict] | None = None, extra: dict | None = None):
    rows = [
        {"id": s.pk, "name": s.name, "description": s.description, "ORDER": position}
        for position, s in enumerate(evaluation.subjects.all(), start=1)
    ]
    for index, change in (changes or {}).items():
        rows[index].update(change)
    rows.append(extra or {"id": "", "name": "", "description": "", "ORDER": ""})
    return formset_data("subjects", rows, initial=len(rows) - 1)


def settings_data(**changes) -> dict:
    data = {
        "title": "SME management 2025",
        "description": "",
        "weighting_method": "geometric",
        "ri_table": "paper",
        "cr_threshold": "0.1",
        "cr_policy": "block",
        "aggregation": "aij",
        "ballot_inclusion": "submitted",
        "operator": "product_sum",
        "language": "en",
        "deadline": "",
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------------------------------------
# Access


@pytest.mark.parametrize("name", PAGES)
def test_each_editor_page_renders_for_the_owner(coordinator_client, evaluation, name):
    response = coordinator_client.get(page_url(name, evaluation))

    assert response.status_code == 200
    assert evaluation.title in response.content.decode()


@pytest.mark.parametrize("name", ["hierarchy-move", "hierarchy-delete"])
def test_the_move_and_delete_pages_render_for_the_owner(coordinator_client, evaluation, name):
    response = coordinator_client.get(indicator_url(name, evaluation, "U2"))

    assert response.status_code == 200
    assert "Human resource management" in response.content.decode()


@pytest.mark.parametrize("name", PAGES + INDICATOR_ROUTES)
def test_an_outsider_gets_404_for_get_and_post_on_every_editor_route(
    outsider_client, evaluation, name
):
    if name in PAGES:
        url = page_url(name, evaluation)
    else:
        url = indicator_url(name, evaluation, "U11")

    get = outsider_client.get(url).status_code
    post = outsider_client.post(url, {"name": "Mine now", "direction": "up"}).status_code

    # The action routes take POST only; a 405 for GET says nothing about the evaluation.
    assert get in {404, 405}
    assert post == 404
    assert at(evaluation, "U11").name == "Supplier selection"


@pytest.mark.parametrize("name", PAGES)
def test_editor_pages_ask_anonymous_visitors_to_sign_in(client, evaluation, name):
    response = client.get(page_url(name, evaluation))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", INDICATOR_ROUTES)
def test_an_indicator_of_another_evaluation_is_a_404(
    coordinator, coordinator_client, evaluation, name
):
    other = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["X"]
    )
    url = reverse(name, kwargs={"evaluation_id": evaluation.pk, "indicator_id": at(other, "U1").pk})

    response = coordinator_client.post(url, {"name": "Moved", "direction": "down"})

    assert response.status_code == 404


@pytest.mark.parametrize("name", INDICATOR_ROUTES[:3])
def test_the_action_routes_take_post_only(coordinator_client, evaluation, name):
    response = coordinator_client.get(indicator_url(name, evaluation, "U11"))

    assert response.status_code == 405


# ---------------------------------------------------------------------------------------------
# The hierarchy page


def test_the_hierarchy_page_shows_the_tree_with_its_actions(coordinator_client, evaluation):
    response = coordinator_client.get(page_url("hierarchy-edit", evaluation))

    page = response.content.decode()
    assert [node.indicator.code for node in response.context["roots"]] == ["U"]
    assert [n.indicator.code for n in response.context["roots"][0].children] == ["U1", "U2", "U3"]
    for text in ("U34", "Security technology updates", "Move U2 up", "Delete U2…"):
        assert text in page
    assert "Delete U…" not in page  # the goal stays
    assert indicator_url("hierarchy-add", evaluation, "U34") in page


def test_the_hierarchy_page_query_count_does_not_grow_with_the_tree(
    coordinator, coordinator_client, evaluation, django_assert_num_queries
):
    url = page_url("hierarchy-edit", evaluation)
    # session, user, evaluation, two ballot checks, the indicators
    with django_assert_num_queries(6):
        coordinator_client.get(url)

    for code in ("U1", "U2", "U3"):
        child = indicator_add(parent=at(evaluation, code), actor=coordinator, name=f"{code} extra")
        indicator_add(parent=child, actor=coordinator, name=f"{code} deeper")
    with django_assert_num_queries(6):
        coordinator_client.get(url)


def test_adding_a_child_redirects_back_to_it(coordinator_client, evaluation):
    response = coordinator_client.post(
        indicator_url("hierarchy-add", evaluation, "U2"),
        {"name": "Career paths", "description": "", "recommendation": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == hierarchy_url(evaluation, "U25")
    assert at(evaluation, "U25").name == "Career paths"
    follow = coordinator_client.get(response["Location"])
    assert messages_of(follow) == ["Added U25 Career paths."]


def test_a_blank_name_is_shown_on_the_field_of_the_unfolded_form(coordinator_client, evaluation):
    response = coordinator_client.post(
        indicator_url("hierarchy-add", evaluation, "U2"), {"name": "   ", "description": "x"}
    )

    assert response.status_code == 400
    parent = at(evaluation, "U2")
    node = response.context["roots"][0].children[1]
    assert node.open_form == "add"
    assert node.add_form.errors == {"name": [_(ERROR_NAME_REQUIRED)]}
    page = response.content.decode()
    assert f'id="add-{parent.pk}-name_error"' in page
    assert 'aria-invalid="true"' in page
    assert evaluation.indicators.count() == 16


def test_renaming_an_indicator_through_the_page(coordinator_client, evaluation):
    response = coordinator_client.post(
        indicator_url("hierarchy-update", evaluation, "U23"),
        {"name": "Training", "description": "Courses", "recommendation": "Plan them"},
    )

    assert response["Location"] == hierarchy_url(evaluation, "U23")
    indicator = at(evaluation, "U23")
    assert (indicator.name, indicator.description, indicator.recommendation) == (
        "Training",
        "Courses",
        "Plan them",
    )


def test_a_blank_rename_keeps_the_edit_form_open_with_the_error(coordinator_client, evaluation):
    response = coordinator_client.post(
        indicator_url("hierarchy-update", evaluation, "U23"), {"name": ""}
    )

    node = response.context["roots"][0].children[1].children[2]
    assert node.open_form == "edit"
    assert node.edit_form.errors == {"name": [_(ERROR_NAME_REQUIRED)]}
    assert at(evaluation, "U23").name == "Retraining system"


def test_moving_an_indicator_up_through_the_page(coordinator_client, evaluation):
    moved = at(evaluation, "U2")

    response = coordinator_client.post(
        indicator_url("hierarchy-reorder", evaluation, "U2"), {"direction": "up"}
    )

    moved.refresh_from_db()
    assert moved.code == "U1"
    assert response["Location"].endswith(f"#indicator-{moved.pk}")
    follow = coordinator_client.get(response["Location"])
    assert messages_of(follow) == ["Moved U2; it is now U1."]


def test_moving_the_first_indicator_up_says_why_not(coordinator_client, evaluation):
    response = coordinator_client.post(
        indicator_url("hierarchy-reorder", evaluation, "U1"), {"direction": "up"}, follow=True
    )

    assert messages_of(response) == [_(ERROR_ALREADY_FIRST).format(code="U1")]


def test_the_move_page_offers_only_allowed_parents(coordinator_client, evaluation):
    response = coordinator_client.get(indicator_url("hierarchy-move", evaluation, "U2"))

    offered = [
        label.split(" ")[0] for _value, label in response.context["form"]["parent"].field.choices
    ]
    # Not itself, nothing below it, not its current parent U.
    assert offered == ["U1", "U11", "U12", "U13", "U14", "U3", "U31", "U32", "U33", "U34"]


def test_moving_under_another_parent_through_the_page(coordinator_client, evaluation):
    moved = at(evaluation, "U2")

    response = coordinator_client.post(
        indicator_url("hierarchy-move", evaluation, "U2"), {"parent": at(evaluation, "U31").pk}
    )

    moved.refresh_from_db()
    assert moved.code == "U211"  # U3 became U2, so U31 became U21
    assert response["Location"] == hierarchy_url(evaluation, "U211")


def test_moving_under_its_own_descendant_is_refused_on_the_field(coordinator_client, evaluation):
    response = coordinator_client.post(
        indicator_url("hierarchy-move", evaluation, "U2"), {"parent": at(evaluation, "U21").pk}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["parent"]
    assert at(evaluation, "U21").name == "Talent reserve programmes"


def test_the_delete_page_asks_first_then_deletes_the_subtree(coordinator_client, evaluation):
    url = indicator_url("hierarchy-delete", evaluation, "U1")

    confirm = coordinator_client.get(url)
    assert [item.code for item, _depth in confirm.context["subtree"]] == [
        "U1",
        "U11",
        "U12",
        "U13",
        "U14",
    ]
    assert evaluation.indicators.count() == 16

    response = coordinator_client.post(url, follow=True)
    assert evaluation.indicators.count() == 11
    assert messages_of(response) == [
        "Deleted U1 Procurement and sales management and the 4 indicators below it."
    ]
    assert at(evaluation, "U1").name == "Human resource management"


def test_the_goal_has_no_delete_page(coordinator_client, evaluation):
    response = coordinator_client.post(
        indicator_url("hierarchy-delete", evaluation, "U"), follow=True
    )

    assert evaluation.indicators.count() == 16
    assert response.redirect_chain[-1][0].startswith(page_url("hierarchy-edit", evaluation))


def test_a_locked_hierarchy_offers_a_copy_and_no_structural_actions(coordinator_client, evaluation):
    make_ballot(evaluation)

    response = coordinator_client.get(page_url("hierarchy-edit", evaluation))

    page = response.content.decode()
    assert _(ERROR_STRUCTURE_LOCKED) in page
    assert f'action="{page_url("evaluation-copy", evaluation)}"' in page
    assert indicator_url("hierarchy-reorder", evaluation, "U2") not in page
    assert indicator_url("hierarchy-add", evaluation, "U2") not in page
    assert indicator_url("hierarchy-update", evaluation, "U2") in page


def test_a_structural_post_on_a_locked_hierarchy_is_refused(coordinator_client, evaluation):
    make_ballot(evaluation, kind="rating")

    add = coordinator_client.post(indicator_url("hierarchy-add", evaluation, "U2"), {"name": "X"})
    delete = coordinator_client.post(
        indicator_url("hierarchy-delete", evaluation, "U2"), follow=True
    )

    assert _(ERROR_STRUCTURE_LOCKED) in add.content.decode()
    assert _(ERROR_STRUCTURE_LOCKED) in messages_of(delete)
    assert evaluation.indicators.count() == 16


def test_copying_a_locked_evaluation_from_the_page(coordinator_client, evaluation):
    make_ballot(evaluation)

    response = coordinator_client.post(page_url("evaluation-copy", evaluation))

    copy = Evaluation.objects.exclude(pk=evaluation.pk).get()
    assert response["Location"] == reverse("evaluation-detail", args=[copy.pk])
    assert copy.indicators.count() == 16


# ---------------------------------------------------------------------------------------------
# The grade set page


def test_saving_the_grade_set_through_the_page(coordinator_client, evaluation):
    data = grade_data(
        evaluation,
        changes={0: {"name": "excellent", "score": "95"}, 3: {"DELETE": "on"}},
        extra={"id": "", "name": "weak", "score": "0.5", "ORDER": ""},
    )

    response = coordinator_client.post(page_url("grades-edit", evaluation), data)

    assert response.status_code == 302
    assert list(evaluation.grades.values_list("name", "score")) == [
        ("excellent", 95),
        ("strong", 3),
        ("general", 2),
        ("weak", 0.5),
    ]
    assert evaluation.audit_entries.filter(action=AuditEntry.Action.EDITED_GRADES).exists()


def test_reordering_grades_by_position_numbers(coordinator_client, evaluation):
    # Reversing the names keeps the scores decreasing only if the scores travel with them.
    data = grade_data(
        evaluation,
        changes={0: {"ORDER": "2", "score": "3"}, 1: {"ORDER": "1", "score": "4"}},
    )

    coordinator_client.post(page_url("grades-edit", evaluation), data)

    assert list(evaluation.grades.values_list("name", flat=True)) == [
        "strong",
        "very strong",
        "general",
        "poor",
    ]


def test_grade_scores_that_do_not_decrease_are_explained_and_nothing_is_saved(
    coordinator_client, evaluation
):
    data = grade_data(evaluation, changes={2: {"score": "3"}})

    response = coordinator_client.post(page_url("grades-edit", evaluation), data)

    assert response.status_code == 400
    message = _(ERROR_GRADE_SCORES_NOT_DECREASING).format(
        name="general", score="3", previous="strong", previous_score="3"
    )
    assert response.context["errors"] == [message]
    assert "Nothing was saved" in response.content.decode()
    assert evaluation.grades.get(name="general").score == 2


def test_a_blank_grade_name_is_shown_on_its_field(coordinator_client, evaluation):
    data = grade_data(evaluation, changes={1: {"name": " "}})

    response = coordinator_client.post(page_url("grades-edit", evaluation), data)

    assert response.context["formset"].forms[1].errors == {"name": [_(ERROR_NAME_REQUIRED)]}
    assert 'id="id_grades-1-name_error"' in response.content.decode()


def test_the_grade_set_is_read_only_once_experts_have_rated(coordinator_client, evaluation):
    make_ballot(evaluation, kind="rating")

    page = coordinator_client.get(page_url("grades-edit", evaluation)).content.decode()
    post = coordinator_client.post(
        page_url("grades-edit", evaluation), grade_data(evaluation, {0: {"name": "superb"}})
    )

    assert _(ERROR_GRADES_LOCKED) in page
    assert "grades-TOTAL_FORMS" not in page
    assert post.context["errors"] == [_(ERROR_GRADES_LOCKED)]
    assert evaluation.grades.first().name == "very strong"


# ---------------------------------------------------------------------------------------------
# The subjects page


def test_adding_and_removing_subjects_through_the_page(coordinator_client, evaluation):
    data = subject_data(
        evaluation,
        changes={0: {"DELETE": "on"}, 1: {"description": "A family business"}},
        extra={"id": "", "name": "Enterprise C", "description": "", "ORDER": "1"},
    )

    response = coordinator_client.post(page_url("subjects-edit", evaluation), data)

    assert response.status_code == 302
    assert list(evaluation.subjects.values_list("name", "description")) == [
        ("Enterprise C", ""),
        ("Enterprise B", "A family business"),
    ]


def test_a_rated_subject_is_marked_and_cannot_be_removed(coordinator_client, evaluation):
    make_ballot(evaluation, kind="rating")

    page = coordinator_client.get(page_url("subjects-edit", evaluation)).content.decode()
    response = coordinator_client.post(
        page_url("subjects-edit", evaluation), subject_data(evaluation, {0: {"DELETE": "on"}})
    )

    assert "Rated by experts: cannot be removed" in page
    assert response.context["errors"] == [_(ERROR_SUBJECT_HAS_BALLOTS).format(name="Enterprise A")]
    assert evaluation.subjects.count() == 2


def test_duplicate_subject_names_are_refused(coordinator_client, evaluation):
    data = subject_data(evaluation, changes={1: {"name": "enterprise a"}})

    response = coordinator_client.post(page_url("subjects-edit", evaluation), data)

    assert response.status_code == 400
    assert "enterprise a" in response.context["errors"][0]


# ---------------------------------------------------------------------------------------------
# The settings page


def test_saving_the_settings_through_the_page(coordinator_client, evaluation):
    year = evaluation.created_at.year + 1  # deadlines lie at most ten years ahead
    data = settings_data(cr_threshold="0.08", aggregation="aip", deadline=f"{year}-06-30T17:00")

    response = coordinator_client.post(page_url("evaluation-settings", evaluation), data)

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.title == "SME management 2025"
    assert evaluation.cr_threshold == pytest.approx(0.08)
    assert evaluation.aggregation == "aip"
    assert evaluation.deadline.year == year
    entry = evaluation.audit_entries.get(action=AuditEntry.Action.EDITED_SETTINGS)
    assert "cr_threshold" in entry.detail


@pytest.mark.parametrize("value", ["0", "1", "1.5", "-0.1"])
def test_a_cr_threshold_outside_0_and_1_is_shown_on_its_field(
    coordinator_client, evaluation, value
):
    response = coordinator_client.post(
        page_url("evaluation-settings", evaluation), settings_data(cr_threshold=value)
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"cr_threshold": [str(ERROR_CR_THRESHOLD)]}
    assert 'id="id_cr_threshold_error"' in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.cr_threshold == pytest.approx(0.1)


def test_the_settings_page_explains_the_cr_threshold(coordinator_client, evaluation):
    page = coordinator_client.get(page_url("evaluation-settings", evaluation)).content.decode()

    assert "at or above it are inconsistent (the paper: 0.1)" in page
