"""Nearhand settings: one module, read from the environment.

Safe for production unless DJANGO_DEBUG=1. Every variable is listed in README.md.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    try:
        SECRET_KEY = env("DJANGO_SECRET_KEY")
    except ImproperlyConfigured as missing:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (a long random string), or DJANGO_DEBUG=1 for development."
        ) from missing

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://localhost:8000")

INSTALLED_APPS = [
    "daphne",
    # Django's admin, with the moderation start page as its site (moderation.sites).
    "moderation.apps.ModerationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.gis",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "axes",
    "channels",
    "csp",
    "django_filters",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "storages",
    "marketplace",
    "places",
    "accounts",
    "listings",
    "bookings",
    "jobs",
    "reviews",
    "chat",
    "payments",
    # Support cases: above payments (a case refunds through it).
    "support",
    "notifications",
    # The moderation dashboard: above reviews and chat (the Moderators group, the start page).
    "moderation",
    # The daily clean-up: runs every app's retention rules (the top layer, beside moderation).
    "cleanup",
    # Last: the demo seed (manage.py seed_demo) may import every app above; none imports it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files get these headers too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "marketplace.middleware.cross_origin_resource_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Follows each request's writes for the read replicas (read-your-own-writes); before the
    # session middleware, so a session saved on the way out counts.
    "marketplace.replicas.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The random first-party device id the fraud rules link accounts by.
    "marketplace.client_address.device_cookie_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Before any view or CSRF check reads the body: a declared body over the limit is a 413.
    "marketplace.middleware.RequestBodyLimitMiddleware",
    # A view that cannot get a database connection in time answers 503 with Retry-After.
    "marketplace.middleware.DatabaseBusyMiddleware",
    # Last: turns a locked-out sign-in into the "too many failed sign-ins" page (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
# Form widgets and field groups render from templates/django/forms/ when the project overrides them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"
SITE_ID = 1

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
                "csp.context_processors.nonce",
                "marketplace.context_processors.site",
                "accounts.context_processors.onboarding",
                "notifications.context_processors.unread",
                "chat.context_processors.unread",
            ],
        },
    },
    # The few fragments every list renders many times (jinja_templates/fragments.html): cards,
    # stars, provider logos. Django templates call them through {% load fragments %}.
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja_templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "marketplace.jinja2.environment"},
    },
]

# --- Database: PostgreSQL + PostGIS, the only database -------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgis://nearhand:nearhand@127.0.0.1:5432/nearhand")
}
# Whatever scheme the URL uses, GeoDjango needs the PostGIS backend.
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# A new connection costs ~8 ms a request, so connections are reused, through Django's psycopg
# pool: a bounded number per process, however many threads ask. (Persistent connections,
# CONN_MAX_AGE > 0, pile up one per thread under ASGI, where every request has a thread of its
# own.) A request that cannot get one within the timeout is answered 503 with Retry-After
# (marketplace.middleware). docs/operations.md shows how pools x processes fit max_connections.
DATABASE_POOL = env.bool("DATABASE_POOL", default=True)
DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django must give each back
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
_database_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASE_POOL:
    _pool = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
    }
    if not 0 <= _pool["min_size"] <= _pool["max_size"] or _pool["max_size"] < 1:
        raise ImproperlyConfigured(
            "DATABASE_POOL_MIN_SIZE must be between 0 and DATABASE_POOL_MAX_SIZE (at least 1)."
        )
    if _pool["timeout"] <= 0:
        raise ImproperlyConfigured("DATABASE_POOL_TIMEOUT must be a positive number of seconds.")
    _database_options["pool"] = _pool
# Behind PgBouncer in transaction mode (DATABASE_URL pointing at it), consecutive transactions
# of one connection may run on different server connections, so nothing may outlive one:
# no server-side cursors (`.iterator()` keeps one open across fetches), and no `options`
# startup parameter (PgBouncer 1.18 refuses it; set those on the role, docs/operations.md).
# Prepared statements are already off: Django gives psycopg prepare_threshold=None.
DATABASE_TRANSACTION_POOLING = env.bool("DATABASE_TRANSACTION_POOLING", default=False)
if DATABASE_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    # The planner JIT-compiles cheap geo queries it misestimates, adding 100-250 ms, and
    # parallel workers add ~20 ms of start-up to queries that take 1 ms: both off for pages.
    _database_options["options"] = "-c jit=off -c max_parallel_workers_per_gather=0"
# Lets two test runs share one server without sharing a test database.
DATABASES["default"]["TEST"] = {"NAME": env("DATABASE_TEST_NAME", default=None)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (marketplace/replicas.py; docs/operations.md "Read replicas"): one alias each,
# replica_0, replica_1, ..., with the primary's engine, pool and options. The public read-only
# pages and API read from a usable one; everything else, and anyone who wrote in the last
# DATABASE_READ_OWN_WRITES_SECONDS, from the primary. In tests an alias mirrors the primary
# (the system tests point one at the real replica themselves).
DATABASE_REPLICAS: list[str] = []
for _index, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    _replica = environ.Env.db_url_config(_url)
    _replica_options = {**_replica.get("OPTIONS", {}), **_database_options}
    if DATABASE_POOL:
        _replica_options["pool"] = dict(_database_options["pool"])  # a pool of its own
    _replica.update(
        ENGINE=DATABASES["default"]["ENGINE"],
        CONN_MAX_AGE=0,
        CONN_HEALTH_CHECKS=True,
        OPTIONS=_replica_options,
        TEST={"MIRROR": "default"},
    )
    DATABASES[f"replica_{_index}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_index}")
DATABASE_ROUTERS = ["marketplace.replicas.ReplicaRouter"]
# Each process checks each replica this often (not per query); one behind the primary by more
# than the lag limit is skipped until it catches up. A person who wrote reads from the primary
# for the read-your-own-writes window, which must cover the lag limit plus a check's age, or
# they could read a replica that has not yet replayed their write.
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=2.0)
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=2.0)
DATABASE_READ_OWN_WRITES_SECONDS = env.int("DATABASE_READ_OWN_WRITES_SECONDS", default=5)
if not 0.1 <= DATABASE_REPLICA_CHECK_SECONDS <= 60:
    raise ImproperlyConfigured("DATABASE_REPLICA_CHECK_SECONDS must be from 0.1 to 60.")
if not 0 < DATABASE_REPLICA_MAX_LAG_SECONDS <= 300:
    raise ImproperlyConfigured("DATABASE_REPLICA_MAX_LAG_SECONDS must be over 0, at most 300.")
if not 1 <= DATABASE_READ_OWN_WRITES_SECONDS <= 3600:
    raise ImproperlyConfigured("DATABASE_READ_OWN_WRITES_SECONDS must be from 1 to 3600.")
if DATABASE_READ_OWN_WRITES_SECONDS < (
    DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS
):
    raise ImproperlyConfigured(
        "DATABASE_READ_OWN_WRITES_SECONDS must be at least DATABASE_REPLICA_MAX_LAG_SECONDS"
        " + DATABASE_REPLICA_CHECK_SECONDS."
    )

# --- Redis: cache, Channels layer, Celery broker --------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Nothing in Redis is needed to serve a page: while it is down or hung the cache answers as a
# miss (marketplace/cache.py; one warning in the log), so pages, sign-in, booking and job posting
# go on; /healthz reports it. Short timeouts keep a hung Redis from holding requests.
CACHES = {
    "default": {
        "BACKEND": "marketplace.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="nearhand"),
        "OPTIONS": {
            "CONNECTION_POOL_CLASS": "marketplace.cache.ConnectionPool",
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
# marketplace.cache logs one warning when Redis stops answering and one when it is back;
# django-redis's own log of every ignored call (a traceback each) would flood it.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
# The anonymous page cache (marketplace/page_cache.py): how long a catalogue page kept for
# visitors who are not signed in may be served, in seconds; every change a page shows renders it
# afresh at once, so this bounds only what nothing announced, which the site promises to show
# within a minute: at most 60. 0 turns the cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
if not 0 <= PAGE_CACHE_SECONDS <= 60:
    raise ImproperlyConfigured("PAGE_CACHE_SECONDS must be between 0 and 60.")
# redis-py 8 gives every connection a 5 s read timeout by default: exactly channels_redis's
# blocking wait for a consumer's next message (BZPOPMIN, brpop_timeout = 5), so after 5 quiet
# seconds a consumer's receive failed ("Timeout reading") and daphne closed the websocket with
# 1011. The read timeout outlasts that wait, and still bounds a Redis that hangs.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
    }
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# A task's message is acknowledged when the task has finished, not when it starts, and a task
# whose worker process died under it (SIGKILL, the OOM killer) goes back on its queue instead of
# being dropped as failed: every task is safe to run twice (docs/operations.md, "Celery").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Two queues, so a slow mail server never holds up bookings, payments and expiries, and a burst
# of those never holds up email: a task whose name has "email" in it goes to `email`, every other
# to `default` (marketplace/tests/test_celery.py holds the convention, and finds any new module
# that sends mail). A worker consumes one or both (`-Q default,email`: the Procfile's).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"*email*": {"queue": "email"}}
# Queuing a task from a request must not hold it when the broker is down or hung: fail fast
# (marketplace.queueing logs it and the work's sweeper sends it later). kombu would otherwise
# retry a publish three times, and wait forever on a broker that stopped answering. The socket
# timeout stays above the worker's 1 s BRPOP.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1.5,
    # The Redis broker hands a message that was delivered and never acknowledged (its worker
    # was killed outright) to another worker only after this many seconds. It must exceed the
    # longest task and the longest countdown: a task still running, or waiting for its ETA, past
    # it is run a second time. Email waits less: the sweepers send what is unsent after minutes.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "refresh-search-terms": {
        "task": "listings.tasks.refresh_search_terms",
        "schedule": crontab(minute="*/30"),
    },
    # Expired sessions, unverified accounts, abandoned drafts, old sign-in logs and read
    # notifications, orphaned uploads (cleanup/services.py; docs/operations.md).
    "daily-cleanup": {
        "task": "cleanup.tasks.cleanup_daily",
        "schedule": crontab(hour=3, minute=17),
    },
    "sweep-unsent-provider-status-emails": {
        "task": "accounts.tasks.sweep_unsent_provider_status_emails",
        "schedule": crontab(minute="*/5"),
    },
    "expire-insurance-and-send-notices": {
        "task": "accounts.tasks.expire_insurance_and_send_notices",
        "schedule": crontab(minute=7),
    },
    "sweep-unsent-notification-emails": {
        "task": "notifications.tasks.sweep_unsent_notification_emails",
        "schedule": crontab(minute="*/5"),
    },
    "expire-stale-booking-requests": {
        "task": "bookings.tasks.expire_stale_booking_requests",
        "schedule": crontab(minute="*/10"),
    },
    "send-booking-reminders": {
        "task": "bookings.tasks.send_booking_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "expire-jobs-and-quotes": {
        "task": "jobs.tasks.expire_jobs_and_quotes",
        "schedule": crontab(minute="*/15"),
    },
    "send-unread-message-emails": {
        "task": "chat.tasks.send_unread_message_emails",
        "schedule": crontab(minute="*/2"),
    },
    "payments-sweep": {
        "task": "payments.tasks.payments_sweep",
        "schedule": crontab(minute="*/15"),
    },
    "stripe-webhooks-sweep": {
        "task": "payments.tasks.webhooks_sweep",
        "schedule": crontab(minute="*/5"),
    },
    "fraud-scan": {
        "task": "reviews.tasks.fraud_scan_daily",
        "schedule": crontab(hour=2, minute=41),
    },
}

# Sessions live in PostgreSQL so that a Redis outage logs nobody out.
# Reviews: a review whose fraud signals (reviews/fraud.py) score this much or more in total is
# held for a moderator instead of being published.
FRAUD_HOLD_THRESHOLD = env.int("FRAUD_HOLD_THRESHOLD", default=50)
# What each rule's signal scores (docs/operations.md, "Fraud rules"). A strong rule holds a
# review on its own (60 >= 50); the weak ones only together.
FRAUD_RULE_SCORES = {
    "shared_identity": 60,
    "odd_booking": 60,
    "repeat_reviewer": 30,
    "duplicate_text": 30,
    "new_account": 25,
    "burst": 20,
    "signup_cluster": 20,
    "disposable_email": 20,
}
# How far back the rules look at sign-ins and reviews (shared identity, burst history, texts).
FRAUD_LOOKBACK_DAYS = 90
# Burst: more reviews in 24 h than max(FRAUD_BURST_MIN, FRAUD_BURST_FACTOR x the daily mean).
FRAUD_BURST_MIN = 5
FRAUD_BURST_FACTOR = 4
# Near-duplicate text: pg_trgm similarity at or above this, against at most this many of the
# most recent earlier reviews by other people.
FRAUD_DUPLICATE_SIMILARITY = 0.7
FRAUD_DUPLICATE_CANDIDATES = 2000
# New account: younger than this when reviewing, or its only completed booking was booked
# and completed within FRAUD_QUICK_BOOKING_HOURS.
FRAUD_NEW_ACCOUNT_HOURS = 48
FRAUD_QUICK_BOOKING_HOURS = 3
# Odd booking: completed within this many minutes of being booked (or before its start).
FRAUD_ODD_BOOKING_MINUTES = 30
# Sign-up cluster: this many accounts (or more) created from one IP or device within 24 h.
FRAUD_SIGNUP_CLUSTER_SIZE = 3

SESSION_ENGINE = "django.contrib.sessions.backends.db"


# --- The daily clean-up (cleanup/services.py; docs/operations.md "Daily clean-up") ----------
def _whole_number(name: str, default: int, minimum: int = 1, maximum: int = 3650) -> int:
    """A whole number (days, hours, a count) from the environment, refused outside its bounds."""
    value = env.int(name, default=default)
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name} must be a whole number from {minimum} to {maximum}.")
    return value


# Accounts whose email was never verified are deleted this many days after sign-up.
CLEANUP_UNVERIFIED_ACCOUNT_DAYS = _whole_number("CLEANUP_UNVERIFIED_ACCOUNT_DAYS", 30)
# A draft listing untouched this long gets a notice; it is deleted (archived when bookings or
# quotes refer to it) this many days after the notice if it is still untouched.
CLEANUP_DRAFT_LISTING_DAYS = _whole_number("CLEANUP_DRAFT_LISTING_DAYS", 90)
CLEANUP_DRAFT_NOTICE_DAYS = _whole_number("CLEANUP_DRAFT_NOTICE_DAYS", 7)
# The sign-in log is kept this long: at least as long as the fraud rules look back at it.
CLEANUP_SIGN_IN_LOG_DAYS = _whole_number(
    "CLEANUP_SIGN_IN_LOG_DAYS", 180, minimum=FRAUD_LOOKBACK_DAYS
)
# A notification is deleted this many days after it was read (unread ones are kept).
CLEANUP_READ_NOTIFICATION_DAYS = _whole_number("CLEANUP_READ_NOTIFICATION_DAYS", 90)
# An uploaded file no row names is deleted once it is this many hours old (an upload being
# stored before its row is written is younger), at most this many files a run.
CLEANUP_ORPHAN_FILE_HOURS = _whole_number("CLEANUP_ORPHAN_FILE_HOURS", 24, maximum=24 * 365)
CLEANUP_ORPHAN_FILES_PER_RUN = _whole_number(
    "CLEANUP_ORPHAN_FILES_PER_RUN", 1000, maximum=1_000_000
)
# Rows deleted per transaction (each batch commits on its own).
CLEANUP_BATCH_SIZE = _whole_number("CLEANUP_BATCH_SIZE", 500, maximum=10_000)

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked (account, address) pair before any password is checked.
    "accounts.backends.SignInThrottleBackend",
    # allauth's backend is Django's ModelBackend (permissions included) signing in by email.
    # Django's own ModelBackend is not listed as well: each would hash every wrong password.
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2 first (accounts.hashers: Argon2id at OWASP's parameters, ~40 ms of CPU a hash where
# PBKDF2 at Django's work factor takes ~0.45 s): password guessing is no cheap way to load the
# servers. The others stay so that existing hashes keep working; each is rehashed with Argon2
# at its owner's next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env(
    "ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory"
)
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Nearhand] "

# --- Sign-in throttling (docs/operations.md) -------------------------------------------------
# Failed sign-ins are counted per (account, address) pair and per address, never per account
# alone: five failures from anywhere must not lock a person out of their own account.
# The pair: django-axes, in PostgreSQL (so it holds while Redis is down). Its failures count
# while the last of them is younger than the cool-off; a success clears them.
SIGN_IN_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
SIGN_IN_LOCKOUT_MINUTES = env.int("SIGN_IN_LOCKOUT_MINUTES", default=15)
if SIGN_IN_FAILURE_LIMIT < 1 or SIGN_IN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("SIGN_IN_FAILURE_LIMIT and SIGN_IN_LOCKOUT_MINUTES must be >= 1.")
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = SIGN_IN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
# Attempts while locked are refused without being counted, so the wait shown is the wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The account is the email, however it was typed, from allauth's form ("login"), Django's
# authenticate(email=...) or the admin's (username=...); the address is the client's own.
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "accounts.throttle.sign_in_username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.sign_in_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.sign_in_locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# accounts.SignInEvent is the sign-in log; axes keeps only what it counts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The address: allauth's rate limits, in the cache (Redis). Generous enough for an office
# behind one address, tight enough to stop one address guessing across many accounts; allauth's
# default per-email limit ("5/300s/key") is gone. Every sign-in POST counts towards "login".
_per_minute = SIGN_IN_ADDRESS_FAILURES_PER_MINUTE = env.int(
    "SIGN_IN_ADDRESS_FAILURES_PER_MINUTE", default=30
)
if _per_minute < 1:
    raise ImproperlyConfigured("SIGN_IN_ADDRESS_FAILURES_PER_MINUTE must be >= 1.")
ACCOUNT_RATE_LIMITS = {
    "login": f"{2 * _per_minute}/m/ip",
    "login_failed": f"{_per_minute}/m/ip,{10 * _per_minute}/h/ip",
}
if env.bool("ACCOUNT_DISABLE_RATE_LIMITS", default=False):
    ACCOUNT_RATE_LIMITS = False

AVATAR_MAX_UPLOAD_BYTES = env.int("AVATAR_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
AVATAR_SIZE_PX = 512
PROVIDER_MAX_SERVICE_RADIUS_KM = env.int("PROVIDER_MAX_SERVICE_RADIUS_KM", default=200)

# --- Bookings -------------------------------------------------------------------------------
# Free time kept between two jobs, and how far ahead customers may book.
BOOKING_BUFFER_MINUTES = env.int("BOOKING_BUFFER_MINUTES", default=30)
BOOKING_MIN_LEAD_HOURS = env.int("BOOKING_MIN_LEAD_HOURS", default=12)
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=60)
# A request the provider has not answered in this long expires by itself.
BOOKING_REQUEST_EXPIRY_HOURS = env.int("BOOKING_REQUEST_EXPIRY_HOURS", default=48)
BOOKING_REMINDER_HOURS = 24
# A booking waits at most this long for the provider's row lock before "that slot was just taken".
BOOKING_LOCK_TIMEOUT_MS = env.int("BOOKING_LOCK_TIMEOUT_MS", default=3000)

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Another backend than EMAIL_URL's scheme names (a provider's API package, say), given its
# options by EMAIL_URL (host, port, user, password, file path).
EMAIL_BACKEND = env("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
# A hung mail server must not hold an outbox row's lock (and its transaction) for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Nearhand <hello@nearhand.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# --- Uploads --------------------------------------------------------------------------------
# marketplace.images checks every image before decoding it (bytes, format, pixels); these
# bound the requests that carry them. docs/operations.md explains each limit.
PHOTO_MAX_UPLOAD_BYTES = env.int("PHOTO_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# A listing's 10 photos and 2 more, so that choosing a few too many gets the photo page's own
# message; past that Django refuses the request (TooManyFilesSent, a 400 page saying why)
# before it stores another file.
DATA_UPLOAD_MAX_NUMBER_FILES = 12
# Uploads stay in memory only while the whole request is under 2.5 MB (Django's default);
# bigger ones stream to temporary files. Under ASGI the body is spooled the same way.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Form fields, not counting files: the largest form here is a few KB (Django's default).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A request declaring a bigger body is refused with 413 before Django reads any of it
# (marketplace.middleware): a listing's 10 photos at their largest, plus the form. Give the
# proxy in front the same limit (nginx: client_max_body_size).
MAX_REQUEST_BODY_BYTES = env.int(
    "MAX_REQUEST_BODY_BYTES", default=10 * PHOTO_MAX_UPLOAD_BYTES + 1024 * 1024
)


# Uploaded files: two storages. "default" holds what any visitor may see (avatars, providers'
# logos, listing photos, the demo pictures); "private" what only checked views serve (message,
# review and support case photos, invoices: marketplace.storage). On local disk both are
# MEDIA_ROOT. With a bucket both are S3 (django-storages; boto3 finds the keys itself:
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role): public files have plain
# URLs (the bucket, or AWS_S3_CUSTOM_DOMAIN, must let anyone read their folders), private ones
# are read with the site's credentials, and any URL to one is signed (docs/operations.md).
def upload_storages(env: environ.Env) -> dict[str, dict]:
    """STORAGES' "default" and "private" from the environment (the object storage tests build
    theirs with it too)."""
    bucket = env("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        # One folder: the media URLs refuse the private folders (chat/, reviews/, support/,
        # invoices/), which only the checked views read.
        local = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        return {"default": local, "private": local}
    s3 = {
        "region_name": env("AWS_S3_REGION_NAME", default=None),
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
        "file_overwrite": False,
        # Signature version 4: the only one AWS accepts on buckets made since 2020 (and R2).
        "signature_version": "s3v4",
    }
    public = {
        **s3,
        "bucket_name": bucket,
        "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
        # None sends no ACL, so the bucket's policy decides (AWS buckets refuse ACLs by
        # default); "public-read" for stores that make objects public by ACL.
        "default_acl": env("AWS_DEFAULT_ACL", default=None),
        "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
    }
    private = {
        **s3,
        # A bucket of its own when the public one is readable whole (a public R2 bucket, a
        # policy on "*"); otherwise the same bucket, whose policy names none of its folders.
        "bucket_name": env("AWS_PRIVATE_STORAGE_BUCKET_NAME", default=bucket),
        "custom_domain": None,
        "default_acl": None,  # S3's own default: only the bucket's owner reads it
        "querystring_auth": True,
        "querystring_expire": 300,  # seconds; no page links one (the admin neither)
    }
    backend = "storages.backends.s3.S3Storage"
    return {
        "default": {"BACKEND": backend, "OPTIONS": public},
        "private": {"BACKEND": backend, "OPTIONS": private},
    }


def upload_origin(storage: dict) -> str:
    """Where the public storage's URLs point ("" for the site itself), for the pages' CSP: a
    custom domain; else the endpoint (path-style URLs, as boto3 makes them for one); else
    AWS's virtual-hosted bucket name."""
    options = storage.get("OPTIONS", {})
    if not options:
        return ""
    if options["custom_domain"]:
        return f"https://{options['custom_domain']}"
    if options["endpoint_url"]:
        parts = urlsplit(options["endpoint_url"])
        return f"{parts.scheme}://{parts.netloc}"
    return f"https://{options['bucket_name']}.s3.amazonaws.com"


AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    **upload_storages(env),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Maps -----------------------------------------------------------------------------------
MAP_TILE_URL = env("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="&copy; OpenStreetMap contributors")


def _tile_origin(url: str) -> str:
    parts = urlsplit(url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


# --- Security -------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind a proxy (a load balancer, TLS terminator or CDN) every request arrives from the proxy's
# address; the client's own is the one the outermost of our proxies appended to
# X-Forwarded-For (marketplace.client_address). Only then is that header read: without a proxy
# anyone could write it. DJANGO_PROXY_COUNT is how many proxies of ours append to it (a CDN in
# front of the load balancer makes 2).
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
TRUSTED_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=1) if BEHIND_PROXY else 0
if BEHIND_PROXY:
    if TRUSTED_PROXY_COUNT < 1:
        raise ImproperlyConfigured("DJANGO_PROXY_COUNT must be 1 or more behind a proxy.")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# allauth's own reading of the header, for any of its code that does not ask our adapter.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# The REST API (/api/): DRF on the same services, selectors and rules as the pages
# (marketplace/api.py has the shared pieces; each app its api.py and api_urls.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt loads the user on every request and refuses an inactive one, so a
        # suspended person's tokens stop working at once, not at their expiry.
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        # The site's own JavaScript: the session, with DRF's CSRF check.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "marketplace.api.PagePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "marketplace.api_throttles.AnonThrottle",
        "marketplace.api_throttles.UserThrottle",
        "marketplace.api_throttles.ScopedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        # Per address: sign-in (token), sign-up and password reset cost a password hash or
        # an email each.
        "auth": env.str("API_THROTTLE_AUTH", default="10/min"),
        "sign_up": env.str("API_THROTTLE_SIGN_UP", default="5/hour"),
        "password_reset": env.str("API_THROTTLE_PASSWORD_RESET", default="5/hour"),
    },
    "EXCEPTION_HANDLER": "marketplace.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Nearhand API",
    "DESCRIPTION": "Local services: the catalogue, bookings, jobs and quotes, reviews, messages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (no CDN; the CSP allows only 'self').
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models call their choices Status: name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ServiceStatusEnum": "listings.models.Service.Status",
        "ReviewStatusEnum": "reviews.models.Review.Status",
    },
}

# --- Payments (payments/, docs/payments.md) -------------------------------------------------
# Stripe's keys. In development and tests `make` starts localstripe (a Stripe stand-in) and sets
# STRIPE_API_BASE to it; with real keys, leave STRIPE_API_BASE unset.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="sk_test_localstripe" if DEBUG else "")
STRIPE_PUBLISHABLE_KEY = env(
    "STRIPE_PUBLISHABLE_KEY", default="pk_test_localstripe" if DEBUG else ""
)
STRIPE_WEBHOOK_SECRET = env(
    "STRIPE_WEBHOOK_SECRET", default="whsec_localstripe_development" if DEBUG else ""
)
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
# Where the browser reaches localstripe (its Stripe.js stand-in talks to it directly); the
# same as STRIPE_API_BASE unless that is a name only the server resolves.
STRIPE_JS_API_BASE = env("STRIPE_JS_API_BASE", default=STRIPE_API_BASE)
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=10)
PAYMENTS_CURRENCY = "aud"
# The platform fee when a category sets none, in percent of the job's price.
PLATFORM_FEE_PERCENT = Decimal(env("PLATFORM_FEE_PERCENT", default="10"))
if not Decimal(0) <= PLATFORM_FEE_PERCENT <= Decimal(50):
    raise ImproperlyConfigured("PLATFORM_FEE_PERCENT must be a percentage from 0 to 50.")
# A card is authorised this many days before the job at the earliest: authorisations expire
# after 7 days, so a booking further ahead is authorised later, off-session.
PAYMENTS_AUTHORISE_DAYS_AHEAD = env.int("PAYMENTS_AUTHORISE_DAYS_AHEAD", default=6)
# A completed job's earning becomes available for payout this many days after completion (the
# window in which either side can report a problem).
PAYOUT_HOLD_DAYS = env.int("PAYOUT_HOLD_DAYS", default=7)
# The weekly payout batch is drawn up on this weekday (0 = Monday) at this hour, UTC.
PAYOUT_WEEKDAY = env.int("PAYOUT_WEEKDAY", default=0)
PAYOUT_HOUR = env.int("PAYOUT_HOUR", default=20)
if not (0 <= PAYOUT_WEEKDAY <= 6 and 0 <= PAYOUT_HOUR <= 23):
    raise ImproperlyConfigured("PAYOUT_WEEKDAY is 0 (Monday) to 6, PAYOUT_HOUR 0 to 23.")
CELERY_BEAT_SCHEDULE["payout-batch-weekly"] = {
    "task": "payments.tasks.payout_batch_create",
    # crontab counts weekdays from Sunday (0), Python from Monday.
    "schedule": crontab(minute=0, hour=PAYOUT_HOUR, day_of_week=(PAYOUT_WEEKDAY + 1) % 7),
}
CELERY_BEAT_SCHEDULE["issue-missing-invoices"] = {
    "task": "payments.tasks.invoices_issue_missing",
    "schedule": crontab(minute="*/15"),
}
# The platform's own details on the fee receipts it issues to providers.
PLATFORM_LEGAL_NAME = env("PLATFORM_LEGAL_NAME", default="Nearhand Pty Ltd")
PLATFORM_ABN = env("PLATFORM_ABN", default="51 824 753 556")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [
            SELF,
            "data:",
            "blob:",
            *filter(None, [_tile_origin(MAP_TILE_URL), upload_origin(STORAGES["default"])]),
        ],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Card entry: Stripe.js and its frames with real keys; offline, the site serves localstripe's
# stand-in (payments.views.stripe_js), which talks to localstripe from the browser.
_csp = CONTENT_SECURITY_POLICY["DIRECTIVES"]
if STRIPE_API_BASE:
    _csp["connect-src"] = [SELF, _tile_origin(STRIPE_JS_API_BASE)]
else:
    _csp["script-src"] = [SELF, "https://js.stripe.com"]
    _csp["frame-src"] = ["https://js.stripe.com", "https://hooks.stripe.com"]
    _csp["connect-src"] = [SELF, "https://api.stripe.com"]

# Browser features: only "Near me" asks for the location, on our own pages; nothing else.
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    **{
        feature: []
        for feature in (
            "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics",
            "camera", "display-capture", "encrypted-media", "fullscreen", "gamepad", "gyroscope",
            "hid", "idle-detection", "interest-cohort", "magnetometer", "microphone", "midi",
            "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
            "serial", "usb", "xr-spatial-tracking",
        )
    },
}  # fmt: skip

SILENCED_SYSTEM_CHECKS = [
    # Django 5.2 wants GDAL >= 3.9; Debian 12 ships 3.6, which does everything we use.
    "gis.W001",
]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-au"
TIME_ZONE = "Australia/Sydney"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The pool logs every checkout at INFO; its warnings (failed connects) still show.
        "psycopg.pool": {"level": "WARNING"},
        # axes logs every sign-in attempt at INFO; SignInEvent already records them.
        "axes": {"level": "WARNING"},
        # The stripe library logs every request at INFO.
        "stripe": {"level": "WARNING"},
    },
}
