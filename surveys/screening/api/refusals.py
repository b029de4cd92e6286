"""The screening services' refusals as the API answers them.

The services raise one kind of ValidationError for the pages and the API alike. Here it splits
in two, by the field (or code) it names: a refusal of the survey's present state (round 1 has
opened, a round is still open or already closed, the decisions are final, another tab deleted
the question, the evaluation has ballots or its twenty surveys) is a 409 through
evaluations/api/conflicts.py, since asking again will not help until the state changes; every
other refusal is about the request's input and stays a 400 naming the field (errors.py).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError

from evaluations.api.conflicts import state_conflicts

# Fields the services name when the state refuses: the round, the survey as a whole (started,
# or one too many), its questions (too many, or too few to open a round), the question or item
# asked about (deleted meanwhile, or already asked), the hierarchy (ballots exist).
STATE_FIELDS = frozenset({"round", "survey", "questions", "question", "item", "structure"})
# Codes that say the same on another field: a setting respondents answer to while a round is
# open; a ranking whose set points fix its items.
STATE_CODES = frozenset({"round_open", "fixed", "gone"})


def is_state_refusal(error: ValidationError, fields: Iterable[str] = STATE_FIELDS) -> bool:
    fields = set(fields)
    pairs = error.error_dict.items() if hasattr(error, "error_dict") else [("", error.error_list)]
    return any(field in fields or e.code in STATE_CODES for field, errors in pairs for e in errors)


@contextmanager
def service_refusals(*, state_fields: Iterable[str] = STATE_FIELDS) -> Iterator[None]:
    """A service's refusal of the state as 409 (fields and messages unchanged); any other
    refusal passes on as it is, a 400 in the one error shape."""
    try:
        yield
    except ValidationError as error:
        if is_state_refusal(error, state_fields):
            with state_conflicts():
                raise
        raise
