"""Sign-in, the language switch (remembered per user across devices) and API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .models import ApiToken, Profile
from .passwords import InvalidFormAnswers400
from .selectors import lands_on_my_panels
from .tokens import MAX_EXPIRY_DAYS, api_token_create, api_token_revoke

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


class LoginView(InvalidFormAnswers400, auth_views.LoginView):
    """Django's sign-in (a refused form answers 400, as the site's other forms do), then the
    user's saved language (chosen on another device, say). Its form authenticates with the
    request, so the lockout (experts/lockout.py) guards it."""

    def form_valid(self, form):
        response = super().form_valid(form)
        language = (
            Profile.objects.filter(user=form.get_user()).values_list("language", flat=True).first()
        )
        if language in LANGUAGE_CODES:
            _set_language_cookie(response, language)
        return response

    def get_default_redirect_url(self) -> str:
        """Without ?next=: an expert who coordinates nothing lands on My panels, not on an
        empty list of evaluations; everyone else on the evaluations (LOGIN_REDIRECT_URL)."""
        if lands_on_my_panels(user=self.request.user):
            return resolve_url("expert-home")
        return super().get_default_redirect_url()


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + redirect), and saved on the profile when signed in."""
    language = request.POST.get("language")
    if request.user.is_authenticated and language in LANGUAGE_CODES:
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return set_language(request)


# --- API tokens -----------------------------------------------------------------------------


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: create one (its secret is shown on this answer only), revoke.
    A new token expires after API_TOKEN_DEFAULT_EXPIRY_DAYS unless the form says otherwise."""
    default_days = settings.API_TOKEN_DEFAULT_EXPIRY_DAYS
    empty_form = {"name": "", "read_only": True, "expires_days": default_days}
    context = {
        "secret": None,
        "errors": {},
        "form": empty_form,
        "default_days": default_days,
        "max_days": MAX_EXPIRY_DAYS,
    }
    if request.method == "POST":
        name = request.POST.get("name", "")
        read_only = request.POST.get("read_only") == "on"
        days = request.POST.get("expires_days", "").strip()
        context["form"] = {"name": name, "read_only": read_only, "expires_days": days}
        try:
            expires_days = int(days) if days else default_days
        except ValueError:
            expires_days = -1  # refused by the service with its message
        try:
            token, secret = api_token_create(
                user=request.user, name=name, read_only=read_only, expires_days=expires_days
            )
        except ValidationError as error:
            context["errors"] = error.message_dict
        else:
            context["secret"] = secret
            context["created"] = token
            context["form"] = empty_form
    context["tokens"] = ApiToken.objects.filter(user=request.user)
    status = 400 if context["errors"] else 200
    response = render(request, "experts/api_tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may carry a secret
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = api_token_revoke(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api-tokens")
