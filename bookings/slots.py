"""Free time slots: weekly hours, minus days off, plus extra hours, minus active bookings.

Hours are wall-clock times in the service's city. Slots are stepped in local wall-clock time
(so a 9:00 am slot stays at 9:00 am on the day daylight saving starts or ends), then turned into
UTC, which is what the database stores. A wall-clock time that does not exist (the hour the
clocks skip) gives no slot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from psycopg.types.range import Range

from listings.models import Service
from marketplace.times import DASH, clock, when_label

from .models import AvailabilityException, Booking, WeeklyAvailability


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime  # UTC
    zone: ZoneInfo

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.zone)

    @property
    def value(self) -> str:
        """How a form names this slot: its UTC start."""
        return slot_value(self.start)

    @property
    def label(self) -> str:
        return f"{clock(self.local_start)} {DASH} {clock(self.local_end)}"


def slot_value(start: datetime) -> str:
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def slot_parse(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def booking_when(booking: Booking, period: Range | None = None) -> str:
    """A booking's time (or another period of it, such as a proposed new time) in its city."""
    period = period or booking.period
    return when_label(
        start=period.lower, end=period.upper, zone=booking.zone, city_name=booking.service.city.name
    )


def _merge(ranges: list[tuple[time, time]]) -> list[tuple[time, time]]:
    merged: list[list[time]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _day_blocks(
    ranges: list[tuple[time, time]], day: date, duration: timedelta
) -> list[tuple[time, time]]:
    """The day's blocks of working hours a job may start in. A job longer than every block
    (a full day's work against hours with a lunch break) runs through the breaks: one block
    from the day's first hour to its last, so it can still be booked."""
    blocks = _merge(ranges)
    fits = any(
        datetime.combine(day, end) - datetime.combine(day, start) >= duration
        for start, end in blocks
    )
    if blocks and not fits:
        return [(blocks[0][0], blocks[-1][1])]
    return blocks


def _local(day: date, moment: time, zone: ZoneInfo) -> datetime | None:
    """The aware datetime for a wall-clock time, or None when the clocks skip it."""
    aware = datetime.combine(day, moment, tzinfo=zone)
    back = aware.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != aware.replace(tzinfo=None):
        return None
    return aware


def service_slots_between(
    *,
    service: Service,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
    ignore_booking_id: int | None = None,
) -> dict[date, list[Slot]]:
    """Local date -> the free slots that day, for each day from first_day to last_day (3 queries).

    `ignore_booking_id` leaves one booking out of the busy time (to move it to a new time).
    """
    now = now or timezone.now()
    zone = ZoneInfo(service.city.timezone)
    duration = timedelta(minutes=service.duration_minutes)
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    step = duration + buffer
    earliest = now + timedelta(hours=settings.BOOKING_MIN_LEAD_HOURS)
    latest = now + timedelta(days=settings.BOOKING_HORIZON_DAYS)
    provider_id = service.provider_id

    weekly: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for row in WeeklyAvailability.objects.filter(provider_id=provider_id).values_list(
        "weekday", "start_time", "end_time"
    ):
        weekly[row[0]].append((row[1], row[2]))
    days_off: set[date] = set()
    extra: dict[date, list[tuple[time, time]]] = defaultdict(list)
    for kind, day, start, end in AvailabilityException.objects.filter(
        provider_id=provider_id, date__range=(first_day, last_day)
    ).values_list("kind", "date", "start_time", "end_time"):
        if kind == AvailabilityException.Kind.DAY_OFF:
            days_off.add(day)
        else:
            extra[day].append((start, end))

    window_start = datetime.combine(first_day, time(), tzinfo=zone) - buffer
    window_end = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=zone) + buffer
    busy_qs = Booking.objects.filter(
        provider_id=provider_id,
        status__in=Booking.ACTIVE,
        period__overlap=(window_start, window_end),
    )
    if ignore_booking_id:
        busy_qs = busy_qs.filter(~Q(pk=ignore_booking_id))
    busy = [(period.lower - buffer, period.upper + buffer) for period in
            busy_qs.values_list("period", flat=True)]  # fmt: skip

    found: dict[date, list[Slot]] = {}
    day = first_day
    while day <= last_day:
        ranges = [] if day in days_off else list(weekly.get(day.weekday(), []))
        slots: list[Slot] = []
        for range_start, range_end in _day_blocks(ranges + extra.get(day, []), day, duration):
            end_local = _local(day, range_end, zone) or datetime.combine(
                day, range_end, tzinfo=zone
            )
            end_utc = end_local.astimezone(UTC)
            wall = datetime.combine(day, range_start)
            while wall.date() == day:
                aware = _local(day, wall.time(), zone)
                if aware is not None:
                    start_utc = aware.astimezone(UTC)
                    slot_end = start_utc + duration
                    if slot_end > end_utc:
                        break
                    if earliest <= start_utc < latest and not any(
                        b0 < slot_end and start_utc < b1 for b0, b1 in busy
                    ):
                        slots.append(Slot(start=start_utc, end=slot_end, zone=zone))
                wall += step
        found[day] = slots
        day += timedelta(days=1)
    return found


def service_slots(
    *,
    service: Service,
    day: date,
    now: datetime | None = None,
    ignore_booking_id: int | None = None,
) -> list[Slot]:
    return service_slots_between(
        service=service, first_day=day, last_day=day, now=now, ignore_booking_id=ignore_booking_id
    )[day]


def slot_find(
    *,
    service: Service,
    start: datetime,
    now: datetime | None = None,
    ignore_booking_id: int | None = None,
) -> Slot | None:
    """The free slot starting at `start` (UTC), or None when there is no such free slot."""
    day = start.astimezone(ZoneInfo(service.city.timezone)).date()
    for slot in service_slots(
        service=service, day=day, now=now, ignore_booking_id=ignore_booking_id
    ):
        if slot.start == start:
            return slot
    return None


def local_today(*, service: Service, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(service.city.timezone)).date()
