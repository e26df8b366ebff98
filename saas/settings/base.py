"""Settings shared by every environment.

Every value that differs between machines comes from the environment, parsed with
django-environ. The environment modules (local, test, production) only choose
defaults and switch on what their environment needs.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# ---------------------------------------------------------------------------
# Tenancy: the public schema is the city hub; each park is a schema of its own.
# ---------------------------------------------------------------------------

SHARED_APPS = [
    # Before django_tenants so that its commands that bypass provisioning (create_tenant,
    # delete_tenant, rename_schema…) resolve to ParkHub's refusals (management/refused.py).
    "public_schema.tenants",
    "django_tenants",
    "every_schema.accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "axes",
    "public_schema.hub",
    "public_schema.stripe_events",
    "public_schema.city_programmes",
    "public_schema.workcalendar",
    "public_schema.installation",
    "public_schema.network",
    "public_schema.voucher_schemes",
    "public_schema.handling_units",
    # Network demands' copies: the hub's desks hold them too (also in TENANT_APPS).
    "every_schema.network_demands",
]

# Accounts, sessions, tokens and login-lockout records exist in every tenant schema as
# well, so an account of park A simply does not exist in park B.
TENANT_APPS = [
    "every_schema.accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "axes",
    "tenant_schema.enterprises",
    "tenant_schema.funding",
    "tenant_schema.applications",
    "tenant_schema.programme_forms",
    "tenant_schema.notifications",
    "tenant_schema.billing",
    "tenant_schema.demands",
    "tenant_schema.eligibility",
    "tenant_schema.network_orders",
    "tenant_schema.awards",
    "tenant_schema.expert_review",
    "every_schema.network_demands",
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]
# The kernel: no models, only its management commands (celery_alive).
INSTALLED_APPS += ["saas"]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "saas.urls_public"
ROOT_URLCONF = "saas.urls_tenants"
# A service institution's site (chosen per request by public_schema.tenants.middleware).
PARKHUB_INSTITUTION_URLCONF = "saas.urls_institutions"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

# Hosts: hub.<base> is the hub, <slug>.<base> a tenant. *.localhost resolves to the
# loopback address in browsers, so local work needs no DNS set-up.
PARKHUB_BASE_DOMAIN = env.str("PARKHUB_BASE_DOMAIN", default="localhost")
PARKHUB_HUB_SUBDOMAIN = "hub"
# Schema that every spare and cloned tenant descends from; kept current by migrate.
PARKHUB_TEMPLATE_SCHEMA = "tenant_template"
# How many pre-migrated spare schemas to keep ready for instant provisioning.
PARKHUB_SPARE_POOL_SIZE = env.int("PARKHUB_SPARE_POOL_SIZE", default=3)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[f".{PARKHUB_BASE_DOMAIN}", PARKHUB_BASE_DOMAIN])

# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------

SECRET_KEY = env.str("SECRET_KEY")
# Rotating the key: put the old one here (comma-separated) for as long as sessions and
# password-reset links signed with it should keep working (docs/operations.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=False)

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# Django's PostgreSQL backend under django-tenants' one, without the unused pattern-ops
# ("_like") indexes in tenant schemas (saas/postgresql/base.py says why).
ORIGINAL_BACKEND = "saas.postgresql"
PARKHUB_TENANT_PATTERN_INDEXES = env.bool("PARKHUB_TENANT_PATTERN_INDEXES", default=False)
# django-tenants otherwise sends `SET search_path` before every cursor, doubling the round
# trips of each page. With this it is sent once per connection and tenant; its backend forgets
# it on ROLLBACK and ROLLBACK TO SAVEPOINT (which revert a SET), and every request sets the
# tenant again, so a reused connection never keeps another tenant's path.
TENANT_LIMIT_SET_CALLS = True
# Every migrate_schemas migrates only the schemas that lack a migration (one query finds
# them), in a pool of processes (public_schema/tenants/migration_plan.py).
GET_EXECUTOR_FUNCTION = "public_schema.tenants.migration_plan.executor_for"
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("PARKHUB_MIGRATE_PROCESSES", default=2)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# What stands between the app and PostgreSQL: nothing ("direct") or PgBouncer in session mode.
# Transaction pooling is refused: django-tenants sends `SET search_path` as a statement of
# its own (once per connection with TENANT_LIMIT_SET_CALLS, before every cursor without),
# and in autocommit PgBouncer may run the next statement on another server connection, one
# whose search_path is another tenant's. See docs/operations.md, "Connections".
DATABASE_POOLER = env.str("PARKHUB_DATABASE_POOLER", default="direct")
if DATABASE_POOLER == "pgbouncer-transaction":
    raise ImproperlyConfigured(
        "PARKHUB_DATABASE_POOLER=pgbouncer-transaction is refused: under transaction pooling the "
        "search_path django-tenants sets can reach another request's server connection (another "
        "tenant's rows). Run PgBouncer with pool_mode = session and set PARKHUB_DATABASE_POOLER=pgbouncer-session."
    )
if DATABASE_POOLER not in ("direct", "pgbouncer-session"):
    raise ImproperlyConfigured(
        f"PARKHUB_DATABASE_POOLER={DATABASE_POOLER!r} is not known: use 'direct' or 'pgbouncer-session'."
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    # First: /healthz, /readyz and /metrics answer on any host, and every request gets its id.
    "saas.telemetry.TelemetryMiddleware",
    "public_schema.tenants.middleware.HostTenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "public_schema.tenants.middleware.SuspendedTenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "every_schema.accounts.middleware.DefaultLanguageMiddleware",
    "saas.api.middleware.ApiMiddleware",  # API: Accept-Language, deprecation headers of /api/ without v1
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # over a limit: RATELIMIT_VIEW's 429 page
]

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
                "public_schema.tenants.context_processors.current_site",
                "tenant_schema.notifications.context_processors.unread_count",
                "every_schema.accounts.context_processors.roles",
                "public_schema.workcalendar.context_processors.calendar_expiry",
                "public_schema.installation.context_processors.installation",
                "public_schema.hub.context_processors.hub_operator",
            ],
        },
    },
]

WSGI_APPLICATION = "saas.wsgi.application"

# ---------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "every_schema.accounts.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# The one-time link that lets a new administrator choose a password stays valid for 3 days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Login lockout (django-axes): five failures for one account from one address lock it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Our login form and token API pass the email as `username` to authenticate().
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Client address behind the proxy (issue 14) --------------------------------------------
# Lockout and rate limits read the client's address in one place (saas.client_address): from
# X-Forwarded-For as our own proxies wrote it, never what a client wrote there. Either the
# proxies' addresses or networks (PARKHUB_TRUSTED_PROXIES, comma-separated; they win when
# set) or how many proxies stand in front of the app (PARKHUB_TRUSTED_PROXY_COUNT; none
# outside production). django-ipware is not used: the AXES_IPWARE_* settings do nothing.
PARKHUB_TRUSTED_PROXY_COUNT = env.int("PARKHUB_TRUSTED_PROXY_COUNT", default=0)
PARKHUB_TRUSTED_PROXIES = env.list("PARKHUB_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "saas.client_address.client_ip"
# --- end of client address -----------------------------------------------------------------

# What anyone may send without an account, per client address (saas.ratelimits): a park's
# training session may register a room of enterprises from one office network in an hour.
PARKHUB_RATES = {
    "register": env.str("PARKHUB_RATE_REGISTER", default="30/h"),
    "objection": env.str("PARKHUB_RATE_OBJECTION", default="10/h"),
}
RATELIMIT_VIEW = "saas.views.too_many_requests"
# A cache outage lets requests through (saas.ratelimits catches every cache error, logged).
RATELIMIT_FAIL_OPEN = True

# Sessions are host-only cookies and live in each schema's own session table, read through
# the cache (every_schema.accounts.sessions: Django's cached_db, kept working while Redis is down).
SESSION_ENGINE = "every_schema.accounts.sessions"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# ---------------------------------------------------------------------------
# Language, time, money
# ---------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Amounts grouped in threes in Chinese too (Django's zh_Hans has no thousands separator).
FORMAT_MODULE_PATH = ["saas.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
PARKHUB_CURRENCY = "CNY"
# Each installation's own names and contact, on every page and mail; the hub operator can change
# them on /installation/ (installation app), where a blank field means the value set here.
PARKHUB_HUB_NAME = env.str("PARKHUB_HUB_NAME", default="企业公共服务平台")
PARKHUB_PLATFORM_NAME = env.str("PARKHUB_PLATFORM_NAME", default="ParkHub")
PARKHUB_CONTACT_EMAIL = env.str("PARKHUB_CONTACT_EMAIL", default="")
PARKHUB_CONTACT_PHONE = env.str("PARKHUB_CONTACT_PHONE", default="")
# True only in saas.settings.production: commands that must never run there (seed_demo) ask it.
PARKHUB_PRODUCTION = False

# ---------------------------------------------------------------------------
# Static and media files: everything is served by the app (no CDN).
# ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Files browsers ask for at the site's root (/favicon.ico on every first visit), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Apache ECharts, installed from the npm registry by `make install` (package.json), served as vendor/echarts/.
# scripts/build_static.sh (and so the image) installs the packages into a directory of its own and
# names it here. A package directory that is absent is left out rather than failing with
# staticfiles.W004 in the image, which serves the collected set and keeps no node_modules:
# saas.static_checks reports each missing vendored asset by name (parkhub.E001) instead.
PARKHUB_NODE_MODULES = Path(env.str("PARKHUB_NODE_MODULES", default=str(BASE_DIR / "node_modules")))
PARKHUB_VENDORED_STATIC = {"vendor/echarts": PARKHUB_NODE_MODULES / "echarts" / "dist"}
STATICFILES_DIRS += [(prefix, path) for prefix, path in PARKHUB_VENDORED_STATIC.items() if path.is_dir()]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
# Each tenant's uploads live under MEDIA_ROOT/<schema>/.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "public_schema.tenants.storage.TenantMediaStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Where uploads are kept (public_schema.tenants.storage): "local" (MEDIA_ROOT/<schema>/, the
# default for `make dev`) or "s3" (<PARKHUB_S3_PREFIX>/<schema>/ in a private bucket of any
# S3-compatible server). Either way a download is checked for the tenant and the user first
# and then handed to something other than a gunicorn worker (saas.attachments.stored_file_response):
# a signed URL valid PARKHUB_MEDIA_URL_EXPIRE seconds on S3; on local disk the web server's
# X-Accel-Redirect to PARKHUB_MEDIA_ACCEL_REDIRECT + <schema>/<name> when that is set (nginx's
# internal location, deploy/nginx/parkhub.conf), else Django streams it (development only).
PARKHUB_MEDIA_BACKEND = env.str("PARKHUB_MEDIA_BACKEND", default="local")
if PARKHUB_MEDIA_BACKEND not in ("local", "s3"):
    raise ImproperlyConfigured(f"PARKHUB_MEDIA_BACKEND must be local or s3, not {PARKHUB_MEDIA_BACKEND!r}")
PARKHUB_MEDIA_URL_EXPIRE = env.int("PARKHUB_MEDIA_URL_EXPIRE", default=60)
# Deleting a tenant (public_schema.tenants.deletion): suspended at once, dropped by the nightly
# sweep after this many days (an operator may ask for more, never fewer than the minimum).
PARKHUB_TENANT_DELETION_GRACE_DAYS = env.int("PARKHUB_TENANT_DELETION_GRACE_DAYS", default=30)
PARKHUB_TENANT_DELETION_MIN_GRACE_DAYS = env.int("PARKHUB_TENANT_DELETION_MIN_GRACE_DAYS", default=7)
PARKHUB_MEDIA_ACCEL_REDIRECT = env.str("PARKHUB_MEDIA_ACCEL_REDIRECT", default="")
if PARKHUB_MEDIA_BACKEND == "s3":
    STORAGES["default"] = {
        "BACKEND": "public_schema.tenants.storage.TenantS3Storage",
        "OPTIONS": {
            "bucket_name": env.str("PARKHUB_S3_BUCKET"),
            "endpoint_url": env.str("PARKHUB_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("PARKHUB_S3_REGION", default="") or None,
            "access_key": env.str("PARKHUB_S3_ACCESS_KEY_ID"),
            "secret_key": env.str("PARKHUB_S3_SECRET_ACCESS_KEY"),
            "location": env.str("PARKHUB_S3_PREFIX", default="tenants"),
            "addressing_style": env.str("PARKHUB_S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
            "querystring_auth": True,
            "querystring_expire": PARKHUB_MEDIA_URL_EXPIRE,
            "file_overwrite": False,
            "default_acl": None,
        },
    }
# Uploads under this prefix may be fetched by any signed-in user of the same tenant through
# /media/; everything else (import sheets, attachments) is served only by access-checked views.
PARKHUB_SHARED_MEDIA_PREFIX = "shared/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# ---------------------------------------------------------------------------
# Cache (Redis), with every key prefixed by the current schema.
# ---------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "saas.cache.RedisCache",  # Django's, reusing its Redis client
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": "parkhub",
        # A Redis that accepts connections but never answers (frozen, or cut off on the way)
        # would otherwise hold every page until the proxy gives up: each cache call waits a
        # second at most, then the page goes on without the cache (tests/faults/).
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    # Values that are the same in every schema (the installation's names and contact): no schema in
    # the key, so one write clears the copy every site reads.
    "shared": {
        "BACKEND": "saas.cache.RedisCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "parkhub-shared",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    # Per-process memory for fragments that depend only on the code and the translations (the
    # navigation's links): no round trip, and a deploy, which restarts the processes, clears it.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "parkhub-local",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": "parkhub",
    },
}

# ---------------------------------------------------------------------------
# Celery (Redis broker); tasks carry the schema they were sent from.
# ---------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="parkhub")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
# Tasks report through the database, not results; and a broker outage must fail a send in
# about a second, not stall the request that queued it (Celery retries for ~20 s by default).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A message a killed worker took but never acknowledged goes back to the queue after this
# many seconds (Redis transport); keep it above the longest task, which the import's heartbeat
# claim makes harmless to exceed.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".data" / "celerybeat-schedule")
)
# Every task is stopped when it runs too long, so one hung call (SMTP, Stripe, a lock) cannot
# hold a worker slot for good: the soft limit raises SoftTimeLimitExceeded inside the task,
# the hard one kills the child process. Long tasks (imports, pushes) set their own limits.
# Limits need the prefork pool; `--pool=solo` ignores them.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)

# ---------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ParkHub <noreply@parkhub.local>")
# Seconds an SMTP connect, read or write may take (Django waits for ever by default).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Mail tasks retry a refused or unreachable server with exponential backoff (base seconds,
# doubling, jittered, capped at an hour): with the defaults they keep trying for about 4 hours.
PARKHUB_MAIL_RETRY_BACKOFF = env.int("PARKHUB_MAIL_RETRY_BACKOFF", default=30)
PARKHUB_MAIL_MAX_RETRIES = env.int("PARKHUB_MAIL_MAX_RETRIES", default=8)
# An unaccepted invitation can be sent again, but not more often than this.
PARKHUB_INVITATION_RESEND_INTERVAL = env.int("PARKHUB_INVITATION_RESEND_INTERVAL", default=300)
# Housekeeping (every schema, nightly): login-attempt and lockout records, and read notifications.
PARKHUB_LOGIN_RECORDS_KEEP_DAYS = env.int("PARKHUB_LOGIN_RECORDS_KEEP_DAYS", default=90)
PARKHUB_READ_NOTIFICATIONS_KEEP_DAYS = env.int("PARKHUB_READ_NOTIFICATIONS_KEEP_DAYS", default=365)

# ---------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an API client without valid credentials gets a 401 that says how to authenticate.
        "every_schema.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "saas.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "saas.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "saas.api.exceptions.api_exception_handler",
}
# API tokens (accounts.ApiToken) live this many days at most; the owner may choose fewer.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)
# The /api/... paths without a version answer as /api/v1/... until this day (RFC 8594 Sunset).
API_UNVERSIONED_SUNSET = "Wed, 30 Jun 2027 00:00:00 GMT"
SPECTACULAR_SETTINGS = {
    "TITLE": "ParkHub API",
    "DESCRIPTION": (
        "城市企业公共服务平台网络 API: the city hub and every park's own API, version 1 (`/api/v1/`).\n\n"
        "**Auth**: `Authorization: Bearer <token>`; a token is made at /accounts/tokens/ or with "
        "`POST /api/v1/auth/token/`, works on its own site only, expires (90 days unless configured) and "
        "can be revoked by its owner (`/api/v1/auth/tokens/`). Only its SHA-256 is stored.\n\n"
        '**Errors**: always `{"code", "message", "fields"}` (the `Error` schema); `message` in the '
        "language of `Accept-Language`, Chinese by default.\n\n"
        "**Pages**: `page` and `page_size` (50 unless asked, at most 200).\n\n"
        "**Sync**: the main collections take `updated_since` (ISO 8601, inclusive) and "
        "`ordering=updated_at`, ordered by (updated_at, id). The unversioned `/api/...` paths answer "
        "until 2027-06-30 with `Deprecation` and `Sunset` headers. Walk-through: docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the drf-spectacular-sidecar package, served by the app: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # /api/v1/ only (the unversioned alias is not documented); the Error shape on every operation.
    "PREPROCESSING_HOOKS": ["saas.api.schema.only_current_version"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "saas.api.schema.document_errors",
    ],
    # Several models have a "status" or "kind": give each enum its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "ProgrammeStatusEnum": "tenant_schema.funding.models.Programme.Status",
        "NetworkOrderStatusEnum": "tenant_schema.network_orders.models.NetworkOrder.Status",
        # Beside billing's Payment.Status and Payment.Method, which own the plain names.
        "NetworkOrderPaymentStatusEnum": "tenant_schema.network_orders.models.NetworkOrder.PaymentStatus",
        "NetworkOrderPaymentMethodEnum": "tenant_schema.network_orders.models.NetworkOrder.PaymentMethod",
        "NetworkOrderRemainderMethodEnum": "tenant_schema.network_orders.serializers.REMAINDER_METHOD_CHOICES",
        "NetworkCategoryEnum": "public_schema.network.models.ServiceCategory",
        "ProgrammeCategoryEnum": "tenant_schema.funding.models.Programme.Category",
        "StageKindEnum": "tenant_schema.funding.models.Stage.Kind",
        "StageRoleEnum": "tenant_schema.funding.models.Stage.Role",
        "ApplicationStatusEnum": "tenant_schema.applications.models.Application.Status",
        "EnterpriseStatusEnum": "tenant_schema.enterprises.models.Enterprise.Status",
        "DemandStatusEnum": "tenant_schema.demands.models.Demand.Status",
        "DemandCategoryEnum": "tenant_schema.demands.models.Category",
        "DemandRatingEnum": "tenant_schema.demands.models.Rating",
        "ServiceCategoryEnum": "tenant_schema.billing.models.Service.Category",
        "VoucherKindEnum": "tenant_schema.billing.models.Voucher.Kind",
        "VoucherStatusEnum": "tenant_schema.billing.models.Voucher.Status",
        "VoucherSchemeKindEnum": "public_schema.voucher_schemes.models.VoucherScheme.Kind",
        "NetworkVoucherStatusEnum": "public_schema.voucher_schemes.models.NetworkVoucher.Status",
        "VoucherClaimStatusEnum": "public_schema.voucher_schemes.models.VoucherClaim.Status",
        "ClaimFileKindEnum": "public_schema.voucher_schemes.models.ClaimFile.Kind",
        "SubscriptionStatusEnum": "tenant_schema.billing.models.Subscription.Status",
        "PaymentMethodEnum": "tenant_schema.billing.models.Payment.Method",
        "PaymentStatusEnum": "tenant_schema.billing.models.Payment.Status",
        "InstitutionStatusEnum": "public_schema.network.models.InstitutionProfile.Status",
        "NetworkProductTermEnum": "public_schema.network.models.NetworkProduct.Term",
        "AwardStatusEnum": "tenant_schema.awards.models.Award.Status",
        "TrancheStatusEnum": "tenant_schema.awards.models.Tranche.Status",
        "TrancheConditionEnum": "tenant_schema.awards.models.Tranche.Condition",
        "AwardReportKindEnum": "tenant_schema.awards.models.Report.Kind",
        "AwardReportStatusEnum": "tenant_schema.awards.models.Report.Status",
        "RecoveryStatusEnum": "tenant_schema.awards.models.Recovery.Status",
        "RecoveryReasonEnum": "tenant_schema.awards.models.Recovery.Reason",
        "NetworkDemandStatusEnum": "every_schema.network_demands.models.NetworkDemand.Status",
        "NetworkDemandExtensionEnum": "every_schema.network_demands.models.NetworkDemand.Extension",
        "NetworkDemandChannelEnum": "every_schema.network_demands.models.NetworkDemand.Channel",
        "NetworkDemandRatingChannelEnum": "every_schema.network_demands.models.NetworkDemand.RatingChannel",
    },
}

# ---------------------------------------------------------------------------
# Logging: every line names the schema it was written in.
# ---------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "tenant_context": {"()": "django_tenants.log.TenantContextFilter"},
        # request_id, tenant (schema), user_id, task_id (saas.logs)
        "request_context": {"()": "saas.logs.ContextFilter"},
    },
    "formatters": {
        "tenant_context": {
            "format": "%(asctime)s [%(schema_name)s:%(domain_url)s] %(levelname)s %(name)s: %(message)s"
            " [request=%(request_id)s user=%(user_id)s task=%(task_id)s]"
        },
        # One JSON object a line (python-json-logger), the production default (LOG_FORMAT=json).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(tenant)s %(user_id)s %(task_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tenant_context", "request_context"],
            "formatter": "tenant_context",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Excel imports with more valid rows than this run in a Celery task with progress shown.
PARKHUB_IMPORT_ASYNC_ROWS = env.int("PARKHUB_IMPORT_ASYNC_ROWS", default=500)
# An import whose heartbeat is older than this many seconds was interrupted (its process died).
PARKHUB_IMPORT_STALE = env.int("PARKHUB_IMPORT_STALE", default=60)
# A push to qualifying enterprises commits this many deliveries (and their notifications) at a time:
# a killed worker loses at most one batch, and the page's "n of m reached" moves batch by batch.
PARKHUB_PUSH_BATCH_SIZE = env.int("PARKHUB_PUSH_BATCH_SIZE", default=500)

# How links in mail and command output reach a site (the port only for local work).
# The hub is warned (dashboard banner, operators' e-mail) this many days before the last
# year with an official holiday schedule ends.
PARKHUB_CALENDAR_WARN_DAYS = env.int("PARKHUB_CALENDAR_WARN_DAYS", default=60)
PARKHUB_URL_SCHEME = env.str("PARKHUB_URL_SCHEME", default="https")
PARKHUB_URL_PORT = env.str("PARKHUB_URL_PORT", default="")

# django-tenants replaces `migrate` and django-pgtrigger replaces `makemigrations` (to
# write trigger operations); Django 5.2 checks that both use the same autodetector class
# by identity. They do the same thing here: `migrate` only uses it to warn about
# unmigrated changes, which `makemigrations --check` in the tests covers.
SILENCED_SYSTEM_CHECKS = ["commands.E001"]

# Stripe Checkout for value-added services. Without a secret key the Stripe option is
# hidden and services are paid by offline transfer or vouchers. STRIPE_API_BASE points
# the SDK at another server (the tests' fake Stripe); empty means Stripe itself.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
# Seconds one Stripe request may take (the SDK's default is 80) before it gives up or retries.
STRIPE_TIMEOUT = env.int("STRIPE_TIMEOUT", default=15)
# Payment methods offered at checkout; alipay and wechat_pay once enabled on the Stripe account.
STRIPE_PAYMENT_METHOD_TYPES = env.list("STRIPE_PAYMENT_METHOD_TYPES", default=["card"])
# Webhook signatures older than this many seconds are refused (Stripe's own default).
STRIPE_WEBHOOK_TOLERANCE = 300

# ---------------------------------------------------------------------------
# Health and telemetry (saas.health, saas.metrics, saas.logs, saas.sentry; deploy/README.md)
# ---------------------------------------------------------------------------

# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, /metrics is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A Celery worker serves its own /metrics on this port when set (same token).
PARKHUB_WORKER_METRICS_PORT = env.int("PARKHUB_WORKER_METRICS_PORT", default=0)
# Beat ticks at least this often (seconds) and touches its heartbeat file each time;
# `celery_alive --role beat` fails when the file is older than the max age.
CELERY_BEAT_SCHEDULER = "saas.beat.HeartbeatScheduler"
CELERY_BEAT_MAX_INTERVAL = 30
CELERY_BEAT_HEARTBEAT_FILENAME = env.str(
    "CELERY_BEAT_HEARTBEAT_FILENAME", default=f"{CELERY_BEAT_SCHEDULE_FILENAME}.heartbeat"
)
PARKHUB_BEAT_HEARTBEAT_MAX_AGE = env.int("PARKHUB_BEAT_HEARTBEAT_MAX_AGE", default=120)
# Log lines as JSON objects ("json") or text ("text"); production defaults to json.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "tenant_context"

# Sentry when SENTRY_DSN is set: Django and Celery, tenant schema as a tag, no personal data.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from saas.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
