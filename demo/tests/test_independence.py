"""The demo app comes last: it may import any other app, and nothing imports it (import-linter's
"demo may import anything; nothing imports it" contract in pyproject.toml holds the second)."""

from django.conf import settings


def test_the_demo_app_is_installed_last():
    assert settings.INSTALLED_APPS[-1] == "demo"
