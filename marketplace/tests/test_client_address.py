"""The client's address: X-Forwarded-For only behind our proxies, read from the right."""

import pytest
from django.test import RequestFactory

from marketplace.client_address import client_ip

requests = RequestFactory()


def request(forwarded: str | None = None, remote: str = "10.0.0.2"):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return requests.get("/", **headers)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, None, "10.0.0.2"),
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy: the header is anyone's to write
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.1.1.1, 203.0.113.9", "203.0.113.9"),  # what the client wrote is skipped
        (2, "1.1.1.1, 203.0.113.9, 198.51.100.1", "203.0.113.9"),  # a CDN, then the balancer
        (2, "203.0.113.9", "203.0.113.9"),  # came past the CDN: the first entry is ours
        (1, None, "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:DB8::1", "2001:db8::1"),
        (1, "[2001:db8::1]", "2001:db8::1"),
    ],
)
def test_the_client_address(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(forwarded)) == expected


def test_no_readable_address_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(remote="")) is None
