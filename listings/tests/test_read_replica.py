"""The public pages through a real streaming replica (`make test` provisions one: a second
PostgreSQL cluster on port 5433, copied with pg_basebackup and streaming from the primary).

The test database pytest-django creates on the primary is on the replica too (physical
replication copies the whole cluster), so the tests point a replica alias at the same database
name on the replica's port. They need real commits for the replica to see anything, hence
transactional tests. A replica that stops is played by a TCP proxy in front of the real one:
stopping the proxy cuts the connections the pool holds and refuses new ones, which is what the
site sees when a replica stops, without stopping the replica other test processes share.

Without a replica they are skipped, saying why; on CI (CI=true) they fail instead.
"""

import os
import socket
import threading
import time
from contextlib import contextmanager, suppress

import environ
import pytest
from django.db import connections
from django.urls import reverse

from marketplace import replicas
from marketplace.replicas import WROTE_COOKIE

from .factories import CategoryFactory, ServiceFactory, SubcategoryFactory

ALIAS = "replica_test"  # declared by the root conftest.py, a mirror of the primary until here
pytestmark = [
    pytest.mark.system,
    pytest.mark.django_db(transaction=True, databases=["default", ALIAS]),
]
REPLICA_URL = os.environ.get("DATABASE_TEST_REPLICA_URL", "")


def replica_settings(*, host: str, port: int | str) -> dict:
    """The replica alias: the primary's test database and options, at the replica's address."""
    database = {**connections["default"].settings_dict, "HOST": host, "PORT": port}
    if REPLICA_URL:
        replica = environ.Env.db_url_config(REPLICA_URL)
        database |= {"USER": replica["USER"], "PASSWORD": replica["PASSWORD"]}
    return database


def no_replica(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"No read replica on CI: {reason} (make test provisions one)")
    pytest.skip(f"No read replica: {reason} (make test provisions one)")


@contextmanager
def replica_alias(settings, *, host: str, port: int | str):
    """The alias reads from the server at host:port for the length of the test."""
    settings.DATABASE_REPLICAS = [ALIAS]
    settings.DATABASE_REPLICA_CHECK_SECONDS = 2.0
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 2.0
    settings.DATABASE_READ_OWN_WRITES_SECONDS = 5
    connection = connections[ALIAS]
    mirror, declared = connection.settings_dict, connections.settings[ALIAS]
    connection.close()
    connection.close_pool()  # a pool is made once per alias, from the settings of the time
    # This thread's connection, and those other threads make (asgiref's, under ASGI).
    connection.settings_dict = connections.settings[ALIAS] = replica_settings(host=host, port=port)
    replicas.checks_clear()
    try:
        yield ALIAS
    finally:
        replicas.checks_clear()
        connection.close()
        connection.close_pool()
        connection.settings_dict, connections.settings[ALIAS] = mirror, declared


@pytest.fixture
def replica_address():
    if not REPLICA_URL:
        no_replica("DATABASE_TEST_REPLICA_URL is not set")
    replica = environ.Env.db_url_config(REPLICA_URL)
    host, port = replica["HOST"] or "127.0.0.1", int(replica["PORT"] or 5432)
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        no_replica(f"nothing answers at {host}:{port} ({error})")
    return host, port


@pytest.fixture
def replica(settings, replica_address):
    host, port = replica_address
    with replica_alias(settings, host=host, port=port) as alias:
        health = replicas.replica_check(alias)
        if health.status == "unavailable":
            no_replica(f"{host}:{port} is {health.status} {health.detail}")
        yield alias


def caught_up(alias: str, timeout: float = 10.0) -> None:
    """Waits until the replica has replayed everything the primary has committed so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()")
        (position,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections[alias].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


@contextmanager
def servers_answering(alias: str):
    """Records, for every query the page makes on the alias, whether the server that answered
    it on that very connection was in recovery (a replica) and its port."""
    seen: list[tuple[bool, int]] = []

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        raw = context["connection"].connection
        seen.append(raw.execute("SELECT pg_is_in_recovery(), inet_server_port()").fetchone())
        return result

    with connections[alias].execute_wrapper(wrapper):
        yield seen


@pytest.fixture
def listing():
    electricians = CategoryFactory(name="Electricians", slug="electricians")
    emergency = SubcategoryFactory(
        category=electricians, name="Emergency electricians", slug="emergency-electricians"
    )
    service = ServiceFactory(subcategory=emergency, title="Replica-read switchboard")
    return service, f"/emergency-electricians/{service.city.slug}/"


@contextmanager
def queries_on(alias: str):
    """The SQL of every query sent through the alias meanwhile (recorded as it is sent, so a
    query to a server that does not answer counts, and nothing connects to record it)."""
    sent: list[str] = []

    def wrapper(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connections[alias].execute_wrapper(wrapper):
        yield sent


def only_the_health_check(sent: list[str]) -> bool:
    """Whether the primary was asked nothing but how far it has flushed (a replica's check)."""
    return all("pg_current_wal_flush_lsn" in sql for sql in sent)


def catalogue(sent: list[str]) -> list[str]:
    return [sql for sql in sent if "listings_" in sql]


def test_a_public_page_reads_from_the_replica(client, replica, replica_address, listing):
    service, url = listing
    caught_up(replica)
    with (
        servers_answering(replica) as answered,
        queries_on("default") as on_primary,
        queries_on(replica) as on_replica,
    ):
        response = client.get(url)
    assert response.status_code == 200
    assert service.title in response.text
    # Its catalogue queries ran on a server in recovery, at the replica's port; the primary
    # answered only the replica's health check.
    assert answered and set(answered) == {(True, replica_address[1])}
    assert catalogue(on_replica)
    assert only_the_health_check(on_primary)

    # The listing, the provider's profile, the category, the sitemaps, the search (its typo
    # and place look-ups are raw SQL) and the read-only API read from it too.
    for page in (
        service.get_absolute_url(),
        reverse("provider_public", args=[service.provider.slug]),
        reverse("category", args=["electricians"]),
        reverse("sitemap_index"),
        reverse("sitemap_section", args=["services"]),
        reverse("search") + "?q=switchbord&where=" + service.city.name,
        reverse("api_service-detail", args=[service.pk]),
        reverse("api_service-list") + "?q=switchboard",
        reverse("api_category_list"),
    ):
        with servers_answering(replica) as answered, queries_on("default") as on_primary:
            response = client.get(page)
        assert response.status_code == 200
        assert answered and all(in_recovery for in_recovery, _port in answered)
        assert only_the_health_check(on_primary), page


def test_a_write_then_a_read_in_the_same_session_sees_the_write(client, replica, listing):
    service, url = listing
    provider = service.provider.user
    client.force_login(provider)
    caught_up(replica)

    response = client.post(
        reverse("portal_service_status", args=[service.pk]), {"status": "paused"}
    )
    assert response.status_code == 302
    assert WROTE_COOKIE in response.cookies
    # (The portal's list shows the "is paused" message, which names the listing.)
    assert client.get(response["Location"]).status_code == 200
    with (
        queries_on("default") as on_primary,
        queries_on(replica) as on_replica,
    ):
        response = client.get(url)
    # The provider's next page reads from the primary and no longer lists the paused listing.
    assert response.status_code == 200
    assert service.title not in response.text
    assert catalogue(on_primary)
    assert on_replica == []

    # Someone else reads the same page from the replica, which has replayed the pause by now.
    caught_up(replica)
    other = client.__class__()
    with queries_on(replica) as on_replica:
        response = other.get(url)
    assert response.status_code == 200 and service.title not in response.text
    assert catalogue(on_replica)

    # Once the window has passed, the provider reads from the replica again.
    client.cookies.pop(WROTE_COOKIE)
    with queries_on(replica) as on_replica:
        assert client.get(url).status_code == 200
    assert catalogue(on_replica)


class ReplicaProxy:
    """A TCP proxy to the real replica that can stop: it then closes every connection it
    carries and its port refuses new ones."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()
        with self.lock:
            for end in self.sockets:
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()


@pytest.fixture
def proxied_replica(settings, replica_address):
    proxy = ReplicaProxy(*replica_address)
    try:
        with replica_alias(settings, host="127.0.0.1", port=proxy.port) as alias:
            if replicas.replica_check(alias).status == "unavailable":
                no_replica(f"{replica_address} does not answer as a replica")
            yield alias, proxy
    finally:
        proxy.stop()


def test_a_replica_that_stops_sends_reads_to_the_primary_without_an_error_page(
    client, proxied_replica, listing
):
    replica, proxy = proxied_replica
    service, url = listing
    caught_up(replica)
    with servers_answering(replica) as answered:
        response = client.get(url)
    assert response.status_code == 200 and answered and answered[0][0] is True

    # It stops while the last check still says it is well: the pool's connection to it is cut.
    proxy.stop()
    assert replicas.replica_health(replica).usable
    with queries_on("default") as on_primary:
        response = client.get(url)
    assert response.status_code == 200
    assert service.title in response.text
    assert catalogue(on_primary)
    assert replicas.replica_health(replica).status == "unavailable"

    # Later requests go straight to the primary, and the next check finds it down.
    with queries_on(replica) as on_replica:
        response = client.get(service.get_absolute_url())
    assert response.status_code == 200 and service.title in response.text
    assert on_replica == []
    assert replicas.replica_check(replica).status == "unavailable"

    health = client.get(reverse("healthz"))
    assert health.status_code == 200
    assert health.json()["replicas"][replica]["status"] == "unavailable"


def test_healthz_reports_the_replica_and_its_lag(client, replica):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()["replicas"][replica]
    assert body["status"] == "ok"
    assert 0 <= body["lag_seconds"] <= 2.0
    assert body["behind_bytes"] >= 0


def test_a_replica_that_is_down_from_the_start_is_never_read(client, settings, listing):
    service, url = listing
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    with replica_alias(settings, host="127.0.0.1", port=port) as replica:
        with queries_on(replica) as on_replica:
            response = client.get(url)
        assert response.status_code == 200 and service.title in response.text
        assert on_replica == []
        assert replicas.replica_health(replica).status == "unavailable"


@pytest.mark.asyncio
async def test_under_asgi_pages_read_from_the_replica_and_a_writer_from_the_primary(
    replica, listing, monkeypatch
):
    """The routing lives in a context variable, so it holds where Django runs the view on a
    thread of asgiref's (daphne), not the request's own."""
    from asgiref.sync import sync_to_async
    from django.test import AsyncClient

    service, url = listing

    def caught_up_here() -> None:
        caught_up(replica)
        connections.close_all()  # that thread's, as the end of a request closes them

    await sync_to_async(caught_up_here)()
    decided: list[str] = []
    read = replicas.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        decided.append(read(self, model, **hints))
        return decided[-1]

    monkeypatch.setattr(replicas.ReplicaRouter, "db_for_read", spy)
    client = AsyncClient()
    try:
        response = await client.get(url)
        assert response.status_code == 200 and service.title in response.text
        assert decided and set(decided) == {replica}

        # Any POST marks the client (this one is refused: it is not signed in).
        response = await client.post(reverse("portal_service_status", args=[service.pk]))
        assert WROTE_COOKIE in response.cookies
        decided.clear()
        response = await client.get(url)
        assert response.status_code == 200 and set(decided) == {"default"}
    finally:
        # The test client leaves the connections of the thread the views ran on open.
        await sync_to_async(connections.close_all)()
