"""Townhall's one settings module, driven by environment variables.

`TOWNHALL_ENV` picks the defaults: `production` (the default: DEBUG off, a
SECRET_KEY is required, HTTPS assumed), `development` (DEBUG on, local only) or
`test`. Every variable is documented in `.env.example`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from townhall.core.proxies import proxy_networks
from townhall.env import env_bool, env_float, env_int, env_list, env_str, map_tiles_origin
from townhall.residents.oidc_settings import oidc_private_key, oidc_settings_check

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("TOWNHALL_VAR_DIR", str(PROJECT_DIR / "var")))

TOWNHALL_ENV = env_str("TOWNHALL_ENV", "production")
if TOWNHALL_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(
        f"TOWNHALL_ENV must be production, development or test, not {TOWNHALL_ENV!r}"
    )
IS_PRODUCTION = TOWNHALL_ENV == "production"

DEBUG = env_bool("DEBUG", TOWNHALL_ENV == "development")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production refuses to start without one; "
            "set TOWNHALL_ENV=development for a local run."
        )
    SECRET_KEY = "insecure-key-for-local-development-and-tests-only"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin, with a site that asks staff for their second factor too.
    "townhall.core.admin_apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    # Before django_tasks_db, so that `townhall db_worker` is core's worker,
    # which survives a lost database connection.
    "townhall.core",
    "django_tasks",
    "django_tasks_db",
    "townhall.accounts",
    "townhall.tenancy",
    "townhall.places",
    "townhall.residents",
    "townhall.catalogue",
    "townhall.cases",
    "townhall.notifications",
    "townhall.insight",
    "townhall.alerts",
    "townhall.webhooks",
    "townhall.connectors",
    "townhall.web",
    "townhall.integrations",
    "ninja",  # the REST API's docs page and its Swagger UI files, served locally
    "townhall.backoffice",
    "townhall.audit",
]

MIDDLEWARE = [
    # First: everything after it, the HTTPS redirect included, sees the client
    # and scheme that a trusted proxy reports, and no forged headers.
    "townhall.core.middleware.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "townhall.core.private_pages.PrivatePagesMiddleware",
    # After sessions, before anything that renders a page (the size limit's 413
    # page and the 400 for a NUL byte included), so every page is in the
    # language the resident chose.
    "django.middleware.locale.LocaleMiddleware",
    "townhall.core.middleware.RequestSizeLimitMiddleware",
    "townhall.core.url_checks.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Refuses a request that waited too long for a thread (WEB_MAX_WAIT), before
    # the session or the database is touched; after the language and the CSRF
    # cookie, so its page is in the resident's language (ADR 0063).
    "townhall.core.busy.BusyMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second factor, if any, this session has passed (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # Ends signed-in sessions that are idle or too old (STAFF_SESSION_*).
    "townhall.accounts.sessions.SessionExpiryMiddleware",
    # Keeps a resident's list of sessions pointing at a session whose key changed.
    "townhall.residents.sessions.SessionRecordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "townhall.urls"
WSGI_APPLICATION = "townhall.wsgi.application"

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
                "townhall.tenancy.context_processors.site",
                "townhall.tenancy.context_processors.languages",
            ],
            # {% translate %} and {% blocktranslate %} work in every template.
            "builtins": ["django.templatetags.i18n", "townhall.core.templatetags.govuk"],
        },
    }
]

# Database: SQLite (WAL) under var/ by default, PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'townhall.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so the web
        # process and the task worker queue for it instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TOWNHALL_ENV == "test":
    # Hashing passwords slowly protects real accounts; test accounts need speed.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:queue"
LOGOUT_REDIRECT_URL = "backoffice:login"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or client is refused before any password is checked.
    "townhall.accounts.sign_in_limits.SignInLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in limits (django-axes; see docs/decisions/0018). Every sign-in, to the
# back office or the admin site, counts its failures per account (the email
# address) and per client (IP address). Either one reaching its limit locks
# signing in for that account or from that client, even with the right
# password, until SIGN_IN_LOCKOUT_MINUTES after the failure that locked it.
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env_int("SIGN_IN_ACCOUNT_FAILURE_LIMIT", 10)
SIGN_IN_CLIENT_FAILURE_LIMIT = env_int("SIGN_IN_CLIENT_FAILURE_LIMIT", 50)
SIGN_IN_LOCKOUT = timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", 15))
if not 0 < SIGN_IN_ACCOUNT_FAILURE_LIMIT <= SIGN_IN_CLIENT_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "SIGN_IN_ACCOUNT_FAILURE_LIMIT must be at least 1 and no more than "
        "SIGN_IN_CLIENT_FAILURE_LIMIT"
    )
if timedelta(0) >= SIGN_IN_LOCKOUT:
    raise ImproperlyConfigured("SIGN_IN_LOCKOUT_MINUTES must be at least 1")
AXES_HANDLER = "townhall.accounts.sign_in_limits.SignInAttempts"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # SignInAttempts relies on this order
# Public figures (/performance/) show "fewer than" this instead of a smaller
# count, so no resident can be picked out.
PERFORMANCE_SMALL_NUMBER = env_int("PERFORMANCE_SMALL_NUMBER", 10)
# Open data rounds each case's location to the centre of a grid square this
# many metres across.
OPEN_DATA_GRID_METRES = env_int("OPEN_DATA_GRID_METRES", 100)
# Maps (location questions, /reports/): the tile URL, such as
# https://tiles.example.org/{z}/{x}/{y}.png, and the attribution its licence
# asks for. Empty: the maps draw the councils' boundaries alone, from Townhall.
MAP_TILES_URL = env_str("MAP_TILES_URL")
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION")
if MAP_TILES_URL and not MAP_TILES_URL.startswith("https://") and not DEBUG:
    raise ImproperlyConfigured("MAP_TILES_URL must start with https://")
# The licence open data is published under.
OPEN_DATA_LICENCE_URL = env_str(
    "OPEN_DATA_LICENCE_URL",
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
)

# Requests one API key may make a minute (Open311 and the REST API together).
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)

AXES_FAILURE_LIMIT = "townhall.accounts.sign_in_limits.account_failure_limit"
AXES_COOLOFF_TIME = "townhall.accounts.sign_in_limits.lockout_period"
# A failure while locked out is not counted, so the lockout ends when the page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Django's login forms post the email address as `username`.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "townhall.accounts.sign_in_limits.account_key"
AXES_LOCKOUT_CALLABLE = "townhall.core.views.sign_in_locked_out"
# The client is REMOTE_ADDR, as for every per-client limit: behind trusted
# proxies, the address they name is put there before any view runs (ADR 0017).
AXES_CLIENT_IP_CALLABLE = "townhall.accounts.sign_in_limits.client_address"
# Failures are kept only until they expire; successful sign-ins are not logged.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Staff sign-in (docs/decisions/0032): a second factor (django-otp: an
# authenticator app or recovery codes), sessions that end, sign-ins recorded.
# A signed-in session ends after STAFF_SESSION_IDLE_MINUTES without a request
# and STAFF_SESSION_MAX_HOURS after signing in, whichever comes first.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 8)
if STAFF_SESSION_IDLE_MINUTES < 1 or STAFF_SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured(
        "STAFF_SESSION_IDLE_MINUTES and STAFF_SESSION_MAX_HOURS must be at least 1"
    )
# Sign-in records (successful and failed) are kept this many days.
SIGN_IN_RECORD_DAYS = env_int("SIGN_IN_RECORD_DAYS", 90)
# A password reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60) * 60
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Townhall")
# The code typed at the second step is not stored with a failed attempt.
AXES_SENSITIVE_PARAMETERS = ["code"]

# Translation (docs/decisions/0015-translation.md). Language codes are the
# ones service definitions use for their text ("en", "cy"); English is the
# language every text falls back to. "en" keeps British date formats through
# townhall/formats/en/. The catalogue is in townhall/locale/ (`make messages`).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["townhall.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files: GOV.UK Frontend and our Sass are built into build/static by
# `make assets`, collected into var/static and served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [d for d in [PROJECT_DIR / "build" / "static"] if d.exists()]
if TOWNHALL_ENV == "test":
    STATIC_ROOT = None  # type: ignore[assignment]  # tests serve from the finders
    WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served publicly: uploads are shown to staff only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if TOWNHALL_ENV != "test"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploads are checked against each question's limit; this caps a whole request.
# The standard services keep each page's files within 50MB, so this leaves room
# for the rest of the form.
TOWNHALL_MAX_REQUEST_BYTES = env_int("TOWNHALL_MAX_REQUEST_BYTES", 60 * 1024 * 1024)

# Email: SMTP in production; the demo writes messages to var/mail/.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Townhall <no-reply@townhall.invalid>")

# Security. Behind HTTPS (the production default) cookies are secure and HSTS on.
HTTPS = env_bool("HTTPS", IS_PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Behind proxies that end TLS: which peers may say the request was HTTPS and
# who the client is, and how many proxies append to X-Forwarded-For (ADR 0017).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1", "::1"])
proxy_networks(TRUSTED_PROXIES)  # refuses to start on an entry that is not an address
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_COUNT must be 1 or more, not {TRUSTED_PROXY_COUNT} "
        "(the number of proxies in front of Townhall)"
    )
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "townhall.core.views.csrf_failure"
# The language a resident chose (/i18n/setlang/): kept for the browser session.
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *map_tiles_origin(MAP_TILES_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failed sign-ins and lockouts are warnings; axes' routine steps are not logged.
        "axes": {"level": "WARNING"},
    },
}

# The address residents use, for links in emails (no trailing slash).
TOWNHALL_PUBLIC_URL = env_str("TOWNHALL_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Webhooks to councils' own systems (docs/webhooks.md). Private, loopback and
# link-local addresses are refused unless allowed: off in production, where a
# webhook must not reach the servers beside Townhall (SSRF).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", not IS_PRODUCTION)
WEBHOOKS_CONNECT_TIMEOUT = env_int("WEBHOOKS_CONNECT_TIMEOUT", 5)
WEBHOOKS_READ_TIMEOUT = env_int("WEBHOOKS_READ_TIMEOUT", 10)
# An endpoint that has failed without a success for this long is turned off
# and the council's admins are told (undelivered messages stay, to replay).
WEBHOOKS_DISABLE_AFTER_HOURS = env_int("WEBHOOKS_DISABLE_AFTER_HOURS", 48)
# Keys that encrypt the third-party secrets kept in the database (a council's
# GOV.UK Notify API key, webhook signing secrets): Fernet keys, comma
# separated, newest first; older ones still read what they encrypted until
# `townhall secrets_rotate` has run. Unset, a key is derived from SECRET_KEY:
# not for production, where changing SECRET_KEY would then lose the secrets.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
# Secrets service definitions name for their `send_to` destinations (an
# Open311 API key, a webhook signing secret), as JSON: {"name": "secret"}.
try:
    CONNECTOR_SECRETS: dict[str, str] = json.loads(env_str("CONNECTOR_SECRETS", "{}"))
except ValueError:
    CONNECTOR_SECRETS = {"": ""}  # refused just below
if not isinstance(CONNECTOR_SECRETS, dict) or not all(
    isinstance(k, str) and k and isinstance(v, str) for k, v in CONNECTOR_SECRETS.items()
):
    raise ImproperlyConfigured(
        'CONNECTOR_SECRETS must be a JSON object of names and secrets: {"name": "secret"}'
    )

# GOV.UK Notify (docs/operations.md, "GOV.UK Notify"). Each council's API key
# and template IDs are data (NotifySettings, edited in the back office); these
# say where the API is and how long one request may take.
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT = env_int("NOTIFY_TIMEOUT", 10)

# Scale-out (docs/operations.md#scaling-out, ADR 0031): nothing a process keeps
# is needed by another. Without REDIS_URL, sessions, the cache and per-client
# limits live in the database; with it, in Redis (Django's own backend).
REDIS_URL = env_str("REDIS_URL")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "townhall")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "core_cache",  # created by `migrate` (core.apps)
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    SESSION_ENGINE = "townhall.core.sessions"  # Django's database sessions, fewer queries
# Where per-client limits (core.throttle) count: "database" or "cache".
THROTTLE_STORE = env_str("THROTTLE_STORE", "cache" if REDIS_URL else "database")
if THROTTLE_STORE not in {"database", "cache"}:
    raise ImproperlyConfigured(f"THROTTLE_STORE must be database or cache, not {THROTTLE_STORE!r}")

# A broker-backed task queue by setting: TASKS_BACKEND=django_tasks_rq.RQBackend
# runs tasks on RQ over Redis (`townhall rqworker --with-scheduler default`).
TASKS_REDIS_URL = env_str("TASKS_REDIS_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")

# Uploads on S3-compatible storage when a bucket is named (django-storages).
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {  # type: ignore[dict-item]  # a dict, where the default has strings
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("S3_PREFIX"),
            # Uploads are private: never a public URL, never overwritten.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# A read replica for read-heavy insight and open-data queries (core.replica).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["townhall.core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "townhall.core.replica.PinAfterWriteMiddleware",
    )
# Seconds a client's reads stay on the primary after it sent a form.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 15)

# Load shedding (core.busy, ADR 0063): under `townhall serve`, a request that
# waited more than WEB_MAX_WAIT seconds for a free thread is answered with the
# "service is busy" page (503) instead of being served; 0 turns it off.
# WEB_BUSY_RETRY_AFTER is the Retry-After that page sends.
WEB_MAX_WAIT = env_float("WEB_MAX_WAIT", 5.0)
# Also count the time since a trusted proxy took the request, from the
# `X-Request-Start` header it sets (ADR 0073): its queue and the kernel's are
# then seen too. Only with BEHIND_PROXY, and clocks kept in step (NTP).
WEB_PROXY_QUEUE_TIME = env_bool("WEB_PROXY_QUEUE_TIME", False)
WEB_BUSY_RETRY_AFTER = env_int("WEB_BUSY_RETRY_AFTER", 30)
if WEB_MAX_WAIT < 0 or WEB_BUSY_RETRY_AFTER < 1:
    raise ImproperlyConfigured("WEB_MAX_WAIT must be 0 or more, WEB_BUSY_RETRY_AFTER 1 or more")
if WEB_PROXY_QUEUE_TIME and not BEHIND_PROXY:
    raise ImproperlyConfigured(
        "WEB_PROXY_QUEUE_TIME reads X-Request-Start from a trusted proxy: set BEHIND_PROXY "
        "and TRUSTED_PROXIES too, or leave WEB_PROXY_QUEUE_TIME unset"
    )

# Seconds each web process remembers the site, councils and published service
# it read (core.memo); its own saves forget them at once (0 turns it off).
CONFIG_MEMO_SECONDS = env_int("CONFIG_MEMO_SECONDS", 0 if TOWNHALL_ENV == "test" else 5)

# Residents may sign in with an OpenID Connect provider: GOV.UK One Login or a
# council's own (docs/operations.md, "OpenID Connect sign-in"; ADR 0055). Off
# unless OIDC_ISSUER is set. The client proves itself at the token endpoint
# with a JWT signed by its private key (private_key_jwt): no shared secret.
OIDC_ISSUER = env_str("OIDC_ISSUER").strip()
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID").strip()
# The private key as PEM text, or the path of a file that holds it.
OIDC_PRIVATE_KEY = oidc_private_key(env_str("OIDC_PRIVATE_KEY"))
OIDC_PRIVATE_KEY_ID = env_str("OIDC_PRIVATE_KEY_ID").strip()
OIDC_CLIENT_ASSERTION_ALG = env_str("OIDC_CLIENT_ASSERTION_ALG", "RS256")
OIDC_ID_TOKEN_ALGS = env_list("OIDC_ID_TOKEN_ALGS", ["ES256", "RS256"])
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid email phone")
# GOV.UK One Login's vector of trust: medium level of authentication (two factors).
OIDC_VTR = env_str("OIDC_VTR", '["Cl.Cm"]').strip()
# Empty: the language the resident is reading Townhall in.
OIDC_UI_LOCALES = env_str("OIDC_UI_LOCALES").strip()
# Empty: TOWNHALL_PUBLIC_URL followed by /account/oidc/callback/.
OIDC_REDIRECT_URI = env_str("OIDC_REDIRECT_URI").strip()
# Empty: "Sign in with GOV.UK One Login", translated.
OIDC_BUTTON_LABEL = env_str("OIDC_BUTTON_LABEL").strip()
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# Seconds the provider's discovery document and keys are kept between fetches.
OIDC_DISCOVERY_SECONDS = env_int("OIDC_DISCOVERY_SECONDS", 3600)
oidc_settings_check(
    issuer=OIDC_ISSUER,
    client_id=OIDC_CLIENT_ID,
    private_key=OIDC_PRIVATE_KEY,
    assertion_alg=OIDC_CLIENT_ASSERTION_ALG,
    id_token_algs=OIDC_ID_TOKEN_ALGS,
    vtr=OIDC_VTR,
    require_https=IS_PRODUCTION,
)
