"""Reads for the booking pages: one query per list, whatever its length."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import ProviderProfile, User
from listings.models import Service
from listings.selectors import service_public

from .models import AvailabilityException, Booking, BookingEvent, WeeklyAvailability

PAST_LIMIT = 20
UPCOMING_LIMIT = 100


def _with_related(queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    return queryset.select_related("service__city", "provider__user", "customer")


def bookable_service_get(*, pk: int) -> Service | None:
    """A public listing that takes bookings (not one priced on quote)."""
    return (
        service_public()
        .exclude(price_type=Service.PriceType.QUOTE)
        .select_related("city", "provider", "subcategory")
        .filter(pk=pk)
        .first()
    )


def booking_for_user(*, user: User, pk: int) -> Booking | None:
    """The booking if `user` is its customer or its provider; None for anybody else."""
    if not user.is_authenticated:
        return None
    return (
        _with_related(Booking.objects.filter(Q(customer=user) | Q(provider__user=user)))
        .filter(pk=pk)
        .first()
    )


def booking_events(*, booking: Booking) -> list[BookingEvent]:
    return list(booking.events.select_related("actor"))


@dataclass
class Dashboard:
    needs_action: list[Booking] = field(default_factory=list)
    upcoming: list[Booking] = field(default_factory=list)
    past: list[Booking] = field(default_factory=list)


def _dashboard(queryset: QuerySet[Booking], *, user: User, now: datetime, provider: bool):
    current = Q(status__in=Booking.ACTIVE, period__endswith__gt=now)
    board = Dashboard()
    for booking in _with_related(queryset.filter(current)).order_by("period")[:UPCOMING_LIMIT]:
        waiting_on_me = (
            booking.proposed_by_id is not None and booking.proposed_by_id != user.pk
        ) or (provider and booking.status == Booking.Status.PENDING)
        (board.needs_action if waiting_on_me else board.upcoming).append(booking)
    board.past = list(
        _with_related(queryset.exclude(current)).order_by("-period", "-id")[:PAST_LIMIT]
    )
    return board


def customer_dashboard(*, user: User, now: datetime | None = None) -> Dashboard:
    """A customer's bookings: what needs an answer, what is coming, the recent past (2 queries)."""
    return _dashboard(
        Booking.objects.filter(customer=user), user=user, now=now or timezone.now(), provider=False
    )


def provider_dashboard(*, provider: ProviderProfile, now: datetime | None = None) -> Dashboard:
    """A provider's bookings: requests and proposals to answer, confirmed jobs, the recent past."""
    return _dashboard(
        Booking.objects.filter(provider=provider),
        user=provider.user,
        now=now or timezone.now(),
        provider=True,
    )


@dataclass
class CalendarDay:
    day: date
    bookings: list[Booking]

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


def provider_week(*, provider: ProviderProfile, week_start: date) -> list[CalendarDay]:
    """Monday to Sunday in the provider's home city, with the bookings starting each day."""
    zone = ZoneInfo(provider.base_city.timezone)
    first = datetime.combine(week_start, time(), tzinfo=zone)
    last = datetime.combine(week_start + timedelta(days=7), time(), tzinfo=zone)
    bookings = _with_related(
        Booking.objects.filter(
            provider=provider,
            status__in=[*Booking.ACTIVE, Booking.Status.COMPLETED],
            period__startswith__gte=first,
            period__startswith__lt=last,
        )
    ).order_by("period")
    days = [CalendarDay(week_start + timedelta(days=n), []) for n in range(7)]
    for booking in bookings:
        index = (booking.start.astimezone(zone).date() - week_start).days
        if 0 <= index < 7:
            days[index].bookings.append(booking)
    return days


def weekly_hours(*, provider: ProviderProfile) -> list[WeeklyAvailability]:
    return list(WeeklyAvailability.objects.filter(provider=provider))


def upcoming_exceptions(
    *, provider: ProviderProfile, today: date | None = None
) -> list[AvailabilityException]:
    today = today or timezone.localdate()
    return list(AvailabilityException.objects.filter(provider=provider, date__gte=today)[:100])


def reminder_due_ids(*, now: datetime | None = None, hours: int = 24) -> list[int]:
    now = now or timezone.now()
    return list(
        Booking.objects.filter(
            status=Booking.Status.ACCEPTED,
            reminder_sent_at__isnull=True,
            period__startswith__gt=now,
            period__startswith__lte=now + timedelta(hours=hours),
        ).values_list("pk", flat=True)[:1000]
    )


def stale_request_ids(*, now: datetime | None = None, hours: int = 48) -> list[int]:
    now = now or timezone.now()
    return list(
        Booking.objects.filter(status=Booking.Status.PENDING)
        .filter(Q(created_at__lte=now - timedelta(hours=hours)) | Q(period__startswith__lte=now))
        .values_list("pk", flat=True)[:1000]
    )
