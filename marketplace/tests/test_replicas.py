"""Read replicas: the routing rules, read-your-own-writes, the health checks and /healthz.

These run without a replica (the checks' results are stood in for); the system tests in
listings/tests/test_read_replica.py run the same rules against the real streaming replica
that `make test` provisions.
"""

import time
from contextlib import contextmanager

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connections, router
from django.http import HttpResponse
from django.urls import reverse

from marketplace import replicas
from marketplace.replicas import (
    WROTE_COOKIE,
    ReplicaHealth,
    ReplicaReadsAPIMixin,
    ReplicaRouter,
    ReplicaRoutingMiddleware,
    reads_from_replica,
)

ALIAS = "replica_unit"  # an alias of its own, whatever DATABASE_REPLICA_URLS says


@pytest.fixture(autouse=True)
def _unchecked():
    replicas.checks_clear()
    yield
    replicas.checks_clear()


@pytest.fixture
def one_replica(settings):
    settings.DATABASE_REPLICAS = [ALIAS]
    settings.DATABASE_REPLICA_CHECK_SECONDS = 2.0
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 2.0
    settings.DATABASE_READ_OWN_WRITES_SECONDS = 5
    return ALIAS


@pytest.fixture
def checks(monkeypatch):
    """Stands in for the replica's check: `checks.status` is what the next one finds."""

    class Checks:
        status = "ok"
        count = 0

    def check(alias):
        Checks.count += 1
        health = ReplicaHealth(alias, Checks.status, lag_seconds=0.0, checked_at=time.monotonic())
        replicas._checks.record(health)
        return health

    monkeypatch.setattr(replicas, "replica_check", check)
    return Checks


@contextmanager
def alias_for(database: dict):
    """The replica alias, for this test only, with these settings."""
    connections.settings[ALIAS] = database
    try:
        yield
    finally:
        if hasattr(connections._connections, ALIAS):
            connections[ALIAS].close()
            del connections[ALIAS]
        del connections.settings[ALIAS]


def routed(**state) -> object:
    """Runs the router inside a request's routing with the given state."""
    routing = replicas._Routing(**state)
    return replicas._routing.set(routing), routing


# --- The router --------------------------------------------------------------------------


def test_without_a_replica_reading_view_every_read_and_write_goes_to_the_primary():
    assert ReplicaRouter().db_for_read(Session) == "default"
    assert ReplicaRouter().db_for_write(Session) == "default"


def test_in_a_replica_reading_view_reads_go_to_its_replica_until_it_writes():
    token, routing = routed(replica=ALIAS)
    try:
        assert ReplicaRouter().db_for_read(Session) == ALIAS
        assert routing.replica_reads == {ALIAS}
        assert ReplicaRouter().db_for_write(Session) == "default"
        assert routing.wrote
        # The rest of the request reads what it wrote.
        assert ReplicaRouter().db_for_read(Session) == "default"
    finally:
        replicas._routing.reset(token)


def test_reads_inside_a_transaction_go_to_the_primary(monkeypatch):
    token, _routing = routed(replica=ALIAS)
    try:
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)
        assert ReplicaRouter().db_for_read(Session) == "default"
        monkeypatch.setattr(connections["default"], "in_atomic_block", False)
        assert ReplicaRouter().db_for_read(Session) == ALIAS
    finally:
        replicas._routing.reset(token)


def test_replicas_are_never_migrated_and_rows_relate_across_aliases():
    assert ReplicaRouter().allow_migrate("default", "listings") is True
    assert ReplicaRouter().allow_migrate(ALIAS, "listings") is False
    assert ReplicaRouter().allow_relation(object(), object()) is True


# --- Which requests may read from a replica ----------------------------------------------


def probe_view(request):
    """Answers which database a read would use right now."""
    return HttpResponse(router.db_for_read(Session))


replica_probe = reads_from_replica(probe_view)


def test_a_public_get_or_head_reads_from_a_usable_replica(rf, one_replica, checks):
    assert replica_probe(rf.get("/electricians/")).content == ALIAS.encode()
    assert replica_probe(rf.head("/electricians/")).content == ALIAS.encode()
    # Only while the view runs.
    assert router.db_for_read(Session) == "default"


def test_other_methods_read_from_the_primary(rf, one_replica, checks):
    assert replica_probe(rf.post("/electricians/")).content == b"default"
    assert replica_probe(rf.options("/electricians/")).content == b"default"


def test_a_request_with_a_token_reads_from_the_primary(rf, one_replica, checks):
    request = rf.get("/api/categories/", HTTP_AUTHORIZATION="Bearer abc")
    assert replica_probe(request).content == b"default"


def test_without_replicas_everything_reads_from_the_primary(rf, settings, checks):
    settings.DATABASE_REPLICAS = []
    assert replica_probe(rf.get("/electricians/")).content == b"default"
    assert checks.count == 0


@pytest.mark.parametrize("status", ["lagging", "unavailable"])
def test_a_lagging_or_unavailable_replica_is_skipped(rf, one_replica, checks, status):
    checks.status = status
    assert replica_probe(rf.get("/electricians/")).content == b"default"


def test_among_usable_replicas_reads_spread_and_a_bad_one_is_left_out(rf, settings, checks):
    settings.DATABASE_REPLICAS = ["replica_0", "replica_1", "replica_2"]
    replicas._checks.record(ReplicaHealth("replica_1", "lagging", checked_at=time.monotonic()))
    seen = {replica_probe(rf.get("/electricians/")).content for _ in range(60)}
    assert seen == {b"replica_0", b"replica_2"}


def with_wrote_cookie(request, *, age: float = 0.0):
    """Gives the request the cookie a write's response set, `age` seconds ago."""
    response = HttpResponse()
    issued = time.time() - age
    original = time.time
    try:
        time.time = lambda: issued
        response.set_signed_cookie(WROTE_COOKIE, "1", salt=replicas._WROTE_SALT)
    finally:
        time.time = original
    request.COOKIES[WROTE_COOKIE] = response.cookies[WROTE_COOKIE].value
    return request


def test_a_client_that_wrote_a_moment_ago_reads_from_the_primary(rf, one_replica, checks):
    request = with_wrote_cookie(rf.get("/electricians/"), age=1)
    assert replica_probe(request).content == b"default"
    # Past the window the replica has surely replayed the write.
    request = with_wrote_cookie(rf.get("/electricians/"), age=6)
    assert replica_probe(request).content == ALIAS.encode()


def test_a_forged_marker_is_ignored(rf, one_replica, checks):
    request = rf.get("/electricians/")
    request.COOKIES[WROTE_COOKIE] = "1"
    assert replica_probe(request).content == ALIAS.encode()


# --- The marker ----------------------------------------------------------------------------


def middleware_around(view):
    return ReplicaRoutingMiddleware(view)


def test_a_post_marks_the_client_as_having_written(rf, one_replica):
    response = middleware_around(lambda request: HttpResponse())(rf.post("/jobs/new/"))
    cookie = response.cookies[WROTE_COOKIE]
    assert cookie["max-age"] == 5
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_a_get_marks_the_client_only_when_it_wrote(rf, one_replica):
    response = middleware_around(lambda request: HttpResponse())(rf.get("/notifications/"))
    assert WROTE_COOKIE not in response.cookies

    def writes(request):
        router.db_for_write(Session)
        return HttpResponse()

    response = middleware_around(writes)(rf.get("/notifications/1/open/"))
    assert WROTE_COOKIE in response.cookies


def test_no_marker_without_replicas(rf, settings):
    settings.DATABASE_REPLICAS = []
    response = middleware_around(lambda request: HttpResponse())(rf.post("/jobs/new/"))
    assert WROTE_COOKIE not in response.cookies


def test_a_write_in_a_replica_reading_view_sends_the_rest_to_the_primary(rf, one_replica, checks):
    def view(request):
        before = router.db_for_read(Session)
        router.db_for_write(Session)
        return HttpResponse(f"{before} {router.db_for_read(Session)}")

    handler = middleware_around(reads_from_replica(view))
    response = handler(rf.get("/electricians/"))
    assert response.content == f"{ALIAS} default".encode()
    assert WROTE_COOKIE in response.cookies


# --- A replica that fails while a view reads from it -------------------------------------


def test_a_replica_that_fails_mid_view_is_skipped_and_the_view_runs_on_the_primary(
    rf, one_replica, checks
):
    calls = []

    def view(request):
        alias = router.db_for_read(Session)
        calls.append(alias)
        if alias == ALIAS:
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse(alias)

    with alias_for(dict(connections["default"].settings_dict)):
        response = reads_from_replica(view)(rf.get("/electricians/"))
    assert response.content == b"default"
    assert calls == [ALIAS, "default"]
    assert replicas._checks.last(ALIAS).status == "unavailable"
    # Skipped until the next check finds it well.
    assert replica_probe(rf.get("/electricians/")).content == b"default"
    assert checks.count == 1


def test_a_view_that_wrote_before_failing_is_not_run_again(rf, one_replica, checks):
    def view(request):
        router.db_for_read(Session)
        router.db_for_write(Session)
        raise OperationalError("the primary went away")

    with pytest.raises(OperationalError):
        reads_from_replica(view)(rf.get("/electricians/"))


# --- The API ------------------------------------------------------------------------------


class Base:
    def dispatch(self, request, *args, **kwargs):
        return HttpResponse(router.db_for_read(Session))


class PublicList(ReplicaReadsAPIMixin, Base):
    pass


class Viewset(ReplicaReadsAPIMixin, Base):
    def __init__(self, action_map):
        self.action_map = action_map


def test_read_only_api_views_read_from_the_replica_in_their_read_actions(rf, one_replica, checks):
    assert PublicList().dispatch(rf.get("/api/categories/")).content == ALIAS.encode()
    assert Viewset({"get": "list"}).dispatch(rf.get("/api/services/")).content == ALIAS.encode()
    assert Viewset({"get": "retrieve"}).dispatch(rf.get("/api/services/1/")).content == (
        ALIAS.encode()
    )
    # A provider's own listings, and any write, from the primary.
    assert Viewset({"get": "mine"}).dispatch(rf.get("/api/services/mine/")).content == b"default"
    assert Viewset({"post": "create"}).dispatch(rf.post("/api/services/")).content == b"default"


# --- Health checks -----------------------------------------------------------------------


def test_a_replica_is_checked_at_most_once_a_check_interval(one_replica, checks, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(replicas.time, "monotonic", lambda: now[0])
    assert replicas.replica_health(ALIAS).usable
    now[0] += 1.9
    checks.status = "unavailable"
    assert replicas.replica_health(ALIAS).usable  # not checked again yet
    assert checks.count == 1
    now[0] += 0.2
    assert not replicas.replica_health(ALIAS).usable
    assert checks.count == 2


def test_while_another_thread_checks_the_last_result_is_used(one_replica, checks):
    replicas._checks.record(ReplicaHealth(ALIAS, "ok", checked_at=time.monotonic() - 60))
    lock = replicas._checks.checking_lock(ALIAS)
    with lock:
        assert replicas.replica_health(ALIAS).status == "ok"
    assert checks.count == 0
    replicas._checks.clear()
    with lock:  # never checked, being checked: not usable yet
        assert replicas.replica_health(ALIAS).status == "unavailable"


class FakeReplica:
    """A replica connection whose check query answers `row`."""

    def __init__(self, row):
        self.row = row

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql, params):
        assert params == {"primary": "0/5000000"}
        return self

    def fetchone(self):
        return self.row


@pytest.fixture
def replica_answers(monkeypatch, one_replica):
    monkeypatch.setattr(replicas, "_primary_position", lambda: "0/5000000")

    def answer(row):
        monkeypatch.setattr(replicas, "_replica_connect", lambda alias: FakeReplica(row))

    return answer


def test_a_replica_that_replayed_what_the_primary_flushed_is_not_behind(replica_answers):
    # Its last transaction was an hour ago (an idle site): that is no lag.
    replica_answers((True, True, 3600.0, 0))
    health = replicas.replica_check(ALIAS)
    assert (health.status, health.lag_seconds, health.behind_bytes) == ("ok", 0.0, 0)


def test_a_replica_behind_by_more_than_the_limit_is_lagging(replica_answers):
    replica_answers((True, False, 1.5, 4096))
    assert replicas.replica_check(ALIAS).status == "ok"
    replica_answers((True, False, 2.5, 1_000_000))
    health = replicas.replica_check(ALIAS)
    assert (health.status, health.lag_seconds, health.behind_bytes) == (
        "lagging",
        2.5,
        1_000_000,
    )


def test_a_server_not_in_recovery_is_no_replica(replica_answers):
    replica_answers((False, None, None, None))
    health = replicas.replica_check(ALIAS)
    assert health.status == "unavailable" and "not in recovery" in health.detail


@pytest.mark.django_db
def test_a_replica_that_does_not_answer_is_unavailable(settings, one_replica):
    closed = {**connections["default"].settings_dict, "HOST": "127.0.0.1", "PORT": "1"}
    with alias_for(closed):
        started = time.monotonic()
        health = replicas.replica_check(ALIAS)
        assert health.status == "unavailable" and health.lag_seconds is None
        assert time.monotonic() - started < 2


def test_the_check_connects_with_the_urls_libpq_options_and_its_own_timeouts(monkeypatch):
    connected = {}

    def connect(**kwargs):
        connected.update(kwargs)
        return FakeReplica((True, True, 0.0, 0))

    monkeypatch.setattr(replicas.psycopg, "connect", connect)
    database = {
        **connections["default"].settings_dict,
        "HOST": "replica.example.com",
        "OPTIONS": {"sslmode": "require", "pool": {"max_size": 4}, "options": "-c jit=off"},
    }
    with alias_for(database):
        replicas._replica_connect(ALIAS)
    assert connected["sslmode"] == "require" and connected["host"] == "replica.example.com"
    assert connected["connect_timeout"] == 1
    assert connected["options"] == "-c statement_timeout=1000"
    assert "pool" not in connected


@pytest.mark.django_db
def test_the_primary_itself_is_not_taken_for_a_replica(one_replica):
    # The alias as the unit tests configure it: a mirror of the primary.
    with alias_for(dict(connections["default"].settings_dict)):
        health = replicas.replica_check(ALIAS)
        assert health.status == "unavailable" and "not in recovery" in health.detail


# --- /healthz -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_each_replica_and_stays_healthy_without_them(client, settings, checks):
    settings.DATABASE_REPLICAS = ["replica_0", "replica_1"]
    replicas._checks.record(
        ReplicaHealth(
            "replica_1", "lagging", lag_seconds=7.5, behind_bytes=90, checked_at=time.monotonic()
        )
    )
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "replicas": {
            "replica_0": {"status": "ok", "lag_seconds": 0.0, "behind_bytes": None},
            "replica_1": {"status": "lagging", "lag_seconds": 7.5, "behind_bytes": 90},
        },
    }
