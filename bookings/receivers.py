"""Bookings' reactions to accounts' domain events (sent after commit)."""

from django.dispatch import receiver

from accounts.models import ProviderProfile, User
from accounts.signals import provider_suspended, user_suspended

from .services.transitions import bookings_cancel_for_suspension


@receiver(user_suspended, sender=User, dispatch_uid="bookings.cancel_for_suspended_customer")
def cancel_for_suspended_customer(sender, user: User, **kwargs) -> None:
    # A provider's own bookings go with their profile's suspension (provider_suspended).
    bookings_cancel_for_suspension(customer=user)


@receiver(
    provider_suspended,
    sender=ProviderProfile,
    dispatch_uid="bookings.cancel_for_suspended_provider",
)
def cancel_for_suspended_provider(sender, profile: ProviderProfile, **kwargs) -> None:
    bookings_cancel_for_suspension(provider_id=profile.pk)
