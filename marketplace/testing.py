"""Helpers for tests: asking a service whether it would act, sizing this process's database
pool, serving the site from a subprocess (daphne, or any server handed a socket) against the test
database, the Procfile's Celery worker against it, and a Redis of their own (to stop or hang in
the middle of a test)."""

import http.client
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote, urlencode

import redis
import requests
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from .errors import DomainError


class _Undo(Exception):
    """Raised inside a savepoint to take back what a service just did."""


def service_accepts(function: Callable[..., object], **kwargs: object) -> bool:
    """Whether `function(**kwargs)` does it (then rolled back), rather than refusing with a
    domain error. Needs a database transaction around it (pytest-django's `db`)."""
    try:
        with transaction.atomic():
            function(**kwargs)
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False


@contextmanager
def database_pool(**options: object) -> Iterator[object]:
    """This process's connection pool with other options for the block (`max_size=`,
    `timeout=`...: psycopg_pool.ConnectionPool's arguments); yields the pool.

    A test whose threads each hold a connection at the same time needs a pool with one for each
    (and one for the test's own thread), or they wait for each other. This thread's connection
    and the pool are closed on the way in and out, so every connection made inside comes from
    the pool in force; connections threads still hold are closed when they give them back.
    Closing this thread's connection would end a test transaction: use it in tests marked
    `django_db(transaction=True)`.
    """
    with _pool_options(lambda saved: {**(saved or {}), **options}):
        yield connections[DEFAULT_DB_ALIAS].pool


@contextmanager
def no_database_pool() -> Iterator[None]:
    """Plain connections for the block (as with DATABASE_POOL=0); see `database_pool`."""
    with _pool_options(lambda saved: None):
        yield


@contextmanager
def _pool_options(change: Callable[[dict | None], dict | None]) -> Iterator[None]:
    default = connections[DEFAULT_DB_ALIAS]
    if default.in_atomic_block:
        raise RuntimeError("Changing the pool needs a transactional test (transaction=True).")
    database_options = default.settings_dict["OPTIONS"]
    saved = database_options.get("pool")

    def use(pool_options: dict | None) -> None:
        default.close()
        default.close_pool()
        if pool_options is None:
            database_options.pop("pool", None)
        else:
            database_options["pool"] = pool_options

    use(change(saved))
    try:
        yield
    finally:
        use(saved)


def database_url(*, address: str | None = None, **query: str) -> str:
    """The URL of the database this test process uses (the test database), for a subprocess;
    through `address` ("host:port", a PgBouncer say) instead of the server when given."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    if address is None:
        address = (db["HOST"] or "127.0.0.1") + (f":{db['PORT']}" if db["PORT"] else "")
    url = f"postgis://{credentials}@{address}/{db['NAME']}"
    return f"{url}?{urlencode(query)}" if query else url


@contextmanager
def daphne_server(
    env: Mapping[str, str], *, log_path: Path, start_timeout: float = 30
) -> Iterator[int]:
    """Serve `marketplace.asgi` with daphne in a subprocess; yields the port it listens on.

    `env` is added to this process's environment; the server reads the settings in
    `marketplace.tests.server_settings` (the real ones, with static files served from the
    source folders as in this process). Yields once `/healthz` has answered.
    """
    env = {"DJANGO_SETTINGS_MODULE": "marketplace.tests.server_settings", **env}
    with served_from_socket(
        lambda fd: [
            *(sys.executable, "-m", "daphne", "--fd", str(fd)),
            *("-v", "1", "marketplace.asgi:application"),
        ],
        env=env,
        log_path=log_path,
        name="daphne",
        start_timeout=start_timeout,
    ) as port:
        yield port


@contextmanager
def served_from_socket(
    command: Callable[[int], list[str]],
    *,
    env: Mapping[str, str],
    log_path: Path,
    name: str,
    start_timeout: float = 30,
) -> Iterator[int]:
    """Run a server (`command(fd)`: its command line, serving the listening socket `fd`) in a
    subprocess; yields its port once `/healthz` answers, and stops it (TERM, then KILL after
    10 s) however the block ends.

    The listening socket is bound here, on a port the OS picks, and handed to the server, so
    there is no race for the port and requests made before the server is up simply wait in the
    socket's backlog. `env` is added to this process's environment, on plain HTTP at 127.0.0.1
    (no redirect to HTTPS) and without the test database's name.
    """
    listener = socket.create_server(("127.0.0.1", 0), backlog=256)
    port = listener.getsockname()[1]
    child_env = {
        **os.environ,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        **env,
    }
    child_env.pop("DATABASE_TEST_NAME", None)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            command(listener.fileno()),
            pass_fds=(listener.fileno(),),
            cwd=settings.BASE_DIR,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    listener.close()  # the server has its own copy
    try:
        _wait_until_serving(
            server, port, log_path, name=name, deadline=time.monotonic() + start_timeout
        )
        yield port
    finally:
        # TERM is a graceful stop for daphne and gunicorn alike: requests in flight finish.
        _stop(server)


def _stop(process: subprocess.Popen) -> None:
    """TERM, then KILL if it has not exited after 10 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_serving(
    server: subprocess.Popen, port: int, log_path: Path, *, name: str, deadline: float
) -> None:
    """The first request waits in the socket's backlog until the server takes it; if the
    server dies, the backlog is reset and the request fails at once."""
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"{name} exited:\n" + log_path.read_text())
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RuntimeError(f"{name} did not answer in time:\n" + log_path.read_text())
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=remaining)
        try:
            probe.request("GET", "/healthz")
            probe.getresponse().read()
            return
        except (TimeoutError, ConnectionError, http.client.HTTPException):
            time.sleep(0.05)
        finally:
            probe.close()


def procfile_worker_command(*extra: str) -> tuple[list[str], dict[str, str]]:
    """The Procfile's Celery worker (what `make run` starts: its queues, its options), run by
    this interpreter, with `extra` options after its own (the last of an option wins); the
    command and the environment variables the line sets."""
    line = next(
        line for line in Path(settings.BASE_DIR, "Procfile").read_text().splitlines()
        if line.startswith("worker:")
    )  # fmt: skip
    words = shlex.split(line.removeprefix("worker:"))
    env = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words[0].endswith("celery"), line
    return [sys.executable, "-m", "celery", *words[1:], *extra], env


@contextmanager
def celery_worker(
    env: Mapping[str, str], *, log_path: Path, extra: tuple[str, ...] = ()
) -> Iterator[subprocess.Popen]:
    """Run the Procfile's worker (`procfile_worker_command(*extra)`) against the test database
    and this process's broker in a subprocess of its own session (a process group: `os.killpg`
    reaches its pool's children too); yields it once it is ready to take tasks, and stops it
    (TERM, then KILL after 10 s) however the block ends. `env` is added to the environment."""
    command, procfile_env = procfile_worker_command(
        *("--without-heartbeat", "--without-gossip", "--without-mingle"), *extra
    )
    child_env = {
        **os.environ,
        **procfile_env,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DATABASE_URL": database_url(),  # the test database, not the dev one
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        **env,
    }
    child_env.pop("DATABASE_TEST_NAME", None)
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log_path.read_text():
            if worker.poll() is not None:
                raise RuntimeError("The worker exited:\n" + log_path.read_text())
            if time.monotonic() > deadline:
                raise RuntimeError("The worker was not ready in 60 s:\n" + log_path.read_text())
            time.sleep(0.1)
        yield worker
    finally:
        _stop(worker)  # TERM: a warm shutdown, the tasks in flight finish
        with suppress(ProcessLookupError):  # a pool child that a killed worker left behind
            os.killpg(worker.pid, signal.SIGKILL)


class RedisServer:
    """A redis-server of a test's own (nothing saved to disk) on a free port in 6390-6399,
    which the test may stop, or pause: a paused server (SIGSTOP) still accepts connections and
    answers nothing, as a hung one does. Ended when the `with` block ends, whatever happened.

    A port is used once per test process: connection pools (and marketplace.cache's memory of a
    Redis that stopped answering) outlive the server they were made for."""

    PORTS = range(6390, 6400)
    _used: set[int] = set()

    def __init__(self) -> None:
        self.port: int | None = None
        self._process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def __enter__(self) -> "RedisServer":
        for port in self.PORTS:
            if port in self._used or something_listens(port):
                continue
            self._used.add(port)
            command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
            command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
            process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if _answers(port, process):
                self.port, self._process = port, process
                return self
            process.kill()
            process.wait()
        raise RuntimeError("No free port left for a test Redis in 6390-6399.")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.send_signal(signal.SIGCONT)
            self._process.terminate()
            self._process.wait(timeout=10)

    def pause(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def something_listens(port: int) -> bool:
    """Whether a process accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _answers(port: int, process: subprocess.Popen) -> bool:
    """Whether `process` is the Redis answering on `port` (another test process may have just
    taken the port: then ours exits, and the one answering is not ours)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and process.poll() is None:
        client = redis.Redis(port=port, socket_connect_timeout=0.2, socket_timeout=0.2)
        try:
            if client.info("server")["process_id"] == process.pid:
                return True
        except redis.RedisError:
            time.sleep(0.05)
        finally:
            client.close()
    return False


# --- Object storage ------------------------------------------------------------------------

# The folders of the public storage that anyone may read (docs/operations.md gives the same
# bucket policy); the private storage's folders (chat/, reviews/, support/, invoices/) are in no
# statement, so only the site's own signed requests read them.
PUBLIC_FOLDERS = ("avatars", "logos", "services", "demo")


def public_read_policy(bucket: str) -> str:
    resources = [f"arn:aws:s3:::{bucket}/{folder}/*" for folder in PUBLIC_FOLDERS]
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}
    statement["Resource"] = resources
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


class ObjectStore:
    """A bucket on a local S3 API server (moto's, in this process), set up as in production:
    `STORAGES` built by the settings' own `upload_storages` from the same variables an
    operator sets, and the bucket's policy letting anyone read the public folders."""

    bucket = "nearhand-media"

    def __init__(self, endpoint: str) -> None:
        import boto3

        self.endpoint = endpoint
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="ap-southeast-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def environment(self) -> dict[str, str]:
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": "ap-southeast-2",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }

    def create(self) -> None:
        location = {"LocationConstraint": "ap-southeast-2"}
        self.client.create_bucket(Bucket=self.bucket, CreateBucketConfiguration=location)
        self.client.put_bucket_policy(Bucket=self.bucket, Policy=public_read_policy(self.bucket))

    def objects(self, prefix: str = "", *, bucket: str = "") -> list[str]:
        """Every key under `prefix` in the bucket (or `bucket`), asked of the server itself,
        not through the storage API."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket or self.bucket, Prefix=prefix
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def anonymous_get(self, url: str) -> tuple[int, bytes]:
        """GET `url` as a stranger would: no credentials, no signature unless the URL has one."""
        response = requests.get(url, timeout=10)
        return response.status_code, response.content
