"""The authority coefficient tables of a survey's settings form (forms_setup.SurveySettingsForm
builds on AuthorityTablesForm): one number input per cell, named by the path the survey service
names its errors with (authority_tables.py: "basis_table.practice.1"), so a refused cell's
message lands on its input; and a "use the common defaults" box.

The cells are read back into the survey's two settings, `basis_table` and `familiarity_table`;
what they may hold is the service's to say.
"""

from dataclasses import dataclass

from django import forms
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from evaluations.forms import BoundedFloatField

from .answers import BASES, FAMILIARITY, INFLUENCE_LEVELS
from .authority_tables import (
    BASIS_TABLE,
    DEFAULT_BASIS_TABLE,
    DEFAULT_FAMILIARITY_TABLE,
    FAMILIARITY_TABLE,
    is_default,
)
from .forms_respond import BASIS_WORDS, FAMILIARITY_WORDS, INFLUENCE_WORDS

DEFAULTS_FIELD = "authority_defaults"
PLACES = range(len(INFLUENCE_LEVELS))


def basis_cell(basis: str, place: int) -> str:
    return f"{BASIS_TABLE}.{basis}.{place}"


def familiarity_cell(level: str) -> str:
    return f"{FAMILIARITY_TABLE}.{level}"


@dataclass
class TableRow:
    """A row of an authority table on the settings page: its header and its inputs."""

    header_id: str
    label: str
    cells: list


class AuthorityTablesForm(forms.Form):
    """The cells come after the subclass's own fields, filled with the survey's tables (the
    `basis_table` and `familiarity_table` of its initial values) or the common defaults. A page
    that does not show them posts none, and both tables stay the defaults."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        basis = self.initial.get(BASIS_TABLE) or DEFAULT_BASIS_TABLE
        for row in BASES:
            for place, level in enumerate(INFLUENCE_LEVELS):
                label = format_lazy(
                    _("{basis}, {influence} influence"),
                    basis=capfirst(BASIS_WORDS[row]),
                    influence=INFLUENCE_WORDS[level],
                )
                headers = (self._header_id(row), self._header_id(level))
                self.fields[basis_cell(row, place)] = _coefficient_field(label, headers)
                self.initial.setdefault(basis_cell(row, place), basis[row][place])
        familiarity = self.initial.get(FAMILIARITY_TABLE) or DEFAULT_FAMILIARITY_TABLE
        for level in FAMILIARITY:
            label = format_lazy(_("Familiarity: {level}"), level=FAMILIARITY_WORDS[level])
            headers = (self._header_id(level), self._header_id("cs"))
            self.fields[familiarity_cell(level)] = _coefficient_field(label, headers)
            self.initial.setdefault(familiarity_cell(level), familiarity[level])
        self.fields[DEFAULTS_FIELD] = forms.BooleanField(
            label=_("Use the common defaults"),
            required=False,
            help_text=_(
                "Forgets the survey's own tables: Ca and Cs are read with the defaults again."
            ),
        )

    def clean(self):
        """The cells back into basis_table and familiarity_table: None (the defaults) when
        "use the common defaults" is ticked, when no cell is filled in, or when a table is the
        defaults as the page showed them. Otherwise the table goes to the service as typed, an
        empty cell as None, for the service to refuse by its path."""
        cleaned = super().clean()
        defaults = cleaned.pop(DEFAULTS_FIELD, False)
        basis = {row: [cleaned.pop(basis_cell(row, p), None) for p in PLACES] for row in BASES}
        cells = [value for row in basis.values() for value in row]
        cleaned[BASIS_TABLE] = _own_table(BASIS_TABLE, basis, cells, defaults)
        familiarity = {level: cleaned.pop(familiarity_cell(level), None) for level in FAMILIARITY}
        cells = list(familiarity.values())
        cleaned[FAMILIARITY_TABLE] = _own_table(FAMILIARITY_TABLE, familiarity, cells, defaults)
        return cleaned

    # The template's view (_setup_authority_tables.html): rows with their headers' ids, which
    # label the inputs.

    def basis_rows(self) -> list[TableRow]:
        return [
            TableRow(
                self._header_id(row), BASIS_WORDS[row], [self[basis_cell(row, p)] for p in PLACES]
            )
            for row in BASES
        ]

    def influence_headers(self) -> list[tuple[str, str]]:
        return [(self._header_id(level), INFLUENCE_WORDS[level]) for level in INFLUENCE_LEVELS]

    def familiarity_rows(self) -> list[TableRow]:
        return [
            TableRow(
                self._header_id(level), FAMILIARITY_WORDS[level], [self[familiarity_cell(level)]]
            )
            for level in FAMILIARITY
        ]

    def coefficient_header_id(self) -> str:
        return self._header_id("cs")

    def tables_help_id(self) -> str:
        return self._header_id("help")

    def table_cells(self) -> list[forms.BoundField]:
        return [cell for row in self.basis_rows() + self.familiarity_rows() for cell in row.cells]

    def _header_id(self, key: str) -> str:
        """An id of the page's: "settings-authority-practice" with the form's "settings-%s"."""
        auto_id = self.auto_id if isinstance(self.auto_id, str) and "%s" in self.auto_id else ""
        return f"{auto_id % 'authority' if auto_id else 'authority'}-{key}"


def _coefficient_field(label, header_ids: tuple[str, str]) -> BoundedFloatField:
    # Named by the row's and the column's headers; `label` names the cell in the list of errors
    # at the top of the form.
    attrs = {"step": "any", "min": "0", "max": "1", "aria-labelledby": " ".join(header_ids)}
    return BoundedFloatField(label=label, required=False, widget=forms.NumberInput(attrs=attrs))


def _own_table(name: str, posted: dict, cells: list, defaults: bool) -> dict | None:
    """The posted table, or None for the common defaults: asked for, nothing filled in, or the
    defaults as the inputs showed them (saving the page unchanged keeps them the defaults)."""
    if defaults or all(value is None for value in cells) or is_default(name, posted):
        return None
    return posted
