"""Reading a pasted list of experts: an e-mail per line, or CSV lines
`name, e-mail, organisation, weight`. Pure text in, checked lines out; panel_add_experts
(experts.services) writes them."""

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evaluations.forms import number_text_ok

MAX_EXPERTS_PER_PASTE = 500
PASTE_TEXT_LIMIT = 100_000  # characters: 500 lines of 200; the API's field has the same cap
# Weights are relative (1 is the default): a thousandfold difference says everything a panel
# can mean, and keeps sums of weights far from overflowing in the aggregation.
MAX_EXPERT_WEIGHT = 1000
SHOWN_LIMIT = 40  # characters of a refused value quoted back in a message
NAME_LIMIT = 200  # PanelMembership.name and .organisation
EMAIL_LIMIT = 254  # EmailField's default max_length

ERROR_PASTE_EMPTY = gettext_noop("Paste at least one e-mail address, one per line.")
ERROR_PASTE_TOO_MANY = gettext_noop(
    "At most {limit} experts can be added at once; the text has {count} lines."
)
ERROR_LINE_FIELDS = gettext_noop(
    "Line {line}: expected at most 4 fields (name, e-mail, organisation, weight), then weights "
    "per criterion as CODE=weight (e.g. U1=2); found {count} fields."
)
ERROR_LINE_CRITERION_WEIGHT = gettext_noop(
    "Line {line}, weight for criterion {criterion}: “{value}” is not a positive number."
)
ERROR_LINE_CRITERION_TOO_LARGE = gettext_noop(
    "Line {line}, weight for criterion {criterion}: at most {limit}."
)
ERROR_LINE_CRITERION_TWICE = gettext_noop("Line {line}: criterion {criterion} is given twice.")
ERROR_LINE_QUOTE = gettext_noop("Line {line}: a quotation mark is not closed.")
ERROR_LINE_EMAIL = gettext_noop("Line {line}, e-mail: “{value}” is not a valid e-mail address.")
ERROR_LINE_EMAIL_MISSING = gettext_noop(
    "Line {line}, e-mail: missing; CSV lines read “name, e-mail, organisation, weight”."
)
ERROR_LINE_EMAIL_TWICE = gettext_noop(
    "Line {line}, e-mail: {email} is already listed on line {first}."
)
ERROR_LINE_ON_PANEL = gettext_noop("Line {line}, e-mail: {email} is already on the panel.")
ERROR_LINE_WEIGHT = gettext_noop("Line {line}, weight: “{value}” is not a positive number.")
ERROR_LINE_WEIGHT_TOO_LARGE = gettext_noop("Line {line}, weight: at most {limit}.")
ERROR_WEIGHT_TOO_LARGE = gettext_noop("The expert weight may be at most {limit}.")
ERROR_LINE_TOO_LONG = gettext_noop("Line {line}, {field}: at most {limit} characters.")

# After the four columns, weights per first-level criterion: "U1=2" (or "U1: 2"), at most one
# per criterion, and a hierarchy has at most 9 (MAX_CHILDREN). Codes are checked against the
# evaluation by panel_add_experts.
MAX_CRITERION_FIELDS = 9
CRITERION_FIELD = re.compile(r"^(?P<code>[^=:\s]{1,20})\s*[=:]\s*(?P<weight>.*)$")

# Field names a header line may use for the e-mail column (only the first line may be one).
HEADER_EMAIL_NAMES = {
    "email",
    "e-mail",
    "mail",
    "email address",
    "e-mail address",
    "邮箱",
    "电子邮件",
}
FIELD_LABELS = {
    "name": gettext_noop("name"),
    "email": gettext_noop("e-mail"),
    "organisation": gettext_noop("organisation"),
}
# "Wang Li <wang.li@example.com>", as mail programs copy addresses.
ADDRESS_WITH_NAME = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<email>[^<>]+)>$")


@dataclass(frozen=True)
class ExpertLine:
    """One valid line of a pasted list of experts."""

    line: int
    email: str
    name: str = ""
    organisation: str = ""
    weight: float = 1.0
    # (criterion code, weight) in the order given; codes not yet checked against a hierarchy.
    criterion_weights: tuple[tuple[str, float], ...] = ()


def expert_lines_parse(*, text: str, existing_emails: Iterable[str] = ()) -> list[ExpertLine]:
    """Read pasted experts: an e-mail per line, or CSV `name, e-mail, organisation, weight`.

    Every line is checked before anything is returned; all problems are raised together as
    ValidationError({"text": [...]}) naming the line and the field, so nothing half-succeeds.
    A tab-separated paste (copied from a spreadsheet) is read the same way.
    """
    records = _split_records(text)
    if not records:
        raise ValidationError({"text": _(ERROR_PASTE_EMPTY)})
    if len(records) > MAX_EXPERTS_PER_PASTE:
        message = _(ERROR_PASTE_TOO_MANY).format(limit=MAX_EXPERTS_PER_PASTE, count=len(records))
        raise ValidationError({"text": message})

    taken = {email.lower(): None for email in existing_emails}
    experts, errors = [], []
    for number, fields in records:
        expert, line_errors = _parse_line(number, fields)
        errors += line_errors
        if expert is None:
            continue
        key = expert.email.lower()
        if key in taken:
            first = taken[key]
            errors.append(
                _(ERROR_LINE_ON_PANEL).format(line=number, email=expert.email)
                if first is None
                else _(ERROR_LINE_EMAIL_TWICE).format(line=number, email=expert.email, first=first)
            )
            continue
        taken[key] = number
        experts.append(expert)
    if errors:
        raise ValidationError({"text": errors})
    return experts


def _split_records(text: str) -> list[tuple[int, list[str] | None]]:
    """(line number, fields) of the non-blank lines, the header dropped; None if unreadable."""
    delimiter = "\t" if "\t" in text and "," not in text else ","
    records: list[tuple[int, list[str] | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        # One line at a time, so an unclosed quote cannot swallow the lines after it.
        reader = csv.reader([line], delimiter=delimiter, skipinitialspace=True, strict=True)
        try:
            fields = [value.strip() for value in next(reader)]
        except csv.Error:
            fields = None
        if not records and fields and _is_header(fields):
            continue
        records.append((number, fields))
    return records


def _is_header(fields: list[str]) -> bool:
    return any(value.casefold() in HEADER_EMAIL_NAMES for value in fields)


def _parse_line(number: int, fields: list[str] | None) -> tuple[ExpertLine | None, list[str]]:
    if fields is None:
        return None, [_(ERROR_LINE_QUOTE).format(line=number)]
    while len(fields) > 1 and not fields[-1]:
        fields.pop()  # trailing separators, as spreadsheets export empty columns
    extras = [CRITERION_FIELD.match(value) for value in fields[4:]]
    if len(extras) > MAX_CRITERION_FIELDS or not all(extras):
        return None, [_(ERROR_LINE_FIELDS).format(line=number, count=len(fields))]
    fields = fields[:4]
    if len(fields) == 1:
        name, email = _split_address(fields[0])
        values = {"name": name, "email": email, "organisation": ""}
        weight_text = ""
    else:
        name, email, organisation, weight_text = (fields + ["", ""])[:4]
        values = {"name": name, "email": email, "organisation": organisation}

    errors = _check_lengths(number, values)
    if not values["email"]:
        errors.append(_(ERROR_LINE_EMAIL_MISSING).format(line=number))
    elif not errors and not _is_email(values["email"]):
        errors.append(_(ERROR_LINE_EMAIL).format(line=number, value=values["email"]))
    weight = expert_weight_parse(weight_text) if weight_text else 1.0
    if weight is None:
        errors.append(_(ERROR_LINE_WEIGHT).format(line=number, value=shown(weight_text)))
    elif weight > MAX_EXPERT_WEIGHT:
        errors.append(_(ERROR_LINE_WEIGHT_TOO_LARGE).format(line=number, limit=MAX_EXPERT_WEIGHT))
    criteria = _criterion_weights(number, extras, errors)
    if errors:
        return None, errors
    return ExpertLine(line=number, weight=weight, criterion_weights=criteria, **values), []


def _criterion_weights(number: int, extras: list, errors: list[str]) -> tuple:
    """(code, weight) of a line's CODE=weight fields; refusals appended to `errors`."""
    weights: dict[str, float] = {}
    for found in extras:
        code, text = found["code"], found["weight"].strip()
        weight = expert_weight_parse(text)
        if code in weights:
            errors.append(_(ERROR_LINE_CRITERION_TWICE).format(line=number, criterion=code))
        elif weight is None:
            errors.append(
                _(ERROR_LINE_CRITERION_WEIGHT).format(
                    line=number, criterion=code, value=shown(text)
                )
            )
        elif weight > MAX_EXPERT_WEIGHT:
            errors.append(
                _(ERROR_LINE_CRITERION_TOO_LARGE).format(
                    line=number, criterion=code, limit=MAX_EXPERT_WEIGHT
                )
            )
        else:
            weights[code] = weight
    return tuple(weights.items())


def _split_address(value: str) -> tuple[str, str]:
    found = ADDRESS_WITH_NAME.match(value)
    if found:
        return found["name"].strip().strip('"'), found["email"].strip()
    return "", value


def _check_lengths(number: int, values: dict[str, str]) -> list[str]:
    limits = {"name": NAME_LIMIT, "email": EMAIL_LIMIT, "organisation": NAME_LIMIT}
    return [
        _(ERROR_LINE_TOO_LONG).format(line=number, field=_(FIELD_LABELS[key]), limit=limit)
        for key, limit in limits.items()
        if len(values[key]) > limit
    ]


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def expert_weight_parse(text: str) -> float | None:
    """The number `text` stands for when it is a positive finite one, else None; the range
    (at most MAX_EXPERT_WEIGHT) is for the caller to name. Only short plain number text
    reaches float(). The panel page's weight box reads its text here too."""
    if not number_text_ok(text):
        return None
    weight = float(text)
    return weight if math.isfinite(weight) and weight > 0 else None


def shown(value: str) -> str:
    """A refused value as a message quotes it: cut short, so a pasted novel is not echoed."""
    return value if len(value) <= SHOWN_LIMIT else value[: SHOWN_LIMIT - 1] + "…"
