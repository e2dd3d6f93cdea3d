"""Project settings, read from the environment (see README, "Configuration")."""

import datetime
import os
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags, process_link
from js_asset import static_lazy

from timeline.language_labels import localized_verbose_name

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable; anything but a clear yes is no."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list, dropping blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set DJANGO_SECRET_KEY to a long random string "
            "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

# The absolute base URL used wherever a link leaves the site: feeds, structured data, sitemaps.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The authority of tag: URIs (RFC 4151) that identify feeds and entries: a domain the publisher
# owned on a date. Set it once and never change it, or every reader sees every entry again.
FEED_TAG_AUTHORITY = os.environ.get("FEED_TAG_AUTHORITY", "bundeswirtschaftsministerium.de,2025")
# Reference endpoints for `make bench` (a trivial view, a stock syndication feed). Never in production.
BENCH_REFERENCES = env_bool("BENCH_REFERENCES")
# Who publishes the events: organizer in structured data, author of feed entries.
PUBLISHER_NAME = os.environ.get("PUBLISHER_NAME", "Bundesministerium für Wirtschaft und Energie (BMWE)")
# Days a secret preview link works unless a publisher sets another expiry (timeline.models.PreviewLink).
PREVIEW_LINK_MAX_AGE = int(os.environ.get("PREVIEW_LINK_MAX_AGE", 7))

INSTALLED_APPS = [
    # Before the admin, so that its translation admin's static files and checks come first.
    "modeltranslation",
    # Django's admin with the editorial site as admin.site (timeline/two_step.py: a second step
    # after the password).
    "timeline.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "django_filters",
    "django_prose_editor",
    "csp",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "timeline.apps.AxesConfig",  # django-axes, named for the admin
    # Two-step verification (timeline/two_step.py): django-otp's devices (the authenticator app,
    # recovery codes) and django-two-factor-auth's login and setup; before timeline, whose admin
    # module takes their English-only admin pages away.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "timeline",
    "feeds",
]

MIDDLEWARE = [
    # First, so that load balancers get an answer whatever Host header they send.
    "timeline.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Readers of public addresses answered from the response cache; the rest below run only when
    # a response is made (timeline/cache.py).
    "timeline.cache.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "timeline.middleware.LanguageMiddleware",
    "timeline.middleware.ClientInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second step (timeline/two_step.py).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a login refused for too many failures into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "timeline.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep file handles open.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Concurrent writers wait for each other instead of failing with "database is locked": a
    # transaction takes the write lock when it begins (a deferred one would fail when upgrading
    # its read lock), waits up to `timeout` seconds for it, and readers are never blocked (WAL).
    # Past the wait, the request is answered 503 with Retry-After (timeline/middleware.py).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", 20)),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Caches (timeline/cache.py): "default" is shared by every process when REDIS_URL is set (stock
# Redis backend; short timeouts, so a stopped Redis costs little), else this process's memory.
# "local" keeps responses in each process, in front of the shared cache; "feed_items" each feed
# entry's fields, "calendar_entries" each calendar entry's bytes; all bounded by MAX_ENTRIES.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    DEFAULT_CACHE = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "timeline"),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
else:
    DEFAULT_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
CACHES = {
    "default": DEFAULT_CACHE,
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "responses",
        "TIMEOUT": 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("LOCAL_CACHE_ENTRIES", 300)), "CULL_FREQUENCY": 3},
    },
    # Each feed entry's fields, made once per state of its event (feeds/views.py).
    "feed_items": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "feed-items",
        "TIMEOUT": 60 * 60 * 24,
        "OPTIONS": {"MAX_ENTRIES": 2000, "CULL_FREQUENCY": 4},
    },
    # Each calendar entry (VEVENT) as bytes, made once per state of its event (feeds/views.py): a
    # subscribed calendar holds up to 1,000, so they do not crowd out the feeds' entries.
    "calendar_entries": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "calendar-entries",
        "TIMEOUT": 60 * 60 * 24,
        "OPTIONS": {"MAX_ENTRIES": 2000, "CULL_FREQUENCY": 4},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every authenticate(request=…) call, the admin's login form and any login view after it, first
# asks django-axes whether the account or the address is locked out (it must come first).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# How many reverse proxies stand in front of the app, each appending the address it was reached
# from to X-Forwarded-For: 1 behind the shipped nginx (deploy/nginx/proxy.conf), 0 when clients
# reach the app directly. The client's address is the one the outermost trusted proxy saw (the
# N-th entry from the right); everything to its left in the header is the client's own word. One
# rule for the API's throttle and the login limits (timeline.security.client_address).
try:
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "1"))
except ValueError:
    TRUSTED_PROXIES = -1
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured(
        "TRUSTED_PROXIES must be a whole number of 0 or more: the reverse proxies in front of the app "
        "(1 behind the shipped nginx, 0 when clients reach the app directly)."
    )

# Failed logins (django-axes): after 5 failures within 15 minutes for one account (from any
# address) or from one address (for any account), logins are refused for 15 minutes after the last
# counted failure, even with the right password. Per account, because a botnet guesses one
# password from many addresses; per address, because one address tries one password on many
# accounts. Attempts during a lock-out are refused without counting, so it lapses 15 minutes after
# it began however often someone keeps trying; a superuser lifts it sooner (docs/operating.md).
# Every failure is kept (AccessFailureLog), and each refusal logged (timeline.security).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "timeline.security.client_address"
AXES_LOCKOUT_CALLABLE = "timeline.security.lockout_response"
# Wrong codes of the login's second step count as failures too (timeline/two_step.py); like the
# password and the account name, they are masked in the failures kept.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "token-otp_token", "backup-otp_token"]
# Our own log line says who was locked out and how to lift it; axes' start-up line is left out.
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: German first, English selectable.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# The project's catalog (made by makemessages), then German for strings of Django and the other
# packages that their own catalogs lack (kept by hand; the admin's JavaScript catalog reads it too).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_packages"]
FORMAT_MODULE_PATH = ["config.formats"]
# The language editors write the records in (required); English is optional
# (timeline/translation.py). Where English is missing, English readers get the German text,
# marked as German so screen readers pronounce it right.
CONTENT_LANGUAGE = "de"
MODELTRANSLATION_DEFAULT_LANGUAGE = CONTENT_LANGUAGE
MODELTRANSLATION_FALLBACK_LANGUAGES = (CONTENT_LANGUAGE,)
# Each language's column named for editors, "Titel (Englisch)", not modeltranslation's "title [en]".
MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = localized_verbose_name
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

# A naive datetime reaching the ORM is a bug (wrong publication times), never a warning to ignore.
warnings.filterwarnings(
    "error", r"DateTimeField .* received a naive datetime", RuntimeWarning, r"django\.db\.models\.fields"
)

STATIC_URL = "static/"
# Where collectstatic writes the files WhiteNoise serves (an operator may place it elsewhere).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The body editor's extensions beyond BODY_EDITOR_EXTENSIONS (timeline/text.py): its toolbar
# translated like its dialogs (prose-editor-menu.js), and links kept as the editor typed them
# (prose-editor-link.js), so the server normalises or names them instead of the browser blanking them.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {"js": [static_lazy("timeline/prose-editor-menu.js")], "extensions": {"Menu": html_tags([])}},
    {"js": [static_lazy("timeline/prose-editor-link.js")], "extensions": {"Link": process_link}},
]

# Germany and Japan head every list of countries, each listed once: repeated further down
# (COUNTRIES_FIRST_REPEAT), a chosen one would stand twice in the admin's two-box chooser, and
# taking away one copy would keep the country.
COUNTRIES_FIRST = ["DE", "JP"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes notes every login at INFO; its warnings (each failure) and ours (each lock-out,
    # timeline.security) are what operators need.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Production hardening; all of it is what `manage.py check --deploy` asks for.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True  # the admin's language choice (/i18n/setlang/)
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Sent with a same-site link or form only, like the session cookie.
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Where a login lands when its `next` is missing or leads off the site: the admin, the only
# place editors log in to (Django's default, /accounts/profile/, does not exist here).
LOGIN_REDIRECT_URL = "admin:index"
LOGIN_URL = "admin:login"
# Two-step verification (timeline/two_step.py). The admin's login is the editorial site's own, so
# two_factor must not replace every AdminSite's login with a redirect to its account pages.
TWO_FACTOR_PATCH_ADMIN = False

# REST API (Django REST framework): public read, editor write by token or session.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "timeline.api_authentication.TokenAuthentication",
        "timeline.api_authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "timeline.api.exception_handler",
    "VIEW_NAME_FUNCTION": "timeline.api.view_name",
    "VIEW_DESCRIPTION_FUNCTION": "timeline.api.view_description",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    "DEFAULT_PARSER_CLASSES": [
        "timeline.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "timeline.api_parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["timeline.api_throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "1200/hour")},
    # The client's address behind the trusted proxies (above), for every throttle.
    "NUM_PROXIES": TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Diplomatic events API",
    "DESCRIPTION": (
        "Dated diplomatic events: public read for everyone, write for editors (token or session). "
        "List parameters are those of the timeline and the feeds.\n\n"
        "**Changing an event needs a precondition** (no change overwrites a colleague's unseen): send "
        "the `ETag` of `GET /api/events/{key}/` in `If-Match`, or its `version` in the body. Without "
        "either, `PUT` and `PATCH` answer 428. A change based on an older version answers 412 "
        "(`If-Match`) or 409 with the current `version`; `If-Match: *` changes whatever version is "
        "current. `DELETE` honours `If-Match` too. Fields the representation does not have are "
        "refused by name; times without an offset are read in Europe/Berlin and refused if they do not "
        "exist there or are ambiguous.\n\n"
        "**Languages**: answers are German, or English with `?lang=en` or `Accept-Language: en` "
        "(`Content-Language` says which). Records are written in German, the source, and may have "
        "English: plain texts (`title`) read in the answer's language, falling back to the German, "
        "and `languages` says which each is in; `title_en`, … hold the English (null where there is "
        "none) and write it in any language. A request in English cannot write plain texts (400): "
        "send them with `?lang=de`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "timeline.api_schema.add_error_responses",
        "timeline.api_schema.add_language_parameters",  # after the error responses: theirs too
    ],
}
# Other sites may read the public API and feeds from browsers; never with credentials.
# The feeds send their own constant Access-Control-Allow-Origin (feeds/views.py): the same for
# every reader, so it is cached with them and nothing varies by Origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# Content Security Policy: every asset comes from this site; no inline script or style, no CDN.
# The admin and the API docs (Swagger UI, served from this site) are left out: both rely on
# inline styles and scripts.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
