"""Hooks into Django's auth signals for the sign-in log; the work itself is a service call."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from marketplace.client_address import client_ip

from .services import sign_in_record


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return client_ip(request), request.META.get("HTTP_USER_AGENT", "")


@receiver(user_logged_in, dispatch_uid="accounts.sign_in_succeeded")
def record_sign_in(sender, request, user, **kwargs) -> None:
    ip_address, user_agent = _client(request)
    sign_in_record(
        user=user, email=user.email, succeeded=True, ip_address=ip_address, user_agent=user_agent
    )


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    ip_address, user_agent = _client(request)
    email = str(credentials.get("email") or credentials.get("username") or "")
    sign_in_record(
        user=None, email=email, succeeded=False, ip_address=ip_address, user_agent=user_agent
    )
