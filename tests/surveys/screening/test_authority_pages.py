"""The authority coefficient tables on the coordinator's pages: the survey settings' inputs
(forms_authority.py) round trip, "use the common defaults", refusals on their cells; the rounds
page says which tables it read."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from surveys.screening import authority_tables as tables
from tests.surveys.screening.test_authority_tables import (
    BASIS,
    DEFAULT_BASIS,
    FAMILIARITY,
    self_rated,
    update,
    with_row,
)
from tests.surveys.screening.test_setup_pages import SETTINGS, snapshot, url

pytestmark = pytest.mark.django_db


# --- the settings page ---------------------------------------------------------------------


def cells(basis: dict | None = None, familiarity: dict | None = None) -> dict:
    """The settings form's inputs for the tables, as the page posts them."""
    data = {}
    for name, row in (basis or {}).items():
        for place, value in enumerate(row):
            data[f"basis_table.{name}.{place}"] = str(value)
    for level, value in (familiarity or {}).items():
        data[f"familiarity_table.{level}"] = str(value)
    return data


def post_settings(client, survey, **extra):
    return client.post(url("screening-setup-settings", survey), {**SETTINGS, **extra})


def test_the_settings_show_the_defaults_in_labelled_inputs(coordinator_client, survey):
    html = coordinator_client.get(url("screening-setup-survey", survey)).content.decode()

    assert "Authority coefficient tables" in html
    assert 'name="basis_table.practice.0" value="0.5"' in html
    assert 'name="basis_table.literature.2" value="0.05"' in html
    assert 'name="familiarity_table.little" value="0.4"' in html
    # Each input is labelled by its row's and its column's headers, which exist on the page.
    assert 'aria-labelledby="settings-authority-practice settings-authority-high"' in html
    assert 'aria-labelledby="settings-authority-very_familiar settings-authority-cs"' in html
    for header in ("practice", "high", "low", "very_familiar", "cs"):
        assert f'id="settings-authority-{header}"' in html
    assert 'name="authority_defaults"' in html


def test_the_settings_page_stores_the_tables_typed_in(coordinator_client, survey):
    response = post_settings(coordinator_client, survey, **cells(BASIS, FAMILIARITY))

    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.basis_table, survey.familiarity_table) == (BASIS, FAMILIARITY)
    html = coordinator_client.get(url("screening-setup-survey", survey)).content.decode()
    assert 'name="basis_table.practice.0" value="0.4"' in html


def test_the_defaults_saved_as_shown_stay_the_defaults(coordinator_client, survey):
    response = post_settings(coordinator_client, survey, **cells(DEFAULT_BASIS, FAMILIARITY))

    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.basis_table, survey.familiarity_table) == (None, FAMILIARITY)


def test_use_the_common_defaults_clears_the_surveys_tables(coordinator_client, survey, coordinator):
    update(survey, coordinator, basis_table=BASIS, familiarity_table=FAMILIARITY)

    response = post_settings(
        coordinator_client, survey, authority_defaults="on", **cells(BASIS, FAMILIARITY)
    )

    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.basis_table, survey.familiarity_table) == (None, None)


@pytest.mark.parametrize(
    ("changed", "field", "message"),
    [
        ({"basis_table.practice.1": "0.45"}, "basis_table.practice.1", tables.ERROR_RISING),
        ({"basis_table.theory.0": "1.5"}, "basis_table.theory.0", tables.ERROR_COEFFICIENT),
        ({"basis_table.theory.2": ""}, "basis_table.theory.2", tables.ERROR_COEFFICIENT),
        ({"familiarity_table.little": "-1"}, "familiarity_table.little", tables.ERROR_COEFFICIENT),
    ],
)
def test_a_refused_cell_answers_400_on_its_input_and_changes_nothing(
    coordinator_client, survey, changed, field, message
):
    before = snapshot(survey)

    response = post_settings(coordinator_client, survey, **{**cells(BASIS, FAMILIARITY), **changed})

    assert response.status_code == 400
    # The rising cell's message quotes the one before it, practice's 0.4.
    assert response.context["settings_form"].errors[field] == [_(message).format(value="0.4")]
    html = response.content.decode()
    assert f'href="#settings-{field}"' in html  # the summary links the cell
    assert f'id="settings-{field}_error"' in html  # the input's aria-describedby resolves
    assert snapshot(survey) == before


def test_a_high_column_past_one_is_refused_for_the_whole_table(coordinator_client, survey):
    before = snapshot(survey)

    response = post_settings(
        coordinator_client, survey, **cells(with_row("practice", [0.7, 0.4, 0.3]))
    )

    assert response.status_code == 400
    message = _(tables.ERROR_HIGH_SUM).format(total="1.3")
    assert message in response.context["settings_form"].non_field_errors()
    assert snapshot(survey) == before


@pytest.mark.parametrize("value", ["abc", "1e999", "nan", "0x1", "１"])
def test_a_cell_that_is_no_number_is_refused_by_the_form(coordinator_client, survey, value):
    before = snapshot(survey)

    response = post_settings(
        coordinator_client, survey, **{**cells(BASIS), "basis_table.intuition.0": value}
    )

    assert response.status_code == 400
    assert "basis_table.intuition.0" in response.context["settings_form"].errors
    assert snapshot(survey) == before


def test_the_new_survey_page_starts_with_the_defaults(coordinator_client, evaluation):
    response = coordinator_client.post(url("screening-setup", evaluation=evaluation), SETTINGS)

    assert response.status_code == 302
    survey = evaluation.screening_surveys.get()
    assert (survey.basis_table, survey.familiarity_table) == (None, None)


# --- the rounds page -----------------------------------------------------------------------


def rounds_page(client, survey) -> str:
    kwargs = {"evaluation_id": survey.evaluation_id, "survey_id": survey.pk}
    return client.get(reverse("screening-rounds", kwargs=kwargs)).content.decode()


def test_the_rounds_page_says_which_tables_were_used(
    coordinator_client, first_round, survey, coordinator, evaluation, make_user
):
    self_rated(first_round, evaluation, make_user)
    html = rounds_page(coordinator_client, survey)
    assert "Coefficient tables used" in html
    assert "The common defaults, for every round." in html
    assert "Judgment basis (Ca): the common defaults" in html

    update(survey, coordinator, familiarity_table=FAMILIARITY)
    html = rounds_page(coordinator_client, survey)
    assert "Familiarity (Cs): this survey's table" in html
    assert '<td class="num">0.9</td>' in html  # very familiar, as set
    assert '<td class="num">0.05</td>' in html  # the default table's literature, low
