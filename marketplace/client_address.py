"""The address a request came from: the one place every rate limit, lockout and log asks.

Without a proxy it is the connection's own address (`REMOTE_ADDR`); `X-Forwarded-For` is
ignored, as anyone can write it. Behind `TRUSTED_PROXY_COUNT` proxies of ours (settings:
`DJANGO_BEHIND_PROXY`, `DJANGO_PROXY_COUNT`) it is the address the outermost of them appended to
`X-Forwarded-For`, the count-th from the right: whatever a client writes in front of it is
skipped.
"""

import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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


# A first-party cookie holding a random id, set once per browser, so that two accounts used
# from one browser can be linked by the fraud rules (reviews/fraud.py). It names no person and
# carries nothing else; pages work without it.
DEVICE_COOKIE = "nh_device"
DEVICE_COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
_DEVICE_ID_LENGTH = 32


@dataclass(frozen=True)
class ClientInfo:
    """Who sent a request, as far as we can tell: recorded with sign-ins, sign-ups, reviews."""

    ip_address: str | None = None
    user_agent: str = ""
    device_id: str = ""


def client_info(request: HttpRequest | None) -> ClientInfo:
    if request is None:
        return ClientInfo()
    return ClientInfo(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        device_id=device_id(request),
    )


def device_id(request: HttpRequest) -> str:
    """The browser's device id: the cookie's when it is one of ours, else the one
    device_cookie_middleware is about to set."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if len(value) == _DEVICE_ID_LENGTH and all(c in "0123456789abcdef" for c in value):
        return value
    if not hasattr(request, "_new_device_id"):
        request._new_device_id = secrets.token_hex(_DEVICE_ID_LENGTH // 2)
    return request._new_device_id


def device_cookie_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Set the device cookie on the first response to a browser that has none (HttpOnly,
    SameSite=Lax, five years)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        current = device_id(request)
        if request.COOKIES.get(DEVICE_COOKIE) != current:
            response.set_cookie(
                DEVICE_COOKIE,
                current,
                max_age=DEVICE_COOKIE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return middleware
