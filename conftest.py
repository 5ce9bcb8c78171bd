"""Fixtures every test can use: people in each role, and a clean cache."""

import logging
import os
import subprocess
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

TEST_REPLICA_ALIAS = "replica_test"


def _redis_url_for_this_worker(url: str) -> str:
    """Under pytest-xdist each worker clears the cache, so each gets a Redis database of its own:
    the configured one for gw0, the one below it for gw1, and so on."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) - int(worker.removeprefix("gw"))
    if database < 0:
        raise RuntimeError(f"No Redis database left for test worker {worker}; use fewer workers.")
    return urlunsplit(parts._replace(path=f"/{database}"))


def pytest_configure(config) -> None:
    from marketplace.celery import app

    redis_url = _redis_url_for_this_worker(settings.REDIS_URL)
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_url
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": redis_url}}
    layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    layer["hosts"] = [{**host, "address": redis_url} for host in layer["hosts"]]
    app.conf.broker_url = redis_url

    # Reads never go to a replica unless a test says so (settings.DATABASE_REPLICAS): with
    # DATABASE_REPLICA_URLS set, its aliases only mirror the primary's test database, and the
    # replicas' health checks would add a query to the pinned query counts.
    settings.DATABASE_REPLICAS = []
    # The read replica's system tests (listings/tests/test_read_replica.py) point this alias at
    # the real replica for the length of a test; otherwise it mirrors the primary's test
    # database, which no test reads through it unless it names it in `databases`.
    settings.DATABASES[TEST_REPLICA_ALIAS] = {
        **settings.DATABASES["default"],
        "TEST": {"MIRROR": "default"},
    }

    # Unit tests run tasks in-process; a separate test runs a real worker against Redis.
    app.conf.task_always_eager = True
    # The anonymous page cache is off, so query counts and pages are the views' own; the page
    # cache's tests turn it on (settings.PAGE_CACHE_SECONDS = 60).
    settings.PAGE_CACHE_SECONDS = 0
    # Hashing passwords properly is slow by design; tests do not need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # WhiteNoise would index every collected static file (some 20,000 with their compressed
    # copies) each time a test client first handles a request, 0.14 s a test; looking a file
    # up when it is asked for costs nothing when none is.
    settings.WHITENOISE_AUTOREFRESH = True
    # Tests serve static files from the source folders (no collectstatic, no manifest).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _in_process_unless_marked(request, monkeypatch):
    """A test starts no process of its own unless it is marked `system` (or `browser`): those
    run in their own invocation (see the Makefile), so the in-process tests stay quick."""
    if request.node.get_closest_marker("system") or request.node.get_closest_marker("browser"):
        return

    def refuse(*args, **kwargs):
        raise RuntimeError(
            f"{request.node.nodeid} starts a process: mark it @pytest.mark.system "
            "(pyproject.toml's markers say why)."
        )

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    """Each test starts with an empty cache (its own Redis database) and its own media folder."""
    from django.core.cache import cache

    from marketplace.page_cache import local_clear

    cache.clear()
    local_clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()
    local_clear()


@pytest.fixture(autouse=True)
def _channel_layer_up():
    """Each test starts with marketplace.live trying the channel layer (a test that made it
    fail must not silence the next test's broadcasts)."""
    from marketplace.live import layer_reset

    layer_reset()
    yield
    layer_reset()


@pytest.fixture(autouse=True)
def booking_defaults(settings):
    """The booking settings the tests are written for, whatever the environment says."""
    settings.BOOKING_BUFFER_MINUTES = 30
    settings.BOOKING_MIN_LEAD_HOURS = 12
    settings.BOOKING_HORIZON_DAYS = 60


@pytest.fixture
def places(db):
    """Sydney with two places people type: Bondi (near) and Wollongong (70 km south)."""
    from django.contrib.gis.geos import Point

    from places.tests.factories import CityFactory, SuburbFactory

    sydney = CityFactory()
    return {
        "bondi": SuburbFactory(city=sydney),
        "wollongong": SuburbFactory(
            city=sydney, name="Wollongong", point=Point(150.8931, -34.4278, srid=4326)
        ),
    }


@pytest.fixture
def city(db):
    from places.tests.factories import CityFactory

    return CityFactory()


@pytest.fixture
def customer(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(name="Casey Customer")


@pytest.fixture
def provider(db):
    from accounts.tests.factories import ProviderProfileFactory

    return ProviderProfileFactory(approved=True).user


@pytest.fixture
def admin_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True, name="Ada Admin")


@pytest.fixture(scope="session")
def _s3_api_server():
    """moto's S3 API server on a free port of 127.0.0.1, in a thread of this process (a real
    HTTP server: boto3 and anonymous clients reach it over the socket)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def object_storage(_s3_api_server, settings, monkeypatch):
    """For this test, uploads go to a fresh bucket on a local S3 API server: STORAGES as the
    settings build them when an operator sets AWS_STORAGE_BUCKET_NAME and the rest, and the
    bucket's policy as docs/operations.md gives it. Gives a `marketplace.testing.ObjectStore`."""
    import requests

    from marketplace.testing import ObjectStore

    # Only what the test sets: none of the machine's own AWS settings, profile or files.
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    requests.post(f"{_s3_api_server}/moto-api/reset", timeout=10).raise_for_status()
    store = ObjectStore(_s3_api_server)
    store.create()
    _storages_from_environment(store, settings, monkeypatch)
    return store


@pytest.fixture
def private_bucket(object_storage, settings, monkeypatch):
    """`object_storage` with the private storage in a bucket of its own
    (AWS_PRIVATE_STORAGE_BUCKET_NAME); gives that bucket's name."""
    name = "nearhand-private"
    object_storage.client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
    )
    monkeypatch.setenv("AWS_PRIVATE_STORAGE_BUCKET_NAME", name)
    _storages_from_environment(object_storage, settings, monkeypatch)
    return name


@pytest.fixture
def signed_urls_only(object_storage, settings, monkeypatch):
    """`object_storage` run the strict way: a bucket with no policy at all (nothing in it is
    public) and AWS_QUERYSTRING_AUTH=1, so even public files' URLs are signed."""
    object_storage.client.delete_bucket_policy(Bucket=object_storage.bucket)
    monkeypatch.setenv("AWS_QUERYSTRING_AUTH", "1")
    _storages_from_environment(object_storage, settings, monkeypatch)
    return object_storage


def _storages_from_environment(store, settings, monkeypatch) -> None:
    import environ
    from django.core.files.storage import default_storage, storages
    from storages.backends.s3 import S3Storage

    from marketplace.settings import upload_storages
    from marketplace.storage import private_storage

    for name, value in store.environment().items():
        monkeypatch.setenv(name, value)
    settings.AWS_STORAGE_BUCKET_NAME = store.bucket
    settings.STORAGES = {**settings.STORAGES, **upload_storages(environ.Env())}
    # Django forgets its cached storages on the change; make sure the lazy handles follow.
    for storage in (default_storage, private_storage(), storages["default"]):
        assert isinstance(storage, S3Storage) and storage.endpoint_url == store.endpoint, storage
