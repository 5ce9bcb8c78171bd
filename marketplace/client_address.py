"""The address a request came from: the one place every rate limit, lockout and log asks.

Without a proxy it is the connection's own address (`REMOTE_ADDR`); `X-Forwarded-For` is
ignored, as anyone can write it. Behind `TRUSTED_PROXY_COUNT` proxies of ours (settings:
`DJANGO_BEHIND_PROXY`, `DJANGO_PROXY_COUNT`) it is the address the outermost of them appended to
`X-Forwarded-For`, the count-th from the right: whatever a client writes in front of it is
skipped.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address as text, or None when the request carries none we can read."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            # Fewer entries than proxies: the request skipped an outer proxy, and the first
            # entry is what the first of ours to see it appended.
            address = _valid(forwarded[-min(count, len(forwarded))])
            if address:
                return address
    return _valid(request.META.get("REMOTE_ADDR", ""))


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]")))
    except ValueError:
        return None
