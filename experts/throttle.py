"""Counting requests per key in fixed time windows, for the limits that need no database:
password reset requests (experts.passwords) and the screening survey's open link
(surveys.screening.responses).

Counted in Django's cache: per process unless CACHES names a shared one, so with several web
processes a limit is that many times higher, still a limit. A cache cleared or restarted
forgets the counts, which errs on the side of letting people in.
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class WindowCount:
    number: int  # this request's number in the current window, 1 for the first
    retry_after: int  # whole seconds until the window ends and the count starts again


def count_in_window(key: str, *, seconds: int) -> WindowCount:
    """Count one request against `key` in a fixed window of `seconds`, started by the first.

    The window's start is kept beside the count so a refusal can say when to come back
    (an HTTP Retry-After)."""
    now = time.time()
    since_key = f"{key}:since"
    cache.add(since_key, now, timeout=seconds)
    cache.add(key, 0, timeout=seconds)
    try:
        number = cache.incr(key)
    except ValueError:  # the window ended between the two calls: this request starts the next
        cache.set(key, 1, timeout=seconds)
        cache.set(since_key, now, timeout=seconds)
        number = 1
    since = cache.get(since_key, now)
    retry_after = max(1, math.ceil(since + seconds - now))
    return WindowCount(number=number, retry_after=min(retry_after, seconds))
