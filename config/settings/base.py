"""Settings shared by every environment. Values that differ come from environment variables
(django-environ); see `.env.example` for the full list."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of the embedded defaults: SQLite file, file-system broker

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-never-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "register",
    "matching",
    "notifications",
    "monitoring",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "web.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A body larger than allowed is refused by its length before anything reads it (a 413).
    "register.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "register.middleware.NoStoreForPersonalDataMiddleware",
    "register.middleware.AbsoluteSessionLifetimeMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before any view reads a parameter; after the others, so its 400 carries their headers.
    "register.middleware.RefuseNulCharactersMiddleware",
    # A throttled login that no view explained (the admin's) becomes a 429 page, not a 500.
    "web.lockout.LoginThrottleMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "web.navigation.context",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# Embedded default: an SQLite file, so `make run` needs no server. WAL and IMMEDIATE transactions
# let the web process and the Celery worker write to it at once without "database is locked".
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's default cost of a random read (4) is a spinning disk's: on SSDs it prefers reading a
    # whole table to fetching a few thousand rows by index (a name search's count took 40 ms instead
    # of 8 on the bench register). Each connection asks for the SSD figure PostgreSQL's manual suggests.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c random_page_cost={env.float('DATABASE_RANDOM_PAGE_COST', default=1.1)}"
    )
    # Parameters bound by the server, not quoted into the SQL text by Python: a list request spent
    # about 2 ms of its CPU quoting, and PostgreSQL can keep the plans of queries asked again and again
    # (psycopg prepares a query from its fifth use). Off by default: one CI run with it on ended a
    # browser test's set-up in a broken transaction, not yet understood (docs/developing/performance.md).
    # Never behind a pooler in transaction mode (PgBouncer), which cannot keep prepared statements.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = env.bool("DATABASE_SERVER_SIDE_BINDING", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users, authentication, lockout -----------------------------------------------------------
AUTH_USER_MODEL = "register.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account before any check
    "register.throttling.LoginThrottleBackend",  # then the login throttle, before any password hash
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

# django-axes: lock an account (by username, whatever the address) after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The API's token view and the pages' login form say "locked" in their own words; every other
# login (the admin's) gets the translated lockout page.
AXES_LOCKOUT_CALLABLE = "web.lockout.lockout_response"
# Lock by username only: a whole provincial office often shares one address behind NAT, and one
# person's typos must not lock out colleagues. The login throttle limits attempts per address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Client addresses (register/client_ip.py): how many proxies of ours append to X-Forwarded-For in
# front of the application. 0: none, the header is ignored (a client could write any address in
# it). Behind one reverse proxy (docker/compose.yml's deployments): 1. axes and DRF ask the same.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "register.client_ip.client_ip"
# Login throttle (register/throttling.py): attempts (passwords and two-factor codes, on the API,
# the pages and the admin) allowed per client address and per username; DRF's rate notation.
LOGIN_THROTTLE_RATE_PER_ADDRESS = env(
    "LOGIN_THROTTLE_RATE_PER_ADDRESS", default=env("LOGIN_THROTTLE_RATE", default="20/minute")
)
LOGIN_THROTTLE_RATE_PER_USERNAME = env("LOGIN_THROTTLE_RATE_PER_USERNAME", default="10/minute")

# Two-factor authentication (TOTP, register/two_factor.py): everyone may turn it on; the roles named
# here cannot use the pages, the admin or get an API token without it. Production requires it of
# supervisors and national administrators (config/settings/production.py).
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = "MoSVY foster register"

# Sessions: short-lived, renewed on activity (idle timeout), ended with the browser.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Renewed activity never keeps a session past this many seconds from its login (absolute timeout).
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_AGE", default=60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Content security policy (django-csp): scripts, styles, fonts and images from this site only; no
# inline script or style (the pages carry none, a test checks every template), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Request bodies (register/request_limits.py) ----------------------------------------------
# A form or JSON body: the largest the register needs, a batch match of 5,000 children, is about
# 200 KB; a 10,000-item list still fits, to be refused with a 400 naming its field.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Fields of one form or query string: the longest form (a family with 20 household members) has
# about 150.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Only the carers' import takes a file, one at a time.
DATA_UPLOAD_MAX_NUMBER_FILES = 1
# A multipart body: the import's file (at most 5 MB, register/services/imports/reading.py) and its
# form, with room for the multipart framing. Refused above this before it is read.
REQUEST_BODY_MAX_SIZE = 6 * 1024 * 1024
# An uploaded file stays in memory up to the largest body allowed: a family's data never lands in
# a temporary file on disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_SIZE

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "register.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "register.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["register.api.filtering.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "register.api.schema.RegisterAutoSchema",
    "EXCEPTION_HANDLER": "register.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["register.api.renderers.JSONRenderer"],
    # JSON in (API.md): bodies have nested objects and lists that forms cannot carry. Only the carers'
    # import takes a file (multipart), and says so itself. Ours bounds nesting depth (a body nested a
    # thousand levels deep would otherwise end in a RecursionError, a 500).
    "DEFAULT_PARSER_CLASSES": ["register.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF's own idea of the client's address (any throttle using get_ident) trusts the same proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# Expiring, revocable, hashed API tokens (django-rest-knox).
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=12)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 20,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Foster family placement register API",
    "DESCRIPTION": "Cambodia's register of foster families, children leaving residential care, "
    "placements and follow-up visits. See API.md for the binding contract.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One schema component per shared enumeration, whatever the field is called in each resource.
    "ENUM_NAME_OVERRIDES": {
        "SexEnum": "register.choices.Sex",
        "CareTypeEnum": "register.choices.CareType",
        "NeedEnum": "register.choices.Need",
        "LanguageEnum": "register.choices.Language",
        "ReligionEnum": "register.choices.Religion",
        "EthnicityEnum": "register.choices.Ethnicity",
        "CarerStatusEnum": "register.models.Carer.Status",
        "ChildStatusEnum": "register.models.Child.Status",
        "InstitutionStatusEnum": "register.models.Institution.Status",
        "InstitutionKindEnum": "register.models.Institution.Kind",
        "ConcernStatusEnum": "register.models.SafeguardingConcern.Status",
        "CheckKindEnum": "register.models.CarerCheck.Kind",
        "CheckResultEnum": "register.models.CarerCheck.Result",
        "PlacementStatusEnum": "register.models.Placement.Status",
        "VisitStatusEnum": "register.rules.visits.VISIT_STATUS_CHOICES",
        "VisitOutcomeEnum": "register.models.Visit.Outcome",
        "LateRecordReasonEnum": "register.models.placements.VisitLateRecord.Reason",
        "HouseholdRelationshipEnum": "register.models.HouseholdMember.Relationship",
        "KinRelationshipEnum": "register.models.KinLink.Relationship",
        "BatchPlanStatusEnum": "matching.models.BatchPlan.Status",
        "OutreachOutcomeEnum": "matching.models.MatchOutreach.Outcome",
        "NotificationStatusEnum": "notifications.models.Notification.Status",
        "NotificationKindEnum": "notifications.models.Kind",
    },
}

# --- Languages and time ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("km", _("Khmer"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One decimal separator per page in both languages (config/formats/km/formats.py says why).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Phnom_Penh"
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names and gzip copies, served as immutable (config/static_storage.py).
    "staticfiles": {"BACKEND": "config.static_storage.HashedStaticFilesStorage"},
}

# --- Cache -------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The carers' import (register/services/imports): answers "already registered outside your
# provinces" one user may get in a day, counted in the cache above; past it their imports are
# refused until the next day. Honest files meet a few; a file of guessed numbers, thousands.
CARER_IMPORT_ELSEWHERE_LIMIT = env.int("CARER_IMPORT_ELSEWHERE_LIMIT", default=200)

# Monitoring's indicators are kept in the cache under a stamp of the register's newest writes
# (monitoring/selectors.py, history_version); this bounds how long one kept figure is reused. 0: never kept.
MONITORING_CACHE_SECONDS = env.int("MONITORING_CACHE_SECONDS", default=600)

# --- Celery ------------------------------------------------------------------------------------
# The database is the source of truth; the broker only carries work the database can recreate.
# visibility_timeout must exceed the hard time limit, or Redis would hand a running task to a
# second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    # Embedded default: kombu's file-system transport under var/, so nothing else must run.
    # Every folder is named: kombu's defaults are relative to the working directory (its
    # exchange tables went to ./control/ until control_folder was set).
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged only after it ran: a killed worker loses nothing
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Reminders --------------------------------------------------------------------------------
# Local hours (Asia/Phnom_Penh) in which reminders other than urgent ones go out.
REMINDER_WORKING_HOURS = env("REMINDER_WORKING_HOURS", default="07:00-18:00")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_API_URL = env("TELEGRAM_API_URL", default="https://api.telegram.org")
# Reminders one delivery task claims, sends and records (docs/developing/reminders.md); a batch must
# finish well inside the reminder policy's lease.
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=50)
# The light pass that starts delivery batches (and sends urgent reminders) every few seconds; the full
# sweep, which derives the day's reminders, stays every minute. A pass not run within its interval is
# dropped (`expires`): the next one does the same work, so passes never pile up behind busy workers.
REMINDER_DISPATCH_SECONDS = env.float("REMINDER_DISPATCH_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE = {
    "reminder-sweep": {"task": "notifications.sweep", "schedule": 60.0, "options": {"expires": 60.0}},
    "reminder-dispatch": {
        "task": "notifications.dispatch",
        "schedule": REMINDER_DISPATCH_SECONDS,
        "options": {"expires": REMINDER_DISPATCH_SECONDS},
    },
    "extend-visit-schedules": {"task": "register.extend_visit_schedules", "schedule": 6 * 3600.0},
    "requeue-stale-batch-plans": {"task": "matching.requeue_stale_batch_plans", "schedule": 300.0},
    "requeue-stale-carer-imports": {"task": "register.requeue_stale_carer_imports", "schedule": 300.0},
    "purge-expired-tokens": {"task": "register.purge_expired_tokens", "schedule": 3600.0},
    # Possible duplicates among the records registered (issue 14): nightly, when no one registers.
    "find-duplicates": {"task": "register.find_duplicates", "schedule": crontab(hour=2, minute=30)},
}

# --- Mail --------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="register@localhost")

# --- Logging: no personal data; identifiers only ----------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
