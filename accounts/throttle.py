"""How django-axes tells sign-in attempts apart: which account, from which address.

Axes counts failures per (account, address) pair (settings: AXES_LOCKOUT_PARAMETERS). These two
callables give it the pair the same way whichever form the attempt came through.
"""

import ipaddress
from collections.abc import Mapping

from allauth import app_settings as allauth_settings
from django.http import HttpRequest

from marketplace.client_address import client_ip


def sign_in_username(request: HttpRequest | None, credentials: Mapping | None) -> str | None:
    """The email an attempt was for, trimmed and lower-cased (as accounts are looked up), so
    that "Pat@Example.com" and "pat@example.com " count as one account."""
    values = credentials or {}
    login = values.get("email") or values.get("username") or values.get("login")
    if not login and request is not None:
        data = getattr(request, "POST", {})
        login = data.get("login") or data.get("username") or data.get("email")
    # No email is longer than 254 characters; a longer "login" is no account, and must not
    # overflow django-axes' column.
    login = str(login or "").strip().lower()[:254]
    return login or None


def sign_in_address(request: HttpRequest) -> str | None:
    """The client's address (marketplace.client_address); an IPv6 address stands for its
    network (the /64 that allauth's rate limits use too, ALLAUTH_RATE_LIMIT_IPV6_PREFIX), as one
    client usually holds all of it: changing the last bits does not buy more guesses."""
    address = client_ip(request)
    if address is None:
        return None
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv4Address):
        return address
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    prefix = allauth_settings.RATE_LIMIT_IPV6_PREFIX
    return str(ipaddress.IPv6Network(f"{parsed}/{prefix}", strict=False).network_address)
