"""Helpers of the fault tests: experts with sessions, form posts, waiting for a condition."""

import time

from django.contrib.sessions.backends.db import SessionStore

from experts.models import PanelMembership
from surveys.services import pair_key
from tests.services import Browser

CONSISTENT = {3: ["2", "4", "2"], 4: ["2", "4", "8", "2", "4", "2"]}


def add_experts(evaluation, make_user, count: int) -> list[PanelMembership]:
    return [
        PanelMembership.objects.create(
            evaluation=evaluation, email=f"e{n}@example.com", user=make_user(f"e{n}")
        )
        for n in range(count)
    ]


def logged_in(live_server, user) -> Browser:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    browser = Browser(live_server.url, session.session_key)
    browser.request("/panels/")  # sets the CSRF cookie
    return browser


def form_fields(parent, tokens) -> dict:
    children = list(parent.children.all())
    keys = [pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    fields = {f"pair-{key}": token for key, token in zip(keys, tokens, strict=True)}
    return {**fields, "action": "submit"}


def wait_for(condition, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s")


def results_current(evaluation) -> bool:
    """Whether the latest snapshot includes every change to the evaluation's ballots."""
    evaluation.refresh_from_db()
    latest = evaluation.snapshots.order_by("-version").first()
    return latest is not None and latest.version == evaluation.input_version


def written_versions(evaluation) -> list[int]:
    """The versions of the evaluation's snapshots in the order they were written (the row
    lock serialises the writers, so ids follow the order of the inserts)."""
    return list(evaluation.snapshots.order_by("pk").values_list("version", flat=True))
