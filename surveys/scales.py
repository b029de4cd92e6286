"""The judgment scale an evaluation allows (Evaluation.judgment_scale), for every door a judgment
comes by: the pairwise form, its autosave and the API.

- verbal (the default): the 17 values 1/9 … 1/2, 1, 2 … 9;
- intermediate: those and the half steps between them (2.5, 1/2.5), 33 values;
- continuous: any value from 1/9 to 9 (a slider and a number box on the form).

Text is parsed by the bounded grammar of surveys.wording.parse_token before any conversion.
A value within a millionth of a rung of the intermediate ladder is stored as that rung
("0.3333333" is 1/3), on every scale; the continuous scale keeps other values as given.

The scale can be changed while ballots exist, but not narrowed below what they hold: a
judgment the new scale refuses could neither be submitted again nor shown on the new form.
"""

import math
import numbers

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from evaluations.engine import scale
from evaluations.models import Evaluation
from evaluations.services.lifecycle import SettingsConflict
from experts.models import PanelMembership

from .models import PairwiseBallot
from .wording import TOKEN_LIMIT, parse_token, token

VERBAL = Evaluation.JudgmentScale.VERBAL
INTERMEDIATE = Evaluation.JudgmentScale.INTERMEDIATE
CONTINUOUS = Evaluation.JudgmentScale.CONTINUOUS

ERROR_NOT_ON_SCALE = gettext_noop(
    "{row} vs {col}: {value} is not on the 1–9 scale (1 to 9 or 1/2 to 1/9)."
)
ERROR_NOT_ON_INTERMEDIATE = gettext_noop(
    "{row} vs {col}: {value} is not on the intermediate scale (1 to 9 in half steps such as "
    "2.5, or their reciprocals such as 1/2.5)."
)
ERROR_OUTSIDE_RANGE = gettext_noop(
    "{row} vs {col}: {value} is outside 1/9–9 (give a number such as 2.5 or 0.8, or a "
    "fraction such as 1/2.5)."
)
REFUSALS = {
    VERBAL: ERROR_NOT_ON_SCALE,
    INTERMEDIATE: ERROR_NOT_ON_INTERMEDIATE,
    CONTINUOUS: ERROR_OUTSIDE_RANGE,
}

# How close to a rung a value must be to count as that rung: decimals such as 0.3333333 stand
# for 1/3; nothing an expert means differs from a rung by less.
RUNG_RTOL = 1e-6
RUNGS = scale.values(scale.INTERMEDIATE)


def judgment_number(value) -> float | None:
    """A positive finite number `value` stands for (text by the bounded grammar), else None."""
    if isinstance(value, str):
        value = parse_token(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    return number


def scale_value(value, judgment_scale: str = VERBAL) -> float | None:
    """The judgment `value` stands for on the scale, or None if the scale does not allow it."""
    number = judgment_number(value)
    if number is None:
        return None
    nearest = float(RUNGS[np.argmin(np.abs(np.log(RUNGS) - math.log(number)))])
    if abs(nearest - number) <= RUNG_RTOL * nearest:
        number = nearest
    elif judgment_scale != CONTINUOUS:
        return None
    return number if scale.on_scale(number, rtol=0.0, scale=judgment_scale) else None


def refusal(*, row: str, col: str, value, judgment_scale: str) -> str:
    """The message naming the pair and the rule its value breaks, the value quoted short."""
    # A number as the forms spell it (the API parses "1/9.5" before the service sees it).
    shown = (token(value) or f"{value:g}") if isinstance(value, float) else str(value)
    if len(shown) > TOKEN_LIMIT:  # quoted back cut short, not a pasted novel
        shown = shown[: TOKEN_LIMIT - 1] + "…"
    template = REFUSALS.get(judgment_scale, ERROR_NOT_ON_SCALE)
    return _(template).format(row=row, col=col, value=shown)


def judgment_scale_check(*, evaluation: Evaluation, judgment_scale: str) -> None:
    """Refuse a scale that the stored ballots' judgments (working or submitted) do not fit.

    Call it inside the transaction that changes the setting: the panel's memberships are locked
    first, as ballot saves lock them, so no save can store a value of the old scale after the
    ballots are read here.
    """
    if judgment_scale == CONTINUOUS:
        return  # every stored judgment is within 1/9–9
    list(
        PanelMembership.objects.select_for_update()
        .filter(evaluation=evaluation)
        .values_list("pk", flat=True)
    )
    ballots = PairwiseBallot.objects.filter(parent__evaluation=evaluation).filter(
        ~Q(judgments={}) | Q(submitted_judgments__isnull=False)
    )
    count, holding, example = 0, 0, None
    for working, submitted in ballots.values_list("judgments", "submitted_judgments"):
        # A pair counts once, though its working and submitted copies may both hold it.
        off = {
            key: value
            for key, value in [*_answers(submitted), *_answers(working)]
            if scale_value(value, judgment_scale) is None
        }
        if off:
            count, holding = count + len(off), holding + 1
            example = example if example is not None else next(iter(off.values()))
    if count:
        message = _narrowing_message(
            scale_name=str(Evaluation.JudgmentScale(judgment_scale).label),
            judgments=count,
            ballots=holding,
            value=token(example),
        )
        raise SettingsConflict({"judgment_scale": message})


def _narrowing_message(*, scale_name: str, judgments: int, ballots: int, value: str) -> str:
    # Literal strings in the call, so that makemessages finds both forms.
    template = ngettext(
        "The judgment scale cannot become “{scale}”: {judgments} stored judgment is not on it "
        "({value}, in {ballots} of the panel's ballots). Ask the expert to revise it, or keep "
        "the wider scale.",
        "The judgment scale cannot become “{scale}”: {judgments} stored judgments are not on "
        "it (for example {value}), in {ballots} of the panel's ballots. Ask the experts to "
        "revise them, or keep the wider scale.",
        judgments,
    )
    return template.format(scale=scale_name, judgments=judgments, ballots=ballots, value=value)


def _answers(judgments: dict | None) -> list[tuple[str, float]]:
    return [
        (key, float(answer["value"]))
        for key, answer in (judgments or {}).items()
        if isinstance(answer, dict) and answer.get("value") is not None
    ]
