"""A clear 503 when the database is unreachable (a restart, a failover), instead of a 500."""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, OverflowError):
            # An id in the address beyond what the database can store: nothing has it.
            return not_found(request)
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable for %s: %s", request.path, exception)
        # Drop the broken connections so the next request connects afresh: the app recovers
        # by itself once the database is back.
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except Exception:  # already gone
                pass
        message = _(
            "The database is not reachable at the moment. Nothing was saved; "
            "please try again in a minute."
        )
        if request.path.startswith("/api/") or request.path == "/healthz":
            error = {"field": None, "rule": "database_unavailable", "message": message}
            response = JsonResponse({"errors": [error]}, status=503)
        else:
            html = render_to_string("503.html", {"message": message}, request=None)
            response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404 for addresses matching no route: the API's error shape under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        error = {"field": None, "rule": "not_found", "message": _("Not found.")}
        return JsonResponse({"errors": [error]}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
