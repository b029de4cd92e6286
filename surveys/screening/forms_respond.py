"""The screening questionnaire as a page form: each question's fields, their values (from a
stored response, or from a post the services refused) and the services' errors next to them.

The field names are the form reader's (answers.answers_from_form): "rating-<item id>" (a
level or "none"), "ranking-<question id>-<place>", "choice-<question id>" and
"other-<question id>", "suggestion-<question id>", "reason-<item id>", "authority-<basis>"
and "authority-familiarity". The services key their errors by the answers' layout instead
("answers.<question id>.<item id>", …): field_of() turns one into the other, so that a refused
post shows each message beside the field it is about, and the list at the top names it.

Nothing here reads the database or checks an answer: the view hands in what it read, and the
services alone decide what may be saved.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .answers import BASES, CANNOT_JUDGE, DEFAULT_LEVELS, FAMILIARITY, INFLUENCE_LEVELS
from .models import ScreeningQuestion

Kind = ScreeningQuestion.Kind

# The words of each point of an importance scale, first point first: the 5-point scale of most
# questionnaires, and a 9-point one in even steps between "not important at all" and
# "extremely important".
LEVEL_WORDS = {
    5: (
        gettext_lazy("not important"),
        gettext_lazy("slightly important"),
        gettext_lazy("moderately important"),
        gettext_lazy("important"),
        gettext_lazy("very important"),
    ),
    9: (
        gettext_lazy("not important at all"),
        gettext_lazy("not important"),
        gettext_lazy("hardly important"),
        gettext_lazy("slightly important"),
        gettext_lazy("moderately important"),
        gettext_lazy("fairly important"),
        gettext_lazy("important"),
        gettext_lazy("very important"),
        gettext_lazy("extremely important"),
    ),
}
CANNOT_JUDGE_WORDS = gettext_lazy("cannot judge / not my field")
# The self-rating (DESIGN §2.8's authority coefficient): what the expert's judgment rests on,
# and how familiar they are with the subject.
BASIS_WORDS = {
    "practice": gettext_lazy("practical experience"),
    "theory": gettext_lazy("theoretical analysis"),
    "literature": gettext_lazy("the literature"),
    "intuition": gettext_lazy("intuition"),
}
INFLUENCE_WORDS = {
    "high": gettext_lazy("high"),
    "medium": gettext_lazy("medium"),
    "low": gettext_lazy("low"),
}
FAMILIARITY_WORDS = {
    "very_familiar": gettext_lazy("very familiar"),
    "familiar": gettext_lazy("familiar"),
    "somewhat": gettext_lazy("somewhat familiar"),
    "little": gettext_lazy("a little familiar"),
    "unfamiliar": gettext_lazy("unfamiliar"),
}
# Where an error that names no field of the form goes: the list at the top of the page.
PAGE = "page"


def level_words(levels: int | None) -> list[tuple[str, str]]:
    """The scale's points as (value, words), first point first."""
    levels = levels or DEFAULT_LEVELS
    words = LEVEL_WORDS.get(levels) or [""] * levels
    return [(str(level), str(word)) for level, word in enumerate(words, start=1)]


# --- Values ---------------------------------------------------------------------------------


def values_from_response(
    answers: Mapping, reasons: Mapping, authority: Mapping, *, asked: set[int] | None = None
) -> dict:
    """A stored response's answers as the form's field values (strings; a list of them for a
    choice's boxes). With `asked`, a ranking keeps only those items, closing up the places of
    the others (a previous round's order shown in a round that dropped some)."""
    values: dict = {}
    for question_key, answer in answers.items():
        if not isinstance(answer, Mapping):
            continue
        if "order" in answer:
            order = [item for item in answer["order"] if asked is None or item in asked]
            for place, item in enumerate(order, start=1):
                values[f"ranking-{question_key}-{place}"] = str(item)
        elif "selected" in answer:
            values[f"choice-{question_key}"] = [str(item) for item in answer["selected"]]
            values[f"other-{question_key}"] = answer.get("other") or ""
        elif "text" in answer:
            values[f"suggestion-{question_key}"] = answer["text"]
        else:  # a rating: {"<item id>": level or None}
            for item, level in answer.items():
                values[f"rating-{item}"] = CANNOT_JUDGE if level is None else str(level)
    for item, text in reasons.items():
        values[f"reason-{item}"] = text
    for name, level in (authority.get("basis") or {}).items():
        values[f"authority-{name}"] = level
    if authority.get("familiarity"):
        values["authority-familiarity"] = authority["familiarity"]
    return values


def values_from_post(post) -> dict:
    """A refused post's fields as they were sent, to show them again (the template escapes
    them). Fields the form does not have are never read back."""
    values: dict = {}
    for name in post:
        if name.startswith("choice-"):
            values[name] = post.getlist(name)
        else:
            values[name] = post.get(name, "")
    return values


# --- Errors ---------------------------------------------------------------------------------


def field_of(path: str) -> str:
    """The form field an error of the services is about, from its path; PAGE when none."""
    parts = path.split(".")
    if parts[0] == "answers" and len(parts) >= 2:
        question = parts[1]
        rest = parts[2:]
        if not rest or rest == ["order"]:
            return f"question-{question}"
        if rest[0] == "order" and len(rest) == 2:
            return f"ranking-{question}-{rest[1]}"
        if rest == ["selected"]:
            return f"choice-{question}"
        if rest == ["other"]:
            return f"other-{question}"
        if rest == ["text"]:
            return f"suggestion-{question}"
        if len(rest) == 1 and rest[0].isdigit():
            return f"rating-{rest[0]}"
        return f"question-{question}"
    if parts[0] == "reasons" and len(parts) == 2:
        return f"reason-{parts[1]}"
    if parts[0] == "authority":
        if parts[1:2] == ["familiarity"]:
            return "authority-familiarity"
        if parts[1:2] == ["basis"] and len(parts) == 3:
            return f"authority-{parts[2]}"
        return "authority"
    return PAGE


def errors_by_field(errors: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    placed: dict[str, list[str]] = {}
    for path, messages in errors.items():
        placed.setdefault(field_of(path), []).extend(str(message) for message in messages)
    return placed


# --- The sheet ------------------------------------------------------------------------------


@dataclass
class Feedback:
    """The group's answers of the round before, for one item."""

    median: float | None
    iqr: float | None
    valid: int
    chart: SafeString  # an inline SVG (distribution_chart)


@dataclass
class Reason:
    """Why an answer changed since the expert's previous round: one box per item."""

    name: str
    value: str
    errors: list[str]
    required: bool
    # The previous answer, as the page script compares it with the current one.
    previous: str

    @property
    def open(self) -> bool:
        return bool(self.value or self.errors)


@dataclass
class Row:
    """An item of a rating or ranking question: its field (a rating's), the expert's previous
    answer, the group's feedback and the reason box."""

    item: object
    name: str = ""
    value: str = ""
    errors: list[str] = field(default_factory=list)
    previous: str | None = None  # the expert's previous answer in words
    feedback: Feedback | None = None
    reason: Reason | None = None


@dataclass
class Place:
    number: int
    name: str
    value: str
    errors: list[str]


@dataclass
class Option:
    item: object
    checked: bool


@dataclass
class Block:
    """One question of the form."""

    question: object
    anchor: str
    errors: list[str] = field(default_factory=list)
    levels: list[tuple[str, str]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    input_type: str = "radio"
    other: Place | None = None  # the "other" text box of a choice
    text: Place | None = None  # a suggestion's box
    has_feedback: bool = False


@dataclass
class Choice:
    name: str
    words: str
    value: str
    errors: list[str]
    options: list[tuple[str, str]]


@dataclass
class Sheet:
    blocks: list[Block]
    authority: list[Choice] | None
    authority_errors: list[str]
    # Every error, in the order of the form: (the field's anchor or "", where, message).
    summary: list[tuple[str, str, str]]
    has_reasons: bool


@dataclass
class _Context:
    values: Mapping
    errors: dict[str, list[str]]
    summary: list[tuple[str, str, str]]
    previous: Mapping | None
    feedback: Mapping[int, Feedback]
    round_number: int
    reason_required: bool

    def take(self, name: str, where: str) -> list[str]:
        """The field's errors, listed in the summary as they are placed."""
        found = self.errors.pop(name, [])
        self.summary.extend((name, where, message) for message in found)
        return found

    def value(self, name: str) -> str:
        value = self.values.get(name, "")
        return value if isinstance(value, str) else ""


def sheet(
    *,
    questions: Iterable,
    items: Iterable,
    values: Mapping,
    errors: Mapping[str, Iterable[str]],
    round_number: int,
    authority: bool,
    previous: Mapping | None = None,
    feedback: Mapping[int, Feedback] | None = None,
    reason_required: bool = False,
) -> Sheet:
    """The form of a round: `questions` in order, `items` the round's (selectors.round_items),
    `values` by field name, `errors` as the services raised them. `previous` is the expert's
    submitted answers of the round before (responses.previous_answers), `feedback` the group's
    per item id; both only from round 2 on."""
    by_question: dict[int, list] = {}
    for item in items:
        by_question.setdefault(item.question_id, []).append(item)
    context = _Context(
        values=values,
        errors=errors_by_field(errors),
        summary=[],
        previous=previous,
        feedback=feedback or {},
        round_number=round_number,
        reason_required=reason_required,
    )
    builders = {
        Kind.RATING: _rating,
        Kind.RANKING: _ranking,
        Kind.CHOICE: _choice,
        Kind.SUGGESTION: _suggestion,
    }
    blocks = []
    for question in questions:
        asked = by_question.get(question.pk, [])
        block = Block(question=question, anchor=f"question-{question.pk}")
        builders[question.kind](block, asked, context)
        block.errors = context.take(block.anchor, question.text) + block.errors
        blocks.append(block)
    choices = _authority(context) if authority else None
    authority_errors = context.take("authority", _("Your self-rating")) if authority else []
    for messages in context.errors.values():  # errors of no field: the list at the top
        context.summary.extend(("", "", message) for message in messages)
    return Sheet(
        blocks=blocks,
        authority=choices,
        authority_errors=authority_errors,
        summary=context.summary,
        has_reasons=any(row.reason for block in blocks for row in block.rows),
    )


def _previous_answer(context: _Context, question) -> Mapping | None:
    if context.previous is None:
        return None
    answer = context.previous.get(str(question.pk))
    return answer if isinstance(answer, Mapping) else {}


def _reason(context: _Context, item, previous: str) -> Reason | None:
    """A reason box for an item the expert answered in the round before."""
    if context.previous is None or item.first_round >= context.round_number:
        return None
    name = f"reason-{item.pk}"
    return Reason(
        name=name,
        value=context.value(name),
        errors=context.take(name, _("Reason: {item}").format(item=item.name)),
        required=context.reason_required,
        previous=previous,
    )


def _rating(block: Block, items: list, context: _Context) -> None:
    question = block.question
    block.levels = level_words(question.levels)
    words = dict(block.levels)
    before = _previous_answer(context, question)
    for item in items:
        name = f"rating-{item.pk}"
        row = Row(item=item, name=name, value=context.value(name))
        row.errors = context.take(name, item.name)
        if before is not None and str(item.pk) in before:
            level = before[str(item.pk)]
            row.previous = (
                str(CANNOT_JUDGE_WORDS) if level is None else f"{level} · {words.get(str(level))}"
            )
            row.reason = _reason(context, item, CANNOT_JUDGE if level is None else str(level))
        row.feedback = context.feedback.get(item.pk)
        block.rows.append(row)
    block.has_feedback = any(row.feedback or row.previous for row in block.rows)


def _ranking(block: Block, items: list, context: _Context) -> None:
    question = block.question
    for number in range(1, len(items) + 1):
        name = f"ranking-{question.pk}-{number}"
        where = _("{question} — place {place}").format(question=question.text, place=number)
        errors = context.take(name, where)
        block.places.append(Place(number, name, context.value(name), errors))
    before = _previous_answer(context, question)
    order = list((before or {}).get("order", []))
    # The places the reason rule compares: among the items both rounds asked
    # (answers.changed_items), so an item added since moves no other item.
    both = [item.pk for item in items if item.first_round < context.round_number]
    old = [pk for pk in order if pk in both]
    for item in items:
        row = Row(item=item, feedback=context.feedback.get(item.pk))
        if before is not None:
            row.previous = (
                _("place {place}").format(place=order.index(item.pk) + 1)
                if item.pk in order
                else _("not ranked")
            )
            if before:
                place = str(old.index(item.pk) + 1) if item.pk in old else ""
                row.reason = _reason(context, item, place)
        block.rows.append(row)
    block.has_feedback = any(row.feedback or row.previous for row in block.rows)


def _choice(block: Block, items: list, context: _Context) -> None:
    question = block.question
    name = f"choice-{question.pk}"
    chosen = context.values.get(name, [])
    chosen = chosen if isinstance(chosen, list) else [chosen]
    block.input_type = "checkbox" if question.multiple else "radio"
    block.options = [Option(item=item, checked=str(item.pk) in chosen) for item in items]
    block.errors = context.take(name, question.text)
    if any(item.is_other for item in items):
        other = f"other-{question.pk}"
        where = _("{question} — other").format(question=question.text)
        block.other = Place(0, other, context.value(other), context.take(other, where))


def _suggestion(block: Block, items: list, context: _Context) -> None:
    name = f"suggestion-{block.question.pk}"
    block.text = Place(0, name, context.value(name), context.take(name, block.question.text))


def _authority(context: _Context) -> list[Choice]:
    influences = [(level, str(INFLUENCE_WORDS[level])) for level in INFLUENCE_LEVELS]
    choices = []
    for basis in BASES:
        name = f"authority-{basis}"
        words = _("How much {basis} informs your judgment").format(basis=BASIS_WORDS[basis])
        errors = context.take(name, words)
        choices.append(Choice(name, words, context.value(name), errors, influences))
    name = "authority-familiarity"
    words = _("Your familiarity with the subject")
    familiarity = [(level, str(FAMILIARITY_WORDS[level])) for level in FAMILIARITY]
    errors = context.take(name, words)
    choices.append(Choice(name, words, context.value(name), errors, familiarity))
    return choices


# --- The group's distribution, drawn ------------------------------------------------------


def distribution_chart(
    counts: Iterable[tuple[str, int]], *, chart_id: str, title: str, marked: str | None = None
) -> SafeString:
    """A small bar chart of how many answered each point (inline SVG, no script): each bar's
    count above it and its point below, so it reads without colour; the bar of `marked` (the
    expert's own previous answer) drawn darker and outlined."""
    counts = [(str(label), int(count)) for label, count in counts]
    bar, gap, top, bottom, height = 18, 6, 16, 18, 48
    width = len(counts) * (bar + gap) + gap
    largest = max((count for _label, count in counts), default=0) or 1
    parts = []
    for position, (label, count) in enumerate(counts):
        x = gap + position * (bar + gap)
        tall = height * count / largest if count else 0
        y = top + height - tall
        mine = label == marked
        colour = "#0d3a6b" if mine else "#1f5fa8"
        outline = ' stroke="#000" stroke-width="2"' if mine else ""
        if tall:
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{tall:.1f}" fill="{colour}"'
                f"{outline}></rect>"
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{count}</text>'
        )
        weight = ' font-weight="700"' if mine else ""
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + height + 13}" text-anchor="middle"'
            f"{weight}>{escape(label)}</text>"
        )
    description = ", ".join(f"{label}: {count}" for label, count in counts)
    total_height = top + height + bottom
    # Safe: every text in it is a number or escaped here.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mini-chart" viewBox="0 0 {width} '
        f'{total_height}" width="{width}" height="{total_height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="11">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f'<line x1="0" y1="{top + height}" x2="{width}" y2="{top + height}" stroke="#5b6573">'
        f"</line>{''.join(parts)}</svg>"
    )
