"""Listings' reactions to accounts' domain events (sent after commit)."""

from django.dispatch import receiver

from accounts.models import ProviderProfile
from accounts.signals import provider_suspended

from .selectors import public_counts_forget


@receiver(provider_suspended, sender=ProviderProfile, dispatch_uid="listings.forget_counts")
def forget_public_counts(sender, profile: ProviderProfile, **kwargs) -> None:
    # The listings query service_public() and vanish at once; the cached counts follow.
    public_counts_forget(provider_id=profile.pk)
