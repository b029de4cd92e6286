"""/favicon.ico: browsers ask for it at the site's root whatever the pages link, so it answers
there (200, cached for a day) rather than filling the logs with 404s."""

from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = settings.BASE_DIR / "static" / "favicon.ico"


@cache
def _icon() -> bytes:
    return FAVICON.read_bytes()


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_icon(), content_type="image/x-icon")
