from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.favicon import favicon
from evaluations.views.pages import healthz
from experts.account import LoginView, api_token_revoke_view, api_tokens, language_set
from experts.passwords import PasswordChangeView, PasswordResetConfirmView, PasswordResetView

READ = ["get", "head"]  # the schema and the docs are documents

urlpatterns = [
    path("", include("evaluations.urls")),
    path("", include("experts.urls")),
    path("", include("surveys.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("language/", language_set, name="language-set"),
    path("accounts/tokens/", api_tokens, name="api-tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", api_token_revoke_view, name="api-token-revoke"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    # reset/<uidb64>/<token>/: the shape config/logging.py redacts from every log line.
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/schema/", SpectacularAPIView.as_view(http_method_names=READ), name="api-schema"),
    path(
        "api/docs/",
        # Swagger UI injects `<style>` elements; scripts stay restricted to the site's files.
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", http_method_names=READ)
        ),
        name="api-docs",
    ),
    path("api/", include("config.api_urls")),
]
handler404 = "config.middleware.not_found"
