"""A survey's own authority coefficient tables (surveys/screening/authority_tables.py): Ca, Cs
and Cr computed by hand with custom tables, the defaults when the survey has none, and every
refusal naming its cell and changing nothing. The pages: test_authority_pages.py."""

import math

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from evaluations.engine import screening
from surveys.models import ScreeningSurvey
from surveys.screening import authority_tables as tables
from surveys.screening import services
from surveys.screening.statistics import round_statistics
from tests.conftest import accepted_membership
from tests.surveys.screening.test_setup_pages import snapshot
from tests.surveys.screening.test_statistics import respond

pytestmark = pytest.mark.django_db

BASIS = {
    "practice": [0.4, 0.3, 0.2],
    "theory": [0.3, 0.2, 0.1],
    "literature": [0.2, 0.1, 0.1],
    "intuition": [0.1, 0.05, 0.0],
}
FAMILIARITY = {
    "very_familiar": 0.9,
    "familiar": 0.7,
    "somewhat": 0.5,
    "little": 0.3,
    "unfamiliar": 0.1,
}
DEFAULT_BASIS = {
    "practice": [0.5, 0.4, 0.3],
    "theory": [0.3, 0.2, 0.1],
    "literature": [0.1, 0.1, 0.05],
    "intuition": [0.1, 0.1, 0.05],
}
DEFAULT_FAMILIARITY = {
    "very_familiar": 1.0, "familiar": 0.8, "somewhat": 0.6, "little": 0.4, "unfamiliar": 0.2,
}  # fmt: skip


def refusal(error: ValidationError) -> tuple[str, str]:
    ((field, messages),) = error.message_dict.items()
    return field, messages[0]


def with_row(basis: str, row) -> dict:
    return {**BASIS, basis: row}


def update(survey, coordinator, **changes):
    return services.survey_update_settings(survey=survey, actor=coordinator, **changes)


# --- the statistics ------------------------------------------------------------------------

SELF_RATINGS = [
    {
        "basis": {"practice": "high", "theory": "medium", "literature": "low", "intuition": "low"},
        "familiarity": "very_familiar",
    },
    {
        "basis": {
            "practice": "medium", "theory": "low", "literature": "medium", "intuition": "medium",
        },
        "familiarity": "somewhat",
    },
]  # fmt: skip


def self_rated(round, evaluation, make_user):
    """The round with two experts' valid responses carrying SELF_RATINGS."""
    for n, rating in enumerate(SELF_RATINGS):
        membership = accepted_membership(evaluation, make_user(f"rater{n}"))
        respond(round, {}, membership=membership, authority=rating)
    return round


@pytest.fixture
def rated_round(first_round, evaluation, make_user):
    return self_rated(first_round, evaluation, make_user)


def test_custom_tables_give_ca_cs_and_cr_as_computed_by_hand(rated_round, survey, coordinator):
    update(survey, coordinator, basis_table=BASIS, familiarity_table=FAMILIARITY)

    authority = round_statistics(round=rated_round).authority

    # Expert 1: Ca = 0.4 + 0.2 + 0.1 + 0.0 = 0.7, Cs = 0.9, Cr = 0.8.
    # Expert 2: Ca = 0.3 + 0.1 + 0.1 + 0.05 = 0.55, Cs = 0.5, Cr = 0.525.
    assert [(e.ca, e.cs, e.cr) for e in authority.experts] == [
        (pytest.approx(0.7), pytest.approx(0.9), pytest.approx(0.8)),
        (pytest.approx(0.55), pytest.approx(0.5), pytest.approx(0.525)),
    ]
    # With the defaults the same panel reads 0.775, acceptable; with these tables it does not.
    assert authority.panel == pytest.approx(0.6625) and authority.acceptable is False
    assert authority.tables.basis == {basis: tuple(row) for basis, row in BASIS.items()}
    assert authority.tables.familiarity == FAMILIARITY
    assert not authority.tables.basis_default and not authority.tables.familiarity_default


def test_a_survey_without_tables_is_read_with_the_defaults(rated_round):
    authority = round_statistics(round=rated_round).authority

    assert [e.cr for e in authority.experts] == [pytest.approx(0.9), pytest.approx(0.65)]
    assert authority.tables.basis == {k: tuple(v) for k, v in DEFAULT_BASIS.items()}
    assert authority.tables.familiarity == DEFAULT_FAMILIARITY
    assert authority.tables.basis_default and authority.tables.familiarity_default
    # The engine's default tables, in the answers' spelling of the familiarity levels.
    assert dict(screening.DEFAULT_BASIS_TABLE) == authority.tables.basis


def test_one_table_may_be_the_surveys_and_the_other_the_default(rated_round, survey, coordinator):
    update(survey, coordinator, familiarity_table=FAMILIARITY)

    authority = round_statistics(round=rated_round).authority

    # Expert 1: the default Ca 0.8 with Cs 0.9.
    assert authority.experts[0].cr == pytest.approx(0.85)
    assert authority.tables.basis_default and not authority.tables.familiarity_default


# --- the service ---------------------------------------------------------------------------


def test_the_tables_are_stored_as_given_and_cleared_with_null(survey, coordinator):
    update(survey, coordinator, basis_table=with_row("intuition", [0.1, 0, 0]))
    update(survey, coordinator, familiarity_table={**FAMILIARITY, "unfamiliar": 0})

    survey.refresh_from_db()
    assert survey.basis_table == with_row("intuition", [0.1, 0.0, 0.0])
    assert survey.familiarity_table["unfamiliar"] == 0.0
    assert all(type(v) is float for row in survey.basis_table.values() for v in row)

    update(survey, coordinator, basis_table=None, familiarity_table=None)
    survey.refresh_from_db()
    assert (survey.basis_table, survey.familiarity_table) == (None, None)


def test_a_new_survey_takes_its_tables_and_starts_with_the_defaults(evaluation, coordinator):
    plain = services.survey_create(evaluation=evaluation, actor=coordinator, title="Plain")
    own = services.survey_create(
        evaluation=evaluation, actor=coordinator, title="Own", basis_table=BASIS
    )

    assert (plain.basis_table, plain.familiarity_table) == (None, None)
    assert ScreeningSurvey.objects.get(pk=own.pk).basis_table == BASIS


def test_the_tables_may_change_while_a_round_is_open(survey, first_round, coordinator):
    update(survey, coordinator, basis_table=BASIS, familiarity_table=FAMILIARITY)

    survey.refresh_from_db()
    assert (survey.basis_table, survey.familiarity_table) == (BASIS, FAMILIARITY)


NESTED = [[[[0.5] * 3] * 3] * 3] * 3  # arrays inside arrays, not a coefficient
BASIS_REFUSALS = [
    # (the table, the field named, the message, its placeholders)
    ([0.5, 0.4, 0.3], "basis_table", tables.ERROR_NOT_A_TABLE, {}),
    ("defaults", "basis_table", tables.ERROR_NOT_A_TABLE, {}),
    ({**BASIS, "practise": [0.4, 0.3, 0.2]}, "basis_table", tables.ERROR_UNKNOWN_BASIS,
     {"key": "practise"}),
    ({f"key{n}": n for n in range(100_000)}, "basis_table", tables.ERROR_UNKNOWN_BASIS,
     {"key": "key0"}),
    ({k: v for k, v in BASIS.items() if k != "intuition"}, "basis_table.intuition",
     tables.ERROR_BASIS_ROW, {}),
    (with_row("theory", [0.3, 0.2]), "basis_table.theory", tables.ERROR_BASIS_ROW, {}),
    (with_row("theory", {"high": 0.3}), "basis_table.theory", tables.ERROR_BASIS_ROW, {}),
    (with_row("theory", [0.3] * 100_000), "basis_table.theory", tables.ERROR_BASIS_ROW, {}),
    (with_row("practice", NESTED), "basis_table.practice.0", tables.ERROR_COEFFICIENT, {}),
    (with_row("practice", [0.3, 0.4, 0.2]), "basis_table.practice.1", tables.ERROR_RISING,
     {"value": "0.3"}),
    (with_row("literature", [0.2, 0.1, 0.15]), "basis_table.literature.2", tables.ERROR_RISING,
     {"value": "0.1"}),
    (with_row("practice", [0.6, 0.4, 0.3]), "basis_table", tables.ERROR_HIGH_SUM,
     {"total": "1.2"}),
    (with_row("practice", [1.5, 0.4, 0.3]), "basis_table.practice.0", tables.ERROR_COEFFICIENT,
     {}),
    (with_row("practice", [0.4, 0.3, -0.1]), "basis_table.practice.2", tables.ERROR_COEFFICIENT,
     {}),
    (with_row("practice", ["0.4", 0.3, 0.2]), "basis_table.practice.0", tables.ERROR_COEFFICIENT,
     {}),
    (with_row("practice", [True, 0.3, 0.2]), "basis_table.practice.0", tables.ERROR_COEFFICIENT,
     {}),
    (with_row("theory", [0.3, math.nan, 0.1]), "basis_table.theory.1", tables.ERROR_COEFFICIENT,
     {}),
    (with_row("theory", [math.inf, 0.2, 0.1]), "basis_table.theory.0", tables.ERROR_COEFFICIENT,
     {}),
    (with_row("theory", [10**400, 0.2, 0.1]), "basis_table.theory.0", tables.ERROR_COEFFICIENT,
     {}),
    (with_row("theory", [0.3, None, 0.1]), "basis_table.theory.1", tables.ERROR_COEFFICIENT, {}),
]  # fmt: skip
FAMILIARITY_REFUSALS = [
    ({"very familiar": 1.0, **FAMILIARITY}, "familiarity_table", tables.ERROR_UNKNOWN_LEVEL,
     {"key": "very familiar"}),
    ({k: v for k, v in FAMILIARITY.items() if k != "little"}, "familiarity_table.little",
     tables.ERROR_COEFFICIENT, {}),
    ({**FAMILIARITY, "familiar": 1.2}, "familiarity_table.familiar", tables.ERROR_COEFFICIENT, {}),
    ({**FAMILIARITY, "familiar": "0.8"}, "familiarity_table.familiar", tables.ERROR_COEFFICIENT,
     {}),
    ({**FAMILIARITY, "little": False}, "familiarity_table.little", tables.ERROR_COEFFICIENT, {}),
    ({**FAMILIARITY, "little": math.nan}, "familiarity_table.little", tables.ERROR_COEFFICIENT,
     {}),
    ({**FAMILIARITY, "little": [0.3]}, "familiarity_table.little", tables.ERROR_COEFFICIENT, {}),
    ([1, 0.8, 0.6, 0.4, 0.2], "familiarity_table", tables.ERROR_NOT_A_TABLE, {}),
]  # fmt: skip
REFUSALS = [("basis_table", *case) for case in BASIS_REFUSALS] + [
    ("familiarity_table", *case) for case in FAMILIARITY_REFUSALS
]


@pytest.mark.parametrize(("setting", "value", "field", "message", "filled"), REFUSALS)
def test_a_bad_table_is_refused_naming_its_cell_and_changes_nothing(
    survey, coordinator, setting, value, field, message, filled
):
    update(survey, coordinator, basis_table=BASIS, familiarity_table=FAMILIARITY)
    before = snapshot(survey)

    with pytest.raises(ValidationError) as refused:
        update(survey, coordinator, **{setting: value})

    assert refusal(refused.value) == (field, _(message).format(**filled))
    assert snapshot(survey) == before


@pytest.mark.parametrize(("setting", "value", "field", "message", "filled"), REFUSALS[:3])
def test_a_new_survey_with_a_bad_table_is_not_created(
    evaluation, coordinator, setting, value, field, message, filled
):
    with pytest.raises(ValidationError) as refused:
        services.survey_create(
            evaluation=evaluation, actor=coordinator, title="S", **{setting: value}
        )

    assert refusal(refused.value)[0] == field
    assert not ScreeningSurvey.objects.exists()


def test_a_boolean_is_refused_even_where_it_equals_the_stored_number(survey, coordinator):
    update(survey, coordinator, familiarity_table=DEFAULT_FAMILIARITY)

    with pytest.raises(ValidationError) as refused:
        update(
            survey, coordinator, familiarity_table={**DEFAULT_FAMILIARITY, "very_familiar": True}
        )

    assert refusal(refused.value)[0] == "familiarity_table.very_familiar"


def test_the_high_column_may_sum_to_exactly_one(survey, coordinator):
    # 0.5 + 0.3 + 0.1 + 0.1 is 1.0000000000000002 in floating point; the engine allows for it.
    update(survey, coordinator, basis_table=DEFAULT_BASIS)

    survey.refresh_from_db()
    assert survey.basis_table == DEFAULT_BASIS
