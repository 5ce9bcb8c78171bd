"""The settings module is safe for production unless DJANGO_DEBUG=1."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.system  # starts processes of its own: see pyproject.toml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "prod-" + "k3y-" * 16,
    "DJANGO_ALLOWED_HOSTS": "nearhand.example.com",
    "DATABASE_URL": "postgis://nearhand:secret@db.example.com:5432/nearhand",
    "REDIS_URL": "redis://cache.example.com:6379/0",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ACCOUNT_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_are_strict():
    script = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.ACCOUNT_EMAIL_VERIFICATION, s.SESSION_ENGINE,"
        " s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
    )
    result = manage("shell", "-v", "0", "-c", script, **PRODUCTION)
    assert result.stdout.split(maxsplit=7) == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "mandatory",
        "django.contrib.sessions.backends.db",
        "[\"'self'\"]\n",
    ]


def test_s3_storage_when_a_bucket_is_configured():
    script = (
        "import json; from django.conf import settings;"
        " from django.core.files.storage import storages;"
        " print(json.dumps({alias: [type(storages[alias]).__name__,"
        " getattr(storages[alias], 'bucket_name', None),"
        " getattr(storages[alias], 'querystring_auth', None)] for alias in ('default', 'private')}"
        " | {'img-src': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'][3:]}))"
    )

    def storages_with(**env: str) -> dict:
        result = manage("shell", "-v", "0", "-c", script, **PRODUCTION, **env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    bucket = {"AWS_STORAGE_BUCKET_NAME": "nearhand-media"}
    assert storages_with(**bucket) == {
        "default": ["S3Storage", "nearhand-media", False],
        "private": ["S3Storage", "nearhand-media", True],
        "img-src": ["https://tile.openstreetmap.org", "https://nearhand-media.s3.amazonaws.com"],
    }
    elsewhere = {
        **bucket,
        "AWS_PRIVATE_STORAGE_BUCKET_NAME": "nearhand-private",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.com",
    }
    assert storages_with(**elsewhere) == {
        "default": ["S3Storage", "nearhand-media", False],
        "private": ["S3Storage", "nearhand-private", True],
        "img-src": ["https://tile.openstreetmap.org", "https://s3.example.com"],
    }
    domain = {**elsewhere, "AWS_S3_CUSTOM_DOMAIN": "media.example.com"}
    assert storages_with(**domain)["img-src"][1] == "https://media.example.com"
    assert storages_with() == {
        "default": ["FileSystemStorage", None, None],
        "private": ["FileSystemStorage", None, None],
        "img-src": ["https://tile.openstreetmap.org"],
    }


def settings_in_a_process(script: str, **env: str) -> subprocess.CompletedProcess:
    """Runs `script` once Django is set up the way daphne, gunicorn and pytest set it up."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "marketplace.settings"} | PRODUCTION | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


DATABASE = (
    "from django.conf import settings as s; d = s.DATABASES['default'];"
    "print(d['CONN_MAX_AGE'], d['OPTIONS'].get('pool'), d['OPTIONS']['options'])"
)


def test_servers_share_a_bounded_pool_of_connections():
    result = settings_in_a_process(DATABASE)
    assert result.stdout.strip() == (
        "0 {'min_size': 2, 'max_size': 10, 'timeout': 5.0} "
        "-c jit=off -c max_parallel_workers_per_gather=0"
    ), result.stderr
    sized = {"DATABASE_POOL_MIN_SIZE": "1", "DATABASE_POOL_MAX_SIZE": "4"}
    result = settings_in_a_process(DATABASE, **sized, DATABASE_POOL_TIMEOUT="2.5")
    assert "{'min_size': 1, 'max_size': 4, 'timeout': 2.5}" in result.stdout, result.stderr


def test_without_the_pool_connections_are_plain():
    # The Procfile's Celery processes set DATABASE_POOL=0; manage.py commands default to it.
    result = settings_in_a_process(DATABASE, DATABASE_POOL="0")
    assert result.stdout.startswith("0 None -c jit=off"), result.stdout + result.stderr


def test_behind_a_transaction_pooler_nothing_outlives_a_transaction():
    script = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d.get('DISABLE_SERVER_SIDE_CURSORS', False), 'options' in d['OPTIONS'])"
    )
    assert settings_in_a_process(script).stdout.split() == ["False", "True"]
    result = settings_in_a_process(script, DATABASE_TRANSACTION_POOLING="1")
    assert result.stdout.split() == ["True", "False"], result.stderr


@pytest.mark.parametrize(
    ("command", "environment", "pool"),
    [
        ("migrate", {}, "0"),
        ("runserver", {}, "1"),  # serves ASGI, a thread per request, like daphne
        ("migrate", {"DATABASE_POOL": "1"}, "1"),  # the environment decides when it says
    ],
)
def test_manage_py_pools_only_for_runserver(command, environment, pool):
    script = (
        "import os, sys; import django.core.management as management;"
        "management.execute_from_command_line = lambda argv: print(os.environ['DATABASE_POOL']);"
        f"sys.argv = ['manage.py', {command!r}]; import manage; manage.main()"
    )
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_POOL"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean | environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == pool, result.stderr


def test_a_pool_that_cannot_work_is_refused():
    result = settings_in_a_process(DATABASE, DATABASE_POOL_MIN_SIZE="5", DATABASE_POOL_MAX_SIZE="2")
    assert result.returncode != 0
    assert "DATABASE_POOL_MIN_SIZE must be between 0 and DATABASE_POOL_MAX_SIZE" in result.stderr


def test_the_forwarded_client_address_is_trusted_only_behind_a_proxy():
    script = (
        "from django.conf import settings as s;"
        "print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    direct = manage("shell", "-v", "0", "-c", script, **PRODUCTION, DJANGO_PROXY_COUNT="2")
    assert direct.stdout.split() == ["0", "0"], direct.stderr
    proxied = manage("shell", "-v", "0", "-c", script, **PRODUCTION, DJANGO_BEHIND_PROXY="1")
    assert proxied.stdout.split() == ["1", "1"], proxied.stderr
    two = {"DJANGO_BEHIND_PROXY": "1", "DJANGO_PROXY_COUNT": "2"}
    assert manage("shell", "-v", "0", "-c", script, **PRODUCTION, **two).stdout.split() == [
        "2",
        "2",
    ]
    refused = {"DJANGO_BEHIND_PROXY": "1", "DJANGO_PROXY_COUNT": "0"}
    result = manage("check", **PRODUCTION, **refused)
    assert result.returncode != 0 and "DJANGO_PROXY_COUNT must be 1 or more" in result.stderr


def test_a_clean_up_period_out_of_its_range_stops_the_site_saying_the_range():
    # The sign-in log must outlive the fraud rules' 90 days of looking back at it.
    result = manage("check", **PRODUCTION, CLEANUP_SIGN_IN_LOG_DAYS="30")
    assert result.returncode != 0
    assert "CLEANUP_SIGN_IN_LOG_DAYS must be a whole number from 90 to 3650" in result.stderr
    result = manage("check", **PRODUCTION, CLEANUP_UNVERIFIED_ACCOUNT_DAYS="0")
    assert "CLEANUP_UNVERIFIED_ACCOUNT_DAYS must be a whole number from 1 to 3650" in result.stderr
    assert manage("check", **PRODUCTION, CLEANUP_DRAFT_NOTICE_DAYS="14").returncode == 0


CELERY = (
    "from marketplace.celery import app; c = app.conf; from django.conf import settings as s;"
    "print(c.task_acks_late, c.task_reject_on_worker_lost, c.worker_prefetch_multiplier,"
    " c.task_default_queue, c.broker_transport_options['visibility_timeout'], s.EMAIL_BACKEND)"
)


def test_celery_acknowledges_late_and_requeues_the_task_of_a_lost_worker():
    result = settings_in_a_process(CELERY)
    assert result.stdout.split() == [
        "True",
        "True",
        "1",
        "default",
        "3600",
        "django.core.mail.backends.console.EmailBackend",
    ], result.stderr
    result = settings_in_a_process(
        CELERY,
        CELERY_VISIBILITY_TIMEOUT="600",
        EMAIL_URL="smtp+tls://user:pass@smtp.example.com:587",
        EMAIL_BACKEND="anymail.backends.amazon_ses.EmailBackend",
    )
    assert result.stdout.split()[4:] == ["600", "anymail.backends.amazon_ses.EmailBackend"]


REPLICAS = (
    "from django.conf import settings as s; import json;"
    "print(json.dumps({a: {k: s.DATABASES[a][k] for k in ('HOST', 'PORT', 'NAME', 'ENGINE',"
    " 'CONN_MAX_AGE', 'OPTIONS', 'TEST')} for a in s.DATABASE_REPLICAS}));"
    "print(s.DATABASE_ROUTERS, s.DATABASE_READ_OWN_WRITES_SECONDS,"
    " s.DATABASE_REPLICA_MAX_LAG_SECONDS, s.DATABASE_REPLICA_CHECK_SECONDS)"
)


def test_each_replica_url_is_an_alias_with_the_primarys_engine_pool_and_options():
    import json

    urls = (
        "postgres://reader:pw@replica-a:5432/nearhand,postgis://reader:pw@replica-b:6432/nearhand"
    )
    result = settings_in_a_process(REPLICAS, DATABASE_REPLICA_URLS=urls)
    assert result.returncode == 0, result.stderr
    aliases, routing = result.stdout.strip().splitlines()
    replicas = json.loads(aliases)
    assert list(replicas) == ["replica_0", "replica_1"]
    assert (replicas["replica_0"]["HOST"], replicas["replica_1"]["PORT"]) == ("replica-a", 6432)
    for replica in replicas.values():
        assert replica["ENGINE"] == "django.contrib.gis.db.backends.postgis"
        assert replica["CONN_MAX_AGE"] == 0
        assert replica["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 5.0}
        assert replica["OPTIONS"]["options"] == "-c jit=off -c max_parallel_workers_per_gather=0"
        # Unit tests read through the primary's test database; the system tests set up the
        # real replica themselves.
        assert replica["TEST"]["MIRROR"] == "default"
    assert routing == "['marketplace.replicas.ReplicaRouter'] 5 2.0 2.0"

    result = settings_in_a_process(REPLICAS)
    assert result.stdout.splitlines()[0] == "{}", result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_REPLICA_MAX_LAG_SECONDS": "0"}, "DATABASE_REPLICA_MAX_LAG_SECONDS must be"),
        ({"DATABASE_REPLICA_CHECK_SECONDS": "0"}, "DATABASE_REPLICA_CHECK_SECONDS must be"),
        ({"DATABASE_READ_OWN_WRITES_SECONDS": "0"}, "DATABASE_READ_OWN_WRITES_SECONDS must be"),
        # A person who wrote must not read a replica that may not have replayed it yet.
        (
            {"DATABASE_READ_OWN_WRITES_SECONDS": "5", "DATABASE_REPLICA_MAX_LAG_SECONDS": "4"},
            "DATABASE_READ_OWN_WRITES_SECONDS must be at least",
        ),
    ],
)
def test_replica_settings_out_of_range_are_refused(env, message):
    result = settings_in_a_process("pass", **env)
    assert result.returncode != 0 and message in result.stderr
