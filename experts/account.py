"""Sign-in and the language switch, which remembers each user's language across devices."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .models import Profile

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


class LoginView(auth_views.LoginView):
    """Django's sign-in, then the user's saved language (chosen on another device, say)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        language = (
            Profile.objects.filter(user=form.get_user()).values_list("language", flat=True).first()
        )
        if language in LANGUAGE_CODES:
            _set_language_cookie(response, language)
        return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + redirect), and saved on the profile when signed in."""
    language = request.POST.get("language")
    if request.user.is_authenticated and language in LANGUAGE_CODES:
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return set_language(request)
