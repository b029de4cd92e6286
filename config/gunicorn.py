"""Gunicorn's logger, named by gunicorn.conf.py: its error log (and the access log, when one is
turned on) writes request addresses, so its handlers get the same redaction as every other."""

from gunicorn.glogging import Logger

from config.logging import redact_every_handler


class RedactingLogger(Logger):
    def setup(self, cfg) -> None:
        # Runs at start and again on each configuration reload, which replaces the handlers.
        super().setup(cfg)
        redact_every_handler()
