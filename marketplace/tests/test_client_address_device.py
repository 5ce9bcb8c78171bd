"""The device cookie: a random id set once per browser, HttpOnly and SameSite=Lax."""

import re

import pytest
from django.test import Client

from marketplace.client_address import DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE

pytestmark = pytest.mark.django_db

PAGE = "/accounts/login/"


def _set_cookie(response):
    return response.cookies.get(DEVICE_COOKIE)


def test_the_first_response_sets_a_random_device_id():
    first, second = Client(), Client()
    cookie = _set_cookie(first.get(PAGE))
    assert re.fullmatch(r"[0-9a-f]{32}", cookie.value)
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == DEVICE_COOKIE_MAX_AGE
    assert _set_cookie(second.get(PAGE)).value != cookie.value


def test_a_valid_cookie_is_kept_and_not_set_again(client):
    device = _set_cookie(client.get(PAGE)).value
    response = client.get(PAGE)
    assert _set_cookie(response) is None
    assert client.cookies[DEVICE_COOKIE].value == device


@pytest.mark.parametrize("garbage", ["nope", "Z" * 32, "a" * 31, "a" * 64, "<script>", "ä" * 32])
def test_a_garbage_cookie_is_replaced(client, garbage):
    client.cookies[DEVICE_COOKIE] = garbage
    cookie = _set_cookie(client.get(PAGE))
    assert re.fullmatch(r"[0-9a-f]{32}", cookie.value)
