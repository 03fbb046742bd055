"""Settings for giaoban, read from the environment (DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, HTTPS, …;
the production environment is documented in deploy/giaoban.env)."""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("GIAOBAN_VAR_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    # A local install keeps a generated key under var/ so sessions survive restarts;
    # production sets SECRET_KEY.
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "giaoban.core.admin_site.GiaobanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "treebeard",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "giaoban.core",
    "giaoban.accounts",
    "giaoban.orgs",
    "giaoban.reporting",
    "giaoban.work",
    "giaoban.documents",
    "giaoban.outreach",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "giaoban.core.middleware.LanguageMiddleware",
    "giaoban.core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "giaoban.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "giaoban.urls"
WSGI_APPLICATION = "giaoban.wsgi.application"

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
                "giaoban.core.context_processors.csp_nonce",
                "giaoban.work.context_processors.notifications",
                "giaoban.reporting.context_processors.approval_queue",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "template_partials.templatetags.partials",
                "giaoban.core.templatetags.vn",
            ],
        },
    }
]

# --- Database: SQLite file under var/ by default (WAL), PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'giaoban.sqlite3'}"), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536;"  # 64 MB of pages per connection (the default, 2 MB, rereads hot rows)
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Two-factor sign-in (an authenticator app, TOTP, with recovery codes; giaoban/accounts). Users holding one of these
# roles (comma separated; a superuser counts as system_admin) must set it up before they can use the site; for
# everyone else it is optional. Empty: optional for all.
TWO_FACTOR_REQUIRED_ROLES = [
    r.strip()
    for r in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "system_admin,unit_admin,approver").split(",")
    if r.strip()
]
TWO_FACTOR_LOGIN_TIMEOUT = 600  # seconds between the password and the code
OTP_TOTP_ISSUER = "giaoban"

# Lock a username+IP out after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "giaoban.core.api.views.lockout"  # the page above, or the JSON error under /api/
AXES_RESET_ON_SUCCESS = True
# The client's address (giaoban/core/clientip.py): behind a reverse proxy, list it in TRUSTED_PROXIES
# (addresses or networks, comma separated) and the lockout keys on the address the proxy forwards in
# CLIENT_IP_HEADER (default X-Forwarded-For). With no trusted proxy the header is ignored: REMOTE_ADDR.
AXES_CLIENT_IP_CALLABLE = "giaoban.core.clientip.client_ip"
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo fails at start, not at the first login
CLIENT_IP_HEADER = "HTTP_" + os.environ.get("CLIENT_IP_HEADER", "X-Forwarded-For").strip().upper().replace("-", "_")

# Segregation of duties: who submitted a report cannot approve or return it, except in the subtrees of these
# units (codes, comma separated), for units too small to have a second person.
SELF_APPROVAL_UNITS = [c.strip() for c in os.environ.get("SELF_APPROVAL_UNITS", "").split(",") if c.strip()]

# --- Vietnamese first.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR.parent / "staticfiles"))
# Stored files (agenda documents, task evidence, imports): a folder under var/ unless MEDIA_ROOT says otherwise;
# never served directly, only through scoped views; `giaoban backup` archives it.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"  # never served directly: downloads go through scoped views

# --- Security headers. No inline script without the nonce; everything is served from here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# HTTPS is an explicit setting, never guessed: a local PostgreSQL (DATABASE_URL set) served over http must still
# let people sign in. Production behind nginx/TLS (deploy/) sets HTTPS=true and the HSTS seconds.
HTTPS = env_bool("HTTPS")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# The load balancer probes the app servers over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# The request header by which the TLS-terminating proxy says the client used https, e.g. X-Forwarded-Proto.
# Set it only behind a proxy that overwrites that header (deploy/nginx/giaoban.conf does).
if _proxy_ssl_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- API
# Tokens expire this many days after they were issued (POST /api/v1/auth/token/ then issues a new one).
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "giaoban.accounts.authentication.ExpiringTokenAuthentication",
        "giaoban.core.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "giaoban.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "giaoban.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["giaoban.core.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "giaoban.core.api.errors.exception_handler",
}
# A request body the API reads (JSON, CSV) is refused over this size with 413 too_large.
API_MAX_BODY_SIZE = int(os.environ.get("API_MAX_BODY_SIZE", 32 * 1024 * 1024))
# Under /api/ a CSRF failure answers the JSON error; pages keep Django's.
CSRF_FAILURE_VIEW = "giaoban.core.api.views.csrf_failure"
SPECTACULAR_SETTINGS = {
    "TITLE": "giaoban API",
    "DESCRIPTION": (
        "REST API of giaoban. Every error answers a 4xx (or 500) status with the JSON body "
        '`{"message": str, "code": str, "extra": object}`: `message` is for a person, in the language '
        "`Accept-Language` asks for (Vietnamese by default, English with `Accept-Language: en`); `code` is a "
        "stable machine string (`invalid`, `parse_error`, `import_rejected`, `invalid_credentials`, `otp_required`, "
        "`invalid_otp`, `two_factor_setup_required`, `two_factor_required`, `not_authenticated`, "
        "`authentication_failed`, `permission_denied`, `csrf_failed`, `not_found`, `method_not_allowed`, "
        "`not_acceptable`, `conflict`, `too_large`, `unsupported_media_type`, `throttled`, `locked_out`, "
        "`server_error`); "
        "`extra` holds details (`fields` names the bad fields, `errors` the bad rows). Objects outside your "
        "units are 404."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind` or `status`: one named enum each (the first two keep their earlier names).
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "giaoban.orgs.models.OrgUnit.Kind",
        "UserRoleEnum": "giaoban.core.access.Role",
        "CommitteeRoleEnum": "giaoban.orgs.models.CommitteeRole",
        "DraftStatusEnum": "giaoban.work.models.Conclusion.Status",
        "MeetingKindEnum": "giaoban.work.models.Meeting.Kind",
        "MeetingStatusEnum": "giaoban.work.models.Meeting.Status",
        "AttendanceStatusEnum": "giaoban.work.models.Attendance.Status",
        "TaskStatusEnum": "giaoban.work.status.Status",
        "TaskSourceEnum": "giaoban.work.models.Task.Source",
        "TaskEventKindEnum": "giaoban.work.models.TaskEvent.Kind",
        "UrgeKindEnum": "giaoban.work.models.TaskEvent.UrgeKind",
        # `check --deploy` must be clean (drf_spectacular.W001 on the two "status" choice sets).
        "SubmissionStatusEnum": "giaoban.reporting.models.Submission.Status",
        "TaskStateEnum": "giaoban.work.models.Task.State",
        "ImportJobStateEnum": "giaoban.reporting.models.ImportJob.State",
        "DocumentTypeEnum": "giaoban.documents.models.DocumentType",
        "DocumentDirectionEnum": "giaoban.documents.models.Document.Direction",
        "RelationKindEnum": "giaoban.documents.models.Relation.Kind",
        "CascadeStatusEnum": "giaoban.documents.models.Cascade.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "giaoban.core.api.schema.add_error_responses",
    ],
}

# --- Defaults offered to a unit's report before it is saved: functions (unit, form, period) -> {code: Default}.
# The outreach app offers the figures its channels, contests and trainings recorded.
REPORT_DEFAULTS_PROVIDERS = ["giaoban.outreach.selectors.report_defaults"]

# The home page's panels by role: each app's function (request) -> list[giaoban.core.home.Panel].
HOME_PANELS = ["giaoban.reporting.home.panels", "giaoban.work.home.panels"]

# --- Background jobs (django-tasks): the database backend by default, run by `giaoban db_worker`; with several
# app servers it can be Redis (TASKS_BACKEND=rq, REDIS_URL; worker: `giaoban rqworker --job-class
# django_tasks_rq.Job default`).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
if TASKS_BACKEND == "rq":
    TASKS_BACKEND = "django_tasks_rq.RQBackend"
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
# /healthz fails when the oldest task waiting for a worker has waited longer than this (seconds).
HEALTHZ_WORKER_MAX_AGE = int(os.environ.get("HEALTHZ_WORKER_MAX_AGE", "300"))
# ... and when the disk holding the database (SQLite) and the stored files has less free space than this (MB).
HEALTHZ_DISK_MIN_FREE_MB = int(os.environ.get("HEALTHZ_DISK_MIN_FREE_MB", "500"))

# --- Cache: nothing is kept in process memory (several app servers sit behind one load balancer), so the
# cache is either shared (CACHE_URL=redis://…) or none at all. Sessions are in the database.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
if CACHE_URL := os.environ.get("CACHE_URL", ""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Imports of figures: at most this many rows (CSV, JSON or .xlsx); from GIAOBAN_IMPORT_ASYNC_ROWS rows on they
# run as a background job (202 + GET /api/v1/imports/{id}/), so no request meets the app server's timeout.
GIAOBAN_IMPORT_MAX_ROWS = int(os.environ.get("GIAOBAN_IMPORT_MAX_ROWS", "200000"))
GIAOBAN_IMPORT_ASYNC_ROWS = int(os.environ.get("GIAOBAN_IMPORT_ASYNC_ROWS", "20000"))
# A file of the document register (PDF, Word, Excel, …) is refused over this size (bytes) with 413 too_large.
DOCUMENTS_MAX_FILE_SIZE = int(os.environ.get("DOCUMENTS_MAX_FILE_SIZE", 20 * 1024 * 1024))
# Where the consolidated report (.docx/.pdf) puts its figures table: "section" (in section I) or "appendix" (a page
# "Phụ lục" after the signature, which section I refers to).
CONSOLIDATED_FIGURES_PLACEMENT = os.environ.get("CONSOLIDATED_FIGURES_PLACEMENT", "section")

# --- E-mail through Django's SMTP backend, configured from the environment.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "giaoban <no-reply@localhost>")
# The site's address in links sent by e-mail.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
