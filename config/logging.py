"""Keep secrets out of the logs: invitation links and API tokens are bearer credentials.

Django logs every 4xx answer with its path ("Not Found: /invitations/<token>/"), and the
development server logs each request line; this filter, attached to those loggers, rewrites
the record before any handler sees it.
"""

import logging
import re

PATTERNS = (
    (re.compile(r"(/invitations/)[^/\s?\"']+"), r"\1[redacted]"),
    (re.compile(r"\bahp_[A-Za-z0-9_-]{8,}"), "ahp_[redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
