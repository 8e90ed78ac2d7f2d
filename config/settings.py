"""Settings for Margins, read from the environment.

Local development works with no environment at all (SQLite, DEBUG on,
a throw-away secret key). Production is selected with ``DJANGO_ENV=production``:
there every unsafe default is refused and ``manage.py check --deploy`` is clean.
See the README for the full list of variables.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_str("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={ENVIRONMENT!r}; use development, test or production.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production-9f2c1e7a"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else _DEV_SECRET, required=PRODUCTION)
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a unique value of at least 50 characters.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # sitemap.xml (archive.sitemaps): its views and templates.
    "django.contrib.sitemaps",
    "taggit",
    "csp",
    "axes",
    # The background worker's queue (docs/echoes.md): tasks stored in this database.
    "django_tasks",
    "django_tasks_db",
    "archive",
]

MIDDLEWARE = [
    # First: drops unusable cookies before the session reads them; refuses NUL
    # characters and lone surrogates in the address, query and form (400).
    "archive.middleware.StrictInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and JSON compressed (Django's GZip pads responses against BREACH);
    # ETags computed on the uncompressed page so a revisit gets a 304.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "archive.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Production keeps each worker's connection for a minute: opening one (and, on
        # SQLite, its PRAGMAs) per request was most of a kept page's time.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Ready for a team on the embedded default: WAL lets readers go on while
    # one writer writes; IMMEDIATE takes the write lock when a transaction
    # starts, so a writer waits (up to the busy timeout) instead of failing
    # with "database is locked" when two transactions upgrade at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite's FTS5 table is derived data: dumpdata and loaddata leave it alone.
DATABASE_ROUTERS = ["archive.search.routers.SearchTextRouter"]
# dumpdata's JSON with times to the microsecond (Django's own cuts them to milliseconds).
SERIALIZATION_MODULES = {"json": "archive.serializers.json", "jsonl": "archive.serializers.jsonl"}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "archive:document_list"
LOGOUT_REDIRECT_URL = "archive:document_list"
# A session lasts two weeks unless the environment says otherwise (in seconds).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14, minimum=60)

# Sign-in throttling (django-axes), for the site's sign-in page and the admin's
# alike: after AXES_FAILURE_LIMIT wrong passwords for one user name from one
# address, that pair is refused for AXES_COOLOFF_MINUTES, even with the right
# password. Another failure during the lockout starts the wait again; a
# successful sign-in (or a password reset) clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "archive.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "archive.accounts.client_ip"
# How many reverse proxies in front of the site append to X-Forwarded-For.
# 0: the client's address is REMOTE_ADDR. Behind one proxy (nginx, a load
# balancer) set 1, or every sign-in would seem to come from the proxy.
MARGINS_PROXY_COUNT = env_int("MARGINS_PROXY_COUNT", 0, minimum=0)

# E-mail (password reset). Locally it is printed on the console; production
# sends it through the SMTP server the environment names, and will not start
# without one: a reset page that silently sends nothing locks people out.
if PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST", "")
    if not EMAIL_HOST:
        raise ImproperlyConfigured(
            "EMAIL_HOST must name the SMTP server that sends password-reset e-mail when "
            "DJANGO_ENV=production (see EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS)."
        )
    DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "")
    if not DEFAULT_FROM_EMAIL:
        raise ImproperlyConfigured(
            "DEFAULT_FROM_EMAIL must give the address password-reset e-mail comes from "
            "when DJANGO_ENV=production, e.g. Margins <margins@example.org>."
        )
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Margins <margins@localhost>")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic output, used in production (the STATIC_ROOT variable moves it);
# elsewhere whitenoise serves from the finders.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))) if PRODUCTION else None
# Files whitenoise serves as they are at the site's root (bench/scale.py serves saved pages
# from one); none unless the environment names a directory.
WHITENOISE_ROOT = env_str("WHITENOISE_ROOT", None)
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Captures larger than this are refused by the importer and the admin upload.
# The longest seed is 25 KB; 2 MB leaves room for long transcripts while
# keeping a mistaken upload (a PDF, a database dump) out of the archive.
MARGINS_MAX_CAPTURE_BYTES = env_int("MARGINS_MAX_CAPTURE_BYTES", 2 * 1024 * 1024, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = MARGINS_MAX_CAPTURE_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = MARGINS_MAX_CAPTURE_BYTES + 1024 * 1024

# Tag slugs keep their script (سوریه → /tags/سوریه/, Иран → /tags/иран/): the
# URL patterns accept Unicode slugs. Stripping would leave Persian, Arabic and
# Russian tags with empty slugs, hence no page. (This is taggit's default; it
# is stated here because the URLs depend on it.)
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = False

MARGINS_PAGE_SIZE = env_int("MARGINS_PAGE_SIZE", 20, minimum=1)
# Annotations per page of the W3C Web Annotation collections (archive/annotation_export.py).
MARGINS_ANNOTATION_PAGE_SIZE = env_int("MARGINS_ANNOTATION_PAGE_SIZE", 100, minimum=1)

# The reader, compare and listing pages are kept, whole, for visitors who are
# not signed in (archive/caching.py), at most MARGINS_CACHE_ENTRIES pages, each
# for at most MARGINS_PAGE_CACHE_SECONDS (0: never kept). Any write a page could
# show makes a new key at once, in every process; the time limit only bounds
# writes that bypass the services, the admin and the importers. In production
# the pages are files in MARGINS_CACHE_DIR, shared by every worker: one render
# per page and write for the whole server, not one per worker; each worker also
# holds the last 50 it served (archive.caching.recent). Elsewhere (one process)
# they stay in memory.
MARGINS_PAGE_CACHE_SECONDS = env_int("MARGINS_PAGE_CACHE_SECONDS", 300, minimum=0)
_CACHE_OPTIONS = {"MAX_ENTRIES": env_int("MARGINS_CACHE_ENTRIES", 300 if PRODUCTION else 100, minimum=1)}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "margins",
        "OPTIONS": _CACHE_OPTIONS,
    },
}
if PRODUCTION:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("MARGINS_CACHE_DIR", str(BASE_DIR / "var" / "page-cache")),
        "OPTIONS": _CACHE_OPTIONS,
    }
# Demo analyst for local runs; never created when DJANGO_ENV=production.
MARGINS_DEMO_USER = env_str("MARGINS_DEMO_USER", "analyst")

# The sentence model's folder (model.onnx, tokenizer.json: archive/text/embedding.py).
# Its files must have the SHA-256 pinned in that module: the system check
# archive.E010 stops runserver, migrate, check and the worker otherwise.
MARGINS_EMBEDDING_MODEL_DIR = env_path(
    "MARGINS_EMBEDDING_MODEL_DIR", BASE_DIR / "archive" / "text" / "embedding_model"
)

# Content-Security-Policy: no inline script or style anywhere, in every environment.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Background work (embedding passages, looking for echoes of a new document): tasks are rows
# in this same database, run by ``manage.py echo_worker`` (started by ``make run`` beside the
# server, on its own by ``make worker``). No other service is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Passages embedded per batch: one short write transaction per batch.
ECHOES_EMBED_BATCH = env_int("ECHOES_EMBED_BATCH", 32, minimum=1)
