"""ahpanel settings: one module, driven by environment variables with safe defaults.

Production differs from a developer's machine only by environment (see .env.example):
no code path here is taken only in production.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Sessions, CSRF tokens and password-reset links are signed with SECRET_KEY. Only a developer's
# machine (DEBUG on) may do without one; anything else refuses to start rather than sign with
# a key anyone can read here.
NO_SECRET_KEY = (
    "SECRET_KEY is not set. Set it to a long random string, e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` (or DEBUG=1 on a "
    "developer's machine)."
)
SECRET_KEY = os.environ.get("SECRET_KEY") or ("insecure-key-for-DEBUG-only" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(NO_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# --- HTTPS and security headers ----------------------------------------------------------
# Behind a TLS-terminating proxy (the usual deployment) set HTTPS=1: plain HTTP is redirected,
# cookies are sent over HTTPS only, browsers are told to use HTTPS for a year (HSTS), and the
# proxy's X-Forwarded-Proto says whether the request came in over HTTPS (the proxy must set it
# and strip what clients send). /healthz stays reachable over plain HTTP for health checks.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sent on every response by django-csp's middleware. Scripts and styles only from the site
# itself: no inline scripts (the pages' behaviour lives in static/js), no eval, no framing,
# forms posting only to the site. Inline `style` attributes are allowed (the bar widths and tree
# indentation of the pages); `<style>` elements are not, but on the API docs (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "evaluations",
    "experts",
    "surveys",
    "axes",  # the sign-in lockout (experts/lockout.py)
]

MIDDLEWARE = [
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session middleware, so it sees the session cookie and `Vary: Cookie`.
    "config.caching.PrivateResponsesNotStoredMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes documents: turns a sign-in it refused into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/ahpanel; default: a SQLite file.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Reuse connections for a minute in web processes; harmless for SQLite.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast while the database restarts instead of hanging requests (and workers).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 for new and changed passwords; older hashes still verify and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# --- Sign-in lockout (experts/lockout.py), the same for every way in ------------------------
# The sign-in page, the API's token login and the admin's sign-in all go through
# authenticate(), which asks axes' backend first. LOGIN_FAILURE_LIMIT failures of one user name
# from one address lock that pair: keyed by address too, so an attacker elsewhere cannot lock
# an expert out. LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever the user
# names, lock the address: one password sprayed over many accounts stops there. Larger than
# the pair's so that colleagues behind one office address rarely meet it. Each lock lasts
# until LOGIN_COOL_OFF_MINUTES have passed since the last failure (a refused attempt counts,
# so a script that keeps trying stays out); never permanent.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
LOGIN_COOL_OFF_MINUTES = int(os.environ.get("LOGIN_COOL_OFF_MINUTES", "15"))
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none; the client's
# address is then REMOTE_ADDR). Behind one nginx, 1. Every throttle reads the client's address
# through experts/addresses.py, and DRF's through NUM_PROXIES below.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out client before the next backend checks any password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "experts.lockout.LockoutHandler"  # adds the per-address limit
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # the handler reads this order
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOL_OFF_MINUTES)
# A success clears nothing: failures age out with the cool-off. Axes' reset on success deletes
# every count the request matches, the address's too, so signing in to one account an attacker
# owns would wipe the count of the accounts it sprayed (the admin's lockout had that hole).
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "experts.addresses.client_ip"
AXES_LOCKOUT_CALLABLE = "experts.lockout.lockout_response"  # the site's page, not bare text
AXES_HTTP_RESPONSE_CODE = 429
# Passwords are always masked. A sign-in's `next` may be an invitation link (a secret): masked
# where axes stores a failure's form. User names and addresses stay, to see who is guessing.
AXES_SENSITIVE_PARAMETERS = ["next"]
# No table of every successful sign-in: the lockout needs the failures only.
AXES_DISABLE_ACCESS_LOG = True
# Log lines name the user name, address and path only; no banner at every command's start.
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.AppDirectoriesWithoutRedocFinder",  # see there
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files from the app directories in development without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG

# E-mail: printed to the console unless a backend is configured (SMTP through env vars).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ahpanel <noreply@localhost>")

# Invitations: how long a link stays valid, and the address links in e-mails start with when
# there is no request to take it from (management commands).
INVITATION_EXPIRY_DAYS = int(os.environ.get("INVITATION_EXPIRY_DAYS", "30"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Result snapshots kept per evaluation (the newest ones); older versions are deleted when a
# new one is written. A large panel's snapshot is several MB and a busy panel writes one a
# second or so, so keeping all of them would fill the database with derived data.
RESULT_SNAPSHOTS_KEPT = max(1, int(os.environ.get("RESULT_SNAPSHOTS_KEPT", "50")))

# The robustness analysis of every snapshot (simulations, expert agreement, leave-one-out),
# a task on the "analysis" queue after each snapshot. Off: no analysis is queued (the flip
# points in the snapshot itself stay). Without a broker it runs in-process right after the
# recompute, as every task does there: about half a second per submission on the demo.
ROBUSTNESS_ANALYSIS = env_bool("ROBUSTNESS_ANALYSIS", True)

# A PDF or Word report estimated to take longer than this many milliseconds
# (evaluations/exports/formats.py: export_cost, the PDF's time fitted from its subjects,
# membership cells, judgment-matrix entries and comments; Word counts a quarter of it) is
# rendered by a task on the "analysis" queue and the page or API polls for it; a quicker one
# comes back within the request. The demo's PDF is estimated at 2,246 ms and measured at about
# 2 s (BENCHMARKS.md, "Reports"), so the demo's reports come back directly, while the SME
# template's PDF with 5 subjects (about 3.3 s) goes to the task.
EXPORT_SYNC_LIMIT = int(os.environ.get("EXPORT_SYNC_LIMIT", "2500"))

# A token made on the API tokens page expires after this many days unless its owner picks
# another number (at most 3650): a forgotten token stops working by itself.
API_TOKEN_DEFAULT_EXPIRY_DAYS = int(os.environ.get("API_TOKEN_DEFAULT_EXPIRY_DAYS", "90"))

REST_FRAMEWORK = {
    # Hashed API tokens for clients (experts/authentication.py), the session for the browser.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "experts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "experts.authentication.TokenScope",
    ],
    "EXCEPTION_HANDLER": "evaluations.api.errors.exception_handler",
    # JSON only, with its nesting depth bounded (a deep body would exhaust the recursion).
    "DEFAULT_PARSER_CLASSES": ["evaluations.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Sign-in attempts per address on the API's token login, beside the lockout; the address
    # is read behind TRUSTED_PROXY_COUNT proxies, not from whatever X-Forwarded-For claims.
    # Counted in the default cache, so per process unless CACHES names a shared one.
    "DEFAULT_THROTTLE_RATES": {"login": "30/minute"},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "evaluations.api.pagination.StrictPageNumberPagination",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ahpanel API",
    "DESCRIPTION": "Hierarchies, panel status and AHP / fuzzy evaluation results.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the vendored sidecar package: no assets from the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would fetch a validator badge from the internet for non-local hosts.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Request bodies get their own components, so required text fields say minLength 1.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "evaluations.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EvaluationStatusEnum": "evaluations.models.Evaluation.Status",
        "BallotStatusEnum": "surveys.models.BallotStatus",
    },
}

# --- Celery -------------------------------------------------------------------------------
# With no broker configured, tasks run in-process (eagerly) so a laptop needs no Redis.
# Tasks are always queued after the transaction commits (see evaluations/tasks.py).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# In eager mode, let task errors surface in the request that queued them (and in tests).
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE

# Invitation links, reset links and tokens are redacted by every handler (config/logging.py),
# whichever logger a record comes from. Django's own handlers (an unfiltered console, e-mail
# to ADMINS with the whole request) are replaced: its records go through these.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logging.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        # The development server's request lines, in its own format.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # django-axes says at INFO that it runs on every failed sign-in; its warnings (a new or
        # repeated failure, a lockout) are the ones worth keeping.
        "axes": {"level": "WARNING"},
        # WeasyPrint (the PDF report) logs every step and page at INFO and, at WARNING, each
        # CSS rule of ahpanel.css it does not support (screen-only media queries): noise on
        # every PDF. Its errors (a resource refused or missing) are kept.
        "weasyprint": {"level": "ERROR"},
    },
}
