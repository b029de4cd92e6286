"""An expert's last activity on a panel (PanelMembership.last_activity_at), kept to the minute.

Writing it on every ballot save made each save one more UPDATE of the membership row. The
panel's pages show the latest of this and the ballots' own `updated_at` (experts.selectors),
which every save that changes a ballot writes anyway, so the membership's moment needs to be
no finer than a minute: as API tokens' last use (experts.authentication).
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import PanelMembership

ACTIVITY_RESOLUTION = timedelta(minutes=1)


def activity_stale(last: datetime | None, now: datetime) -> bool:
    """Whether a stored last activity is worth overwriting with `now`."""
    return last is None or now - last >= ACTIVITY_RESOLUTION


def activity_record(membership: PanelMembership, *, now: datetime | None = None) -> bool:
    """Note that the expert did something now; True if the row was written.

    The check reads `membership` as loaded (the ballot services load it under the row's lock),
    so a save within the minute costs no query. The UPDATE repeats the condition, so a copy
    loaded earlier than another request's write does not write again.
    """
    now = now or timezone.now()
    if not activity_stale(membership.last_activity_at, now):
        return False
    older = Q(last_activity_at__isnull=True) | Q(last_activity_at__lte=now - ACTIVITY_RESOLUTION)
    written = PanelMembership.objects.filter(older, pk=membership.pk).update(last_activity_at=now)
    if written:
        membership.last_activity_at = now
    return bool(written)
