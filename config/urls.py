from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from evaluations.api import EvaluationViewSet
from evaluations.views.pages import healthz
from experts.account import LoginView, language_set

router = DefaultRouter()
router.register("evaluations", EvaluationViewSet, basename="evaluation")

urlpatterns = [
    path("", include("evaluations.urls")),
    path("", include("experts.urls")),
    path("", include("surveys.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("language/", language_set, name="language-set"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include((router.urls, "api"))),
]
