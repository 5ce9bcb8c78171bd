"""The API's throttles (settings.REST_FRAMEWORK): anonymous, signed-in, and stricter scopes.

A module of its own because rest_framework.views imports these while it loads, and
marketplace.api imports rest_framework.views.
"""

from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from .client_address import client_ip


class _ClientAddress:
    """DRF reads X-Forwarded-For itself; ours is the project's one reading of the address."""

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"


class AnonThrottle(_ClientAddress, AnonRateThrottle):
    pass


class UserThrottle(_ClientAddress, UserRateThrottle):
    pass


class ScopedThrottle(_ClientAddress, ScopedRateThrottle):
    """Stricter limits where a guess costs us work: views set `throttle_scope` ("auth",
    "sign_up", "password_reset")."""
