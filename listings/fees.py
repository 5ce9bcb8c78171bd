"""The platform fee: the marketplace's commission on a job, set per category in the admin."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from .models import Subcategory


def platform_fee_percent(*, subcategory_id: int) -> Decimal:
    """The platform fee on a job in this subcategory: its category's, or the default
    (PLATFORM_FEE_PERCENT). One query; bookings snapshot it when they are made."""
    percent = (
        Subcategory.objects.filter(pk=subcategory_id)
        .values_list("category__platform_fee_percent", flat=True)
        .first()
    )
    return settings.PLATFORM_FEE_PERCENT if percent is None else percent
