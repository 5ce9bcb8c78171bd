"""A burst of bookings through daphne cannot exhaust the database.

Under ASGI every request runs in a thread of its own; with persistent connections each thread
kept one, and 40 people booking at once filled PostgreSQL. Here 40 signed-in customers post the
same free slot at the same moment to a real daphne: exactly one gets it, everybody else is told
the slot was just taken (409), nobody gets a 5xx, and the server never holds more connections
than its pool allows. The same storm through PgBouncer in transaction mode, where the requests'
transactions take turns on a few server connections, still books the slot exactly once.
"""

import http.client
import os
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from accounts.tests.factories import UserFactory
from bookings.locking import SLOT_TAKEN_MESSAGE
from bookings.models import Booking
from bookings.tests.conftest import free_slots
from marketplace.testing import daphne_server, database_url

pytestmark = pytest.mark.system  # starts processes of its own: see pyproject.toml

CUSTOMERS = 40
POOL_MAX = 4
SERVER = "nearhand-burst-test"
# The project's PgBouncer in transaction mode (scripts/provision.sh pgbouncer).
PGBOUNCER = os.environ.get(
    "TEST_PGBOUNCER_ADDRESS", "127.0.0.1:6433"
)  # the daphne process's application_name in pg_stat_activity
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(rf"{settings.CSRF_COOKIE_NAME}=([^;]+)")


def _signed_in_cookies(customers) -> list[str]:
    cookies = []
    for customer in customers:
        client = Client()
        client.force_login(customer)
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return cookies


def _csrf(port: int, path: str, cookie: str) -> tuple[str, str]:
    """Opens this customer's booking page: their cookies with the CSRF one, and the form's token."""
    page = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        page.request("GET", path, headers={"Cookie": cookie})
        response = page.getresponse()
        body = response.read().decode()
        assert response.status == 200, (response.status, body[:500])
        csrf_cookie = CSRF_COOKIE.search(response.getheader("Set-Cookie") or "").group(1)
        return f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf_cookie}", CSRF_INPUT.search(body)[1]
    finally:
        page.close()


class _ConnectionSampler(threading.Thread):
    """Counts the connections to the test database, and the server's among them, every 5 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        db = connection.settings_dict
        self.params = {
            "dbname": db["NAME"],
            "user": db["USER"],
            "password": db["PASSWORD"],
            "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432,
        }
        self.stop = threading.Event()
        self.server_max = self.total_max = self.own_max = 0

    def run(self):
        with psycopg.connect(**self.params, autocommit=True) as sampler:
            while not self.stop.is_set():
                total, server = sampler.execute(
                    "SELECT count(*), count(*) FILTER (WHERE application_name = %s)"
                    " FROM pg_stat_activity WHERE datname = %s",
                    [SERVER, self.params["dbname"]],
                ).fetchone()
                self.server_max = max(self.server_max, server)
                self.total_max = max(self.total_max, total)
                self.own_max = max(self.own_max, total - server)
                time.sleep(0.005)


def _storm(service, tmp_path, database: dict[str, str]):
    """Forty signed-in customers post the same free slot at once to a real daphne whose
    database settings are `database`; returns the responses, the connection counts and the log."""
    customers = [UserFactory() for _ in range(CUSTOMERS)]
    cookies = _signed_in_cookies(customers)
    slot = free_slots(service)[0]
    day = f"{slot.local_start.date():%Y-%m-%d}"
    path = f"/bookings/new/{service.pk}/"
    env = {
        **database,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "BOOKING_BUFFER_MINUTES": str(settings.BOOKING_BUFFER_MINUTES),
        "BOOKING_MIN_LEAD_HOURS": str(settings.BOOKING_MIN_LEAD_HOURS),
        "BOOKING_HORIZON_DAYS": str(settings.BOOKING_HORIZON_DAYS),
    }
    sampler = _ConnectionSampler()
    with daphne_server(env, log_path=tmp_path / "daphne.log") as port:
        sampler.start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            forms = list(pool.map(lambda c: _csrf(port, f"{path}?date={day}", c), cookies))

        # Everybody connects first, then all send at once.
        ready = threading.Barrier(CUSTOMERS, timeout=30)

        def book(form):
            cookie, token = form
            body = urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "date": day,
                    "start": slot.value,
                    "street_address": "12 Campbell Parade",
                    "place": "Bondi",
                    "notes": "",
                }
            )
            post = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                post.connect()
                ready.wait()
                post.request(
                    "POST",
                    path,
                    body=body,
                    headers={
                        "Cookie": cookie,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                response = post.getresponse()
                return response.status, response.read().decode()
            finally:
                post.close()

        storm_began = time.monotonic()
        with ThreadPoolExecutor(max_workers=CUSTOMERS) as pool:
            results = list(pool.map(book, forms))
        storm_seconds = time.monotonic() - storm_began
        sampler.stop.set()
        sampler.join(5)
        log = (tmp_path / "daphne.log").read_text()
    statuses = Counter(status for status, _ in results)
    print(
        f"\nburst: statuses {dict(statuses)}, bookings {Booking.objects.count()}, "
        f"server connections max {sampler.server_max}, "
        f"all connections max {sampler.total_max} (this process {sampler.own_max}), "
        f"storm {storm_seconds:.2f} s"
    )
    return results, sampler, log


def _pooled(url: str, *, pool_max: int, **extra: str) -> dict[str, str]:
    """The daphne's database settings: `url`, through a pool of at most `pool_max`."""
    return {
        "DATABASE_URL": url,
        "DATABASE_POOL_MIN_SIZE": "1",
        "DATABASE_POOL_MAX_SIZE": str(pool_max),
        # Generous: this test is about the bound, not about a slow shared machine's 503s.
        "DATABASE_POOL_TIMEOUT": "30",
        **extra,
    }


def _exactly_one_booking(results, log: str) -> None:
    statuses = Counter(status for status, _ in results)
    assert not [status for status in statuses if status >= 500], log[-3000:]
    assert statuses == {302: 1, 409: CUSTOMERS - 1}, statuses
    # Lost before the lock ("not available") or at it ("just taken"): both are SlotTaken.
    refusals = {
        SLOT_TAKEN_MESSAGE,
        "That time is not available. Please pick one of the free times.",
    }
    assert all(
        any(refusal in body for refusal in refusals) for status, body in results if status == 409
    )
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_forty_customers_one_slot_through_daphne(service, tmp_path):
    database = _pooled(database_url(application_name=SERVER), pool_max=POOL_MAX)
    results, sampler, log = _storm(service, tmp_path, database)
    _exactly_one_booking(results, log)
    # The server's connections carry its application_name, so its bound is checked exactly;
    # every other connection to the test database is this process's (its pool, the sampler).
    assert 0 < sampler.server_max <= POOL_MAX


def _pgbouncer_console() -> psycopg.Connection:
    """PgBouncer's admin console (the project's role is its admin, scripts/provision.sh)."""
    host, _, port = PGBOUNCER.rpartition(":")
    db = connection.settings_dict
    return psycopg.connect(
        host=host,
        port=int(port),
        dbname="pgbouncer",
        user=db["USER"],
        password=db["PASSWORD"],
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture
def pgbouncer_pool_size():
    """The server pool size of the project's PgBouncer (scripts/provision.sh pgbouncer, which
    `make test` runs), once it is known to run in transaction mode; a failure under CI. After
    the test its server connections to the test database are closed, so it can be dropped."""
    try:
        with _pgbouncer_console() as console:
            config = {row[0]: row[1] for row in console.execute("SHOW CONFIG").fetchall()}
    except psycopg.OperationalError as error:
        message = f"no PgBouncer at {PGBOUNCER} (scripts/provision.sh pgbouncer): {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert config["pool_mode"] == "transaction"
    yield int(config["default_pool_size"])
    name = connection.settings_dict["NAME"]
    with _pgbouncer_console() as console:
        # KILL closes the database's connections and holds new ones until RESUME.
        console.execute(f'KILL "{name}"')
        console.execute(f'RESUME "{name}"')


@pytest.mark.django_db(transaction=True)
def test_forty_customers_one_slot_through_pgbouncer_in_transaction_mode(
    service, tmp_path, pgbouncer_pool_size
):
    server_pool = pgbouncer_pool_size
    # More client connections than PgBouncer has server connections: transactions of different
    # requests take turns on the same server connections, so the provider lock and the
    # exclusion constraint must hold without any session state.
    client_pool = server_pool * 3
    database = _pooled(
        database_url(address=PGBOUNCER, application_name=SERVER),
        pool_max=client_pool,
        DATABASE_TRANSACTION_POOLING="1",
    )
    results, sampler, log = _storm(service, tmp_path, database)
    _exactly_one_booking(results, log)
    # PgBouncer names its server connections after the client it serves: never more of them
    # than its pool, whatever the daphne's pool holds.
    assert 0 < sampler.server_max <= server_pool
