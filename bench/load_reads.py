"""Reading the results after a load: the results page and the JSON export through gunicorn, and
the latest snapshot's size as PostgreSQL stores it.

Measured on the quiet machine (the load over, the last recompute written), one request at a
time, as the coordinator: what a reader waits for, not what the server sustains.
"""

import time
import urllib.request

from bench.load_figures import percentiles

READS = 20  # requests per measured URL


def session_cookie(user) -> str:
    """A signed-in session for `user`, as the Cookie header of a browser that has it."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def timed_gets(url: str, cookie: str, count: int, warm: int) -> tuple[list[float], int]:
    """Milliseconds of `count` GETs of `url` after `warm` unmeasured ones; and the body's bytes.

    Anything but 200 stops the benchmark: a refused or failing page has no meaningful time.
    """
    times, size = [], 0
    for attempt in range(warm + count):
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as answer:
            body = answer.read()
            if answer.status != 200:
                raise SystemExit(f"GET {url} answered {answer.status}")
        if attempt >= warm:
            times.append((time.perf_counter() - started) * 1000)
        size = len(body)
    return times, size


def read_figures(base_url: str, evaluation, web_workers: int, count: int = READS) -> dict:
    """Results page and JSON export p50 / p95 (ms) and sizes (bytes), as the coordinator.

    A few unmeasured requests first, at least one per gunicorn worker, so a worker's first
    rendering of the results templates is not counted.
    """
    cookie = session_cookie(evaluation.owner)
    page_url = f"{base_url}/evaluations/{evaluation.pk}/results/"
    export_url = f"{base_url}/api/v1/evaluations/{evaluation.pk}/export/json/"
    page, page_bytes = timed_gets(page_url, cookie, count, warm=2 * web_workers)
    export, export_bytes = timed_gets(export_url, cookie, count, warm=2 * web_workers)
    page_p50, page_p95 = percentiles(page, (50, 95))
    export_p50, export_p95 = percentiles(export, (50, 95))
    return {
        "page_p50": page_p50,
        "page_p95": page_p95,
        "page_bytes": page_bytes,
        "export_p50": export_p50,
        "export_p95": export_p95,
        "export_bytes": export_bytes,
        "reads": count,
    }


def snapshot_size(snapshot_id: int) -> dict:
    """Bytes of a snapshot's data: as stored (pg_column_size, after TOAST compression) and as
    JSON text (octet_length of data::text, what a reader decodes)."""
    from django.db import connection

    from evaluations.models import ResultSnapshot

    table = connection.ops.quote_name(ResultSnapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_column_size(data), octet_length(data::text) FROM {table} WHERE id = %s",
            [snapshot_id],
        )
        stored, text = cursor.fetchone()
    return {"snapshot_stored": stored, "snapshot_text": text}
