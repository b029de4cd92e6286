"""The answers of a screening response: their layout, and the checks both doors share.

`ScreeningResponse.answers` = {"<question id>": answer}, the answer by the question's kind:

- ranking: {"order": [item ids, most important first]}. A prefix ranking: the first places
  only, the rest unranked (missing in the statistics). Submitting needs the first place.
- rating: {"<item id>": a level 1…L, or null for "cannot judge / not my field"}. An item left
  out is not answered yet (a draft); submitting needs every asked item, a level or null.
- choice: {"selected": [item ids], "other": "text"}: one item unless the question allows
  several; "other" names the answer when the item marked is_other is selected, and only then.
- suggestion: {"text": "…"}, optional.

A question nothing was answered to is left out. `reasons` = {"<item id>": why the answer
changed since the last round}; `authority` = {"basis": {"practice" | "theory" | "literature" |
"intuition": "high" | "medium" | "low"}, "familiarity": one of FAMILIARITY}.
Question and item keys are the ids' decimal strings (JSON object keys are strings); ids in
lists are JSON integers. Only items asked in the round count: status active or kept, and
first_round at most the round's number.

Two readers, one set of rules. `answers_from_form` reads an HTML form's strings into the
layout, reading numbers only after a length check and as ASCII digits. `answers_clean` checks
a layout, from the form reader or from the API's JSON, strictly (wrong JSON types, unknown
questions, items and keys refused), and on submit for completeness. Errors are one
ValidationError keyed by the field's path ("answers.<question id>.<item id>",
"answers.<question id>.order.<place>", "reasons.<item id>", "authority.basis.practice").

Nothing here touches the database: the questionnaire comes in as light dataclasses, which
`questionnaire()` builds from model instances the caller has read. Modules: layout (the
vocabulary, the messages, the questionnaire), form (the form reader), rules (the checks).
"""

from .form import answers_from_form  # noqa: F401
from .layout import (  # noqa: F401 — the kinds, the messages and the questionnaire
    ASKED,
    BASES,
    CANNOT_JUDGE,
    CHOICE,
    DEFAULT_LEVELS,
    ERROR_AUTHORITY_NOT_ASKED,
    ERROR_CHOOSE,
    ERROR_CHOOSE_ONE,
    ERROR_CHOSEN_TWICE,
    ERROR_FAMILIARITY,
    ERROR_INFLUENCE,
    ERROR_JSON_TYPE,
    ERROR_LEVEL,
    ERROR_ONE_CHOICE,
    ERROR_OTHER_NOT_CHOSEN,
    ERROR_OTHER_REQUIRED,
    ERROR_PLACE_EMPTY,
    ERROR_RANK_FIRST,
    ERROR_RANKED_TWICE,
    ERROR_RATE_EVERY,
    ERROR_TEXT_NUL,
    ERROR_TOO_MANY_CHOICES,
    ERROR_TOO_MANY_PLACES,
    ERROR_UNKNOWN_ITEM,
    ERROR_UNKNOWN_KEY,
    ERROR_UNKNOWN_QUESTION,
    FAMILIARITY,
    INFLUENCE_LEVELS,
    RANKING,
    RATING,
    SHOWN_LIMIT,
    SUGGESTION,
    Answers,
    AskedItem,
    AskedQuestion,
    Errors,
    Questionnaire,
    questionnaire,
)
from .rules import answers_clean, attention_missed, changed_items  # noqa: F401
