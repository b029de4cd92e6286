"""Multiple-choice questions: how often each option was chosen."""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

NO_OPTIONS = "a choice question needs at least one option, each named once"
UNKNOWN_OPTION = "a selection names an option the question does not offer"
REPEATED_OPTION = "a respondent chooses an option at most once"
NOT_SELECTIONS = "give each respondent's selection as a list of options (empty: did not answer)"


@dataclass(frozen=True, eq=False)
class ChoiceTable:
    """Counts per option and their share of the respondents who answered the question.

    With multiple selections allowed the shares (and percentages) can sum past 1 (100 %): each
    respondent counts once for every option chosen, and the base is the respondents, not the
    choices.
    """

    options: tuple
    counts: np.ndarray
    answered: int
    share: np.ndarray

    @property
    def percent(self) -> np.ndarray:
        return 100 * self.share


def choice_table(
    selections: Sequence[Sequence[Hashable] | Hashable | None], options: Sequence[Hashable]
) -> ChoiceTable:
    """Tabulate the options chosen, in the order of `options`.

    selections[r] is respondent r's choices: a list (one element for a single-choice question)
    or a single option; None or an empty list means the respondent did not answer, and does not
    count in the base. "Other" is an option like any other: list it in `options`.
    """
    if not isinstance(selections, list | tuple) or not isinstance(options, list | tuple):
        raise ValueError(NOT_SELECTIONS)
    labels = tuple(options)
    position = _positions(labels)
    counts = np.zeros(len(labels), dtype=int)
    answered = 0
    for selection in selections:
        chosen = _chosen(selection)
        unknown = [option for option in chosen if option not in position]
        if unknown:
            raise ValueError(f"{UNKNOWN_OPTION}: {unknown[0]!r}")
        counts[[position[option] for option in chosen]] += 1
        answered += bool(chosen)
    share = counts / answered if answered else np.full(len(labels), np.nan)
    return ChoiceTable(options=labels, counts=counts, answered=answered, share=share)


def _positions(labels: tuple) -> dict:
    try:
        position = {label: index for index, label in enumerate(labels)}
    except TypeError:
        raise ValueError(NO_OPTIONS) from None
    if not labels or len(position) != len(labels):
        raise ValueError(NO_OPTIONS)
    return position


def _chosen(selection: object) -> tuple:
    """One respondent's choices as a tuple of distinct, known-to-be-hashable options."""
    if selection is None:
        return ()
    if isinstance(selection, str | bytes) or not isinstance(selection, Sequence):
        selection = (selection,)
    chosen = tuple(selection)
    try:
        distinct = set(chosen)
    except TypeError:
        raise ValueError(NOT_SELECTIONS) from None
    if len(distinct) != len(chosen):
        raise ValueError(f"{REPEATED_OPTION}; got {list(chosen)!r}")
    return chosen
