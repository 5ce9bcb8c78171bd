"""Listings' reactions to accounts' domain events (sent after commit), and to the catalogue's
categories and cities being written (in the admin)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import ProviderProfile
from accounts.signals import provider_suspended
from marketplace.page_cache import pages_changed
from places.models import City

from .models import Category, Subcategory
from .selectors import catalogue_lists_forget, public_counts_forget


@receiver(provider_suspended, sender=ProviderProfile, dispatch_uid="listings.forget_counts")
def forget_public_counts(sender, profile: ProviderProfile, **kwargs) -> None:
    # The listings query service_public() and vanish at once; the cached counts follow.
    public_counts_forget(provider_id=profile.pk)


@receiver([post_save, post_delete], sender=Category, dispatch_uid="listings.category_lists")
@receiver([post_save, post_delete], sender=Subcategory, dispatch_uid="listings.type_lists")
@receiver([post_save, post_delete], sender=City, dispatch_uid="listings.city_lists")
def forget_catalogue_lists(sender, **kwargs) -> None:
    # After commit: a request in between would cache the old lists again. The cached pages
    # show the names and links too.
    transaction.on_commit(catalogue_lists_forget)
    pages_changed()
