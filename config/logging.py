"""Keep secrets out of the logs: invitation links, password-reset links, API tokens,
Authorization headers and session ids are credentials.

Django logs every 4xx and 5xx answer with its path ("Not Found: /invitations/<token>/"), the
CSRF check logs the path of every refused form, the development server and gunicorn log each
request line, and a traceback may quote anything. So the filter sits on every handler
(settings.LOGGING's, and those Celery and gunicorn install: see redact_every_handler), not on
loggers: a logger's filters do not see the records its children pass up to its handlers,
which is how the CSRF logger's records went out unredacted.
"""

import logging
import re
from collections.abc import Iterable

# The characters a secret in an address can be made of: up to the next separator.
PART = r"[^/\s?#&\"'%<>]+"
SLASH = r"(?:/|%2F)"  # also URL-encoded, as in a ?next= address
START = r"(?:(?<![\w-])|(?<=%2F))"  # a whole segment of the address

PATTERNS = (
    # /invitations/<token>/
    (re.compile(rf"{START}(invitations{SLASH}){PART}", re.I), r"\1[redacted]"),
    # A screening survey's open link: /s/<token>/
    (re.compile(rf"{START}(s{SLASH}){PART}", re.I), r"\1[redacted]"),
    # Django's password reset: reset/<uidb64>/<token>/
    (
        re.compile(rf"{START}(reset{SLASH}){PART}({SLASH}){PART}", re.I),
        r"\1[redacted]\2[redacted]",
    ),
    (re.compile(r"\bahp_[A-Za-z0-9_-]{8,}"), "ahp_[redacted]"),
    # An Authorization header's value, whatever its scheme, as text or in a dict of headers.
    (re.compile(r"""(authorization['"]?\s*[:=]\s*['"]?)[^'"\n]+""", re.I), r"\1[redacted]"),
    (re.compile(r"\b([Bb]earer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [redacted]"),
    (re.compile(r"""(sessionid['"]?\s*[:=]\s*['"]?)[^;\s'"]+""", re.I), r"\1[redacted]"),
)
# Shorter strings are not taken for secrets when they are removed wherever they appear.
SHORTEST_SECRET = 8


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def secrets_of_request(request) -> set[str]:
    """The credentials a request carried, so that a traceback quoting one bare (an exception
    message holding the token, not the address) loses it too."""
    meta = getattr(request, "META", None)
    if not isinstance(meta, dict):  # the development server passes its socket instead
        return set()
    found = set(re.findall(rf"(?:invitations|reset/{PART}|^/s)/({PART})", request.path))
    found.add(meta.get("HTTP_AUTHORIZATION", "").rpartition(" ")[2])
    found.add(getattr(request, "COOKIES", {}).get("sessionid", ""))
    return {secret for secret in found if len(secret) >= SHORTEST_SECRET}


class RedactSecrets(logging.Filter):
    """Rewrites a record before its handler formats it: the message with its arguments, the
    traceback (formatted here, so the formatter uses the redacted text) and the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = secrets_of_request(getattr(record, "request", None))
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: the handler would print msg and args
            message = f"{record.msg} {record.args!r}"
        cleaned = redact(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


def redact_every_handler() -> None:
    """Put the filter on every handler of every logger that lacks it: for the handlers a Celery
    worker and gunicorn install themselves, after settings.LOGGING was applied."""
    named = logging.root.manager.loggerDict.values()
    for logger in [logging.root, *(one for one in named if isinstance(one, logging.Logger))]:
        for handler in logger.handlers:
            if not any(isinstance(each, RedactSecrets) for each in handler.filters):
                handler.addFilter(RedactSecrets())
