"""Keep given weights true to the children they were given for (see services.py).

Its own module, without the services' imports, because the structure services call it.
"""

from collections.abc import Iterable

from ..models import Evaluation, Indicator


def given_weights_forget(*, evaluation: Evaluation, parent_ids: Iterable[int | None]) -> list[str]:
    """Clear the given weights of these parents (their set of children just changed).

    Called inside a structure service's transaction, after its change; returns the codes of
    the parents cleared, for the service's audit entry and the page's notice."""
    ids = {pk for pk in parent_ids if pk is not None}
    given = list(
        Indicator.objects.filter(
            evaluation=evaluation, pk__in=ids, given_weights__isnull=False
        ).order_by("code")
    )
    if not given:
        return []
    Indicator.objects.filter(pk__in=[i.pk for i in given]).update(
        given_weights=None, given_weights_source=""
    )
    return [indicator.code for indicator in given]
