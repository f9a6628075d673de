"""govtracker settings: one module, read from the environment.

With no environment at all it runs as the embedded default: DEBUG on, a SQLite file in
the project folder, local-memory cache. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL (PostgreSQL through psycopg 3) and optionally REDIS_URL.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# A development key is only acceptable while DEBUG is on; production must bring its own.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set the SECRET_KEY environment variable)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "govtracker.apps.LoginProtectionConfig",  # django-axes, with a translated name
    "plans",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # CORS answers preflights before anything else reads the request (API reads only).
    "govtracker.api.ReadOnlyCorsMiddleware",
    # Anonymous reads from the cache (govtracker/cache.py): a hit skips everything below.
    "govtracker.cache.PageCacheMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change (admin, API, import) in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A statement cut off by DB_STATEMENT_TIMEOUT: a 503 that says what to do.
    "govtracker.timeouts.StatementTimeoutMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govtracker.urls"

TEMPLATES = [
    # The public pages: Jinja2 (govtracker/jinja2.py says why), templates under jinja2/.
    {
        "BACKEND": "govtracker.jinja2.Backend",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "govtracker.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
            ],
        },
    },
    # The admin, forms' widgets and the sitemap.
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

WSGI_APPLICATION = "govtracker.wsgi.application"
ASGI_APPLICATION = "govtracker.asgi.application"

# SQLite file by default; DATABASE_URL=postgres://user@host:5432/name selects PostgreSQL.
# An empty DATABASE_URL (`DATABASE_URL= make run`) means the default, as no variable does.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

# PostgreSQL's JIT compiler spends seconds compiling the progress tracker's large status
# expressions for queries that then run in milliseconds (a page of 50 plans: 72 s with JIT,
# 1.3 s without, measured on 6,000 plans); the tracker's queries gain nothing from it.
#
# Memoize (a cache in front of a nested loop's inner side, PostgreSQL 14+) sizes its hash
# table from the estimated number of outer rows, and a LIMIT stops long before that
# estimate: setting up and freeing a table for millions of rows cost the home page's
# latest updates 1.48 ms to read 8 rows (0.04 ms without), the deadline-year page's 50
# rows 1.87 ms (1.08 without). Over the 161 distinct queries of 64 pages, cold: 1,728 ms
# with it, 1,656 ms without (README, "Performance"). DB_MEMOIZE=1 turns it back on.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off" + (
        "" if env_bool("DB_MEMOIZE", False) else " -c enable_memoize=off"
    )
    # Server-side parameters and prepared statements: a page's queries keep one shape per
    # page and change only their parameters, so PostgreSQL plans each once per connection
    # instead of on every request (planning was 0.2-0.9 ms a query, more than running it on
    # the home page). psycopg prepares a query once it has run 5 times. A pooler in
    # transaction mode without prepared-statement support (PgBouncer before 1.21) needs
    # DB_PREPARED_STATEMENTS=0.
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
    # How long one statement may run, in seconds (0: no limit): set for the web server by
    # govtracker/wsgi.py, not for management commands (govtracker/timeouts.py).
    DB_STATEMENT_TIMEOUT = float(os.environ.get("DB_STATEMENT_TIMEOUT") or 0)
    if DB_STATEMENT_TIMEOUT > 0:
        DATABASES["default"]["OPTIONS"]["options"] += (
            f" -c statement_timeout={round(DB_STATEMENT_TIMEOUT * 1000)}"
        )

# The busiest pages' queries are built and compiled once per shape and run again with new
# values (govtracker/prepared.py); PREPARED_QUERIES=0 builds every one on every request.
# PREPARED_QUERIES_CHECK=1 (the tests' setting) also builds and compiles each one on
# every call and raises if the SQL differs.
PREPARED_QUERIES = env_bool("PREPARED_QUERIES", True)
PREPARED_QUERIES_CHECK = env_bool("PREPARED_QUERIES_CHECK", False)

# Redis when REDIS_URL is set (shared by every app server); local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "govtracker.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "govtracker"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public pages and API reads are cached for anonymous visitors and made stale by every
# committed write (govtracker/cache.py; README, "Caching"). PAGE_CACHE=0 turns that off,
# e.g. to measure what rendering a page costs.
PAGE_CACHE = env_bool("PAGE_CACHE", True)
# The public scorecards (national, per jurisdiction, per deadline year: roll-ups over every
# milestone) are kept as values under the same data version, for pages rendered with or
# without the page cache. SCORECARD_CACHE=0 computes them on every request.
SCORECARD_CACHE = env_bool("SCORECARD_CACHE", True)
# The data version keeps entries correct; the timeout only bounds what the cache holds.
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", str(24 * 60 * 60)))
PAGE_CACHE_MAX_BYTES = int(os.environ.get("PAGE_CACHE_MAX_BYTES", str(5 * 1024 * 1024)))
# With the local-memory cache, the data version is a file all processes read (default: one
# in the temporary folder, named after the project folder and the database).
PAGE_CACHE_VERSION_FILE = os.environ.get("PAGE_CACHE_VERSION_FILE", "")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Traditional Chinese is the default, the language of the source documents.
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [
    ("zh-hant", _("Traditional Chinese")),
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
# locale_vendor/: Chinese for libraries whose catalogues lack it (bin/vendor_messages.py);
# after locale/, so that our own translations win.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "admin:login"

# Login protection (django-axes): after AXES_FAILURE_LIMIT failed logins for one username
# from one IP address, that pair is locked out for AXES_COOLOFF_MINUTES, then may try again.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lockout: attempts during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# Spreadsheets (django-import-export): a cell starting with "=" is never exported as a
# formula; plans/resources.py also quotes cells starting with + - @ (CSV injection).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True

# The progress tracker: how far behind straight-line delivery a milestone may fall and
# still count as on track (DESIGN.md, "The progress tracker").
PROGRESS_TOLERANCE = os.environ.get("PROGRESS_TOLERANCE", "0.10")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The REST API (/api/v1/): defaults set once here; views only say what differs.
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute")
API_MAX_PAGE_SIZE = 500
REST_FRAMEWORK = {
    # Token first, so that an anonymous write is told how to authenticate (401 with
    # WWW-Authenticate: Token); the session serves editors using the browsable API.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "govtracker.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "govtracker.api.FilterBackend",
        "govtracker.api.StableOrderingFilter",
    ],
    # JSON in: one unambiguous encoding for scripts (a form's empty string is not null).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "govtracker.json_rendering.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "govtracker.api.CSVRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["govtracker.api.AnonRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "govtracker.api_schema.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "govtracker API",
    "DESCRIPTION": _(
        "Plans, milestones, progress updates, indicators and scorecards: whether governments "
        "deliver what their plans promise. Reading is open to everyone; editors write within "
        "their jurisdictions."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs UI is served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
# Anyone may read the API from a browser on another site; no origin may write through it
# (govtracker.api.ReadOnlyCorsMiddleware leaves write requests and their preflights bare).
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# ---------------------------------------------------------------------------------------
# Production hardening (issue 8). Everything below is read from the environment and is on
# by default whenever DEBUG is off; `manage.py check --deploy --fail-level WARNING` passes
# with the production variables of the README's "Deployment" section.
# ---------------------------------------------------------------------------------------
from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    "govtracker.middleware.PermissionsPolicyMiddleware",
]
TEMPLATES[1]["OPTIONS"]["context_processors"] += ["csp.context_processors.nonce"]

# HTTPS: redirect plain HTTP and tell browsers to use HTTPS only (HSTS). /health/ stays
# reachable over plain HTTP for load balancers that probe the app server directly.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# Behind a TLS-terminating reverse proxy, name the header it sets (e.g. X-Forwarded-Proto).
# Opt-in only: trusting the header without a proxy that overwrites it lets clients lie.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )

# Cookies: sent over HTTPS only in production, out of reach of scripts, same-site.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Headers every response carries (SecurityMiddleware, XFrameOptionsMiddleware).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): everything from our own origin, no inline script
# (an inline script must carry the per-request nonce: <script nonce="{{ CSP_NONCE }}">), no
# plugins, no framing. Pages work without JavaScript, so this costs nothing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if SECURE_SSL_REDIRECT:
    # Served over HTTPS only: have browsers fetch any stray http:// resource over HTTPS.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

# Where to report a vulnerability (served as /.well-known/security.txt; SECURITY.md).
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "")
SECURITY_POLICY_URL = os.environ.get("SECURITY_POLICY_URL", "")

# Where collectstatic puts the files whitenoise serves (a writable folder in production).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", STATIC_ROOT))

# Permissions-Policy: the site uses none of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    ]
}
