"""Fixtures every test can use: people in each role, and a clean cache."""

import pytest
from django.conf import settings


def pytest_configure(config) -> None:
    from marketplace.celery import app

    # Unit tests run tasks in-process; a separate test runs a real worker against Redis.
    app.conf.task_always_eager = True
    # Hashing passwords properly is slow by design; tests do not need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests serve static files from the source folders (no collectstatic, no manifest).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    """Each test starts with an empty cache (its own Redis database) and its own media folder."""
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


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
