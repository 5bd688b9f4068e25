"""Settings shared by every environment.

Everything is defined here and read through one django-environ ``env``; the
environment modules (local, test, production) only change defaults.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env(
    "SECRET_KEY", default="insecure-dev-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"
)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form post gets the app-shell page (templates/403_csrf.html), not Django's bare one.
CSRF_FAILURE_VIEW = "clinic.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "simple_history",
    "axes",
    # ours
    "clinic.apps.ClinicConfig",
    "locations.apps.LocationsConfig",
    "patients.apps.PatientsConfig",
    "clearance.apps.ClearanceConfig",
    "plans.apps.PlansConfig",
    "sessions.apps.TherapySessionsConfig",
    "audit.apps.AuditConfig",
    "reports.apps.ReportsConfig",
    "staff.apps.StaffConfig",
    "demo.apps.DemoConfig",
    "assessments.apps.AssessmentsConfig",
    "outreach.apps.OutreachConfig",
    "interop.apps.InteropConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Everything past static files: no-store (health data in every answer).
    "clinic.middleware.NoStoreMiddleware",
    # Patient pages (R29) never see or refresh a staff session.
    "outreach.middleware.PatientPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # After the view: one audit event per read/write of a patient's record.
    "audit.middleware.AuditMiddleware",
    # Innermost: domain exceptions become 404/403 pages or a message.
    "clinic.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite under var/ by default so every manage.py command works with no
# environment at all; DATABASE_URL takes any URL (postgres://, sqlite:///).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file in `make run`:
    # wait for a lock instead of failing, and use WAL so readers never block.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side parameter binding with psycopg's prepared statements: PostgreSQL
    # plans a repeated statement once per connection instead of every time
    # (docs/performance.md: 15-20 % of a completion). On by default; turn it off
    # (DATABASE_PREPARED_STATEMENTS=0) behind a connection pooler that does not
    # keep prepared statements (PgBouncer in transaction mode before 1.21).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 2}
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Idle timeout: 30 minutes without a request ends the session.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: lock a username+IP out after repeated failures, with a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A friendly page for people, JSON for API clients; both 429 with Retry-After.
AXES_LOCKOUT_CALLABLE = "clinic.auth_views.lockout_response"

# --- I18N / time ----------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (R24: consultation documents). Local files under var/media
# by default, never served by URL: a view checks access and audits each read.
# With AWS_STORAGE_BUCKET_NAME set, an S3-compatible bucket (AWS, MinIO, ...)
# through django-storages, private objects (README: "Storing documents").
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# R24: largest consultation document accepted.
CONSULTATION_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

# --- Forms ----------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- REST API -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clinic.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["clinic.api.permissions.IsClinicStaff"],
    "DEFAULT_PARSER_CLASSES": [
        "clinic.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "clinic.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "clinic.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": env("TOKEN_THROTTLE_RATE", default="10/min")},
    # How many proxies in front of the app append to X-Forwarded-For. 0 (the
    # default): the throttle identifies clients by the connection's address and
    # ignores the header, which a client can forge. Behind one reverse proxy
    # that sets the header (nginx, a load balancer): 1. docs/security.md.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API tokens stop working when unused this long, or this old (a new login
# issues a fresh one). Last use is written at most every TOKEN_TOUCH_SECONDS.
TOKEN_IDLE_HOURS = env.float("TOKEN_IDLE_HOURS", default=12)
TOKEN_MAX_AGE_DAYS = env.float("TOKEN_MAX_AGE_DAYS", default=30)
TOKEN_TOUCH_SECONDS = env.int("TOKEN_TOUCH_SECONDS", default=300)
# The OpenAPI schema and its docs: staff only unless this says public.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": ["clinic.api.permissions.SchemaAccess"],
    "TITLE": "Neuropathy clinic API",
    "DESCRIPTION": "Patients, consultations, synergy treatment plans, sessions, reminders and "
    "reports. Rules R1-R15 are those of SPEC.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put an <a> inside each operation's <button> (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One stable name per choice set (several models have a `status` or `kind`),
    # so `check --deploy --fail-level WARNING` stays clean and clients get clear enums.
    "ENUM_NAME_OVERRIDES": {
        "NeuropathyCauseEnum": "patients.models.NeuropathyCause",
        "PatientStatusEnum": "patients.models.PatientStatus",
        "ConsultationStatusEnum": "patients.models.ConsultationStatus",
        "ReminderKindEnum": "patients.models.ReminderKind",
        "PlanStatusEnum": "plans.models.PlanStatus",
        "SessionKindEnum": "sessions.models.SessionKind",
        "SessionStatusEnum": "sessions.models.SessionStatus",
    },
}

# --- Celery ---------------------------------------------------------------
# With REDIS_URL, Redis is the cache and, unless CELERY_BROKER_URL names
# another, the broker. CELERY_BROKER_URL=amqp://user:password@host:5672/vhost
# makes RabbitMQ the broker (recommended in production: docs/celery.md); the
# cache stays on Redis. With neither, kombu's filesystem transport under
# var/celery is an embedded broker needing no server, so `make run` still has
# a real worker and beat. docs/celery.md explains the choices below.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://localhost//"
CELERY_DATA_DIR = Path(env("CELERY_DATA_DIR", default=str(VAR_DIR / "celery")))
# Publishing must never hang a clinical write when Redis is down or hung: one
# connection attempt bounded by a 1 s connect timeout, 1 s per command, no
# publish retry. The failure is logged (clinic.queueing) and the next daily
# scan catches up.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    # A task not acknowledged within an hour is handed to another worker;
    # longer than any task's hard time limit, so nothing runs twice at once.
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    # kombu's ensure_connection before a publish: no second attempt.
    "max_retries": 0,
    "interval_start": 0,
}
# A down or hung Redis answers within a second: short socket timeouts and no
# retry (redis-py would retry three times with backoff, ~7 s); throttles fail
# open (clinic.api.throttling), so login keeps working.
REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "retry": Retry(NoBackoff(), 0),
}
# RabbitMQ: a publish makes one connection attempt (no retry loop), bounded by
# CELERY_BROKER_CONNECTION_TIMEOUT, which py-amqp applies to the TCP connect
# and the AMQP handshake alike (a hung broker fails in about a second). An
# unacknowledged task goes back to the queue as soon as its worker's
# connection closes: there is no visibility timeout to wait out.
AMQP_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "interval_start": 0}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
elif CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = AMQP_BROKER_TRANSPORT_OPTIONS
elif CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        # Broadcast/control messages (pidbox) too, or kombu writes ./control/.
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
else:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be redis://, rediss://, amqp://, amqps:// or empty"
    )
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Progress of long runs (the patient import, R31), written by a worker and read
# by the page: a cache every process shares (Redis, or files under var/).
if REDIS_URL:
    CACHES["progress"] = {**CACHES["default"], "KEY_PREFIX": "progress"}
else:
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "progress-cache"),
    }
# No result backend: nothing reads task results (outcomes are rows in the
# database), and a Redis result store would add its own reconnect loop to
# every publish while Redis is down.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = None  # no results, so no nightly backend_cleanup task
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
# The worker itself keeps reconnecting until the broker is back.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# At-least-once: a task is acknowledged after it ran, so a worker killed
# mid-scan has it redelivered; every task is idempotent (unique constraint,
# conditional updates), so the rerun duplicates nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_WORKER_SEND_TASK_EVENTS = False
# The console e-mail backend prints from the worker: log that as INFO, not WARNING.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# R13: the daily scan, its hour (clinic time zone) and escalation to managers.
REMINDER_HOUR = env.int("REMINDER_HOUR", default=7)
REMINDER_ESCALATION_DAYS = env.int("REMINDER_ESCALATION_DAYS", default=7)
REMINDER_EXPIRING_DAYS = env.int("REMINDER_EXPIRING_DAYS", default=14)
CELERY_BEAT_SCHEDULE = {
    # R26: hourly, appointment reminders for sessions 24-48 h ahead (once per session).
    "send-appointment-reminders-hourly": {
        "task": "outreach.tasks.send_appointment_reminders",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60, "expire_seconds": 50 * 60},
    },
    # R13/R16: hourly; each location's patients are scanned when it is REMINDER_HOUR
    # in that location's time zone (patients.tasks.send_consultation_reminders
    # still scans every location at once, for its own day).
    "send-consultation-reminders-daily": {
        "task": "patients.tasks.reminder_scan_hourly",
        "schedule": crontab(minute=0),
        # A beat that was down all day must not fire a backlog of scans.
        # `expires` for Celery's own scheduler, `expire_seconds` is what
        # django-celery-beat's DatabaseScheduler stores and sends as `expires`.
        "options": {"expires": 50 * 60, "expire_seconds": 50 * 60},
    },
}

# --- E-mail ---------------------------------------------------------------
# EMAIL_URL (smtp://…) sends for real. Without it, each e-mail is written as
# a file under var/mail/: `make run` never prints a reminder into the process
# log (the console backend would), and nothing leaves the machine.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="clinic@localhost")
# An SMTP server that hangs must not hold a worker: the e-mail task retries.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The letterhead of clearance letters (R24) until a patient has a home
# location with its own name and address.
CLINIC_NAME = env("CLINIC_NAME", default="Neuropathy Synergy Clinic")
CLINIC_ADDRESS = env("CLINIC_ADDRESS", default="")
CLINIC_PHONE = env("CLINIC_PHONE", default="")
CLINIC_FAX = env("CLINIC_FAX", default="")

# --- Patients in the loop (R25-R29) ---------------------------------------
# The clinic's name on patient e-mails and pages: keep it free of any diagnosis
# (an e-mail from "the neuropathy clinic" already tells the reader one).
PATIENT_CLINIC_NAME = env("PATIENT_CLINIC_NAME", default="Your clinic")
PATIENT_PAGES_PREFIX = "p/"
# Throttle of patient pages: requests per link and per client address in a window.
PATIENT_LINK_MAX_PER_LINK = env.int("PATIENT_LINK_MAX_PER_LINK", default=30)
PATIENT_LINK_MAX_PER_ADDRESS = env.int("PATIENT_LINK_MAX_PER_ADDRESS", default=60)
PATIENT_LINK_THROTTLE_WINDOW_SECONDS = env.int("PATIENT_LINK_THROTTLE_WINDOW_SECONDS", default=600)
# R26: a patient's cancel this many hours ahead or more cancels the session.
CANCEL_NOTICE_HOURS = env.int("CANCEL_NOTICE_HOURS", default=24)

# --- Security headers -----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
