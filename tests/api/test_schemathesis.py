"""Schemathesis against /api/schema/: every operation, every check (the responses, and that
valid data is accepted and invalid data refused): a coordinator's token on the coordinator's
operations, an expert's on the expert's.

Every id in a path is a real one (the evaluation, a parent indicator, a subject, the expert's
membership, a screening survey with its question, item and round), so the writes and the
expert's ballots and questionnaire are reached rather than answered 404.
Bounded examples per operation so CI stays fast (30 each), and each identity on its own
operations.
"""

from datetime import datetime

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils.timezone import now
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from evaluations.models import Evaluation
from evaluations.services import evaluation_create_from_template
from evaluations.services.limits import DEADLINE_EARLIEST, deadline_latest
from evaluations.services.results import results_recompute
from experts.tokens import api_token_create
from surveys.screening.responses import response_for_expert, response_save
from surveys.screening.services import question_add, round_close, round_open, survey_create
from tests.conftest import accepted_membership
from tests.report_stand_ins import done_export_job

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

SCREENING = "/api/v1/evaluations/{evaluation_id}/screening/{survey_id}/"
# Operations whose valid input depends on the stored data, which no schema can list: there a
# 400 for schema-valid input is right, and only the other checks apply.
DATA_DEPENDENT = {
    # Pairs are named by the codes of this matrix's indicators; values must be on the scale.
    "PUT /api/v1/panels/{evaluation_id}/pairwise/{parent_id}/",
    # Leaf codes and grade ids of this evaluation; submitting needs every leaf rated.
    "PUT /api/v1/panels/{evaluation_id}/ratings/{subject_id}/",
    # Child ids of this indicator, weights adding up to 1 (evaluations/given_weights).
    "PUT /api/v1/evaluations/{evaluation_id}/indicators/{indicator_id}/given-weights/",
    # Lines of e-mail addresses, not yet on the panel.
    "POST /api/v1/evaluations/{id}/experts/",
    # Paper ballots (surveys/paper/): a membership, parent or subject id of this evaluation,
    # then the pairs / leaves as for the expert's own ballots.
    "POST /api/v1/evaluations/{evaluation_id}/paper/pairwise/",
    "POST /api/v1/evaluations/{evaluation_id}/paper/ratings/",
    # An address not yet an assistant nor invited, within the cap of invitations waiting.
    "POST /api/v1/evaluations/{evaluation_id}/paper/assistants/",
    # Weights per criterion are keyed by the codes of this evaluation's first-level criteria.
    "PUT /api/v1/evaluations/{evaluation_id}/experts/{membership_id}/weights/",
    # Screening: question and item ids of this survey's round, indicator codes of this
    # evaluation (items_from, place_under), a kind's options.
    "PUT /api/v1/panels/{evaluation_id}/screening/{survey_id}/",
    f"PUT {SCREENING}rounds/{{round_number}}/decisions/",
    f"POST {SCREENING}rounds/{{round_number}}/items/",
    f"POST {SCREENING}questions/",
    f"POST {SCREENING}questions/{{question_id}}/items/",
    f"PATCH {SCREENING}questions/{{question_id}}/items/{{item_id}}/",
    # Spreadsheet questionnaires: files made for this evaluation, a preview's token.
    "POST /api/v1/evaluations/{evaluation_id}/questionnaires/",
    "POST /api/v1/evaluations/{evaluation_id}/questionnaires/{token}/commit/",
}


def _into_the_crisp_only_rule(case) -> bool:
    """Skipped comparisons need a crisp weighting method: a rule across two settings that the
    schema cannot state, checked against the evaluation as stored (an earlier example may have
    set either). A body asking for a fuzzy method or for skipping may be refused with 400."""
    body = case.body if isinstance(case.body, dict) else {}
    fuzzy = str(body.get("weighting_method", "")).startswith("fuzzy")
    return fuzzy or body.get("allow_skipped_comparisons") is True


@pytest.fixture(autouse=True)
def connection_kept_across_requests():
    """Schemathesis calls the WSGI app directly; like Django's test client, keep the request
    signals from closing the test's database connection (its transaction) after each call."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def identities(db, report_renderers):
    """A coordinator with an open evaluation, and an expert on its panel; a token each, both
    allowed to write."""
    User = get_user_model()
    coordinator = User.objects.create(username="st-coordinator")
    expert = User.objects.create(username="st-expert")
    evaluation = evaluation_create_from_template(
        owner=coordinator, template_key="sme-management-measures", subjects=["A", "B"]
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(status="open")
    membership = accepted_membership(evaluation, expert)
    results_recompute(evaluation_id=evaluation.pk)
    survey = screening_survey(evaluation, membership)
    rating = survey.questions.get(kind="rating")
    return {
        "coordinator": api_token_create(user=coordinator, name="st", read_only=False)[1],
        "expert": api_token_create(user=expert, name="st", read_only=False)[1],
        "ids": {
            "id": evaluation.pk,
            "evaluation_id": evaluation.pk,
            "parent_id": evaluation.indicators.get(code="U1").pk,
            "indicator_id": evaluation.indicators.get(code="U1").pk,
            "subject_id": evaluation.subjects.first().pk,
            "membership_id": evaluation.memberships.get().pk,
            "survey_id": survey.pk,
            "question_id": rating.pk,
            "item_id": rating.items.first().pk,
            "round_number": 1,
            "job_id": done_export_job(evaluation, coordinator).pk,
        },
    }


def screening_survey(evaluation, membership):
    """A screening survey whose round 1 the expert answered and the coordinator closed, and
    whose round 2 is open: the statistics of round 1 and the expert's round-2 questionnaire
    (with round 1's feedback) have something to show."""
    owner = evaluation.owner
    survey = survey_create(evaluation=evaluation, actor=owner, title="Screening")
    u1 = evaluation.indicators.get(code="U1")
    rating = question_add(
        survey=survey, actor=owner, kind="rating", text="Rate", levels=9, items_from=u1
    )
    ranking = question_add(
        survey=survey, actor=owner, kind="ranking", text="Order", items=["A", "B"]
    )
    choice = question_add(survey=survey, actor=owner, kind="choice", text="Pick", items=["X", "Y"])
    first = round_open(survey=survey, actor=owner)
    answers = {
        str(rating.pk): {str(item.pk): 7 for item in rating.items.all()},
        str(ranking.pk): {"order": list(ranking.items.values_list("pk", flat=True))},
        str(choice.pk): {"selected": [choice.items.first().pk]},
    }
    influence = dict(practice="high", theory="high", literature="low", intuition="low")
    response_save(
        response=response_for_expert(round=first, membership=membership),
        answers=answers,
        authority={"basis": influence, "familiarity": "familiar"},
        submit=True,
        channel="api",
    )
    round_close(round=first, actor=owner)
    round_open(survey=survey, actor=owner)
    return survey


def _real_ids(case, ids: dict) -> None:
    # Only whole numbers a database id can be: a negative or huge one, or text, is the case's
    # point (a 404 or a 400) and stays.
    for name, value in (case.path_parameters or {}).items():
        if name in ids and isinstance(value, int) and 0 <= value < 2**31:
            case.path_parameters[name] = ids[name]


def _within_rules_the_schema_cannot_state(case) -> None:
    """A deadline's window moves with today (and a new deadline lies ahead), subject names are
    unique ignoring case, and a screening survey's judgment-basis table never rises along a
    row and sums to at most 1 down its high column: keep generated bodies inside them (their
    own tests cover the refusals)."""
    body = case.body
    if not isinstance(body, dict):
        return
    _basis_table_within_rules(body.get("basis_table"))
    deadline = body.get("deadline")
    if isinstance(deadline, str):
        try:
            value = datetime.fromisoformat(deadline)
        except ValueError:
            value = None
        # In the window, and ahead: a changed deadline already past is refused (its own tests).
        earliest = max(DEADLINE_EARLIEST, now())
        if value and value.tzinfo and not earliest < value <= deadline_latest():
            body["deadline"] = "2030-01-01T00:00:00Z"
    subjects = body.get("subjects")
    if isinstance(subjects, list) and all(isinstance(name, str) for name in subjects):
        seen: set[str] = set()
        body["subjects"] = [
            name for name in subjects
            if name.strip().casefold() not in seen and not seen.add(name.strip().casefold())
        ]  # fmt: skip


def _basis_table_within_rules(table) -> None:
    rows = list(table.values()) if isinstance(table, dict) else []
    if not rows or not all(isinstance(row, list) and len(row) == 3 for row in rows):
        return
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for r in rows for v in r):
        return
    for name, row in table.items():
        table[name] = sorted(row, reverse=True)
    total = sum(row[0] for row in table.values())
    if total > 1:  # scaled down, every row keeps its order and its range
        for name, row in table.items():
            table[name] = [value / total for value in row]


# Each identity fuzzes the operations it is meant to use: an expert's token on a coordinator's
# route (or the reverse) only ever gets the 404 the permission matrix already pins for every
# route, so those calls doubled the run for nothing.
EXPERT_PATHS = r"^/api/v1/panels/"
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _null_form_fields_sent_empty(case) -> None:
    """A form field has no null nor empty list: such a generated value (a negative case for an
    enum field such as the upload's mode) is dropped from a multipart body when it is encoded,
    so the request would reach the server without the field, which is valid (its default), and
    be reported as "invalid data accepted". Send it as the empty value a form would, which
    must be refused."""
    media_type = case.media_type or ""
    if media_type.startswith("multipart/") and isinstance(case.body, dict):
        for name, value in case.body.items():
            if _nothing_on_the_wire(value):
                case.body[name] = ""


def _nothing_on_the_wire(value) -> bool:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return all(_nothing_on_the_wire(item) for item in value)
    return value is None


def _call(case, identities, identity: str) -> None:
    _real_ids(case, identities["ids"])
    _within_rules_the_schema_cannot_state(case)
    _null_form_fields_sent_empty(case)
    data_dependent = case.operation.label in DATA_DEPENDENT or _into_the_crisp_only_rule(case)
    excluded = [positive_data_acceptance] if data_dependent else []
    case.call_and_validate(
        headers={"Authorization": f"Bearer {identities[identity]}"}, excluded_checks=excluded
    )


@schema.exclude(path_regex=EXPERT_PATHS).parametrize()
@EXAMPLES
def test_the_coordinators_api_conforms_to_its_schema(case, identities):
    _call(case, identities, "coordinator")


@schema.include(path_regex=EXPERT_PATHS).parametrize()
@EXAMPLES
def test_the_experts_api_conforms_to_its_schema(case, identities):
    _call(case, identities, "expert")
