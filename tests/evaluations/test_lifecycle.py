"""Creating, copying, opening and closing evaluations: services and their pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import AuditEntry, Evaluation
from evaluations.results_selectors import results_status


def actions(evaluation) -> list[str]:
    return list(evaluation.audit_entries.order_by("id").values_list("action", flat=True))


def test_a_blank_evaluation_has_the_goal_the_papers_grades_and_its_subjects(coordinator):
    evaluation = services.evaluation_create_blank(
        owner=coordinator, title=" Supplier study ", subjects=["A", " ", "B"]
    )

    assert evaluation.title == "Supplier study"
    assert list(evaluation.indicators.values_list("code", "name")) == [("U", "Supplier study")]
    assert list(evaluation.grades.values_list("name", "score")) == [
        ("very strong", 4),
        ("strong", 3),
        ("general", 2),
        ("poor", 1),
    ]
    assert list(evaluation.subjects.values_list("name", flat=True)) == ["A", "B"]
    assert actions(evaluation) == [AuditEntry.Action.CREATED]


def test_a_blank_evaluation_in_chinese_gets_chinese_grade_names(coordinator):
    evaluation = services.evaluation_create_blank(
        owner=coordinator, title="评价", subjects=["甲"], language="zh-hans"
    )

    assert list(evaluation.grades.values_list("name", flat=True)) == ["很强", "强", "一般", "差"]


def test_a_template_in_chinese_uses_the_catalogues_chinese_texts(coordinator):
    evaluation = services.evaluation_create_from_template(
        owner=coordinator,
        template_key="sme-management-measures",
        subjects=["甲企业"],
        language="zh-hans",
    )

    u11 = evaluation.indicators.get(code="U11")
    assert u11.name == "供应商选择"
    assert u11.recommendation and u11.recommendation.isascii() is False
    assert evaluation.title == "中小电子商务企业管理措施"
    assert evaluation.language == "zh-hans"


@pytest.mark.parametrize(
    ("title", "subjects", "field", "message"),
    [
        ("  ", ["A"], "title", services.ERROR_EMPTY_TITLE),
        ("T", ["", "  "], "subjects", services.ERROR_NO_SUBJECTS),
        ("T", ["Acme", "acme"], "subjects", services.ERROR_DUPLICATE_SUBJECT.format(name="acme")),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(coordinator, title, subjects, field, message):
    with pytest.raises(ValidationError) as raised:
        services.evaluation_create_blank(owner=coordinator, title=title, subjects=subjects)

    assert raised.value.message_dict == {field: [message]}
    assert not Evaluation.objects.exists()


def test_a_copy_has_the_same_tree_settings_grades_and_subjects_but_no_panel(
    coordinator, evaluation
):
    evaluation.cr_threshold = 0.08
    evaluation.save()

    copy = services.evaluation_copy(owner=coordinator, source=evaluation)

    def tree(e):
        return sorted(
            e.indicators.values_list("code", "name", "parent__code", "recommendation", "order")
        )

    assert copy.pk != evaluation.pk
    assert copy.title == f"Copy of {evaluation.title}"
    assert copy.status == Evaluation.Status.DRAFT
    assert copy.cr_threshold == 0.08
    assert copy.copied_from == evaluation
    assert tree(copy) == tree(evaluation)
    assert list(copy.grades.values_list("name", "score")) == list(
        evaluation.grades.values_list("name", "score")
    )
    assert copy.subjects.count() == 2
    assert not copy.memberships.exists()
    assert actions(copy) == [AuditEntry.Action.COPIED]


def test_a_copy_starts_with_a_fresh_pipeline_state_not_the_sources(coordinator, evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(
        input_version=12,
        input_changed_at=timezone.now(),
        recompute_queued_at=timezone.now(),
        recompute_attempts=3,
        recompute_error="OperationalError: gone",
        recompute_failed_at=timezone.now(),
        analysis_queued_at=timezone.now(),
    )
    evaluation.refresh_from_db()

    copy = services.evaluation_copy(owner=coordinator, source=evaluation)

    copy.refresh_from_db()
    assert copy.input_version == 0 and copy.input_changed_at is None
    assert copy.recompute_queued_at is None and copy.analysis_queued_at is None
    assert copy.recompute_attempts == 0 and copy.recompute_error == ""
    assert copy.recompute_failed_at is None
    # Not "newer results are being computed" on a copy that has no ballots.
    assert results_status(evaluation=copy, snapshot=None, named=True)["stale"] is False


def test_the_panel_opens_closes_and_reopens_and_each_step_is_logged(coordinator, evaluation):
    for action, status in [("open", "open"), ("close", "closed"), ("reopen", "open")]:
        evaluation = services.evaluation_transition(
            evaluation=evaluation, actor=coordinator, action=action
        )
        assert evaluation.status == status

    assert actions(evaluation)[-3:] == ["opened", "closed", "reopened"]


def test_a_draft_cannot_be_closed(coordinator, evaluation):
    with pytest.raises(ValidationError) as raised:
        services.evaluation_transition(evaluation=evaluation, actor=coordinator, action="close")

    assert raised.value.message_dict == {
        "status": [services.ERROR_TRANSITION.format(status="draft", verb="closed")]
    }


def test_a_panel_without_indicators_below_the_goal_cannot_open(coordinator):
    evaluation = services.evaluation_create_blank(owner=coordinator, title="T", subjects=["A"])

    with pytest.raises(ValidationError) as raised:
        services.evaluation_transition(evaluation=evaluation, actor=coordinator, action="open")

    assert raised.value.message_dict == {"indicators": [services.ERROR_NOT_READY_INDICATORS]}
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.DRAFT


def test_settings_changes_are_saved_and_logged_with_what_changed(coordinator, evaluation):
    services.evaluation_update_settings(
        evaluation=evaluation, actor=coordinator, cr_threshold=0.05, ri_table="saaty"
    )

    evaluation.refresh_from_db()
    assert (evaluation.cr_threshold, evaluation.ri_table) == (0.05, "saaty")
    entry = evaluation.audit_entries.get(action=AuditEntry.Action.EDITED_SETTINGS)
    assert set(entry.detail.split(", ")) >= {"cr_threshold", "ri_table"}


# --- pages ---------------------------------------------------------------------------------


def test_the_create_page_makes_an_evaluation_from_a_template(coordinator_client):
    response = coordinator_client.post(
        reverse("evaluation-create"),
        {
            "start": "template",
            "template": "micro-store-operation-risk",
            "language": "en",
            "subjects": "Store 1\nStore 2\n",
        },
    )

    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation-detail", args=[evaluation.pk])
    assert evaluation.indicators.get(code="U1").name == "Credit risk"
    assert evaluation.subjects.count() == 2


def test_the_create_page_copies_one_of_my_evaluations(coordinator_client, evaluation):
    response = coordinator_client.post(
        reverse("evaluation-create"),
        {"start": "copy", "source": evaluation.pk, "title": "Round two", "language": "en"},
    )

    copy = Evaluation.objects.get(title="Round two")
    assert response.status_code == 302
    assert copy.indicators.count() == evaluation.indicators.count()


def test_the_create_page_cannot_copy_someone_elses_evaluation(outsider_client, evaluation):
    response = outsider_client.post(
        reverse("evaluation-create"),
        {"start": "copy", "source": evaluation.pk, "language": "en"},
    )

    assert response.status_code == 400
    assert "source" in response.context["form"].errors
    assert Evaluation.objects.count() == 1


def test_the_create_page_names_the_missing_field(coordinator_client):
    response = coordinator_client.post(
        reverse("evaluation-create"), {"start": "blank", "language": "en", "subjects": ""}
    )

    errors = response.context["form"].errors
    assert set(errors) == {"title", "subjects"}
    assert not Evaluation.objects.exists()


def test_opening_from_the_page_shows_a_message_and_the_log(coordinator_client, evaluation):
    response = coordinator_client.post(
        reverse("evaluation-status", args=[evaluation.pk]), {"action": "open"}, follow=True
    )

    page = response.content.decode()
    assert "The panel is open" in page
    assert "opened the panel" in page
    evaluation.refresh_from_db()
    assert evaluation.status == "open"


def test_an_impossible_transition_from_the_page_is_an_error_message(coordinator_client, evaluation):
    response = coordinator_client.post(
        reverse("evaluation-status", args=[evaluation.pk]), {"action": "reopen"}, follow=True
    )

    assert "it cannot be reopened" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == "draft"
