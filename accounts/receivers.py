"""Hooks into Django's auth signals and allauth's sign-up signal for the sign-in log; the work
itself is a service call."""

from allauth.account.signals import password_changed, password_reset, password_set, user_signed_up
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from marketplace.client_address import client_info

from .models import SignInEvent
from .services import sign_in_record, user_tokens_revoke


def _record(request, *, user, email: str, succeeded: bool, kind: str) -> None:
    client = client_info(request)
    sign_in_record(
        user=user,
        email=email,
        succeeded=succeeded,
        ip_address=client.ip_address,
        user_agent=client.user_agent,
        device_id=client.device_id,
        kind=kind,
    )


@receiver(user_logged_in, dispatch_uid="accounts.sign_in_succeeded")
def record_sign_in(sender, request, user, **kwargs) -> None:
    _record(request, user=user, email=user.email, succeeded=True, kind=SignInEvent.Kind.SIGN_IN)


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "")
    _record(request, user=None, email=email, succeeded=False, kind=SignInEvent.Kind.SIGN_IN)


@receiver(user_signed_up, dispatch_uid="accounts.signed_up")
def record_sign_up(sender, request, user, **kwargs) -> None:
    _record(request, user=user, email=user.email, succeeded=True, kind=SignInEvent.Kind.SIGN_UP)


@receiver(password_changed, dispatch_uid="accounts.password_changed_revokes_tokens")
@receiver(password_set, dispatch_uid="accounts.password_set_revokes_tokens")
@receiver(password_reset, dispatch_uid="accounts.password_reset_revokes_tokens")
def revoke_tokens_on_new_password(sender, request, user, **kwargs) -> None:
    """A new password ends the API sessions the old one opened, as it does the page's."""
    user_tokens_revoke(user=user)
