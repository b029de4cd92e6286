"""Set and clear a node's given weights; keep them true to the node's children.

Given weights are a setting of the method rather than of the structure: switching a node to
them (or back) changes no answer an expert gave. The panel's pairwise ballots for that node
are kept and only left out of the results while the weights are given, so switching back
brings them in again. That is why they may be set or cleared in any status of the panel,
like the weighting settings, and not only while the structure is unlocked.

The weights are keyed by child id, so reordering the children keeps them; a change of the
set of children (an indicator added, deleted or moved in or out) clears them
(given_weights_forget, called by the structure services), since the numbers were given for
the children that were there.
"""

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Indicator
from ..services.structure import ERROR_INDICATOR_GONE, _lock, _record_hierarchy
from .keeping import given_weights_forget as given_weights_forget  # re-export
from .parsing import given_weights_clean, given_weights_source_clean


def _fresh(indicator: Indicator) -> Indicator:
    try:
        return Indicator.objects.get(pk=indicator.pk, evaluation_id=indicator.evaluation_id)
    except Indicator.DoesNotExist:
        raise ValidationError({"indicator": _(ERROR_INDICATOR_GONE)}) from None


def _children(indicator: Indicator) -> list[Indicator]:
    return list(Indicator.objects.filter(parent=indicator).order_by("order", "pk"))


def given_weights_by_code(indicator: Indicator, children: list[Indicator]) -> dict[str, float]:
    """The stored weights keyed by the children's codes, in the children's order."""
    weights = indicator.given_weights or {}
    return {child.code: weights[str(child.pk)] for child in children if str(child.pk) in weights}


@transaction.atomic
def given_weights_set(
    *, indicator: Indicator, actor: AbstractBaseUser, weights: Mapping, source: str = ""
) -> Indicator:
    """Give `indicator`'s children these local weights ({child id: weight}, see parsing.py)
    in place of the panel's pairwise comparisons. Nothing changes if anything is refused."""
    _lock(indicator.evaluation)  # serialised with structure edits: the children stay put
    indicator = _fresh(indicator)
    children = _children(indicator)
    cleaned = given_weights_clean(parent=indicator, children=children, raw=weights)
    source = given_weights_source_clean(source)
    if (indicator.given_weights, indicator.given_weights_source) == (cleaned, source):
        return indicator
    switched = indicator.given_weights is None
    indicator.given_weights, indicator.given_weights_source = cleaned, source
    indicator.save(update_fields=["given_weights", "given_weights_source"])
    by_code = given_weights_by_code(indicator, children)
    shown = ", ".join(f"{code} {weight:.4g}" for code, weight in by_code.items())
    detail = f"gave the weights under {indicator.code}: {shown}"
    if source:
        detail += f" ({source})"
    params = {
        "change": "given_weights",
        "code": indicator.code,
        "name": indicator.name,
        "weights": by_code,
        "source": source,
        "switched": switched,
    }
    _record_hierarchy(indicator.evaluation, actor, detail[:500], params)
    return indicator


@transaction.atomic
def given_weights_clear(*, indicator: Indicator, actor: AbstractBaseUser) -> Indicator:
    """Back to pairwise comparisons for `indicator`: the panel's ballots for it count again."""
    _lock(indicator.evaluation)
    indicator = _fresh(indicator)
    if indicator.given_weights is None:
        return indicator
    indicator.given_weights, indicator.given_weights_source = None, ""
    indicator.save(update_fields=["given_weights", "given_weights_source"])
    params = {"change": "given_weights_cleared", "code": indicator.code, "name": indicator.name}
    detail = f"back to pairwise comparisons under {indicator.code}"
    _record_hierarchy(indicator.evaluation, actor, detail, params)
    return indicator
