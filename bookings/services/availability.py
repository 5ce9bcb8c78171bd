"""A provider's working hours (weekly) and exceptions (a day off, extra hours on a date).

Writes lock the provider's row, so two browser tabs cannot add overlapping hours at once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import ProviderProfile
from marketplace.errors import Conflict, Invalid

from ..locking import period_taken
from ..models import AvailabilityException, WeeklyAvailability


def _check_range(start: time, end: time) -> None:
    if end <= start:
        raise Invalid(fields={"end_time": "The end time must be after the start time."})


def weekly_hours_add(
    *, provider: ProviderProfile, weekday: int, start_time: time, end_time: time
) -> WeeklyAvailability:
    _check_range(start_time, end_time)
    with transaction.atomic():
        ProviderProfile.objects.select_for_update().get(pk=provider.pk)
        overlapping = WeeklyAvailability.objects.filter(
            provider=provider, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time
        ).first()
        if overlapping:
            raise Conflict(
                f"These hours overlap {overlapping}. Change or remove those hours first."
            )
        return WeeklyAvailability.objects.create(
            provider=provider, weekday=weekday, start_time=start_time, end_time=end_time
        )


def weekly_hours_delete(*, provider: ProviderProfile, pk: int) -> bool:
    deleted, _ = WeeklyAvailability.objects.filter(provider=provider, pk=pk).delete()
    return bool(deleted)


def availability_exception_add(
    *,
    provider: ProviderProfile,
    day: date,
    kind: str,
    start_time: time | None = None,
    end_time: time | None = None,
    today: date | None = None,
) -> AvailabilityException:
    today = today or timezone.localdate()
    if day < today:
        raise Invalid(fields={"day": "Choose today or a later date."})
    if kind not in AvailabilityException.Kind.values:
        raise Invalid(fields={"kind": "Choose a day off or extra hours."})
    with transaction.atomic():
        ProviderProfile.objects.select_for_update().get(pk=provider.pk)
        same_day = AvailabilityException.objects.filter(provider=provider, date=day)
        if kind == AvailabilityException.Kind.DAY_OFF:
            if same_day.filter(kind=kind).exists():
                raise Conflict("That day is already a day off.")
            return AvailabilityException.objects.create(provider=provider, date=day, kind=kind)
        if start_time is None or end_time is None:
            raise Invalid(fields={"start_time": "Enter the start and end of the extra hours."})
        _check_range(start_time, end_time)
        if same_day.filter(kind=kind, start_time__lt=end_time, end_time__gt=start_time).exists():
            raise Conflict("These extra hours overlap extra hours already on that day.")
        return AvailabilityException.objects.create(
            provider=provider, date=day, kind=kind, start_time=start_time, end_time=end_time
        )


def availability_exception_delete(*, provider: ProviderProfile, pk: int) -> bool:
    deleted, _ = AvailabilityException.objects.filter(provider=provider, pk=pk).delete()
    return bool(deleted)


def provider_time_clash(
    *, provider_id: int, start: datetime, end: datetime, zone: ZoneInfo
) -> Literal["booked", "day_off"] | None:
    """What keeps the provider from working start-end: "booked" (an active booking holds the
    time, with the buffer: the same test as a new booking's) or "day_off" (a day off on a date
    it touches, in `zone`), else None. For times agreed outside the booking page (quotes);
    writing a booking still re-checks under the provider lock."""
    if period_taken(provider_id=provider_id, start=start, end=end):
        return "booked"
    first = start.astimezone(zone).date()
    last = (
        (end - timedelta(seconds=1)).astimezone(zone).date()
    )  # an end at midnight: the day before
    if AvailabilityException.objects.filter(
        provider_id=provider_id,
        kind=AvailabilityException.Kind.DAY_OFF,
        date__range=(first, last),
    ).exists():
        return "day_off"
    return None
