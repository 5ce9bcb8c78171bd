"""Passwords are hashed with Argon2; older hashes still work and are upgraded on sign-in.

The other tests use a fast MD5 hasher (the root conftest.py); these use the real list."""

import importlib

import pytest
from django.conf import global_settings
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    check_password,
    identify_hasher,
    make_password,
)
from django.urls import reverse
from django.utils.module_loading import import_string

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# What the settings module puts in force (Django's default list when it sets none).
CONFIGURED_HASHERS = getattr(
    importlib.import_module("marketplace.settings"),
    "PASSWORD_HASHERS",
    global_settings.PASSWORD_HASHERS,
)


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = CONFIGURED_HASHERS


def test_argon2_comes_first_and_the_older_hashers_stay_valid():
    first = import_string(CONFIGURED_HASHERS[0])
    assert issubclass(first, Argon2PasswordHasher)
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in CONFIGURED_HASHERS[1:]
    assert "django.contrib.auth.hashers.MD5PasswordHasher" not in CONFIGURED_HASHERS


def test_new_passwords_are_hashed_with_argon2id_at_owasps_parameters(real_hashers):
    encoded = make_password(PASSWORD)
    assert identify_hasher(encoded).algorithm == "argon2"
    # argon2$argon2id$v=19$m=19456,t=2,p=1$salt$hash
    assert encoded.split("$")[1:4] == ["argon2id", "v=19", "m=19456,t=2,p=1"]
    assert check_password(PASSWORD, encoded)
    assert not check_password("wrong", encoded)


def test_a_pbkdf2_password_signs_in_and_is_upgraded_to_argon2(client, real_hashers):
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
