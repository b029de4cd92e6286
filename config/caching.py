"""Answers meant for one person are kept by no cache.

A shared cache (a proxy in front of the site, a company's) could hand a coordinator's page or
export to the next person asking, and a browser keeps pages on disk after sign-out. So a
response gets `Cache-Control: private, no-store` when its request carried a credential (a
signed-in session, an API token, an invitation link's token in the address) or when it
depends on the session cookie, unless its view chose its own caching. Static files (WhiteNoise
answers them before this runs) and anonymous answers such as /healthz keep theirs.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import has_vary_header

NOT_STORED = "private, no-store"
# Addresses that are themselves a credential.
TOKEN_IN_ADDRESS = ("/invitations/",)


class PrivateResponsesNotStoredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response and is_for_one_person(request, response):
            response["Cache-Control"] = NOT_STORED
        return response


def is_for_one_person(request: HttpRequest, response: HttpResponse) -> bool:
    # The user last: it may read the session, which the other checks do not need.
    user = getattr(request, "user", None)  # set by an API token's authentication too
    return (
        "HTTP_AUTHORIZATION" in request.META
        or request.path.startswith(TOKEN_IN_ADDRESS)
        or settings.SESSION_COOKIE_NAME in response.cookies
        or has_vary_header(response, "Cookie")
        or (user is not None and user.is_authenticated)
    )
