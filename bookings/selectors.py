"""Reads for the booking pages: one query per list, whatever its length."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import ProviderProfile, User
from listings.models import Service
from listings.selectors import service_public
from marketplace.params import parse_date
from marketplace.times import day_label, moment_label

from .models import AvailabilityException, Booking, BookingEvent, WeeklyAvailability
from .slots import local_today

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


def booking_answer_by(*, booking: Booking) -> datetime:
    """When a pending request expires: its answer window from creation, or its start if that
    comes first (the same rule as stale_request_ids)."""
    window = booking.created_at + timedelta(hours=settings.BOOKING_REQUEST_EXPIRY_HOURS)
    return min(window, booking.start)


def booking_status_label(*, booking: Booking, viewer: User) -> str:
    """A booking's status in the viewer's words: a provider's own request waits for them."""
    if booking.status == Booking.Status.PENDING and booking.provider.user_id == viewer.pk:
        local = booking_answer_by(booking=booking).astimezone(booking.zone)
        return f"Waiting for you: accept or decline by {moment_label(local)}"
    return booking.get_status_display()


def stale_request_ids(*, now: datetime | None = None, hours: int = 48) -> list[int]:
    now = now or timezone.now()
    return list(
        Booking.objects.filter(status=Booking.Status.PENDING)
        .filter(Q(created_at__lte=now - timedelta(hours=hours)) | Q(period__startswith__lte=now))
        .values_list("pk", flat=True)[:1000]
    )


# --- Which day a booking page shows --------------------------------------------------------------


@dataclass(frozen=True)
class BookingDay:
    """The day a booking or reschedule page shows, and why it is not the day asked for.

    `notice` is empty when the day asked for is shown (or none was asked for); otherwise it
    says what was asked and what is shown instead. `last_day` is the last day with bookable
    times (bookings open BOOKING_HORIZON_DAYS ahead), linked from the notice when the day
    asked for is beyond it.
    """

    day: date
    today: date
    last_day: date
    notice: str = ""
    too_far: bool = False

    @property
    def horizon_days(self) -> int:
        return settings.BOOKING_HORIZON_DAYS


def booking_last_day(*, service: Service, now: datetime | None = None) -> date:
    """The last local day that can have a free time: slots start before now + the horizon."""
    now = now or timezone.now()
    latest = now + timedelta(days=settings.BOOKING_HORIZON_DAYS)
    return latest.astimezone(ZoneInfo(service.city.timezone)).date()


def booking_day_choose(
    *, service: Service, asked: str | None, now: datetime | None = None
) -> BookingDay:
    """The day to show for `asked` (the `date` a person sent, any text, or None).

    A day from today to the last bookable day is shown as asked. Anything else shows today
    with a notice: a day that has passed, a day beyond the booking window (with the last
    bookable day), or text that is not a date. Any calendar date is read (0001-01-01 has
    passed, 9999-12-31 is too far) but only days inside the window are ever used, so no
    arithmetic leaves the calendar.
    """
    today = local_today(service=service, now=now)
    last_day = booking_last_day(service=service, now=now)
    if asked is None or asked == "":
        return BookingDay(day=today, today=today, last_day=last_day)
    day = parse_date(asked, minimum=date.min, maximum=date.max)
    if day is None:
        return BookingDay(
            day=today,
            today=today,
            last_day=last_day,
            notice="That is not a date we can read (use a date like "
            f"{today.isoformat()}); showing today.",
        )
    if day < today:
        return BookingDay(
            day=today,
            today=today,
            last_day=last_day,
            notice=f"{day_label(day)} has passed; showing today.",
        )
    if day > last_day:
        return BookingDay(
            day=today,
            today=today,
            last_day=last_day,
            too_far=True,
            notice=f"Bookings open {settings.BOOKING_HORIZON_DAYS} days ahead, so "
            f"{day_label(day)} cannot be booked yet. The last day you can book is "
            f"{day_label(last_day)}; showing today.",
        )
    return BookingDay(day=day, today=today, last_day=last_day)


def bookings_today(*, now: datetime | None = None) -> QuerySet[Booking]:
    """Bookings that start today in the site's time zone and are not called off (the
    moderation start page counts them; the bookings admin filters by them)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localtime(now or timezone.now(), zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    return Booking.objects.filter(
        period__startswith__gte=start,
        period__startswith__lt=start + timedelta(days=1),
        status__in=[*Booking.ACTIVE, Booking.Status.COMPLETED],
    )
