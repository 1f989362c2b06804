"""Settings, all from the environment (twelve-factor); docs/configuration.md lists them.

Defaults suit a developer's machine: SQLite in the project folder, media in ./media, and Celery's
filesystem transport in ./var/broker, so the site and a worker run with no server installed.
Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL or REDIS_URL, SECRET_KEY, ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from analysis.jobs.limits import MIN_TIME_LIMIT_S, soft_limit_s
from fer_site import object_storage

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_time_limit(name: str, default: int) -> int:
    """A task's hard time limit in seconds; refused at start-up when too short to leave a soft limit."""
    value = env_int(name, default)
    if value < MIN_TIME_LIMIT_S:
        raise ImproperlyConfigured(f"{name} is {value} s; a task time limit must be {MIN_TIME_LIMIT_S} s or more.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DJANGO_DEBUG=True for development).")
    # Development only: a fixed key keeps sessions valid across restarts of runserver.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "analysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Under /api/, every error is JSON (a storage outage a 503 with Retry-After), never the HTML page.
    "analysis.web.errors.ApiErrorsAsJson",
    # Serves collected static files in production without a separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fer_site.urls"
WSGI_APPLICATION = "fer_site.wsgi.application"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Reuse connections for a minute: a connection per request costs more than the query.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write the same file: WAL lets readers run beside a writer,
    # IMMEDIATE takes the write lock at BEGIN (no deadlock on lock upgrade), and the timeout waits
    # for the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    # A worker with connections kept open would hold old read snapshots of the file; cheap to reopen.
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits) ------------------------------------------------------------------------
# Rate limits must be counted in one place for all web processes: set CACHE_URL to a Redis URL in
# production. Use a Redis database of its own: the cache may be flushed, the broker's queue must not.
# The Redis cache fails open (analysis.web.cache): while Redis is down, limits are counted per process
# with a logged warning, and nothing is refused because of the cache. Short socket time-outs: a paused
# Redis costs a request one second, then the process stops asking it for a few seconds.
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "analysis.web.cache.FailOpenRedisCache",
            "LOCATION": os.environ["CACHE_URL"],
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's model backend, refusing once a username+address has too many failed log-ins: the limit
# then holds on every path into authenticate() (log-in page, admin, API token endpoint).
AUTHENTICATION_BACKENDS = ["accounts.backends.RateLimitedModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "analysis:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Password-reset mail goes to the console unless an SMTP server is configured.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    # MEDIA_ROOT, or a bucket when AWS_STORAGE_BUCKET_NAME is set (fer_site/object_storage.py).
    "default": object_storage.default_storage(os.environ),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads live here unless a bucket is configured; then nothing is written here, and machines share
# nothing but the bucket. It is never served directly: analysis/media/files.py checks the owner first.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/files/"

# --- Upload limits ---------------------------------------------------------------------------------
# 20 MB holds any phone photo; Django's DATA_UPLOAD_MAX_MEMORY_SIZE ignores file parts, so
# analysis.media.services checks this per file.
FER_MAX_UPLOAD_BYTES = env_int("FER_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# 50 megapixels is above a 48 MP phone sensor; an RGB image this size decodes to 150 MB of memory,
# and the check runs on the header, before decoding, so a small file cannot expand into gigabytes.
FER_MAX_IMAGE_PIXELS = env_int("FER_MAX_IMAGE_PIXELS", 50_000_000)
# A larger photo is stored, and analysed, reduced by a whole factor to at most this many pixels (a
# JPEG decoded at that scale, so the full size never sits in memory): 16 MP keeps every 12 MP phone
# photo whole and halves 24 and 48 MP ones, and the worker's face search, about 32 bytes a pixel
# searched, stays near 300 MB. Faces of 64 pixels and more in the original are still found.
FER_MAX_STORED_PIXELS = env_int("FER_MAX_STORED_PIXELS", 16_000_000)
# Clips (issue 4). 1 GB holds ten minutes of phone video at 4K; longer or larger clips are refused
# at upload, from the probed header, before any decoding.
FER_MAX_VIDEO_BYTES = env_int("FER_MAX_VIDEO_BYTES", 1024 * 1024 * 1024)
FER_MAX_VIDEO_SECONDS = env_int("FER_MAX_VIDEO_SECONDS", 10 * 60)
# 3840 x 2160 (4K UHD) in either orientation.
FER_MAX_VIDEO_LONG_SIDE = env_int("FER_MAX_VIDEO_LONG_SIDE", 3840)
FER_MAX_VIDEO_SHORT_SIDE = env_int("FER_MAX_VIDEO_SHORT_SIDE", 2160)
# Frames analysed per second of video; faces do not change expression faster than this matters.
FER_VIDEO_SAMPLE_FPS = float(os.environ.get("FER_VIDEO_SAMPLE_FPS", "5"))
# The decoder's own budget, since container metadata is not trusted: ten minutes at 60 fps, and
# the wall-clock time one clip may take (a tiny file can hold an hour of video).
FER_VIDEO_MAX_FRAMES = env_int("FER_VIDEO_MAX_FRAMES", 10 * 60 * 60)
FER_VIDEO_MAX_DECODE_SECONDS = env_int("FER_VIDEO_MAX_DECODE_SECONDS", 40 * 60)
# Per-user API upload rate (DRF throttle syntax).
FER_UPLOAD_RATE = os.environ.get("FER_UPLOAD_RATE", "60/min")
# Uploads with ?wait=N one user may hold open at once; past it they are answered 202 at once.
FER_UPLOAD_WAITS_PER_USER = env_int("FER_UPLOAD_WAITS_PER_USER", 2)
# ZIP archives into a collection (issue 26), checked on the archive's directory before anything is
# stored: 1,000 members is a large study; 2 GB uncompressed, two clips at the clip limit; and no
# member may expand more than 100-fold past 1 MB (photos and clips barely compress; a bomb does).
FER_ZIP_MAX_MEMBERS = env_int("FER_ZIP_MAX_MEMBERS", 1000)
FER_ZIP_MAX_BYTES = env_int("FER_ZIP_MAX_BYTES", 2 * 1024 * 1024 * 1024)
FER_ZIP_MAX_RATIO = env_int("FER_ZIP_MAX_RATIO", 100)
# Password guesses through POST /api/auth/token/, per client address.
FER_TOKEN_RATE = os.environ.get("FER_TOKEN_RATE", "10/min")
# --- Live camera frames (analysis.live.frames) -----------------------------------------------------------
# A 640x640 JPEG at the quality a browser sends is 40-120 KB; 256 KB leaves room and keeps messages small.
FER_LIVE_MAX_BYTES = env_int("FER_LIVE_MAX_BYTES", 256 * 1024)
FER_LIVE_MAX_SIDE = env_int("FER_LIVE_MAX_SIDE", 640)
# How long a request waits for a worker's answer; also the frame's expiry in the broker. A reply later
# than this is useless to a live picture, so the page is told "busy" and sends a newer frame instead.
FER_LIVE_DEADLINE_MS = env_int("FER_LIVE_DEADLINE_MS", 1000)
# Per-user frames (DRF throttle syntax); the page sends far fewer (one in flight per tab).
FER_LIVE_RATE = os.environ.get("FER_LIVE_RATE", "30/s")
# Per-user saves of live recordings: a save is up to an hour of rows (3,600 and more), and a person
# saves one at the end of a session; 30 saves once made 108,000 rows in 14 s.
FER_RECORDING_RATE = os.environ.get("FER_RECORDING_RATE", "30/hour")
# Failed log-ins per username + client address before every log-in path refuses for the window.
LOGIN_FAILURE_LIMIT = env_int("FER_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_S = env_int("FER_LOGIN_FAILURE_WINDOW_S", 15 * 60)
# Failed log-ins from one address across all usernames (password spraying) before log-in from that
# address is refused for FER_LOGIN_FAILURE_WINDOW_S: far above what a household or an office mistypes.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("FER_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
# Per client address: new accounts (every quota is per user, so accounts multiply them) and password-
# reset requests (each may send a mail); per e-mail address, reset mails actually sent.
FER_SIGNUP_RATE = os.environ.get("FER_SIGNUP_RATE", "5/hour")
FER_PASSWORD_RESET_RATE = os.environ.get("FER_PASSWORD_RESET_RATE", "5/hour")
FER_PASSWORD_RESET_EMAIL_RATE = os.environ.get("FER_PASSWORD_RESET_EMAIL_RATE", "3/hour")
# How many proxies in front of the site append to X-Forwarded-For (analysis.web.addresses). 0: the
# socket's address is the client's, and the header, which any client can write, is never read.
FER_TRUSTED_PROXIES = env_int("FER_TRUSTED_PROXIES", 0)
# Uploads go to temporary files above 2.5 MB rather than memory, so ten parallel uploads stay small.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A bucket's storage call gives up after this, retries included (fer_site.object_storage reads it too):
# an upload while the bucket hangs answers 503 with Retry-After instead of holding a web thread.
FER_STORAGE_DEADLINE_S = env_int("FER_STORAGE_DEADLINE_S", object_storage.DEFAULT_DEADLINE_S)

# --- Jobs --------------------------------------------------------------------------------------------
# A photo takes well under a second; a job whose heartbeat is this old has lost its worker.
FER_JOB_STALE_SECONDS = env_int("FER_JOB_STALE_SECONDS", 60)
# A queued job whose message has not been picked up in this time is sent again (harmless: claims are
# conditional). Long enough that a busy queue is not flooded with duplicates.
FER_JOB_QUEUED_SECONDS = env_int("FER_JOB_QUEUED_SECONDS", 15 * 60)
# An image that kills its worker three times is failed rather than retried forever.
FER_JOB_MAX_ATTEMPTS = env_int("FER_JOB_MAX_ATTEMPTS", 3)
FER_SWEEP_INTERVAL_SECONDS = env_int("FER_SWEEP_INTERVAL_SECONDS", 30)
FER_PRIVACY_SWEEP_INTERVAL_SECONDS = env_int("FER_PRIVACY_SWEEP_INTERVAL_SECONDS", 300)
# Each worker says it is alive this often (analysis.jobs.broker); /metrics and `manage.py worker_alive`
# read it. Three missed beats and it is forgotten.
FER_WORKER_HEARTBEAT_SECONDS = env_int("FER_WORKER_HEARTBEAT_SECONDS", 15)
# GET /metrics answers only a request with `Authorization: Bearer <this>`; unset, it is a 404.
FER_METRICS_TOKEN = os.environ.get("FER_METRICS_TOKEN", "")
# The duration and queue-wait histograms cover jobs of this last span (computed from rows at each scrape).
FER_METRICS_WINDOW_SECONDS = env_int("FER_METRICS_WINDOW_SECONDS", 3600)
# Hard limit per photo task; generous because a cold worker on a busy machine loads the model first.
# The soft limits come before the hard ones by a fifth, 2 to 30 s (analysis.jobs.limits).
FER_TASK_TIME_LIMIT = env_time_limit("FER_TASK_TIME_LIMIT", 300)
# Hard limit per clip task: above the decoder's own budget, so the budget is what normally stops it
# (the worker clamps FER_VIDEO_MAX_DECODE_SECONDS to end before this limit's soft limit).
FER_VIDEO_TASK_TIME_LIMIT = env_time_limit("FER_VIDEO_TASK_TIME_LIMIT", FER_VIDEO_MAX_DECODE_SECONDS + 10 * 60)

# --- Webhooks (issue 15; analysis.webhooks) ------------------------------------------------------------
# Attempts per message, separate from FER_JOB_MAX_ATTEMPTS: 8 with waits growing 5-fold from
# FER_WEBHOOK_RETRY_BASE_S (5 s) span about a day, long enough to ride out an endpoint's outage.
FER_WEBHOOK_MAX_ATTEMPTS = env_int("FER_WEBHOOK_MAX_ATTEMPTS", 8)
FER_WEBHOOK_RETRY_BASE_S = float(os.environ.get("FER_WEBHOOK_RETRY_BASE_S", "5"))
# An answer must come within this; a worker is never held longer by one endpoint.
FER_WEBHOOK_TIMEOUT_S = float(os.environ.get("FER_WEBHOOK_TIMEOUT_S", "10"))
# An endpoint whose every attempt failed this long is disabled (its owner sees why on the profile page).
FER_WEBHOOK_DISABLE_AFTER_S = env_int("FER_WEBHOOK_DISABLE_AFTER_S", 3 * 24 * 3600)
FER_WEBHOOK_MAX_ENDPOINTS = env_int("FER_WEBHOOK_MAX_ENDPOINTS", 10)
# After a secret's rotation the old one signs beside the new one this long (0: not at all), so a
# receiver can change over without rejecting messages in between.
FER_WEBHOOK_SECRET_OVERLAP_S = env_int("FER_WEBHOOK_SECRET_OVERLAP_S", 24 * 3600)
# Fairness between users (issue 25): a message is sent only while its endpoint has fewer than the first
# and its owner fewer than the second attempts in flight; otherwise it waits a few seconds, queued,
# without using an attempt. Below the webhooks worker's concurrency (8 in deploy/), so one account's
# slow endpoints never hold every worker process while another user's webhook waits behind them.
FER_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT = env_int("FER_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT", 2)
FER_WEBHOOK_MAX_IN_FLIGHT_PER_USER = env_int("FER_WEBHOOK_MAX_IN_FLIGHT_PER_USER", 4)
# Per user, test events and redeliveries together (page and API): each is a request to any https URL,
# retried up to FER_WEBHOOK_MAX_ATTEMPTS; 40 in a second made the platform a request cannon.
FER_WEBHOOK_SEND_RATE = os.environ.get("FER_WEBHOOK_SEND_RATE", "20/hour")
# https:// only, to public addresses only; these lift that for tests and closed networks.
FER_WEBHOOK_ALLOW_HTTP = env_bool("FER_WEBHOOK_ALLOW_HTTP", False)
FER_WEBHOOK_ALLOW_PRIVATE = env_bool("FER_WEBHOOK_ALLOW_PRIVATE", False)
# The site's public address (https://facet.example.com): a webhook's item and the account export's
# items/<id>.json then have the same absolute URLs as GET /api/media/<id>/ (a worker has no request to
# take the host from). The default is where `make run` serves; set it in production.
FER_SITE_URL = os.environ.get("FER_SITE_URL") or "http://127.0.0.1:8000"

# --- Celery --------------------------------------------------------------------------------------------
_broker_dir = Path(os.environ.get("FER_BROKER_DIR", BASE_DIR / "var" / "broker"))
# A Redis that is hung (paused, swapping, a half-open connection) rather than gone: without a socket
# time-out, redis-py waits forever for its reply, and a live frame's web thread with it. Commands here
# answer in milliseconds; the workers' blocking reads (BRPOP) wait 1 s at a time, well inside this.
FER_REDIS_SOCKET_TIMEOUT_S = env_int("FER_REDIS_SOCKET_TIMEOUT_S", 5)
REDIS_SOCKET_TIMEOUTS = {
    "socket_timeout": FER_REDIS_SOCKET_TIMEOUT_S,
    "socket_connect_timeout": min(FER_REDIS_SOCKET_TIMEOUT_S, 2),
}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # No server needed: web and worker exchange messages as files in one folder they both see.
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Exchange bindings, kept beside the queue (kombu's default is ./control in the cwd).
        "control_folder": str(_broker_dir / "control"),
        # The transport polls the folder; 0.1 s keeps upload-to-result latency low at little cost.
        # Live mode on this broker wants less (bench/live.py: 0.02 s); each poll lists the folder.
        "polling_interval": float(os.environ.get("FER_BROKER_POLLING_INTERVAL", "0.1")),
    }
    # The filesystem transport has no fan-out exchange for remote control (inspect, ping).
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Redis re-delivers an unacknowledged message after this long. It must exceed the task time
        # limit, or a slow task still running is handed to a second worker (readthedocs' double run).
        "visibility_timeout": max(FER_TASK_TIME_LIMIT, FER_VIDEO_TASK_TIME_LIMIT) * 2,
        **REDIS_SOCKET_TIMEOUTS,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Results live in the database (Media rows); nobody waits on Celery's result backend, except the
# web request of a live frame (analysis.live.frames), whose task alone keeps its result.
CELERY_TASK_IGNORE_RESULT = True
# Live frames: one result per frame, read once and deleted by the waiting request; Redis forgets any
# left unread (a reply that came after its deadline) after CELERY_RESULT_EXPIRES.
if CELERY_BROKER_URL.startswith("filesystem://"):
    # No server: results as files in a folder beside the broker's, which web and worker both see.
    (_broker_dir / "results").mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or f"file://{_broker_dir / 'results'}"
else:
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL
CELERY_RESULT_EXPIRES = env_int("FER_LIVE_RESULT_EXPIRES_S", 60)
# The result backend's commands (Celery's default time-out: 120 s) serve live frames alone, whose replies are
# worthless after FER_LIVE_DEADLINE_MS: against a hung Redis each of its 4 tries gives up after 1 s, so a
# frame answers busy in about 5 s (with the broker's 5 s, 26 s was measured; with none, never).
CELERY_REDIS_SOCKET_TIMEOUT = min(FER_REDIS_SOCKET_TIMEOUT_S, 1)
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = min(FER_REDIS_SOCKET_TIMEOUT_S, 1)
# Reconnecting to the result backend: a few quick tries, not Celery's 20 over ~19 s. Only live frames
# use it, and their replies are worthless after FER_LIVE_DEADLINE_MS: with Redis restarting, a frame's
# request held its web thread ~19 s and then answered 500; now it answers 503 busy in well under a second.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 3, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.2}
}
# Live frames go to their own queue, so a worker can be set aside for them (`-Q live`).
# Webhook deliveries too (`webhooks`): a slow endpoint then never delays an analysis or a live frame.
# These two settings are the one list of queues (analysis.jobs.broker.queues: metrics, account erasure).
CELERY_TASK_ROUTES = {
    "analysis.tasks.analyze_live_frame": {"queue": "live"},
    "analysis.tasks.deliver_webhook": {"queue": "webhooks"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Acknowledge after the task ran, so a worker that dies mid-task leaves the message to be re-delivered;
# a killed pool process is requeued at once rather than acknowledged as failed.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Inference is long compared with fetching a message: take one at a time so an idle worker elsewhere
# gets the next photo instead of it waiting behind this one.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = FER_TASK_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = soft_limit_s(FER_TASK_TIME_LIMIT)
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-jobs": {
        "task": "analysis.tasks.sweep_stale_jobs",
        "schedule": float(FER_SWEEP_INTERVAL_SECONDS),
        # A sweep that waited longer than an interval is superseded by the next one.
        "options": {"expires": float(FER_SWEEP_INTERVAL_SECONDS)},
    },
    # Retention (media past days:N, expired exports, activity past 90 days): days-long deadlines, so
    # a few minutes late is fine.
    "sweep-privacy": {
        "task": "analysis.tasks.sweep_privacy",
        "schedule": float(FER_PRIVACY_SWEEP_INTERVAL_SECONDS),
        "options": {"expires": float(FER_PRIVACY_SWEEP_INTERVAL_SECONDS)},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule")
)

# --- REST API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's own address rule (anonymous throttles) is analysis.web.addresses': trust no header unless set.
    "NUM_PROXIES": FER_TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "uploads": FER_UPLOAD_RATE,
        "token": FER_TOKEN_RATE,
        "live": FER_LIVE_RATE,
        "recordings": FER_RECORDING_RATE,
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Facial emotion recognition API",
    "DESCRIPTION": (
        "Upload photos and video clips, or send live camera frames, then read the faces found and their "
        "estimated expressions: per face for photos, per sampled frame and person (track) for clips."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package, served by the site: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The seven emotions appear in several fields (an item's label, a summary's labels): one enum.
    "ENUM_NAME_OVERRIDES": {"EmotionEnum": "ml.EMOTIONS"},
}

# --- Security (production) ---------------------------------------------------------------------------
if not DEBUG:
    # Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO.
    if os.environ.get("SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    # One year, the value the HSTS preload list asks for; 0 turns HSTS off (e.g. while trying TLS out).
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
