"""Notifications other apps ask for through their domain events (they cannot import this app)."""

from django.dispatch import receiver

from accounts.signals import insurance_expiring

from .services import notify


@receiver(insurance_expiring, dispatch_uid="notifications.insurance_expiring")
def notify_insurance_expiring(sender, **message) -> None:
    # Inside the caller's transaction: the notification is recorded with the notice, or neither.
    message.pop("signal", None)
    notify(**message)
