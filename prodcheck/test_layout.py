"""The production layout (scripts/prod.sh), checked from outside through nginx.

`make prod-check` (which `make test` runs) starts the layout with a seeded database of its own,
then runs these; they need PROD_CHECK_URL and PROD_DIR (var/prod-check), and skip without them.
"""

import json
import os
import random
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

pytestmark = pytest.mark.system

BASE = os.environ.get("PROD_CHECK_URL", "")
DIR = Path(os.environ.get("PROD_DIR", "var/prod-check"))
HTTP_PORT = int(os.environ.get("PROD_HTTP_PORT", "8180"))
INTERNAL_PORT = int(os.environ.get("PROD_INTERNAL_PORT", "8201"))
CERT = DIR / "tls" / "cert.pem"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SECURITY_HEADERS = (
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "content-security-policy",
    "cross-origin-opener-policy",
)
# A few public pages the seed always has, for the load while a process is killed.
LOAD_PATHS = ("/", "/electricians/", "/electricians/sydney/", "/healthz")
SOCKETS_UNDER_THE_KILL = 30

if not BASE:
    pytest.skip("PROD_CHECK_URL is not set: run make prod-check", allow_module_level=True)


def browser() -> requests.Session:
    """A client that trusts the layout's own certificate, and nothing from the environment."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(CERT)
    return session


def submitted(
    session: requests.Session, path: str, form: str, data: dict, **options
) -> requests.Response:
    """Posts `data` to the form at `path` (its page's HTML: `form`) with the form's CSRF token,
    as a browser would over HTTPS (with a Referer)."""
    return session.post(
        f"{BASE}{path}",
        data={"csrfmiddlewaretoken": CSRF.search(form)[1], **data},
        headers={"Referer": f"{BASE}{path}"},
        **options,
    )


def signed_in(email: str, password: str) -> requests.Session:
    session = browser()
    page = session.get(f"{BASE}/accounts/login/")
    credentials = {"login": email, "password": password}
    response = submitted(session, "/accounts/login/", page.text, credentials)
    assert response.status_code == 200 and response.url == f"{BASE}/", response.url
    return session


def supervised_pid(program: str) -> int:
    """The process id supervisord gives for `program`; 0 while it is not running."""
    result = subprocess.run(
        [".venv/bin/supervisorctl", "-c", str(DIR / "supervisord.conf"), "pid", program],
        capture_output=True,
        text=True,
    )
    output = result.stdout.strip()
    return int(output) if output.isdigit() else 0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def test_pages_come_through_nginx_over_tls_with_each_security_header_once():
    session = browser()
    response = session.get(f"{BASE}/electricians/sydney/")
    assert response.status_code == 200
    assert "Electricians" in response.text
    for name in SECURITY_HEADERS:
        assert len(response.raw.headers.getlist(name)) == 1, name
    # Neither nginx's version nor gunicorn's name is announced.
    assert response.headers.get("Server") == "nginx"
    redirect = session.get(f"http://localhost:{HTTP_PORT}/electricians/", allow_redirects=False)
    assert redirect.status_code == 301
    assert redirect.headers["Location"] == f"{BASE}/electricians/"


def test_the_pages_have_a_streaming_replica_to_read_from():
    # scripts/prod.sh gives the processes the local replica (make test provisions it); the
    # routing itself is proved in listings/tests/test_read_replica.py.
    health = browser().get(f"{BASE}/healthz").json()
    # "lagging" while the primary runs a long write elsewhere (the lag is measured from the
    # last commit replayed): the pages then read from the primary, as they should.
    assert health["replicas"]["replica_0"]["status"] in ("ok", "lagging"), health


def test_static_files_are_compressed_and_cached_for_a_year():
    session = browser()
    page = session.get(f"{BASE}/")
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.text)[1]
    response = session.get(f"{BASE}{stylesheet}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(response.raw.headers.getlist("x-content-type-options")) == 1


def test_a_customer_signs_in_and_books_a_free_time():
    session = signed_in("customer@nearhand.test", "nearhand-customer")
    listing_page = session.get(f"{BASE}/electricians/sydney/")
    service = re.search(r'href="/services/(\d+)-', listing_page.text)[1]
    form = session.get(f"{BASE}/bookings/new/{service}/")
    day = re.search(r'<input type="hidden" name="date" value="([^"]+)"', form.text)[1]
    start = re.search(r'name="start" value="([^"]+)"', form.text)[1]
    response = submitted(
        session,
        f"/bookings/new/{service}/",
        form.text,
        {
            "date": day,
            "start": start,
            "street_address": "12 Campbell Parade",
            "place": "Bondi",
            "notes": "Through nginx and PgBouncer.",
        },
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]
    booking = session.get(f"{BASE}{response.headers['Location']}")
    assert booking.status_code == 200
    assert "Through nginx and PgBouncer." in booking.text


def _socket(session: requests.Session, url: str):
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    return connect(
        url,
        additional_headers={"Cookie": cookie, "Origin": BASE},
        ssl=_tls() if url.startswith("wss://") else None,
        open_timeout=10,
        # This client waits for the server's close while frames it never read are queued
        # (a catch-up it did not drain); a browser does not.
        close_timeout=1,
    )


def _tls():
    import ssl

    return ssl.create_default_context(cafile=str(CERT))


def _frames_until(socket, kind: str, *, seconds: float = 10) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        frame = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        if frame.get("type") == kind:
            return frame
    raise AssertionError(f"no {kind} frame within {seconds} s")


def _message_with(socket, body: str, *, seconds: float = 10) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        frame = _frames_until(socket, "message", seconds=deadline - time.monotonic())
        if frame["message"]["body"] == body:
            return frame


def _conversation(customer: requests.Session) -> int:
    inbox = customer.get(f"{BASE}/messages/")
    return int(re.search(r'href="/messages/(\d+)/"', inbox.text)[1])


def test_a_message_sent_through_one_daphne_reaches_a_client_on_the_other():
    customer = signed_in("customer@nearhand.test", "nearhand-customer")
    provider = signed_in("provider@nearhand.test", "nearhand-provider")
    conversation = _conversation(customer)
    path = f"/ws/chat/{conversation}/"
    first, second = (f"ws://127.0.0.1:{INTERNAL_PORT + n}{path}" for n in (1, 2))
    with _socket(provider, second) as listening, _socket(customer, first) as sending:
        # A page says which messages it has (none here: it is sent them all, then the new one).
        listening.send(json.dumps({"type": "hello", "after": 0}))
        body = f"Sent through one daphne at {time.time():.3f}"
        sending.send(json.dumps({"type": "send", "body": body, "ref": "prod-check"}))
        assert _frames_until(sending, "sent")["ref"] == "prod-check"
        assert _message_with(listening, body)
    # And through nginx's /ws/ route, over TLS.
    with _socket(customer, f"{BASE.replace('https://', 'wss://')}{path}") as through_nginx:
        through_nginx.send(json.dumps({"type": "send", "body": "Through nginx", "ref": "tls"}))
        assert _frames_until(through_nginx, "sent")["ref"] == "tls"


class _Load(threading.Thread):
    """GETs public pages from a few threads until stopped; counts the answers by status."""

    def __init__(self, threads: int = 4):
        super().__init__(daemon=True)
        self.threads = threads
        self.stop = threading.Event()
        self.statuses: Counter = Counter()
        self.lock = threading.Lock()

    def _one_client(self, n: int) -> None:
        session = browser()
        i = n
        while not self.stop.is_set():
            try:
                status = session.get(
                    f"{BASE}{LOAD_PATHS[i % len(LOAD_PATHS)]}", timeout=30
                ).status_code
            except requests.RequestException as error:
                status = type(error).__name__
            with self.lock:
                self.statuses[status] += 1
            i += 1

    def run(self) -> None:
        with ThreadPoolExecutor(self.threads) as pool:
            list(pool.map(self._one_client, range(self.threads)))


def test_killing_a_gunicorn_worker_under_load_loses_at_most_its_requests_in_flight():
    master = supervised_pid("web")
    workers = children(master)
    assert len(workers) >= 2, workers
    load = _Load()
    load.start()
    time.sleep(2)
    os.kill(workers[0], signal.SIGKILL)
    time.sleep(3)
    load.stop.set()
    load.join(60)
    failed = {status: n for status, n in load.statuses.items() if status != 200}
    # A worker serves at most 2 requests at once (2 threads); nginx tries a GET that failed on
    # the dead worker once more, on another.
    assert sum(failed.values()) <= 2, load.statuses
    assert load.statuses[200] > 20, load.statuses
    assert browser().get(f"{BASE}/healthz").status_code == 200
    assert workers[0] not in children(master)
    assert len(children(master)) == len(workers)  # the master started a new one


def test_killing_one_daphne_leaves_the_sockets_to_the_other():
    customer = signed_in("customer@nearhand.test", "nearhand-customer")
    # The header's socket: it sends the unread counts as it opens.
    url = f"{BASE.replace('https://', 'wss://')}/ws/notifications/"
    victim = supervised_pid("ws-1")
    five_opened = threading.Event()

    def kill_in_the_middle() -> None:
        five_opened.wait(60)
        time.sleep(random.uniform(0, 0.2))  # most likely while a socket is being opened
        os.kill(victim, signal.SIGKILL)

    killer = threading.Thread(target=kill_in_the_middle, daemon=True)
    killer.start()
    failures, opened = [], 0
    # One socket at a time: while the killed daphne is away every new socket must go to the
    # other, so only the one in flight at the kill may fail.
    for _ in range(SOCKETS_UNDER_THE_KILL):
        try:
            with _socket(customer, url) as socket:
                _frames_until(socket, "messages_unread")  # the daphne behind it is alive
            opened += 1
        except (OSError, WebSocketException) as error:
            failures.append(repr(error))
        if opened == 5:
            five_opened.set()
    killer.join(1)
    assert not killer.is_alive()
    assert len(failures) <= 1, (failures, opened)
    for _ in range(40):  # supervisord starts it again
        if supervised_pid("ws-1") not in (0, victim):
            break
        time.sleep(0.25)
    assert supervised_pid("ws-1") not in (0, victim)
