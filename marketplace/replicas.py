"""Read replicas: which database a query reads from (docs/operations.md, "Read replicas").

With `DATABASE_REPLICA_URLS` set, settings.py adds one alias per replica (`replica_0`, ...)
and lists them in `DATABASE_REPLICAS`. Then:

- Only the views marked to read from a replica do: the public read-only pages (decorated with
  `reads_from_replica`) and the read-only public API (`ReplicaReadsAPIMixin`), and only for
  GET and HEAD. Everything else reads from the primary ("default").
- Within such a view, a read goes to the replica only outside a transaction on the primary
  and only until the request writes anything: every write goes to the primary
  (`ReplicaRouter.db_for_write`), and once one has, the rest of the request reads from the
  primary too.
- Read-your-own-writes: a request that wrote (any method other than GET, HEAD, OPTIONS or
  TRACE, or any ORM write during a GET) gets a signed cookie that lives
  `DATABASE_READ_OWN_WRITES_SECONDS`; while a request carries it, it reads from the primary.
  A cookie needs nothing on the server, so it works for visitors and signed-in people alike
  and survives Redis being down. API clients that send an `Authorization` header (tokens,
  which may keep no cookies) always read from the primary: there is nothing else that
  would carry the marker without Redis.
- Health: each process checks each replica at most every `DATABASE_REPLICA_CHECK_SECONDS`
  (one thread checks while the others use the last result), not per query: it connects with a
  one-second timeout and compares how far the replica has replayed with how far the primary
  has flushed. A replica that does not answer, is not in recovery (promoted, or not a
  replica at all), or is behind by more than `DATABASE_REPLICA_MAX_LAG_SECONDS` is skipped
  until a check finds it well. A replica that fails in the middle of a view (it went down
  between two checks) is marked down and the view runs again on the primary, which it may,
  since it wrote nothing: the person sees the page, not an error.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, router
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

# Where the marker of a recent write lives (a signed cookie: its signature dates it).
WROTE_COOKIE = "nearhand_wrote"
_WROTE_SALT = "marketplace.replicas.wrote"
# Requests that write nothing by their method; a write during one still sets the marker.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_READ_METHODS = frozenset({"GET", "HEAD"})
# A check gives up on a replica that does not answer within this.
CHECK_TIMEOUT_SECONDS = 1
# The replica's replay position against the primary's flushed WAL; the lag is the time since
# the replica replayed its last transaction, and nothing when it has replayed everything the
# primary had flushed a moment before (an idle replica is not behind, however long ago its
# last transaction was).
_PRIMARY_POSITION_SQL = "SELECT pg_current_wal_flush_lsn()"
_REPLICA_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_replay_lsn() >= %(primary)s::pg_lsn,
       EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8,
       pg_wal_lsn_diff(%(primary)s::pg_lsn, pg_last_wal_replay_lsn())::bigint
"""


# --- Health --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaHealth:
    """What the last check of one replica found."""

    alias: str
    status: str  # "ok", "lagging", "unavailable" (not answering, or not a replica)
    lag_seconds: float | None = None
    behind_bytes: int | None = None
    detail: str = ""
    checked_at: float = 0.0  # time.monotonic()

    @property
    def usable(self) -> bool:
        return self.status == "ok"


class _Checks:
    """This process's last check of each replica, shared by its threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checking: dict[str, threading.Lock] = {}
        self._found: dict[str, ReplicaHealth] = {}

    def clear(self) -> None:
        with self._lock:
            self._found.clear()

    def last(self, alias: str) -> ReplicaHealth | None:
        with self._lock:
            return self._found.get(alias)

    def record(self, health: ReplicaHealth) -> None:
        with self._lock:
            previous = self._found.get(health.alias)
            self._found[health.alias] = health
        if previous is None or previous.status != health.status:
            level = logging.INFO if health.usable else logging.WARNING
            detail = f" {health.detail}" if health.detail else ""
            logger.log(level, "Read replica %s is %s%s", health.alias, health.status, detail)

    def checking_lock(self, alias: str) -> threading.Lock:
        with self._lock:
            return self._checking.setdefault(alias, threading.Lock())


_checks = _Checks()


def checks_clear() -> None:
    """Forget every check (tests start from an unchecked replica)."""
    _checks.clear()


# The database OPTIONS that are Django's or the pool's, not libpq's (the check sets its own
# "options").
_NOT_LIBPQ_OPTIONS = frozenset(
    {
        "pool",
        "options",
        "isolation_level",
        "server_side_binding",
        "assume_role",
        "cursor_factory",
        "context",
        "prepare_threshold",
    }
)


def _replica_connect(alias: str) -> psycopg.Connection:
    """A connection of its own for the check, outside the alias's pool: a pool waits up to
    DATABASE_POOL_TIMEOUT for a server that is down, the check one second."""
    params = connections[alias].settings_dict
    libpq = {k: v for k, v in params["OPTIONS"].items() if k not in _NOT_LIBPQ_OPTIONS}
    return psycopg.connect(
        **libpq,  # sslmode and the like, from the URL's query string
        dbname=params["NAME"],
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        connect_timeout=CHECK_TIMEOUT_SECONDS,
        options=f"-c statement_timeout={CHECK_TIMEOUT_SECONDS * 1000}",
        autocommit=True,
    )


def _primary_position() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_PRIMARY_POSITION_SQL)
        return cursor.fetchone()[0]


def replica_check(alias: str) -> ReplicaHealth:
    """Checks one replica now (and records what it found)."""
    now = time.monotonic()
    try:
        primary = _primary_position()
    except (OperationalError, InterfaceError) as error:
        health = ReplicaHealth(alias, "unavailable", detail=f"(primary: {error})", checked_at=now)
        _checks.record(health)
        return health
    try:
        with _replica_connect(alias) as replica:
            in_recovery, caught_up, since_replay, behind = replica.execute(
                _REPLICA_SQL, {"primary": primary}
            ).fetchone()
    except psycopg.Error as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        health = ReplicaHealth(alias, "unavailable", detail=f"({detail})", checked_at=now)
    else:
        if not in_recovery:
            health = ReplicaHealth(
                alias, "unavailable", detail="(not in recovery: not a replica)", checked_at=now
            )
        else:
            lag = 0.0 if caught_up else since_replay
            limit = settings.DATABASE_REPLICA_MAX_LAG_SECONDS
            lagging = lag is None or lag > limit
            health = ReplicaHealth(
                alias,
                "lagging" if lagging else "ok",
                lag_seconds=None if lag is None else round(max(lag, 0.0), 3),
                behind_bytes=max(behind or 0, 0),
                detail=f"(lag over {limit} s)" if lagging else "",
                checked_at=now,
            )
    _checks.record(health)
    return health


def replica_health(alias: str) -> ReplicaHealth:
    """The last check of the replica, checked again first when it is older than
    DATABASE_REPLICA_CHECK_SECONDS, unless another thread is checking it right now (then its
    last result, or "unavailable" before any)."""
    last = _checks.last(alias)
    if last is not None and time.monotonic() - last.checked_at < (
        settings.DATABASE_REPLICA_CHECK_SECONDS
    ):
        return last
    checking = _checks.checking_lock(alias)
    if not checking.acquire(blocking=False):
        return last or ReplicaHealth(alias, "unavailable", detail="(not checked yet)")
    try:
        return replica_check(alias)
    finally:
        checking.release()


def replica_failed(alias: str, error: BaseException) -> None:
    """A query on the replica failed: skip it until the next check finds it well."""
    _checks.record(
        ReplicaHealth(
            alias, "unavailable", detail=f"(failed: {error})", checked_at=time.monotonic()
        )
    )


def replicas_health() -> list[ReplicaHealth]:
    """Every configured replica as /healthz reports it."""
    return [replica_health(alias) for alias in settings.DATABASE_REPLICAS]


def replica_choose() -> str | None:
    """A usable replica (at random among them, to spread the reads), or None."""
    usable = [alias for alias in settings.DATABASE_REPLICAS if replica_health(alias).usable]
    return random.choice(usable) if usable else None


# --- Routing -------------------------------------------------------------------------------


@dataclass
class _Routing:
    """The current request's routing, shared with the router through a context variable (each
    request has its own under WSGI threads and ASGI tasks alike)."""

    replica: str | None = None  # where reads may go while a replica-reading view runs
    wrote: bool = False  # a write went to the primary during this request
    replica_reads: set[str] = field(default_factory=set)  # the replicas actually read from


_routing: ContextVar[_Routing | None] = ContextVar("nearhand_db_routing", default=None)


class ReplicaRouter:
    """Reads of a replica-reading view outside a transaction go to its replica; every other
    read, and every write, to the primary."""

    def db_for_read(self, model, **hints) -> str:
        routing = _routing.get()
        if (
            routing is not None
            and routing.replica is not None
            and not routing.wrote
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            routing.replica_reads.add(routing.replica)
            return routing.replica
        # Named, not None: Django would otherwise read a row's relations from the database
        # the row came from, a replica, even inside a transaction.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        routing = _routing.get()
        if routing is not None:
            routing.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # replicas follow the primary's schema by themselves


def read_connection():
    """The connection a raw SQL read goes through: the current replica's in a replica-reading
    view outside a transaction, the primary's otherwise (as the ORM's reads are routed)."""
    return connections[router.db_for_read(None)]


def read_from_replica() -> bool:
    """Whether the current request has read anything from a replica so far."""
    routing = _routing.get()
    return routing is not None and bool(routing.replica_reads)


def wrote_recently(request: HttpRequest) -> bool:
    """Whether this client wrote within DATABASE_READ_OWN_WRITES_SECONDS (its signed cookie)."""
    return (
        request.get_signed_cookie(
            WROTE_COOKIE,
            default=None,
            salt=_WROTE_SALT,
            max_age=settings.DATABASE_READ_OWN_WRITES_SECONDS,
        )
        is not None
    )


def _may_read_from_replica(request: HttpRequest) -> bool:
    return (
        bool(settings.DATABASE_REPLICAS)
        and request.method in _READ_METHODS
        and "HTTP_AUTHORIZATION" not in request.META
        and not wrote_recently(request)
    )


def _serve_from_replica(request: HttpRequest, serve: Callable[[], HttpResponse]) -> HttpResponse:
    """Runs `serve` reading from a usable replica when the request may; on the primary when
    it may not, or when the replica fails while it runs (then it wrote nothing)."""
    if not _may_read_from_replica(request):
        return serve()
    alias = replica_choose()
    if alias is None:
        return serve()
    routing = _routing.get()
    token = None
    if routing is None:  # outside ReplicaRoutingMiddleware (a view called directly)
        routing = _Routing()
        token = _routing.set(routing)
    routing.replica = alias
    try:
        return serve()
    except (OperationalError, InterfaceError) as error:
        if routing.wrote or alias not in routing.replica_reads:
            raise
        logger.warning("Read replica %s failed; reading from the primary: %s", alias, error)
        replica_failed(alias, error)
        connections[alias].close()
        routing.replica = None
        return serve()
    finally:
        routing.replica = None
        if token is not None:
            _routing.reset(token)


def reads_from_replica(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a public read-only page: its GET and HEAD read from a replica when one is usable
    and the visitor wrote nothing a moment ago (see the module's note)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return _serve_from_replica(request, lambda: view(request, *args, **kwargs))

    return wrapper


class ReplicaReadsAPIMixin:
    """For a read-only public API view (first among its bases): its GET and HEAD read from a
    replica as `reads_from_replica` pages do. A viewset reads from one only in the actions
    named in `replica_actions`."""

    replica_actions: frozenset[str] = frozenset({"list", "retrieve"})

    def dispatch(self, request, *args, **kwargs):
        def serve() -> HttpResponse:
            return super(ReplicaReadsAPIMixin, self).dispatch(request, *args, **kwargs)

        actions = getattr(self, "action_map", None)  # a viewset's method -> action
        if actions is not None and actions.get(request.method.lower()) not in self.replica_actions:
            return serve()
        return _serve_from_replica(request, serve)


class ReplicaRoutingMiddleware:
    """Follows what each request writes, and marks a client that wrote with the signed cookie
    that keeps its reads on the primary for DATABASE_READ_OWN_WRITES_SECONDS. Sits before the
    session middleware, so a session saved on the way out counts as a write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        routing = _Routing()
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if settings.DATABASE_REPLICAS and (request.method not in SAFE_METHODS or routing.wrote):
            response.set_signed_cookie(
                WROTE_COOKIE,
                "1",
                salt=_WROTE_SALT,
                max_age=settings.DATABASE_READ_OWN_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
