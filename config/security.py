"""Content-Security-Policy for every response.

Django 5.2 (the release line that runs on the project's Python 3.11) has no built-in CSP;
Django 6.0's `ContentSecurityPolicyMiddleware` needs Python 3.12. This middleware sets the same
kind of header from settings.CONTENT_SECURITY_POLICY. The policy allows scripts and styles
only from the site itself: no inline scripts (the pages' behaviour lives in static/js), no
eval, no framing, forms posting only to the site. Inline `style` attributes are allowed (the
bar widths and tree indentation of the pages); `<style>` elements are not.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def policy_header(directives: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy_header(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and HEADER not in response:
            response[HEADER] = self.header
        return response


def relaxed_styles(view):
    """The same policy, but allowing `<style>` elements: Swagger UI (the API docs) injects
    them. Scripts stay restricted to the site's own files."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        directives = {**settings.CONTENT_SECURITY_POLICY}
        directives["style-src"] = [*directives["style-src"], "'unsafe-inline'"]
        response[HEADER] = policy_header(directives)
        return response

    return wrapped
