"""Settings, all read from the environment.

Two ways to run:
- demo mode (PORTAL_DEMO=1, used by `make run`): SQLite file, Celery eager, DEBUG on, a fixed
  development secret key;
- production-like: DATABASE_URL (PostgreSQL), REDIS_URL (Celery broker), SECRET_KEY required,
  DEBUG off unless DEBUG=1.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEMO_MODE = env_bool("PORTAL_DEMO")
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEMO_MODE or TESTING:
        SECRET_KEY = "demo-only-insecure-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY is required outside demo mode (set PORTAL_DEMO=1 for a demo).")

DEBUG = env_bool("DEBUG", default=DEMO_MODE)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "django_htmx",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portal",
    "initiatives",
    "agendas",
    "selection",
]

MIDDLEWARE = [
    "portal.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.DutchByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.two_factor.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

# Database: PostgreSQL via DATABASE_URL; SQLite file in demo mode.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Health checks: a persistent connection that died (PostgreSQL restarted) is replaced at the
    # start of the next request instead of failing it (bench/drills.py, drill "postgres").
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    # A database that does not answer at all fails the request after 5 s instead of hanging it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
elif DEMO_MODE or TESTING:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
else:
    raise ImproperlyConfigured("DATABASE_URL is required outside demo mode.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
# django-axes first: it counts failed logins and refuses a locked-out username+IP before checking the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Dutch by default, English available.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from npm (package.json + lock file) and are served from node_modules.
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/rvo", _NODE / "@nl-rvo" / "component-library-css" / "dist"),
    ("vendor/rvo-tokens", _NODE / "@nl-rvo" / "design-tokens" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
    ("vendor/chartjs", _NODE / "chart.js" / "dist"),
    ("vendor/axe", _NODE / "axe-core"),
    ("vendor/cytoscape", _NODE / "cytoscape" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# Redis: Celery broker (and later the API throttle cache). No broker means eager (demo only).
REDIS_URL = os.environ.get("REDIS_URL", "")
if not REDIS_URL and not (DEMO_MODE or TESTING):
    raise ImproperlyConfigured("REDIS_URL is required outside demo mode.")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# "Nothing lost" (bench/drills.py): a task whose worker process dies (SIGKILL, OOM) goes back to the
# queue instead of being acked as failed; chunk tasks are idempotent, so running one twice is safe.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A message taken by a worker that vanished entirely (the whole node killed) is redelivered after
# this many seconds (Redis transport). Longer than any chunk runs; drills set it to a few seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
from portal.schedules import BEAT_SCHEDULE as CELERY_BEAT_SCHEDULE  # noqa: E402, F401

# Incremental overlap checks reuse a worker's index for this long (0 = rebuild every time, as in tests).
OVERLAP_INDEX_MAX_AGE_SECONDS = 0 if TESTING else int(os.environ.get("OVERLAP_INDEX_MAX_AGE_SECONDS", "900"))

CACHES = {
    # Fails open when Redis is down (portal/cache.py); short timeouts so an outage never hangs a page.
    "default": {"BACKEND": "portal.cache.FailOpenRedisCache", "LOCATION": REDIS_URL,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEMO_MODE
    else "django.core.mail.backends.smtp.EmailBackend",
)
# ADMINS="Name <a@b.nl>,Other <c@d.nl>": receive mail about failed Celery tasks and server errors.
ADMINS = [
    (addr.split("<")[0].strip() or addr, addr.split("<")[-1].rstrip(">").strip())
    for addr in os.environ.get("ADMINS", "").split(",")
    if addr.strip()
]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "portal@regio-innovatieportaal.nl")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@regio-innovatieportaal.nl")

REST_FRAMEWORK = {
    # Bearer first: its WWW-Authenticate header makes missing credentials a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["portal.api.renderers.OrjsonRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.ApiAutoSchema",
}
# Requests per minute per API token (a token's own rate_limit overrides it); counted in Redis.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "600"))
# Largest JSON body the API accepts (a bulk request of 1000 rows fits comfortably); larger is 413.
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(5 * 1024 * 1024)))

SPECTACULAR_SETTINGS = {
    "TITLE": "Regio-innovatieportaal API",
    "DESCRIPTION": (
        "REST API voor ROM's en het programmateam: initiatieven registreren en bijwerken, het landelijk "
        "overzicht lezen. / REST API for ROMs and the programme team: register and update initiatives, "
        "read the national overview. Authentication: `Authorization: Bearer <token>`. Guide: docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The schema and its docs page are public: a ROM developer reads them before having a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "TAGS": [
        {"name": "auth", "description": "Token / authentication"},
        {"name": "initiatives", "description": "Initiatieven registreren, bijwerken, synchroniseren / "
                                               "register, update, sync initiatives"},
        {"name": "reference", "description": "Codes en slugs voor de invoer / codes and slugs for input"},
    ],
}

# Security. Behind TLS (production) cookies are secure, HTTP redirects to HTTPS and HSTS is on;
# tests and demo mode run on plain http://127.0.0.1.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # the templates pass the token explicitly (forms, htmx hx-headers)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS = env_bool("BEHIND_TLS", default=not (DEBUG or DEMO_MODE or TESTING))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=BEHIND_TLS)
if BEHIND_TLS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day

# Content-Security-Policy (django-csp): no inline script or style anywhere. Pages load their code
# from /static/; the few server-rendered data blocks are <script type="application/json">, which
# browsers never execute. A nonce (request.csp_nonce) is available for a template that must inline.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Leaflet and Swagger UI use small data: images
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login brute-force protection (django-axes): 5 failures for one username from one IP address lock
# that pair out for 15 minutes (HTTP 429 page); a successful login resets the count.
# Unlock earlier: `manage.py axes_reset_username <name>` or `manage.py axes_reset` (see docs/operations.md).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/lockout.html"
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_VERBOSE = False
# Number of reverse proxies in front of the app that append to X-Forwarded-For (0 = none: the
# client address is REMOTE_ADDR). With 1 (one load balancer) the last X-Forwarded-For entry is used.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if BEHIND_TLS else "0"))

# Two-factor authentication (django-otp, TOTP). Optional for programme staff and admins; with
# REQUIRE_2FA_FOR_STAFF=1 they must set up a device before using staff pages.
REQUIRE_2FA_FOR_STAFF = env_bool("REQUIRE_2FA_FOR_STAFF", default=False)
OTP_TOTP_ISSUER = "Regio-innovatieportaal"

# Structured (JSON) logs with request ids outside demo mode; readable text in demo mode.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEMO_MODE or TESTING else "json")
# Largest spreadsheet upload accepted (bytes); bigger files get a form error, not a 500.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.logging.RequestIdFilter"},
        "personal_data": {"()": "portal.logging.PersonalDataFilter"},
    },
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id", "personal_data"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Webhooks (portal/webhook_services.py). The portal's public address, for the links in event
# payloads. Private, loopback and link-local receivers are refused (SSRF) unless
# WEBHOOK_ALLOW_PRIVATE=1, meant for tests and local development only.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", default=DEMO_MODE)
WEBHOOK_CONNECT_TIMEOUT = float(os.environ.get("WEBHOOK_CONNECT_TIMEOUT", "3"))
WEBHOOK_READ_TIMEOUT = float(os.environ.get("WEBHOOK_READ_TIMEOUT", "10"))
