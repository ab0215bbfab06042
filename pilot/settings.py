"""Settings for the pilot task portal, read from the environment (see .env.example).

With nothing set, the portal runs on the embedded default: SQLite under ``var/``, Celery
tasks run eagerly in-process, e-mail is written to files under ``var/mail``. Production sets
``DEBUG=0``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``, ``REDIS_URL`` and the SMTP
variables.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from pilot.env import env_bool, env_date, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PILOT_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "departments",
    "tasks",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pilot.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A query cut by statement_timeout in a view answers 503 (pilot/statement_timeout.py).
    "pilot.middleware.QueryTimeoutMiddleware",
    # Last, so that a locked-out login answers with the portal's own lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pilot.urls"
FORM_RENDERER = "pilot.renderers.PortalFormRenderer"
WSGI_APPLICATION = "pilot.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "departments.context_processors.role",
                "departments.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file under var/.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'pilot.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Several processes (runserver, an eager Celery task) share the file.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tasks.api.tokens.RevokeTokensOnPasswordChange"},
]
# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "departments.backends.LoginThrottleBackend",
    # Django's ModelBackend, loading the signed-in user with its profile in one query.
    "departments.backends.PortalModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence files are private: they live outside any served directory and are streamed
# through a permission-checked view (tasks.views), never under a public URL.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
# Evidence limit checked by the form; the request limit above covers non-file fields only.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_MAX_FILES_PER_UPDATE = env_int("EVIDENCE_MAX_FILES_PER_UPDATE", 20)
EVIDENCE_MAX_TOTAL_BYTES_PER_UPDATE = env_int(
    "EVIDENCE_MAX_TOTAL_BYTES_PER_UPDATE", 100 * 1024 * 1024
)
# Removed evidence files stay on disk this long before purge_evidence_files deletes them.
EVIDENCE_PURGE_GRACE_HOURS = env_int("EVIDENCE_PURGE_GRACE_HOURS", 24)
# A reporting period opens for filing this many days before it starts.
PILOT_FILING_OPENS_DAYS_BEFORE = env_int("PILOT_FILING_OPENS_DAYS_BEFORE", 5)

# The portal's clock (pilot/clock.py): pin "today" so the demo shows a programme in flight.
PILOT_AS_OF_DATE = env_date("PILOT_AS_OF_DATE")

# The cache: dashboards keep rendered pages there, keyed by data versions held in the
# database (tasks/data_version.py), so a process-local cache is never stale, only colder.
# CACHE_REDIS_URL (a Redis database of its own: clearing the cache flushes the database)
# shares one cache between the gunicorn workers; without it each process keeps its own.
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL")
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "pilot",
            "TIMEOUT": env_int("CACHE_TIMEOUT", 7 * 24 * 3600),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": env_int("CACHE_TIMEOUT", 7 * 24 * 3600),
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 1000)},
        }
    }

# Celery: without a broker, tasks run eagerly in-process (the embedded default).
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
# PostgreSQL cuts a statement running longer than this (milliseconds; 0: never). The web
# limit must stay well below gunicorn's timeout (pilot/gunicorn.conf.py), the jobs' below
# their soft time limit. Management commands run without a limit.
PILOT_STATEMENT_TIMEOUT_MS = env_int("PILOT_STATEMENT_TIMEOUT_MS", 5000)
PILOT_JOB_STATEMENT_TIMEOUT_MS = env_int("PILOT_JOB_STATEMENT_TIMEOUT_MS", 300_000)
if PILOT_STATEMENT_TIMEOUT_MS < 0 or PILOT_JOB_STATEMENT_TIMEOUT_MS < 0:
    raise ImproperlyConfigured("Statement timeouts are milliseconds, 0 or more.")
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE") or "pilot"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# A run no worker picked up, or an e-mail left "sending", ends after these many minutes.
PILOT_RUN_QUEUE_TIMEOUT_MINUTES = env_int("PILOT_RUN_QUEUE_TIMEOUT_MINUTES", 10)
PILOT_EMAIL_SENDING_TIMEOUT_MINUTES = env_int("PILOT_EMAIL_SENDING_TIMEOUT_MINUTES", 10)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# E-mail: SMTP when EMAIL_HOST is set, otherwise files under var/mail.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "pilot-portal@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL") or "http://127.0.0.1:8000"

# Reverse proxies in front of the portal that append X-Forwarded-For (0: none, use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous client gets 401 with ``WWW-Authenticate``.
        "tasks.api.tokens.ReadOnlyKnoxAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "tasks.api.throttling.AnonThrottle",
        "tasks.api.throttling.UserThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# Requests per client; "anon" counts by address, "user" by account. Counted in the
# default cache, that is per server process.
API_THROTTLE_RATES = {
    "anon": env_str("API_THROTTLE_ANON") or "60/min",
    "user": env_str("API_THROTTLE_USER") or "600/min",
}

# API tokens (django-rest-knox): only a hash is stored; each expires.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": False,
}

# Login throttling (django-axes): a username from one address is locked after
# AXES_FAILURE_LIMIT wrong passwords, for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock ends AXES_COOLOFF_MINUTES after the last counted failure; attempts during the
# lock are refused without extending it (so the page can say when to try again).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "departments.backends.lockout_response"
# The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the
# X-Forwarded-For entry they vouch for (a client can forge the header, never its last hops).
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False

# Sessions end after SESSION_IDLE_MINUTES without a request (pilot.middleware refreshes
# the expiry at most once a minute, so reading pages does not write on every request).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): our own origin only; an inline script needs the
# request's nonce. ECharts and Swagger UI set inline styles, hence 'unsafe-inline' for
# styles only (no script can run from a style).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pilot task portal API",
    "DESCRIPTION": "试点任务管理平台 REST API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation pages are for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "tasks.api.tokens.ReadOnlyKnoxAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind" with different choices: name each enum (tasks.api).
    "ENUM_NAME_OVERRIDES": {
        "DepartmentKindEnum": "departments.models.DepartmentKind",
        "ReportKindEnum": "reports.models.ReportKind",
        "FileKindEnum": "reports.models.FileKind",
    },
}

# Production hardening; `manage.py check --deploy` reports nothing with DEBUG off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    # django-axes logs every login at INFO; its lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
