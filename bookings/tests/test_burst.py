"""A burst of bookings through daphne cannot exhaust the database.

Under ASGI every request runs in a thread of its own; with persistent connections each thread
kept one, and 40 people booking at once filled PostgreSQL. Here 40 signed-in customers post the
same free slot at the same moment to a real daphne: exactly one gets it, everybody else is told
the slot was just taken (409), nobody gets a 5xx, and the server never holds more connections
than its pool allows.
"""

import http.client
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
SERVER = "nearhand-burst-test"  # the daphne process's application_name in pg_stat_activity
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


@pytest.mark.django_db(transaction=True)
def test_forty_customers_one_slot_through_daphne(service, tmp_path):
    began = time.monotonic()
    customers = [UserFactory() for _ in range(CUSTOMERS)]
    cookies = _signed_in_cookies(customers)
    slot = free_slots(service)[0]
    day = f"{slot.local_start.date():%Y-%m-%d}"
    path = f"/bookings/new/{service.pk}/"
    env = {
        "DATABASE_URL": database_url(application_name=SERVER),
        "DATABASE_POOL_MIN_SIZE": "1",
        "DATABASE_POOL_MAX_SIZE": str(POOL_MAX),
        # Generous: this test is about the bound, not about a slow shared machine's 503s.
        "DATABASE_POOL_TIMEOUT": "30",
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
        f"server connections max {sampler.server_max} (pool max {POOL_MAX}), "
        f"all connections max {sampler.total_max} (this process {sampler.own_max}), "
        f"storm {storm_seconds:.2f} s, test {time.monotonic() - began:.2f} s"
    )
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
    # The server's connections carry its application_name, so its bound is checked exactly;
    # every other connection to the test database is this process's (its pool, the sampler).
    assert 0 < sampler.server_max <= POOL_MAX
