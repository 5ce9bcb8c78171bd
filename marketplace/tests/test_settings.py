"""The settings module is safe for production unless DJANGO_DEBUG=1."""

import os
import subprocess
import sys
from pathlib import Path

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
        'from django.core.files.storage import storages; print(type(storages["default"]).__name__)'
    )
    bucket = {"AWS_STORAGE_BUCKET_NAME": "nearhand-media"}
    result = manage("shell", "-v", "0", "-c", script, **PRODUCTION, **bucket)
    assert result.stdout.strip() == "S3Storage", result.stderr
    result = manage("shell", "-v", "0", "-c", script, **PRODUCTION)
    assert result.stdout.strip() == "FileSystemStorage", result.stderr
